import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { fail, isPidAlive, killAndWait, step, waitFor } from './process-util';

export interface KafkaBrokerOptions {
  /** Repository root; jars and data live in <root>/.infra/kafka (git-ignored). */
  rootDir: string;
  port: number;
  controllerPort: number;
}

const KAFKA_VERSION_HINT = 'Apache Kafka 4.1.1 (kafka_2.13) from Maven Central';

function paths(o: KafkaBrokerOptions) {
  const base = path.join(o.rootDir, '.infra', 'kafka');
  return {
    base,
    libs: path.join(base, 'libs'),
    data: path.join(base, `data-${o.port}`),
    pidFile: path.join(base, `broker-${o.port}.pid`),
    pom: path.join(o.rootDir, 'deploy', 'local', 'kafka', 'pom.xml'),
    log4j: path.join(o.rootDir, 'deploy', 'local', 'kafka', 'log4j2.properties'),
  };
}

export function brokerAddress(o: KafkaBrokerOptions): string {
  return `127.0.0.1:${o.port}`;
}

/** Resolves the broker jars once with Maven into the ignored cache. Idempotent. */
export function resolveKafkaJars(o: KafkaBrokerOptions): void {
  const p = paths(o);
  if (fs.existsSync(p.libs) && fs.readdirSync(p.libs).some((f) => f.startsWith('kafka_2.13-'))) return;
  requireCommand('java', 'Java 17+ is required to run Kafka: apt-get install -y openjdk-17-jre-headless');
  requireCommand('mvn', 'Maven is required to fetch Kafka from Maven Central: apt-get install -y maven');
  step(`Resolving ${KAFKA_VERSION_HINT} into ${p.libs} (first run only)`);
  try {
    execFileSync('mvn', ['-B', '-q', '-f', p.pom, 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies',
      '-DincludeScope=runtime', `-DoutputDirectory=${p.libs}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  } catch {
    fail(`Could not resolve Kafka jars with Maven (see output above). Check that Maven Central is reachable, then retry.`);
  }
}

function requireCommand(cmd: string, hint: string): void {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
  } catch {
    fail(`${cmd} not found. ${hint}`);
  }
}

function serverProperties(o: KafkaBrokerOptions, dataDir: string): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.bootstrap.servers=127.0.0.1:${o.controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${o.port},CONTROLLER://127.0.0.1:${o.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${o.port},CONTROLLER://127.0.0.1:${o.controllerPort}`,
    'inter.broker.listener.name=PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${path.join(dataDir, 'log')}`,
    'num.partitions=1',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    'delete.topic.enable=true',
    'num.network.threads=2',
    'num.io.threads=2',
    'background.threads=2',
    'num.recovery.threads.per.data.dir=1',
    'log.segment.bytes=16777216',
    '',
  ].join('\n');
}

function javaArgs(o: KafkaBrokerOptions, dataDir: string): string[] {
  const p = paths(o);
  return ['-Xms256m', '-Xmx1g', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-XX:ParallelGCThreads=2', '-XX:ConcGCThreads=1',
    '-XX:+ExitOnOutOfMemoryError', '-Djava.awt.headless=true', '-Djava.net.preferIPv4Stack=true',
    `-Dkafka.logs.dir=${path.join(dataDir, 'logs')}`, `-Dlog4j2.configurationFile=file:${p.log4j}`,
    `-DZstdTempFolder=${path.join(dataDir, 'tmp')}`, `-Dorg.xerial.snappy.tempdir=${path.join(dataDir, 'tmp')}`,
    '-cp', `${p.libs}/*`];
}

export function runningBrokerPid(o: KafkaBrokerOptions): number | undefined {
  const { pidFile } = paths(o);
  if (!fs.existsSync(pidFile)) return undefined;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
  return isPidAlive(pid) ? pid : undefined;
}

/** Starts a single-node KRaft broker+controller on loopback unless ours already runs. Returns true if it started one. */
export async function startKafka(o: KafkaBrokerOptions, timeoutMs = 90_000, freshData = false): Promise<boolean> {
  if (runningBrokerPid(o)) {
    await waitForKafkaReady(brokerAddress(o), timeoutMs);
    return false;
  }
  resolveKafkaJars(o);
  const p = paths(o);
  // A broker started just for a test run begins empty: topics left by earlier runs (every suite makes its own) slow
  // its start and its partitions may still be loading when the admin API first answers.
  if (freshData) fs.rmSync(p.data, { recursive: true, force: true });
  for (const d of ['log', 'logs', 'tmp']) fs.mkdirSync(path.join(p.data, d), { recursive: true });
  const propsFile = path.join(p.data, 'server.properties');
  fs.writeFileSync(propsFile, serverProperties(o, p.data));
  if (!fs.existsSync(path.join(p.data, 'log', 'meta.properties'))) {
    step('Formatting KRaft storage (first run only)');
    const clusterId = execFileSync('java', [...javaArgs(o, p.data), 'kafka.tools.StorageTool', 'random-uuid']).toString().trim();
    execFileSync('java', [...javaArgs(o, p.data), 'kafka.tools.StorageTool', 'format', '--standalone', '-t', clusterId, '-c', propsFile],
      { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  step(`Starting Kafka broker on ${brokerAddress(o)}`);
  const out = fs.openSync(path.join(p.data, 'logs', 'stdout.log'), 'a');
  const child = spawn('java', [...javaArgs(o, p.data), 'kafka.Kafka', propsFile], { detached: true, stdio: ['ignore', out, out] });
  child.unref();
  fs.writeFileSync(p.pidFile, String(child.pid));
  try {
    await waitForKafkaReady(brokerAddress(o), timeoutMs, () => isPidAlive(child.pid!));
  } catch (e) {
    await stopKafka(o);
    fail(`Kafka did not become ready: ${(e as Error).message}. See ${path.join(p.data, 'logs')} (port ${o.port} taken? set SWITCHBOARD_KAFKA_PORT).`);
  }
  return true;
}

/** Ready means an admin call succeeds, not just an open port. */
export async function waitForKafkaReady(broker: string, timeoutMs: number, stillAlive: () => boolean = () => true): Promise<void> {
  const kafka = new Kafka({ clientId: 'switchboard-infra-probe', brokers: [broker], logLevel: logLevel.NOTHING,
    retry: { retries: 0 }, connectionTimeout: 1000, requestTimeout: 3000 });
  await waitFor(`Kafka admin API on ${broker}`, timeoutMs, async () => {
    if (!stillAlive()) throw new Error('broker process exited');
    const admin = kafka.admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return cluster.brokers.length > 0;
    } catch {
      return false;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  });
}

export async function stopKafka(o: KafkaBrokerOptions): Promise<void> {
  const pid = runningBrokerPid(o);
  if (pid) {
    step(`Stopping Kafka broker (pid ${pid})`);
    await killAndWait(pid, 30_000);
  }
  fs.rmSync(paths(o).pidFile, { force: true });
}
