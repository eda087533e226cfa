import { grpcOptionsFor, grpcServiceName, PROTO_ROOT, Topics } from '@switchboard/contracts';
import { createIdempotentProducer, createKafka, fetchTopicOffsetsRetrying, migrateEventStore } from '@switchboard/eventsourcing';
import { runService, startStandardService } from '@switchboard/service-kit';
import { Pool } from 'pg';
import { Gauge } from 'prom-client';
import { EventTimeClock, latestEventTime } from './clock/event-time-clock';
import { loadServiceConfig } from './config';
import { startProjections } from './projections/projection-host';
import { ReportReader } from './reports/application/report-reader';
import { RollupMaterialiser } from './reports/application/rollup-materialiser';
import { migrateAgentDirectory, projectionLag, teamRefsOf, teamsOf } from './reports/infrastructure/agent-directory';
import type { ReportingDeps } from './grpc/reporting.grpc-controller';
import { reportingModule } from './reporting.module';
import { startWallboard } from './wallboard/wallboard-server';

runService('reporting', async () => {
  const config = loadServiceConfig(process.env);
  const pool = new Pool({ connectionString: config.databaseUrl, max: 8 });
  await migrateEventStore(pool);
  await migrateAgentDirectory(pool);
  const kafka = createKafka('reporting', config.kafkaBrokers);
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  const projections = await startProjections({ kafka, pool, deadLetterProducer: producer });
  const admin = kafka.admin();
  await admin.connect();
  const endOffsets = async () => {
    const ends = new Map<string, number>();
    for (const topic of [Topics.telephonyCall.name, Topics.telephonyAgent.name]) {
      for (const o of await fetchTopicOffsetsRetrying(admin, topic)) ends.set(`${topic}:${o.partition}`, Number(o.high));
    }
    return ends;
  };
  // docs/adr/0008-reporting-clock.md: "now" and "today" follow the PBX events' time (the simulator runs its day at 60×).
  const clock = new EventTimeClock(() => latestEventTime(pool));
  if (config.clock === 'data') await clock.start(500, (e) => process.stderr.write(`reporting clock: ${String(e)}\n`));
  const now = config.clock === 'data' ? () => clock.now() : () => new Date();
  const reader = new ReportReader(pool, { timeZone: config.timeZone, siteTimeZones: config.siteTimeZones, parameters: config.kpiParameters, now });
  const deps: ReportingDeps = {
    reader, teamOf: (tenant, ids) => teamsOf(pool, tenant, ids), teamRefs: (tenant, ids) => teamRefsOf(pool, tenant, ids), lag: () => projectionLag(pool, endOffsets), now,
    clockRate: () => (config.clock === 'data' ? clock.rate() : 1),
  };
  const { package: pkg, protoPath } = grpcOptionsFor('reporting');
  const service = await startStandardService({
    config, auth: config.auth, healthServices: [grpcServiceName('reporting')],
    protos: [{ package: pkg, protoPath, includeDirs: [PROTO_ROOT] }],
    module: reportingModule(deps),
  });
  const wallboard = await startWallboard({ ...config.wallboard, pool, reporting: deps, auth: config.auth, timeZone: config.timeZone,
    onError: (e) => service.logger.error({ err: e }, 'wallboard error') });
  service.logger.info({ url: wallboard.url }, 'wallboard listening');
  // Days of the default fingerprints materialised ahead of the first report (ADR 0015); from the first pass after the
  // projections caught up, so a rebuild's catch-up does not compete with the rebuild.
  const rollups = new RollupMaterialiser(pool, { timeZone: config.timeZone, siteTimeZones: config.siteTimeZones, parameters: config.kpiParameters,
    ...config.rollups }, service.logger);
  new Gauge({ name: 'reporting_rollups_current', help: '1 when the last rollup materialiser pass found every default fingerprint\'s days materialised, else 0',
    registers: [service.metrics], collect() { this.set(rollups.isCurrent() ? 1 : 0); } });
  void projections.whenActive().then(() => rollups.start(), (e: unknown) => service.logger.error({ err: e }, 'projections failed; rollup materialiser not started'));
  return {
    logger: service.logger,
    stop: async () => {
      await rollups.stop();
      clock.stop();
      await wallboard.close();
      await service.stop();
      await projections.stop();
      await admin.disconnect();
      await producer.disconnect();
      await pool.end();
    },
  };
});
