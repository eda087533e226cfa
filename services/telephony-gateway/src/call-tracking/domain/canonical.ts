import type { DataOf, EventDefinition } from '@switchboard/contracts';

/** A canonical event decided by a state machine, before the envelope (ids, tenant, site) is added. */
export interface Decided<E extends EventDefinition = EventDefinition> {
  readonly definition: E;
  readonly subject: string;
  /** Per-subject position, 1-based, gap-free. */
  readonly sequence: number;
  /** PBX time, epoch ms. */
  readonly at: number;
  readonly data: DataOf<E>;
}

/** Caller identity as published: keyed hash + masked form (the clear number never leaves the gateway's store). */
export interface CallerIdentity {
  readonly hash: string;
  readonly masked: string;
}

/** Per-link facts and injected capabilities; deciders read nothing else from the outside world. */
export interface DecisionContext {
  readonly pbxLinkId: string;
  /** Ring cadence used to turn ring time into rings heard (GW-02). */
  readonly ringCycleMs: number;
  /** Access number used when the PBX does not give a numeric dialed number (e.g. Asterisk exten `s`). */
  readonly defaultDialedNumber: string;
  /**
   * Whether the link reads recordings' files (RECORDINGS_DIR set): only then does a call wait for its stopped
   * recordings; otherwise a recording stop is ignored (nothing would ever settle it).
   */
  readonly recordings?: boolean;
  /** Keyed hash + mask of a caller number; computed outside the domain (it holds the key). */
  identifyCaller(number: string | null): CallerIdentity;
}

export const decided = <E extends EventDefinition>(definition: E, subject: string, sequence: number, at: number, data: DataOf<E>): Decided<E> =>
  ({ definition, subject, sequence, at, data });

/** Keeps at most the first 3 and last 4 digits: `13812345678` → `138****5678`; withheld → `anonymous`. */
export function maskCallerNumber(number: string | null): string {
  const digits = (number ?? '').replace(/[^0-9+]/g, '');
  const plain = digits.replace(/^\+/, '');
  if (plain.length === 0) return 'anonymous';
  const prefix = digits.startsWith('+') ? '+' : '';
  const keep = plain.length >= 10 ? [3, 4] : plain.length >= 6 ? [2, 2] : [0, 0];
  return `${prefix}${plain.slice(0, keep[0])}${'*'.repeat(Math.max(3, plain.length - keep[0] - keep[1]))}${plain.slice(plain.length - keep[1])}`;
}

export const secondsBetween = (fromMs: number, toMs: number): number => Math.max(0, Math.round(toMs - fromMs) / 1000);
