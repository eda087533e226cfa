// The routing gRPC API end to end: a real Nest gRPC server, real Postgres (event store + outbox), a plain
// @grpc/grpc-js client with signed tokens. Live telephony state is fed to the router as its consumer would.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { Pool } from 'pg';
import { grpcOptionsFor, PROTO_ROOT, Topics } from '@switchboard/contracts';
import { createLogger, grpcLoaderOptions, mintDevToken, readErrorDetails, startGrpcService, type Principal, type RunningGrpcService } from '@switchboard/service-kit';
import { freshDatabase } from '@switchboard/testing';
import { composeRouting } from '../routing.composition';
import { routingModule } from '../routing.module';
import type { RoutingDeps } from './routing.grpc-controller';

const SECRET = 'routing-integration-secret-of-at-least-32-bytes';
type Unary = (req: object, md: grpc.Metadata, cb: (e: grpc.ServiceError | null, res?: Record<string, unknown>) => void) => void;
type Client = grpc.Client & Record<string, Unary> & { watchQueueState(req: object, md: grpc.Metadata): grpc.ClientReadableStream<Record<string, unknown>> };

let db: { url: string; drop: () => Promise<void> };
let pool: Pool;
let deps: RoutingDeps;
let server: RunningGrpcService;
let client: Client;
let now = Date.parse('2026-03-02T09:00:00Z');
const clock = () => now;

const token = async (roles: Principal['roles'], teamIds: string[] = []) => {
  const md = new grpc.Metadata();
  md.set('authorization', `Bearer ${await mintDevToken({ secret: SECRET, subject: `user-${roles[0]}`, roles, tenant: 'acme', teamIds })}`);
  return md;
};
const call = (method: string, req: object, md: grpc.Metadata) => new Promise<{ error: grpc.ServiceError | null; res?: Record<string, unknown> }>((resolve) =>
  client[method].call(client, req, md, (error, res) => resolve({ error, res })));
const supervisor = () => token(['supervisor']);
const billingPolicy = { queueId: 'q-billing', strategy: 'most-skilled', steps: [{ requirements: [{ skillId: 'billing', minProficiency: 3 }], expirySeconds: 0, extraQueueIds: [] }] };

beforeAll(async () => {
  db = await freshDatabase('sb_routing');
  pool = new Pool({ connectionString: db.url, max: 4 });
  deps = await composeRouting(pool, { tenant: 'acme', site: 'nanchang', clock });
  const { package: pkg, protoPath } = grpcOptionsFor('routing');
  server = await startGrpcService({ module: routingModule(deps), host: '127.0.0.1', port: 0, logger: createLogger('routing-test', 'warn'),
    protos: [{ package: pkg, protoPath, includeDirs: [PROTO_ROOT] }], auth: { key: { kind: 'hs256', secret: SECRET } } });
  const loaded = grpc.loadPackageDefinition(protoLoader.loadSync(protoPath, { ...grpcLoaderOptions, includeDirs: [PROTO_ROOT] })) as unknown as
    { switchboard: { routing: { v1: { RoutingService: new (a: string, c: grpc.ChannelCredentials) => Client } } } };
  client = new loaded.switchboard.routing.v1.RoutingService(server.url, grpc.credentials.createInsecure());
});

afterAll(async () => {
  client?.close();
  await server?.close();
  await pool?.end();
  await db?.drop();
});

describe('routing configuration over gRPC', () => {
  it('should deny agents and let supervisors version a queue policy', async () => {
    expect((await call('setRoutingPolicy', { policy: billingPolicy }, await token(['agent']))).error?.code).toBe(grpc.status.PERMISSION_DENIED);
    expect((await call('upsertSkill', { skill: { skillId: 'billing', name: 'Billing', category: 'service-line' } }, await supervisor())).error).toBeNull();
    expect((await call('upsertQueue', { queue: { queueId: 'q-billing', name: 'Billing', skillId: 'billing', serviceLevelThresholdSeconds: 20, serviceLevelTargetPercent: 80 } }, await supervisor())).res).toMatchObject({ version: '1' });
    expect((await call('setRoutingPolicy', { policy: billingPolicy }, await supervisor())).res).toMatchObject({ policyVersion: 1 });
    expect((await call('setRoutingPolicy', { policy: billingPolicy }, await supervisor())).res).toMatchObject({ policyVersion: 2 });
  });

  it('should reject a grant without a reason with the field named', async () => {
    const { error } = await call('grantSkill', { agentId: 'a1', skillId: 'billing', proficiency: 4, reason: '' }, await supervisor());
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(readErrorDetails(error!)).toMatchObject({ code: 'ROUTING.GRANT_REASON_REQUIRED', fieldViolations: [{ field: 'reason' }] });
  });
});

