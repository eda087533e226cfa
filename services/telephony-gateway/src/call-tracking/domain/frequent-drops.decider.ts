import type { DataOf, PbxFrequentDropsDetected } from '@switchboard/contracts';
import type { VendorEvent } from './vendor-events';

/** Settings of the frequent-drops incident (GW-14). */
export interface DropWatchConfig {
  /** Sliding window over PBX time. */
  readonly windowMs: number;
  /** System-released calls in the window that raise the incident. */
  readonly threshold: number;
}

export const DEFAULT_DROP_WATCH: DropWatchConfig = { windowMs: 5 * 60_000, threshold: 10 };

/**
 * Call ends and drops inside the window as `[PBX second, count]`, oldest first: bounded by the window's seconds
 * however many calls end, so a busy link costs the same per call end. Counted at whole-second resolution.
 */
export interface DropWatchState {
  readonly ends: readonly (readonly [number, number])[];
  readonly drops: readonly (readonly [number, number])[];
  readonly raised: boolean;
}

export const initialDropWatch = (): DropWatchState => ({ ends: [], drops: [], raised: false });

/** How a call ended, as the call events say it: dropped = released by the system (neither party hung up). */
export interface CallEnd { readonly at: number; readonly dropped: boolean }

export type DropWatchDecision = { readonly state: DropWatchState; readonly raise: DataOf<typeof PbxFrequentDropsDetected> | null };

type Buckets = DropWatchState['ends'];

/** The buckets after `sinceSecond`, with one more at `second`. */
function counted(buckets: Buckets, sinceSecond: number, second: number | null): Buckets {
  const kept = buckets.filter(([s]) => s > sinceSecond);
  if (second === null) return kept;
  const last = kept[kept.length - 1];
  if (last !== undefined && last[0] >= second) return [...kept.slice(0, -1), [last[0], last[1] + 1]]; // same second (or PBX clock stepping back)
  return [...kept, [second, 1]];
}

const total = (buckets: Buckets) => buckets.reduce((n, [, c]) => n + c, 0);

/**
 * Counts call ends in a sliding window and raises once per episode: when the system-released calls in the window
 * reach the threshold, then not again until they have fallen below it (the episode is over) and reach it anew.
 */
export function watchDrops(state: DropWatchState, end: CallEnd, pbxLinkId: string, config: DropWatchConfig = DEFAULT_DROP_WATCH): DropWatchDecision {
  if (!(config.windowMs >= 1000) || !Number.isInteger(config.threshold) || config.threshold < 1) {
    throw new Error(`drop watch: windowMs must be >= 1000 and threshold a whole number >= 1 (got ${config.windowMs}, ${config.threshold})`);
  }
  const second = Math.floor(end.at / 1000);
  const since = Math.floor((end.at - config.windowMs) / 1000);
  const ends = counted(state.ends, since, second);
  const drops = counted(state.drops, since, end.dropped ? second : null);
  const dropped = total(drops);
  const over = dropped >= config.threshold;
  const raise = over && !state.raised
    ? { pbxLinkId, windowSeconds: config.windowMs / 1000, droppedCalls: dropped, totalCalls: total(ends), threshold: config.threshold }
    : null;
  return { state: { ends, drops, raised: over }, raise };
}

/** Hang-up causes of a call that ended as intended (Q.850 16); FreeSWITCH reports them where Asterisk names a party. */
const NORMAL_CLEARING = new Set(['NORMAL_CLEARING', '16']);

/**
 * Call ends among the events one vendor event decided. A system release immediately followed by the caller's next
 * queue visit (an agent redirected off the call) moved the call on; it did not drop it. Nor did one whose vendor
 * event reports a normal clearing: FreeSWITCH names no releasing party, so its releases are all `system`. Nor did a
 * call a resync closed: it ended while the gateway was away, unseen; counting those would raise a drop incident after
 * every gateway outage (the outage itself is PbxLinkDown), and a real episode of drops shows in calls seen ending.
 */
export function callEndsOf(
  events: readonly { readonly definition: { readonly name: string }; readonly subject: string; readonly at: number; readonly data: unknown }[],
  decidedBy?: VendorEvent,
): CallEnd[] {
  const completed = decidedBy?.type === 'AgentCallCompleted' ? decidedBy : undefined;
  const cleared = completed?.inferredByResync === true || (completed?.hangupCause !== undefined && NORMAL_CLEARING.has(completed.hangupCause.toUpperCase()));
  return events.flatMap((e, i): CallEnd[] => {
    const name = e.definition.name;
    if (name === 'CallAbandoned' || name === 'CallQueueTimedOut') return [{ at: e.at, dropped: false }];
    if (name !== 'CallReleased') return [];
    const requeued = events.slice(i + 1).some((n) => n.subject === e.subject && n.definition.name === 'CallQueued');
    return [{ at: e.at, dropped: (e.data as { releasedBy: string }).releasedBy === 'system' && !requeued && !cleared }];
  });
}
