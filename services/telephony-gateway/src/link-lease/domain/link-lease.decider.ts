/**
 * Who runs a PBX link: the replica holding the link's lease, and only while it holds it. A replica without the lease
 * stands by and asks again later; one that loses it (its lease connection failed, so it can no longer prove it is
 * the only one) stops the link at once and goes back to asking.
 */
export type LinkLeaseState =
  | { readonly status: 'standby'; readonly announced: boolean }
  | { readonly status: 'active' }
  | { readonly status: 'stopped' };

export type LinkLeaseInput =
  | { readonly type: 'LeaseAcquired' }
  | { readonly type: 'LeaseRefused' }
  | { readonly type: 'LeaseLost'; readonly reason: string }
  | { readonly type: 'StopRequested' };

/** What the adapter does, in this order: stop the link before anything else, release last. */
export type LinkLeaseEffect = 'start-link' | 'stop-link' | 'announce-standby' | 'retry-later' | 'release';

export interface LinkLeaseDecision {
  readonly state: LinkLeaseState;
  readonly effects: readonly LinkLeaseEffect[];
}

export const initialLinkLease = (): LinkLeaseState => ({ status: 'standby', announced: false });

export function decideLinkLease(state: LinkLeaseState, input: LinkLeaseInput): LinkLeaseDecision {
  switch (input.type) {
    case 'LeaseAcquired': return acquired(state);
    case 'LeaseRefused': return refused(state);
    case 'LeaseLost': return lost(state);
    case 'StopRequested': return stopRequested(state);
    default: {
      const _exhaustive: never = input;
      return _exhaustive;
    }
  }
}

function acquired(state: LinkLeaseState): LinkLeaseDecision {
  // An attempt that answers after a stop (or twice) must not start a second link; a lease taken after a stop is given back.
  if (state.status === 'stopped') return { state, effects: ['release'] };
  if (state.status === 'active') return { state, effects: [] };
  return { state: { status: 'active' }, effects: ['start-link'] };
}

function refused(state: LinkLeaseState): LinkLeaseDecision {
  if (state.status !== 'standby') return { state, effects: [] };
  // Logged once per standby period, not at every retry.
  if (state.announced) return { state, effects: ['retry-later'] };
  return { state: { status: 'standby', announced: true }, effects: ['announce-standby', 'retry-later'] };
}

function lost(state: LinkLeaseState): LinkLeaseDecision {
  if (state.status === 'stopped') return { state, effects: [] };
  if (state.status === 'standby') return { state, effects: ['retry-later'] };
  return { state: { status: 'standby', announced: false }, effects: ['stop-link', 'retry-later'] };
}

function stopRequested(state: LinkLeaseState): LinkLeaseDecision {
  if (state.status === 'stopped') return { state, effects: [] };
  return { state: { status: 'stopped' }, effects: state.status === 'active' ? ['stop-link', 'release'] : ['release'] };
}
