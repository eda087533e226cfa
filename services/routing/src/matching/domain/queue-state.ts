import type { LiveBook } from './live-book';

export interface QueueStateView {
  readonly queueId: string;
  readonly waitingCalls: number;
  readonly longestWaitSeconds: number;
  readonly agentsReady: number;
  /** Offered, talking or in wrap-up. */
  readonly agentsOnCall: number;
  readonly agentsNotReady: number;
  /** Waiting calls per caller tier the PBX attached (RT-11); standard calls are not listed. */
  readonly waitingByTier: Readonly<Record<string, number>>;
  /** Ready team leaders of the queue (RT-06): within their share (may take a call as last resort) or at it. */
  readonly teamLeadersReady: number;
  readonly teamLeadersAtShare: number;
  readonly asOf: number;
}

/** Live state of one queue: its waiting calls and the logged-in agents that are members of it. */
export function queueStateOf(book: LiveBook, queueId: string, now: number): QueueStateView {
  let waitingCalls = 0;
  let oldest = now;
  const waitingByTier: Record<string, number> = {};
  for (const c of book.calls.values()) {
    if (c.queueId !== queueId) continue;
    waitingCalls++;
    oldest = Math.min(oldest, c.enqueuedAt);
    if (c.callerTier !== undefined) waitingByTier[c.callerTier] = (waitingByTier[c.callerTier] ?? 0) + 1;
  }
  const counts = { ready: 0, busy: 0, notReady: 0, leadersReady: 0, leadersAtShare: 0 };
  for (const a of book.agents.values()) {
    if (!a.queueIds.has(queueId)) continue;
    const s = a.availability.status;
    if (s === 'ready') counts.ready++;
    else if (s === 'reserved' || s === 'on-call' || s === 'wrap-up') counts.busy++;
    else counts.notReady++;
    if (s === 'ready' && a.leaderShare !== undefined) {
      if (a.leaderShare.reached) counts.leadersAtShare++;
      else counts.leadersReady++;
    }
  }
  return {
    queueId, waitingCalls, longestWaitSeconds: Math.max(0, now - oldest) / 1000,
    agentsReady: counts.ready, agentsOnCall: counts.busy, agentsNotReady: counts.notReady,
    waitingByTier, teamLeadersReady: counts.leadersReady, teamLeadersAtShare: counts.leadersAtShare, asOf: now,
  };
}
