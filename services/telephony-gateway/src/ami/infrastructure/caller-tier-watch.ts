import { readCallerTier } from '../../call-tracking/domain/caller-tier';
import type { LinkMetrics } from './link-metrics';
import type { AmiLinkDeps } from './ami-link';

/** Parse-error kind of a SWITCHBOARD_CALLER_TIER value the contract does not allow (the call goes on without a tier). */
export const INVALID_CALLER_TIER = 'invalid-caller-tier';

/** Logs the first invalid value and then one in every this many, so a misconfigured dial plan cannot flood the log. */
const LOG_EVERY = 1000;

/** Counts and samples invalid caller tiers seen on one link; `check` takes the raw variable value of a queued caller. */
export function callerTierWatch(metrics: LinkMetrics, log: AmiLinkDeps['log'], pbxLinkId: string): (raw: string | undefined) => void {
  let invalid = 0;
  return (raw) => {
    const reading = readCallerTier(raw);
    if (reading.kind !== 'invalid') return;
    metrics.parseError(INVALID_CALLER_TIER);
    if (invalid++ % LOG_EVERY === 0) log?.('warn', 'invalid SWITCHBOARD_CALLER_TIER ignored; the call is kept without a tier', { pbxLinkId, sample: reading.raw, seen: invalid });
  };
}
