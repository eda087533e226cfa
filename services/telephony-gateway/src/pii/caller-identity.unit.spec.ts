import { createHmac } from 'node:crypto';
import { callerIdentifier } from './caller-identity';

const KEY = 'k'.repeat(64);
const hmac = (text: string) => createHmac('sha256', KEY).update(text).digest('hex');

describe('callerIdentifier', () => {
  it('should hash the normalised number with the key and mask it', () => {
    expect(callerIdentifier(KEY)('+86 138-1234-5678')).toEqual({ hash: hmac('+8613812345678'), masked: '+861******5678' });
  });

  it('should hash a withheld number as anonymous', () => {
    expect(callerIdentifier(KEY)(null)).toEqual({ hash: hmac('anonymous'), masked: 'anonymous' });
  });

  it('should answer the same for a number asked again, before and after another number', () => {
    const identify = callerIdentifier(KEY);
    const first = identify('13812345678');
    expect(identify('13812345678')).toEqual(first);
    expect(identify('13900000000').hash).toBe(hmac('13900000000'));
    expect(identify('13812345678')).toEqual(first);
    expect(identify(null).hash).toBe(hmac('anonymous'));
  });

  it('should not share answers between keys', () => {
    expect(callerIdentifier('a')('13812345678').hash).not.toBe(callerIdentifier('b')('13812345678').hash);
  });
});
