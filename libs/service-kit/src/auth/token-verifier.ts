import { createLocalJWKSet, errors, importSPKI, jwtVerify, type JSONWebKeySet, type JWTVerifyGetKey, type KeyLike } from 'jose';
import { UnauthenticatedError } from '@switchboard/domain-errors';
import { Principal, principalFromClaims } from './principal';

/** Where the signing key comes from. The composition root reads it from config; this library never looks for one. */
export type TokenKeyConfig =
  | { kind: 'hs256'; secret: string }
  | { kind: 'public-key'; algorithm: 'RS256' | 'ES256'; spkiPem: string }
  | { kind: 'jwks'; jwks: JSONWebKeySet };

export interface AuthConfig {
  key: TokenKeyConfig;
  /** When set, the `iss` / `aud` claims must match. */
  issuer?: string;
  audience?: string;
  clockToleranceSeconds?: number;
}

export interface TokenVerifier {
  /** Resolves to the caller, or rejects with an UnauthenticatedError (AUTH.TOKEN_EXPIRED / AUTH.TOKEN_INVALID). */
  verify(token: string): Promise<Principal>;
}

// RFC 7518 §3.2: an HS256 key must be at least as long as the hash output.
export const MIN_HS256_SECRET_BYTES = 32;

type Key = { key: KeyLike | Uint8Array | JWTVerifyGetKey; algorithms: string[] };

async function resolveKey(c: TokenKeyConfig): Promise<Key> {
  switch (c.kind) {
    case 'hs256': {
      const secret = new TextEncoder().encode(c.secret);
      if (secret.length < MIN_HS256_SECRET_BYTES) throw new Error(`the HS256 token secret must be at least ${MIN_HS256_SECRET_BYTES} bytes`);
      return { key: secret, algorithms: ['HS256'] };
    }
    case 'public-key':
      return { key: await importSPKI(c.spkiPem, c.algorithm), algorithms: [c.algorithm] };
    case 'jwks':
      return { key: createLocalJWKSet(c.jwks), algorithms: ['RS256', 'ES256'] };
    default: {
      const _exhaustive: never = c;
      throw new Error(`unknown token key kind ${JSON.stringify(_exhaustive)}`);
    }
  }
}

function rejection(e: unknown): UnauthenticatedError {
  if (e instanceof errors.JWTExpired) return new UnauthenticatedError('AUTH.TOKEN_EXPIRED', 'token expired');
  if (e instanceof errors.JWTClaimValidationFailed) return new UnauthenticatedError('AUTH.TOKEN_INVALID', `invalid token: ${e.claim} claim rejected`);
  return new UnauthenticatedError('AUTH.TOKEN_INVALID', 'invalid token', { cause: e });
}

/**
 * Builds the verifier once at start-up (a bad key fails the start, not the first call). Algorithms are pinned
 * to the key's kind, so a token cannot pick its own (`none`, or HS256 signed with a public key).
 */
export async function createTokenVerifier(config: AuthConfig): Promise<TokenVerifier> {
  const { key, algorithms } = await resolveKey(config.key);
  const options = {
    algorithms,
    issuer: config.issuer,
    audience: config.audience,
    clockTolerance: config.clockToleranceSeconds ?? 5,
    requiredClaims: ['exp', 'sub'],
  };
  return {
    async verify(token: string): Promise<Principal> {
      // jose's overloads split on the key's type; both branches run the same checks.
      const { payload } = await (typeof key === 'function' ? jwtVerify(token, key, options) : jwtVerify(token, key, options)).catch((e: unknown) => {
        throw rejection(e);
      });
      const parsed = principalFromClaims(payload);
      if (!parsed.ok) throw new UnauthenticatedError('AUTH.TOKEN_INVALID', `invalid token: ${parsed.reason}`);
      return parsed.principal;
    },
  };
}

/** The token of an `authorization: Bearer <jwt>` metadata value; undefined when absent or not a bearer token. */
export function bearerToken(values: readonly unknown[]): string | undefined {
  if (values.length !== 1 || typeof values[0] !== 'string') return undefined;
  const match = /^Bearer\s+([A-Za-z0-9_.-]+)\s*$/i.exec(values[0]);
  return match?.[1];
}
