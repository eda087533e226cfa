import type { DataOf, PbxFrequentDropsDetected } from '@switchboard/contracts';

/** Settings of the frequent-drops incident (GW-14). */
export interface DropWatchConfig {
  /** Sliding window over PBX time. */
  readonly windowMs: number;
  /** System-released calls in the window that raise the incident. */
  readonly threshold: number;
}

export const DEFAULT_DROP_WATCH: DropWatchConfig = { windowMs: 5 * 60_000, threshold: 10 };

/** Ends of calls inside the window (PBX ms, oldest first) and whether the current episode was already raised. */
export interface DropWatchState {
  readonly ends: readonly number[];
  readonly drops: readonly number[];
  readonly raised: boolean;
}

export const initialDropWatch = (): DropWatchState => ({ ends: [], drops: [], raised: false });

/** How a call ended, as the call events say it: dropped = released by the system (neither party hung up). */
export interface CallEnd { readonly at: number; readonly dropped: boolean }

export type DropWatchDecision = { readonly state: DropWatchState; readonly raise: DataOf<typeof PbxFrequentDropsDetected> | null };

/**
 * Counts call ends in a sliding window and raises once per episode: when the system-released calls in the window
 * reach the threshold, then not again until they have fallen below it (the episode is over) and reach it anew.
 */
export function watchDrops(state: DropWatchState, end: CallEnd, pbxLinkId: string, config: DropWatchConfig = DEFAULT_DROP_WATCH): DropWatchDecision {
  if (!(config.windowMs > 0) || !Number.isInteger(config.threshold) || config.threshold < 1) {
    throw new Error(`drop watch: windowMs must be > 0 and threshold a whole number >= 1 (got ${config.windowMs}, ${config.threshold})`);
  }
  const since = end.at - config.windowMs;
  const ends = [...state.ends.filter((t) => t > since), end.at];
  const drops = end.dropped ? [...state.drops.filter((t) => t > since), end.at] : state.drops.filter((t) => t > since);
  const over = drops.length >= config.threshold;
  const raise = over && !state.raised
    ? { pbxLinkId, windowSeconds: config.windowMs / 1000, droppedCalls: drops.length, totalCalls: ends.length, threshold: config.threshold }
    : null;
  return { state: { ends, drops, raised: over }, raise };
}

/**
 * Call ends among the events one vendor event decided. A system release immediately followed by the caller's next
 * queue visit (an agent redirected off the call) moved the call on; it did not drop it.
 */
export function callEndsOf(events: readonly { readonly definition: { readonly name: string }; readonly subject: string; readonly at: number; readonly data: unknown }[]): CallEnd[] {
  return events.flatMap((e, i): CallEnd[] => {
    const name = e.definition.name;
    if (name === 'CallAbandoned' || name === 'CallQueueTimedOut') return [{ at: e.at, dropped: false }];
    if (name !== 'CallReleased') return [];
    const requeued = events.slice(i + 1).some((n) => n.subject === e.subject && n.definition.name === 'CallQueued');
    return [{ at: e.at, dropped: (e.data as { releasedBy: string }).releasedBy === 'system' && !requeued }];
  });
}
