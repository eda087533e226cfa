// `npm run infra:up|down|status`: manage the local Kafka broker and check Postgres without starting services.
import { ensureInfra, kafkaOptions, runningBrokerPid, stopKafka, InfraError } from './src';

async function main(cmd: string | undefined): Promise<void> {
  switch (cmd) {
    case 'up': {
      const infra = await ensureInfra();
      console.log(`Kafka: ${infra.kafkaBrokers.join(',')}  Postgres: ok`);
      return;
    }
    case 'down':
      await stopKafka(kafkaOptions());
      return;
    case 'status': {
      const pid = runningBrokerPid(kafkaOptions());
      console.log(pid ? `Kafka broker running (pid ${pid})` : 'Kafka broker not running');
      return;
    }
    default:
      throw new InfraError(`usage: infra-cli up|down|status (got '${cmd ?? ''}')`);
  }
}

main(process.argv[2]).catch((e) => {
  console.error(e instanceof InfraError ? `error: ${e.message}` : e);
  process.exit(1);
});
