import type { LiveBook } from './live-book';

export interface QueueStateView {
  readonly queueId: string;
  readonly waitingCalls: number;
  readonly longestWaitSeconds: number;
  readonly agentsReady: number;
  /** Offered, talking or in wrap-up. */
  readonly agentsOnCall: number;
  readonly agentsNotReady: number;
  readonly asOf: number;
}

/** Live state of one queue: its waiting calls and the logged-in agents that are members of it. */
export function queueStateOf(book: LiveBook, queueId: string, now: number): QueueStateView {
  let waitingCalls = 0;
  let oldest = now;
  for (const c of book.calls.values()) {
    if (c.queueId !== queueId) continue;
    waitingCalls++;
    oldest = Math.min(oldest, c.enqueuedAt);
  }
  const counts = { ready: 0, busy: 0, notReady: 0 };
  for (const a of book.agents.values()) {
    if (!a.queueIds.has(queueId)) continue;
    const s = a.availability.status;
    if (s === 'ready') counts.ready++;
    else if (s === 'reserved' || s === 'on-call' || s === 'wrap-up') counts.busy++;
    else counts.notReady++;
  }
  return {
    queueId, waitingCalls, longestWaitSeconds: Math.max(0, now - oldest) / 1000,
    agentsReady: counts.ready, agentsOnCall: counts.busy, agentsNotReady: counts.notReady, asOf: now,
  };
}
