import type { Distribution } from './distributions';

/** Asterisk app_queue strategies the internal router implements. */
export type QueueStrategy = 'leastrecent' | 'rrmemory' | 'fewestcalls' | 'random' | 'linear';

export type ArrivalProfile =
  | { readonly kind: 'constant'; readonly callsPerHour: number }
  /** The two-peak "M" intraday curve: a base level plus a morning and an afternoon Gaussian peak. */
  | {
      readonly kind: 'm-curve';
      readonly callsPerDay: number;
      readonly morningPeak: string;
      readonly afternoonPeak: string;
      readonly peakWidthHours: number;
      /** Share of the day's calls in the flat base level (0..1); the rest is split between the peaks. */
      readonly baseShare: number;
    }
  /** 24 values, calls per hour for each hour of the day; linear interpolation between hour midpoints. */
  | { readonly kind: 'hourly'; readonly callsPerHour: readonly number[] };

export interface SuddenPeak {
  readonly start: string;
  readonly durationMinutes: number;
  readonly multiplier: number;
}

export interface TransferSpec {
  readonly probability: number;
  /** Blind transfers re-queue the caller into this queue; attended transfers hand over to this external extension. */
  readonly target: string;
}

export interface QueueSpec {
  readonly name: string;
  readonly strategy: QueueStrategy;
  readonly arrivals: ArrivalProfile;
  readonly suddenPeaks?: readonly SuddenPeak[];
  /** Seconds a caller is willing to wait before hanging up. */
  readonly patience: Distribution;
  /**
   * Queue timeout (Asterisk `Queue(...,timeout)`, mod_callcenter `max-wait-time`); absent or 0 = wait forever. A
   * caller still waiting then leaves the queue alive and the dial plan carries on (ground truth: `timeout`).
   */
  readonly maxWaitSeconds?: number;
  /** Seconds a timed-out caller stays in the dial plan (voicemail) before hanging up; default 20. */
  readonly afterTimeoutSeconds?: number;
  readonly ringTimeoutSeconds: number;
  readonly retrySeconds: number;
  /** Conversation time excluding holds. */
  readonly talk: Distribution;
  readonly holdCount: Distribution;
  readonly holdDuration: Distribution;
  readonly afterCallWork: Distribution;
  readonly agentHangupProbability: number;
  readonly blindTransfer?: TransferSpec;
  readonly attendedTransfer?: TransferSpec & { readonly consult: Distribution };
  readonly conference?: { readonly probability: number; readonly duration: Distribution; readonly party: string };
  /** Asterisk `servicelevel` for QueueParams. */
  readonly serviceLevelSeconds: number;
  readonly weight?: number;
}

export interface TimedNotReady {
  readonly at: string;
  readonly minutes: number;
  readonly reason: string;
  /** Random offset 0..jitter minutes so a whole group does not leave at the same second. */
  readonly jitterMinutes?: number;
}

export interface AgentGroupSpec {
  readonly count: number;
  readonly firstExtension: number;
  /** Queue name → penalty (0 = primary skill). */
  readonly skills: Readonly<Record<string, number>>;
  readonly shift: { readonly start: string; readonly end: string };
  /** Random offset 0..jitter minutes applied to the shift start per agent. */
  readonly shiftStartJitterMinutes?: number;
  readonly breaks: readonly TimedNotReady[];
  readonly lateness: { readonly probability: number; readonly minutes: Distribution };
  readonly earlyLogoff: { readonly probability: number; readonly minutes: Distribution };
  /** Unplanned not-ready episodes (置忙 busy, toilet …) as a Poisson process while logged in. */
  readonly unplannedNotReady: {
    readonly perHour: number;
    readonly reasons: readonly { readonly reason: string; readonly weight: number; readonly minutes: Distribution }[];
  };
  readonly ringNoAnswerProbability: number;
  /** Seconds from the first ring until the agent picks up. */
  readonly answerDelay: Distribution;
}

