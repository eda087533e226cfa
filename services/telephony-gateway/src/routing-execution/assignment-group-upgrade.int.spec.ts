// Upgrading from one assignment consumer group for all links to one group per link: each link's group starts where
// the shared group stopped, so assignments consumed before the upgrade are not read (and acted on) again.
import { randomBytes } from 'node:crypto';
import { dlqTopicOf, Topics } from '@switchboard/contracts';
import { migrateEventStore } from '@switchboard/eventsourcing';
import { eventually, uniqueName } from '@switchboard/testing';
import type { Pool } from 'pg';
import { startGateway, type GatewayRuntime } from '../gateway-runtime';
import { openExecutionHarness, type ExecutionHarness } from '../test-support/execution-harness';
import { assignmentEvent } from '../test-support/routing-events';
import { assignmentGroupOf } from './infrastructure/link-assignments';

jest.setTimeout(120_000);

describe('the first start after the upgrade to one assignment group per link', () => {
  let h: ExecutionHarness;
  let pool: Pool;
  let gateway: GatewayRuntime | undefined;
  const tenant = uniqueName('t').toLowerCase();
  const assignmentTopic = uniqueName('it-gw-assign-upgrade');
  const sharedGroup = uniqueName('gw-assign');
  const pbxLinkId = uniqueName('pbx');

  beforeAll(async () => {
    h = await openExecutionHarness({ clientId: 'gw-upgrade-it', database: 'sb_gw_upgrade', assignmentTopic, topics: [assignmentTopic, dlqTopicOf(assignmentTopic)] });
    ({ pool } = h);
  });

  afterAll(async () => {
    await gateway?.stop();
    await h?.close();
  });

  const executions = async () => (await h.query<{ event_id: string }>('select event_id from gw_assignment_executions')).map((r) => r.event_id);

  it('should go on from the shared group\'s offsets: what it consumed is not read again, what came after is', async () => {
    const before = [assignmentEvent(`${pbxLinkId}:before-1`, '1001', 'sales', tenant), assignmentEvent(`${pbxLinkId}:before-2`, '1002', 'sales', tenant)];
    await h.send(before);
    // Where the shared group of the earlier version stood: past both.
    await migrateEventStore(pool);
    const admin = h.kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(assignmentTopic);
    await admin.disconnect();
    for (const p of ends) {
      await pool.query('insert into es_consumer_offsets (consumer_group, topic, partition, next_offset) values ($1, $2, $3, $4)', [sharedGroup, assignmentTopic, p.partition, p.high]);
    }
    const after = assignmentEvent(`${pbxLinkId}:after-1`, '1003', 'sales', tenant);
    await h.send([after]);

    // No PBX answers here: the link runs (its lease is held) and assignments of calls it never saw are rejected.
    gateway = await startGateway({
      pool, kafka: h.kafka, relayName: uniqueName('relay'), assignmentGroupId: sharedGroup, topicOverrides: { [Topics.routingAssignment.name]: assignmentTopic },
      backoff: { initialMs: 1000, maxMs: 5000 },
      settings: { tenant, site: 'hq', callerHashKey: randomBytes(32).toString('hex'), ami: {
        pbxLinkId, host: '127.0.0.1', port: 1, username: 'switchboard', secret: 'x', keepaliveMs: 5000, ringCycleMs: 5000, defaultDialedNumber: '4008001234',
      } },
    });
    await eventually('the assignment sent after the shared group\'s offsets executed', async () => (await executions()).includes(after.id), 60_000);
    const [row] = await h.query<{ status: string; reason: string }>('select status, reason from gw_assignment_executions where event_id = $1', [after.id]);
    expect(row).toEqual({ status: 'failed', reason: 'unknown call: no caller channel recorded' });
    expect(await executions()).toEqual([after.id]);
    const seeded = await h.query<{ partition: number; next_offset: string }>(
      'select partition, next_offset from es_consumer_offsets where consumer_group = $1 order by partition', [assignmentGroupOf(sharedGroup, pbxLinkId)]);
    // Copied from the shared group's (then moved past the one assignment sent after).
    expect(seeded.map((r) => r.partition)).toEqual(ends.map((p) => p.partition));
    expect(seeded.reduce((n, r) => n + Number(r.next_offset), 0)).toBe(ends.reduce((n, p) => n + Number(p.high), 0) + 1);
  });
});