describe('skill gating and live routing', () => {
  it('should keep a call waiting beside an uncertified agent, then route it the moment a supervisor grants the skill', async () => {
    await deps.configuration.changeProfile('a1', (at) => ({ type: 'AssignTeam', data: { agentId: 'a1', teamId: 't1', assignedBy: 'hr', at } }));
    await deps.router.apply({ type: 'AgentLoggedIn', agentId: 'a1', queueIds: ['q-billing'], at: now });
    await deps.router.apply({ type: 'AgentBecameReady', agentId: 'a1', at: (now += 1000) });
    await deps.router.apply({ type: 'CallQueued', callId: 'call-1', queueId: 'q-billing', at: (now += 1000) });
    now += 4000;
    expect((await call('getQueueState', { queueId: 'q-billing' }, await supervisor())).res).toMatchObject({ state: { waitingCalls: 1, longestWaitSeconds: 4, agentsReady: 1 } });

    const grant = await call('grantSkill', { agentId: 'a1', skillId: 'billing', proficiency: 4, reason: 'training service not live yet' }, await supervisor());
    expect(grant.error).toBeNull();
    expect((await call('getQueueState', { queueId: 'q-billing' }, await supervisor())).res).toMatchObject({ state: { waitingCalls: 0, agentsOnCall: 1 } });
    const { rows } = await pool.query(`select topic, message_key from es_outbox where message_key = 'call-1'`);
    expect(rows).toEqual([{ topic: Topics.routingAssignment.name, message_key: 'call-1' }]);
  });

  it('should explain the decision to a supervisor and to the team leader of the agent, not to another team leader', async () => {
    const explained = await call('explainRouting', { callId: 'call-1' }, await token(['team_leader'], ['t1']));
    expect(explained.res).toMatchObject({ agentId: 'a1', step: 0, policyVersion: 2, candidates: [{ agentId: 'a1', outcome: 'chosen', proficiency: 4 }] });
    expect((await call('explainRouting', { callId: 'call-1' }, await token(['team_leader'], ['t9']))).error?.code).toBe(grpc.status.PERMISSION_DENIED);
    expect((await call('explainRouting', { callId: 'nope' }, await supervisor())).error?.code).toBe(grpc.status.NOT_FOUND);
  });

  it('should stream the queue state at once on watch', async () => {
    const stream = client.watchQueueState({ queueIds: ['q-billing'] }, await supervisor());
    const first = await new Promise<Record<string, unknown>>((resolve, reject) => stream.once('data', resolve).once('error', reject));
    stream.cancel();
    expect(first).toMatchObject({ state: { queueId: 'q-billing', agentsOnCall: 1 } });
  });

  it('should stop routing a revoked skill at once, and restore configuration on restart', async () => {
    expect((await call('revokeSkill', { agentId: 'a1', skillId: 'billing', reason: 'complaints' }, await supervisor())).error).toBeNull();
    expect(deps.router.engine.book.agents.get('a1')?.skills.size).toBe(0);
    await call('grantSkill', { agentId: 'a1', skillId: 'billing', proficiency: 2, reason: 'supervised trial' }, await supervisor());
    const restarted = await composeRouting(pool, { tenant: 'acme', site: 'nanchang', clock });
    expect(restarted.router.engine.book.policyOf('q-billing').version).toBe(2);
    expect(restarted.router.engine.book.profiles.get('a1')).toEqual({ teamId: 't1', skills: new Map([['billing', 2]]) });
  });
});