export interface CallerSpec {
  /** Size of the caller-number pool; repeat callers reuse their number. */
  readonly population: number;
  readonly unresolvedProbability: number;
  readonly callBackAfterUnresolvedProbability: number;
  readonly callBackAfterAbandonProbability: number;
  readonly callBackDelay: Distribution;
  /**
   * Share of callers (0..1) the dial plan tags `vip` through the channel variable SWITCHBOARD_CALLER_TIER; absent or 0 =
   * nobody is tagged and the variable is not sent. A property of the caller number, so repeat calls keep their tier.
   */
  readonly vipShare?: number;
  /** What the dial plan writes for those callers; default `vip` (another value, e.g. `Gold Member!`, tests a bad dial plan). */
  readonly tierValue?: string;
}

export interface Scenario {
  readonly name: string;
  /** Simulated day, UTC (`YYYY-MM-DD`). */
  readonly date: string;
  readonly startTime: string;
  readonly durationHours: number;
  /** One ring cadence in seconds, used to turn ring time into the ring count of the ground truth. */
  readonly ringCycleSeconds: number;
  readonly acwPauseReason: string;
  readonly queues: readonly QueueSpec[];
  readonly agentGroups: readonly AgentGroupSpec[];
  readonly callers: CallerSpec;
  /** External routing: seconds to wait for a routing decision before counting it as missed. */
  readonly routingDecisionTimeoutSeconds: number;
}

const HH_MM = /^(\d{1,3}):(\d{2})$/;

/** 'HH:MM' → seconds since midnight (hours may exceed 24 for multi-day spans). */
export function timeOfDaySeconds(hhmm: string): number {
  const match = HH_MM.exec(hhmm);
  if (!match) throw new Error(`Invalid time of day "${hhmm}", expected HH:MM`);
  return Number(match[1]) * 3600 + Number(match[2]) * 60;
}

/** The scenario with every queue timing out after `maxWaitSeconds` (0 = wait forever): a day with queue timeouts. */
export function withQueueTimeout(scenario: Scenario, maxWaitSeconds: number): Scenario {
  if (!(maxWaitSeconds >= 0)) throw new Error(`maxWaitSeconds must be >= 0, got ${maxWaitSeconds}`);
  return { ...scenario, queues: scenario.queues.map((q) => ({ ...q, maxWaitSeconds })) };
}

export function validateScenario(scenario: Scenario): string[] {
  const problems: string[] = [];
  const queueNames = new Set(scenario.queues.map((q) => q.name));
  if (scenario.queues.length === 0) problems.push('at least one queue is required');
  if (!(scenario.durationHours > 0)) problems.push('durationHours must be > 0');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(scenario.date)) problems.push('date must be YYYY-MM-DD');
  for (const group of scenario.agentGroups) {
    for (const queue of Object.keys(group.skills)) {
      if (!queueNames.has(queue)) problems.push(`agent group ${group.firstExtension} has unknown skill ${queue}`);
    }
  }
  for (const queue of scenario.queues) {
    if (queue.maxWaitSeconds !== undefined && !(queue.maxWaitSeconds >= 0)) problems.push(`queue ${queue.name} maxWaitSeconds must be >= 0`);
    if (queue.afterTimeoutSeconds !== undefined && !(queue.afterTimeoutSeconds >= 0)) problems.push(`queue ${queue.name} afterTimeoutSeconds must be >= 0`);
    if (queue.blindTransfer && !queueNames.has(queue.blindTransfer.target)) {
      problems.push(`queue ${queue.name} blind-transfers to unknown queue ${queue.blindTransfer.target}`);
    }
  }
  const vip = scenario.callers.vipShare;
  if (vip !== undefined && !(vip >= 0 && vip <= 1)) problems.push('callers.vipShare must be within 0..1');
  return problems;
}

/** The same day on another date (`npm start` gives each run its own date, so call ids never repeat across runs). */
export function withDate(scenario: Scenario, date: string): Scenario {
  return { ...scenario, date };
}

/** The scenario with a share of tagged (`vip`) callers. */
export function withVipShare(scenario: Scenario, share: number): Scenario {
  return { ...scenario, callers: { ...scenario.callers, vipShare: share } };
}
