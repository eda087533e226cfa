// End to end through a real Nest gRPC server on loopback: authentication, roles, scope, error details, health,
// reflection, tracing and metrics, all seen from a plain @grpc/grpc-js client.
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { Controller, Module } from '@nestjs/common';
import { GrpcMethod, Payload } from '@nestjs/microservices';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { Registry } from 'prom-client';
import { InvalidArgumentError, PermissionDeniedError } from '@switchboard/domain-errors';
import { CurrentPrincipal, mintDevToken, Principal, principalOf, Public, Roles, canSeeTeam } from './auth';
import { readErrorDetails } from './errors';
import { checkHealth } from './health-client';
import { grpcLoaderOptions, RunningGrpcService, startGrpcService } from './grpc-server';
import { createLogger } from './logger';
import { startTelemetry, Telemetry } from './telemetry';

const PROTO = path.join(__dirname, '..', 'test', 'probe.proto');
const SECRET = 'integration-test-secret-of-at-least-32-bytes';

@Controller()
class ProbeController {
  @GrpcMethod('ProbeService', 'WhoAmI')
  whoAmI(_req: unknown, metadata: grpc.Metadata) {
    const me = principalOf(metadata);
    return { userId: me.userId, roles: me.roles, traceId: trace.getActiveSpan()?.spanContext().traceId ?? '' };
  }

  @Roles('supervisor', 'manager')
  @GrpcMethod('ProbeService', 'SuperviseTeam')
  superviseTeam(@Payload() req: { siteId: string; teamId: string }, @CurrentPrincipal() me: Principal) {
    if (!canSeeTeam(me, { tenant: me.tenant, ...req })) throw new PermissionDeniedError('PROBE.TEAM_OUT_OF_SCOPE', `team ${req.teamId} is not yours`);
    return { teamId: req.teamId };
  }

  @GrpcMethod('ProbeService', 'RenameTeam')
  renameTeam(req: { name: string }) {
    if (req.name.trim() === '') throw new InvalidArgumentError('PROBE.INVALID_TEAM_NAME', 'team name is invalid', [{ field: 'name', description: 'must not be blank' }]);
    return {};
  }

  @GrpcMethod('ProbeService', 'Crash')
  crash() {
    throw new Error('connection to postgres://admin:secret@db failed');
  }

