// The wallboard's HTTP server: the static page and, on the same origin, ReportingService and WallboardService
// over the Connect protocol. Plain node:http; the gRPC server on its own port is unchanged.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AuthConfig, createTokenVerifier } from '@switchboard/service-kit';
import type { Pool } from 'pg';
import type { ReportingDeps } from '../grpc/reporting.grpc-controller';
import { handleConnect } from './connect-router';
import { reportingConnectRoutes, rolesOf } from './reporting-connect';
import { migrateSignInSnapshots, SignInSnapshots } from './signin-snapshots';
import { serveStatic, WALLBOARD_WEB_ROOT } from './static-files';
import { wallboardConnectRoutes } from './wallboard-connect';

export interface WallboardOptions {
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly pool: Pool;
  readonly reporting: ReportingDeps;
  readonly auth: AuthConfig;
  readonly timeZone: string;
  readonly pollMs: number;
  readonly stateLimitSeconds: Readonly<Record<string, number>>;
  readonly signInSnapshotTimes: readonly string[];
  readonly signInSnapshotGraceMinutes: number;
  /** How often the sign-in snapshot scheduler looks for a due slot. */
  readonly snapshotCheckMs?: number;
  readonly webRoot?: string;
  readonly onError: (e: unknown) => void;
}

export interface RunningWallboard {
  readonly url: string;
  readonly snapshots: SignInSnapshots;
  close(): Promise<void>;
}

export async function startWallboard(o: WallboardOptions): Promise<RunningWallboard> {
  await migrateSignInSnapshots(o.pool);
  const verifier = await createTokenVerifier(o.auth);
  const reporting: ReportingDeps = { ...o.reporting, watchIntervalMs: o.pollMs };
  const snapshots = new SignInSnapshots(o.pool, {
    timeZone: o.timeZone, slots: o.signInSnapshotTimes, graceMinutes: o.signInSnapshotGraceMinutes, stateLimitSeconds: o.stateLimitSeconds,
  });
  const routes = new Map([
    ...reportingConnectRoutes(reporting),
    ...wallboardConnectRoutes({ pool: o.pool, reporting, snapshots, stateLimitSeconds: o.stateLimitSeconds, pollMs: o.pollMs, roles: rolesOf('watchRealtime') }),
  ]);
  const server: Server = createServer((req, res) => {
    handleConnect(req, res, routes, verifier, o.onError)
      .then((handled) => (handled ? undefined : serveStatic(req, res, o.webRoot ?? WALLBOARD_WEB_ROOT)))
      .catch((e: unknown) => {
        o.onError(e);
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      });
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(o.port, o.host, () => resolve()));
  const scheduler = snapshots.schedule(o.reporting.now, o.snapshotCheckMs ?? 15_000, o.onError);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}/`,
    snapshots,
    close: async () => {
      scheduler.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
