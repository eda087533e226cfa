// WallboardService (schema: libs/contracts/proto/switchboard/reporting/wallboard/v1/wallboard_service.proto) over
// Connect, JSON codec: the agent state board as a stream,
// and the day's sign-in monitoring snapshots. Same roles as the real-time stream; a team leader's board shows
// only agents of their teams, an agent's only themself (service-kit's scope policy).
import type {
  BoardAgent as WireBoardAgent, WatchAgentBoardResponse,
} from '@switchboard/contracts/src/generated/switchboard/reporting/wallboard/v1/wallboard_service';
import type { Principal, Role } from '@switchboard/service-kit';
import { Observable } from 'rxjs';
import type { ReportingDeps } from '../grpc/reporting.grpc-controller';
import type { Pool } from 'pg';
import { orEmptyWhileBuilding } from '../reports/infrastructure/read-model';
import { queryBoardAgents, visibleTo } from './agent-board.query';
import { ConnectError } from './connect-protocol';
import type { ConnectMethod } from './connect-router';
import { type BoardAgent, boardFingerprint, toBoardAgent } from './domain/agent-board';
import type { SignInSnapshots } from './signin-snapshots';

export const WALLBOARD_SERVICE_PATH = '/switchboard.reporting.wallboard.v1.WallboardService';

export interface WallboardDeps {
  readonly pool: Pool;
  readonly reporting: ReportingDeps;
  readonly snapshots: SignInSnapshots;
  readonly stateLimitSeconds: Readonly<Record<string, number>>;
  readonly pollMs: number;
  readonly roles: readonly Role[] | undefined;
}

const HEARTBEAT_MS = 5000;

/** An empty board while the agent-state read model is first being built (the stream stays open). */
async function visibleBoard(deps: WallboardDeps, me: Principal, now: Date): Promise<BoardAgent[]> {
  const live = await orEmptyWhileBuilding(() => queryBoardAgents(deps.pool, now, me.tenant), []);
  const agents = live.map((a) => toBoardAgent(a, deps.stateLimitSeconds));
  const teams = await deps.reporting.teamOf(me.tenant, agents.map((a) => a.agentId));
  return agents.filter((a) => visibleTo(me, a, teams.get(a.agentId)));
}

/** The board agent as the contract has it (proto3: no reason is the empty string). */
const toWire = (a: BoardAgent): WireBoardAgent => ({
  agentId: a.agentId, state: a.state, reason: a.reason ?? '', secondsInState: a.secondsInState, queueIds: [...a.queueIds],
  ...(a.limitSeconds === undefined ? {} : { limitSeconds: a.limitSeconds }), breached: a.breached, tenant: a.tenant, site: a.site,
});

/** Polls the agent-state read model every `pollMs`; sends on change and at least every 5 s. */
function watchBoard(deps: WallboardDeps, me: Principal): Observable<unknown> {
  return new Observable((subscriber) => {
    let last = '';
    let lastSentAt = 0;
    let busy = false;
    const tick = async () => {
      if (busy) return;
      busy = true;
      try {
        const now = deps.reporting.now();
        const agents = await visibleBoard(deps, me, now);
        const fingerprint = boardFingerprint(now.getTime(), agents);
        if (fingerprint !== last || Date.now() - lastSentAt >= HEARTBEAT_MS) {
          last = fingerprint;
          lastSentAt = Date.now();
          const frame: WatchAgentBoardResponse = { asOf: now.toISOString(), agents: agents.map(toWire), stateLimitSeconds: { ...deps.stateLimitSeconds },
            clockRate: deps.reporting.clockRate?.() ?? 1 };
          subscriber.next(frame);
        }
      } catch (e) {
        subscriber.error(e);
      } finally {
        busy = false;
      }
    };
    void tick();
    const timer = setInterval(() => void tick(), deps.pollMs);
    return () => clearInterval(timer);
  });
}

export function wallboardConnectRoutes(deps: WallboardDeps): [string, ConnectMethod][] {
  return [
    [`${WALLBOARD_SERVICE_PATH}/WatchAgentBoard`, { kind: 'server-stream', roles: deps.roles, call: (_req, me) => watchBoard(deps, me) }],
    [`${WALLBOARD_SERVICE_PATH}/ListSignInSnapshots`, {
      kind: 'unary', roles: deps.roles,
      call: async (req, me) => {
        const date = (req as { date?: unknown }).date;
        if (date !== undefined && (typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(date))) {
          throw new ConnectError('invalid_argument', 'date must be YYYY-MM-DD');
        }
        const day = await deps.snapshots.list(deps.reporting.now(), date);
        const teams = await deps.reporting.teamOf(me.tenant, [...new Set(day.snapshots.flatMap((s) => s.agents.map((a) => a.agentId)))]);
        return { ...day, snapshots: day.snapshots.map((s) => ({ ...s, agents: s.agents.filter((a) => visibleTo(me, a, teams.get(a.agentId))) })) };
      },
    }],
  ];
}
