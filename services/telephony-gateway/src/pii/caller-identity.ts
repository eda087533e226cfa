import { createHmac } from 'node:crypto';
import { maskCallerNumber, type CallerIdentity } from '../call-tracking/domain/canonical';

/** Digits only, leading + kept: the same caller hashes the same whatever the PBX's formatting. */
export const normaliseNumber = (n: string) => n.replace(/[^0-9+]/g, '');

/** Keyed HMAC-SHA256 (stable per key, useless without it) plus the masked form; withheld numbers hash as "anonymous". */
export function callerIdentifier(key: string): (number: string | null) => CallerIdentity {
  return (number) => {
    const normal = number === null ? '' : normaliseNumber(number);
    return { hash: createHmac('sha256', key).update(normal === '' ? 'anonymous' : normal).digest('hex'), masked: maskCallerNumber(number) };
  };
}