  @Public()
  @GrpcMethod('ProbeService', 'Ping')
  ping() {
    return { pong: 'pong' };
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

type Unary = (req: object, md: grpc.Metadata, cb: (e: grpc.ServiceError | null, res?: Record<string, unknown>) => void) => void;
type ProbeClient = grpc.Client & Record<'whoAmI' | 'superviseTeam' | 'renameTeam' | 'crash' | 'ping', Unary>;

const exporter = new InMemorySpanExporter();
const registry = new Registry();
const logLines: Record<string, unknown>[] = [];
let telemetry: Telemetry;
let server: RunningGrpcService;
let client: ProbeClient;

function call(method: keyof ProbeClient & string, req: object, metadataEntries: Record<string, string> = {}) {
  const md = new grpc.Metadata();
  Object.entries(metadataEntries).forEach(([k, v]) => md.set(k, v));
  return new Promise<{ error: grpc.ServiceError | null; res?: Record<string, unknown> }>((resolve) =>
    (client[method] as Unary).call(client, req, md, (error, res) => resolve({ error, res })));
}

const bearer = async (roles: Principal['roles'], extra: { siteIds?: string[]; agentId?: string } = {}) =>
  ({ authorization: `Bearer ${await mintDevToken({ secret: SECRET, subject: 'u-1', roles, tenant: 'acme', ...extra })}` });

beforeAll(async () => {
  telemetry = startTelemetry({ serviceName: 'probe', exporter, exportImmediately: true });
  const sink = new Writable({ write(chunk, _e, done) { logLines.push(JSON.parse(String(chunk))); done(); } });
  server = await startGrpcService({
    module: ProbeModule, host: '127.0.0.1', port: 0, logger: createLogger('probe', 'warn', sink),
    protos: [{ package: 'switchboard.probe.v1', protoPath: PROTO }],
    auth: { key: { kind: 'hs256', secret: SECRET } }, metrics: registry,
  });
  const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(PROTO, grpcLoaderOptions)) as unknown as
    { switchboard: { probe: { v1: { ProbeService: new (a: string, c: grpc.ChannelCredentials) => ProbeClient } } } };
  client = new pkg.switchboard.probe.v1.ProbeService(server.url, grpc.credentials.createInsecure());
});

afterAll(async () => {
  client?.close();
  await server?.close();
  await telemetry?.shutdown();
});

describe('authentication', () => {
  it('should reject a call without a token as UNAUTHENTICATED', async () => {
    const { error } = await call('whoAmI', {});
    expect(error?.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(readErrorDetails(error!).code).toBe('AUTH.TOKEN_MISSING');
  });

  it('should reject a forged token as UNAUTHENTICATED', async () => {
    const forged = await mintDevToken({ secret: 'not-the-server-secret-but-32-bytes-long', subject: 'u-1', roles: ['director'], tenant: 'acme' });
    const { error } = await call('whoAmI', {}, { authorization: `Bearer ${forged}` });
    expect(error?.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(readErrorDetails(error!).code).toBe('AUTH.TOKEN_INVALID');
  });

  it('should let any authenticated caller call a method without @Roles and hand the handler the principal', async () => {
    const { error, res } = await call('whoAmI', {}, await bearer(['agent'], { agentId: 'a-1' }));
    expect(error).toBeNull();
    expect(res).toMatchObject({ userId: 'u-1', roles: ['agent'] });
  });

  it('should answer a @Public method without a token', async () => {
    expect((await call('ping', {})).res).toEqual({ pong: 'pong' });
  });
});

describe('authorization', () => {
  it('should reject an agent on a supervisor-only method as PERMISSION_DENIED', async () => {
    const { error } = await call('superviseTeam', { siteId: 'paris', teamId: 't-1' }, await bearer(['agent'], { agentId: 'a-1' }));
    expect(error?.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(readErrorDetails(error!).code).toBe('AUTH.ROLE_REQUIRED');
  });

  it('should let a supervisor supervise a team of their site', async () => {
    const { error, res } = await call('superviseTeam', { siteId: 'paris', teamId: 't-1' }, await bearer(['supervisor'], { siteIds: ['paris'] }));
    expect(error).toBeNull();
    expect(res).toEqual({ teamId: 't-1' });
  });

  it("should stop a supervisor at another site's team", async () => {
    const { error } = await call('superviseTeam', { siteId: 'lyon', teamId: 't-3' }, await bearer(['supervisor'], { siteIds: ['paris'] }));
    expect(error?.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(readErrorDetails(error!).code).toBe('PROBE.TEAM_OUT_OF_SCOPE');
  });
});

describe('errors', () => {
  it('should send a domain invalid_argument as INVALID_ARGUMENT with its code and field violations', async () => {
    const { error } = await call('renameTeam', { teamId: 't-1', name: '  ' }, await bearer(['manager']));
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error?.details).toBe('team name is invalid');
    expect(readErrorDetails(error!)).toEqual({ code: 'PROBE.INVALID_TEAM_NAME', kind: 'invalid_argument', fieldViolations: [{ field: 'name', description: 'must not be blank' }] });
    expect(error?.metadata.get('error-code')).toEqual(['PROBE.INVALID_TEAM_NAME']);
  });

  it('should send an unexpected error as INTERNAL without its message, and log it', async () => {
    const { error } = await call('crash', {}, await bearer(['manager']));
    expect(error?.code).toBe(grpc.status.INTERNAL);
    expect(error?.details).toBe('internal error');
    expect(JSON.stringify(logLines)).toContain('postgres://admin:secret@db');
  });
});

describe('probes and tooling', () => {
  it('should answer the health check with SERVING without a token', async () => {
    expect(await checkHealth(server.url)).toBe('SERVING');
  });

  it('should list the service through server reflection without a token', async () => {
    const reflectionProto = require.resolve('@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto');
    const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(reflectionProto, { keepCase: true })) as unknown as
      { grpc: { reflection: { v1: { ServerReflection: new (a: string, c: grpc.ChannelCredentials) => grpc.Client & { serverReflectionInfo(): grpc.ClientDuplexStream<object, { list_services_response?: { service: { name: string }[] } }> } } } } };
    const reflection = new pkg.grpc.reflection.v1.ServerReflection(server.url, grpc.credentials.createInsecure());
    const stream = reflection.serverReflectionInfo();
    const names = await new Promise<string[]>((resolve, reject) => {
      stream.once('data', (r) => resolve((r.list_services_response?.service ?? []).map((s: { name: string }) => s.name)));
      stream.once('error', reject);
      stream.write({ list_services: '' });
    });
    stream.end();
    reflection.close();
    expect(names).toContain('switchboard.probe.v1.ProbeService');
  });
});

describe('telemetry', () => {
  it('should continue the caller’s trace in a SERVER span that is active inside the handler', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parentSpanId = '00f067aa0ba902b7';
    const { res } = await call('whoAmI', {}, { ...(await bearer(['agent'])), traceparent: `00-${traceId}-${parentSpanId}-01` });
    expect(res?.traceId).toBe(traceId);
    const span = exporter.getFinishedSpans().find((s) => s.spanContext().traceId === traceId)!;
    expect(span).toMatchObject({ name: 'switchboard.probe.v1.ProbeService/WhoAmI', kind: SpanKind.SERVER });
    expect(span.parentSpanContext?.spanId).toBe(parentSpanId);
    expect(span.attributes).toMatchObject({ 'rpc.system': 'grpc', 'rpc.grpc.status_code': grpc.status.OK });
  });

  it('should count calls by method and status, including those the guard rejected', async () => {
    const count = async (method: string, code: string) => (await registry.getSingleMetric('grpc_server_handled_total')!.get()).values
      .find((v) => v.labels.grpc_method === method && v.labels.grpc_code === code)?.value ?? 0;
    const [deniedBefore, okBefore] = [await count('SuperviseTeam', 'PERMISSION_DENIED'), await count('Ping', 'OK')];
    await call('superviseTeam', { siteId: 'paris', teamId: 't-1' }, await bearer(['agent']));
    await call('ping', {});
    expect(await count('SuperviseTeam', 'PERMISSION_DENIED')).toBe(deniedBefore + 1);
    expect(await count('Ping', 'OK')).toBe(okBefore + 1);
    expect(await registry.metrics()).toMatch(/grpc_server_handling_seconds_count\{[^}]*grpc_method="Ping"[^}]*\} [1-9]/);
  });
});