describe('team leaders (RT-06) and caller tiers (RT-11) through the configuration and the explanation lookup', () => {
  it('should let only the director set the team-leader ratio, audited in the event store, and restore it on restart', async () => {
    await expect(deps.configuration.setTeamLeaderHandlingRatio(0.5, 'evening peak', 'mgr-1', ['manager'])).rejects.toMatchObject({ code: 'ROUTING.DIRECTOR_ONLY' });
    expect(await deps.configuration.setTeamLeaderHandlingRatio(1, 'evening peak', 'dir-1', ['director'])).toEqual({ ratio: 1, version: 1 });
    expect(deps.router.engine.book.teamLeaderRatio).toBe(1);
    const { rows } = await pool.query(`select data from es_events where stream_id = 'team-leader-share'`);
    expect(rows.map((r) => r.data.data)).toEqual([expect.objectContaining({ ratio: 1, previousRatio: 0, reason: 'evening peak', setBy: 'dir-1' })]);
    const restarted = await composeRouting(pool, { tenant: 'acme', site: 'nanchang', clock });
    expect(restarted.router.engine.book.teamLeaderRatio).toBe(1);
  });

  it('should explain a tiered call given to a team leader as last resort, with both reasons', async () => {
    await deps.configuration.setRoutingPolicy({
      policyId: 'pol-vip', queueId: 'q-vip', strategy: 'longest-idle', finalAction: { kind: 'keep-waiting' }, essentialSkillIds: [], basePriority: 0,
      steps: [{ requirements: [], expirySeconds: null, extraQueueIds: [], teamIds: [], agentIds: [] }],
      ageing: { everySeconds: 10, increment: 1, max: 5 }, tierPriorities: [{ tier: 'vip', boost: 3 }],
    }, 'sup-1');
    await deps.configuration.changeProfile('tl-1', (at) => ({ type: 'AssignTeam', data: { agentId: 'tl-1', teamId: 't1', teamLeader: true, assignedBy: 'mgr-1', at } }));
    await deps.router.apply({ type: 'AgentLoggedIn', agentId: 'tl-1', queueIds: ['q-vip'], at: (now += 1000) });
    await deps.router.apply({ type: 'AgentBecameReady', agentId: 'tl-1', at: (now += 1000) });
    await deps.router.apply({ type: 'CallQueued', callId: 'call-vip', queueId: 'q-vip', callerTier: 'vip', at: (now += 1000) });

    const explained = await call('explainRouting', { callId: 'call-vip' }, await token(['team_leader'], ['t1']));
    expect(explained.res).toMatchObject({ agentId: 'tl-1', policyId: 'pol-vip', candidates: [{ agentId: 'tl-1', outcome: 'chosen' }] });
    expect(explained.res?.summary).toContain('team leader as last resort (no regular agent eligible)');
    expect(explained.res?.summary).toContain('caller tier vip: priority head start +3 (policy pol-vip), priority 3');
    expect(explained.res?.callerTier).toBe('vip');
  });

  it('should take the ratio, team leaders and tier priorities over the wire, the ratio from the director only', async () => {
    const ratio = { ratio: 0.25, reason: 'quiet afternoon' };
    expect((await call('setTeamLeaderHandlingRatio', ratio, await supervisor())).error?.code).toBe(grpc.status.PERMISSION_DENIED);
    expect((await call('setTeamLeaderHandlingRatio', ratio, await token(['director']))).res).toEqual({ ratio: 0.25, version: '2' });
    expect(deps.router.engine.book.teamLeaderRatio).toBe(0.25);

    expect((await call('assignTeam', { agentId: 'tl-2', teamId: 't2', teamLeader: true }, await token(['agent']))).error?.code).toBe(grpc.status.PERMISSION_DENIED);
    expect((await call('assignTeam', { agentId: 'tl-2', teamId: 't2', teamLeader: true }, await supervisor())).res).toEqual({ agentId: 'tl-2', teamId: 't2', teamLeader: true });
    expect(deps.router.engine.book.profiles.get('tl-2')).toMatchObject({ teamId: 't2', teamLeader: true });

    const vipPolicy = { ...billingPolicy, basePriority: 1, ageing: { everySeconds: 30, increment: 1, max: 4 }, tierPriorities: [{ tier: 'vip', boost: 2 }] };
    const saved = await call('setRoutingPolicy', { policy: vipPolicy }, await supervisor());
    expect(saved.res).toMatchObject({ policy: { basePriority: 1, ageing: { everySeconds: 30, increment: 1, max: 4 }, tierPriorities: [{ tier: 'vip', boost: 2 }] } });
    const tooBig = await call('setRoutingPolicy', { policy: { ...vipPolicy, tierPriorities: [{ tier: 'vip', boost: 9 }] } }, await supervisor());
    expect(tooBig.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
  });
});

describe('a team\'s own team-leader ratio (RT-06) and tiered policy steps (RT-11) over the wire', () => {
  it('should let only the director set and clear a team\'s own ratio, audited, live at once and restored on restart', async () => {
    const request = { teamId: 't1', ratio: 0.5, reason: 'team t1 short of agents' };
    expect((await call('setTeamLeaderTeamRatio', request, await supervisor())).error?.code).toBe(grpc.status.PERMISSION_DENIED);
    expect((await call('setTeamLeaderTeamRatio', request, await token(['director']))).res).toMatchObject({ teamId: 't1', ratio: 0.5, effectiveRatio: 0.5, version: '1' });
    expect(deps.router.engine.book.ratioOf('t1')).toBe(0.5);
    expect(deps.router.engine.book.ratioOf('t2')).toBe(0.25);
    const bad = await call('setTeamLeaderTeamRatio', { teamId: '', ratio: 2, reason: 'x' }, await token(['director']));
    expect(readErrorDetails(bad.error!)).toMatchObject({ code: 'ROUTING.INVALID_TEAM_LEADER_RATIO', fieldViolations: [{ field: 'team_id' }, { field: 'ratio' }, { field: 'reason' }] });
    expect((await composeRouting(pool, { tenant: 'acme', site: 'nanchang', clock })).router.engine.book.ratioOf('t1')).toBe(0.5);

    const cleared = await call('setTeamLeaderTeamRatio', { teamId: 't1', reason: 'staffed again' }, await token(['director']));
    expect(cleared.res).toMatchObject({ teamId: 't1', effectiveRatio: 0.25, version: '2' });
    expect(cleared.res?.ratio).toBeUndefined();
    const { rows } = await pool.query(`select data from es_events where stream_id = 'team-leader-share-t1' order by global_position`);
    expect(rows.map((r) => r.data.type)).toEqual(['TeamLeaderTeamRatioSet', 'TeamLeaderTeamRatioCleared']);
    expect(rows[1].data.data).toMatchObject({ teamId: 't1', previousRatio: 0.5, reason: 'staffed again', setBy: 'user-director' });
    const restarted = await composeRouting(pool, { tenant: 'acme', site: 'nanchang', clock });
    expect(restarted.router.engine.book.teamLeaderRatios.has('t1')).toBe(false);
  });

  it('should take a dedicated vip desk over the wire, keep standard calls from it and explain the desk', async () => {
    const desk = {
      queueId: 'q-desk', strategy: 'longest-idle', steps: [
        { requirements: [], expirySeconds: 30, extraQueueIds: [], teamIds: ['t-vip'], agentIds: [], callerTiers: ['vip'], dedicated: true },
        { requirements: [], expirySeconds: 0, extraQueueIds: [], teamIds: [], agentIds: [], callerTiers: [], dedicated: false },
      ],
    };
    const saved = await call('setRoutingPolicy', { policy: desk }, await supervisor());
    expect(saved.res).toMatchObject({ policy: { steps: [{ teamIds: ['t-vip'], callerTiers: ['vip'], dedicated: true }, { callerTiers: [], dedicated: false }] } });
    expect(deps.router.engine.book.policyOf('q-desk').steps[0]).toMatchObject({ callerTiers: ['vip'], dedicated: true, teamIds: ['t-vip'] });
    const onlyVip = await call('setRoutingPolicy', { policy: { ...desk, steps: [desk.steps[0]] } }, await supervisor());
    expect(readErrorDetails(onlyVip.error!)).toMatchObject({ code: 'ROUTING.INVALID_POLICY', fieldViolations: [{ field: 'steps' }] });

    await deps.configuration.changeProfile('vip-1', (at) => ({ type: 'AssignTeam', data: { agentId: 'vip-1', teamId: 't-vip', assignedBy: 'mgr-1', at } }));
    await deps.router.apply({ type: 'AgentLoggedIn', agentId: 'vip-1', queueIds: ['q-desk'], at: (now += 1000) });
    await deps.router.apply({ type: 'AgentBecameReady', agentId: 'vip-1', at: (now += 1000) });
    await deps.router.apply({ type: 'CallQueued', callId: 'call-std', queueId: 'q-desk', at: (now += 1000) });
    expect(deps.router.queueState('q-desk')).toMatchObject({ waitingCalls: 1, agentsReady: 1 });
    await deps.router.apply({ type: 'CallQueued', callId: 'call-desk', queueId: 'q-desk', callerTier: 'vip', at: (now += 1000) });
    expect(deps.router.queueState('q-desk')).toMatchObject({ waitingCalls: 1, agentsReady: 0, agentsOnCall: 1 });
    const explained = await call('explainRouting', { callId: 'call-desk' }, await supervisor());
    expect(explained.res).toMatchObject({ agentId: 'vip-1', step: 0, callerTier: 'vip' });
    expect(explained.res?.summary).toContain('step 0 serves caller tiers vip only, dedicated team t-vip');
  });
});
