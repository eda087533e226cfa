import { NOT_READY_REASONS } from '@switchboard/contracts';
import type { LiveAgent } from '../../matching/domain/live-state';
import type { AgentStateSnapshot } from '../domain/agent-state-limits';

/** Team id of an agent whose profile names none (alerts are keyed by team). */
export const NO_TEAM = 'unassigned';

const PBX_REASONS: readonly string[] = NOT_READY_REASONS;

/**
 * Routing's live agents as the limit evaluator sees them. Only not-ready episodes the PBX reported count; routing's
 * own short holds (a refused offer, a ring-no-answer) are not the agent's choice. No approvals to be away exist yet.
 */
export function agentSnapshots(agents: Iterable<LiveAgent>): AgentStateSnapshot[] {
  return [...agents].map((a) => {
    const s = a.availability;
    const state = s.status === 'not-ready' && PBX_REASONS.includes(s.reason)
      ? { status: 'not-ready' as const, reason: s.reason, since: s.since }
      : { status: 'available-or-working' as const };
    return { agentId: a.agentId, teamId: a.teamId === '' ? NO_TEAM : a.teamId, state, awayApprovedUntil: null };
  });
}
