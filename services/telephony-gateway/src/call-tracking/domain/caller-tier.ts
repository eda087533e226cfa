/**
 * The customer tier a PBX attaches to a call (RT-11): the dial plan sets the channel variable SWITCHBOARD_CALLER_TIER
 * (after a CRM dip) and the gateway reads it from AMI `ChanVariable` headers or event-socket `variable_…` headers.
 */
export const CALLER_TIER_VARIABLE = 'SWITCHBOARD_CALLER_TIER';

const TIER = /^[a-z0-9][a-z0-9_-]{0,31}$/;

export type CallerTierReading =
  | { readonly kind: 'none' }
  | { readonly kind: 'tier'; readonly tier: string }
  /** Set but not a tier the contract allows: the call goes on without one, the value is counted and sampled. */
  | { readonly kind: 'invalid'; readonly raw: string };

/** Dial plans write `VIP` as often as `vip`: case and surrounding blanks are not meaningful, anything else is. */
export function readCallerTier(raw: string | undefined): CallerTierReading {
  const value = (raw ?? '').trim();
  if (value === '') return { kind: 'none' };
  const tier = value.toLowerCase();
  return TIER.test(tier) ? { kind: 'tier', tier } : { kind: 'invalid', raw: value.slice(0, 64) };
}

export const callerTierOf = (raw: string | undefined): string | undefined => {
  const r = readCallerTier(raw);
  return r.kind === 'tier' ? r.tier : undefined;
};
