import { createHmac } from 'node:crypto';
import { maskCallerNumber, type CallerIdentity } from '../call-tracking/domain/canonical';

/** Digits only, leading + kept: the same caller hashes the same whatever the PBX's formatting. */
export const normaliseNumber = (n: string) => n.replace(/[^0-9+]/g, '');

/**
 * Keyed HMAC-SHA256 (stable per key, useless without it) plus the masked form; withheld numbers hash as "anonymous".
 * A caller joining a queue is identified twice in a row (the call's offer, the caller row): the last answer is kept.
 */
export function callerIdentifier(key: string): (number: string | null) => CallerIdentity {
  let last: { readonly number: string | null; readonly identity: CallerIdentity } | null = null;
  return (number) => {
    if (last !== null && last.number === number) return last.identity;
    const normal = number === null ? '' : normaliseNumber(number);
    const identity = { hash: createHmac('sha256', key).update(normal === '' ? 'anonymous' : normal).digest('hex'), masked: maskCallerNumber(number) };
    last = { number, identity };
    return identity;
  };
}
