import { SignJWT } from 'jose';
import type { Role } from './principal';
import { MIN_HS256_SECRET_BYTES } from './token-verifier';

export interface DevTokenRequest {
  /** The shared HS256 secret the servers verify with; at least 32 bytes. */
  secret: string;
  subject: string;
  roles: readonly Role[];
  tenant: string;
  agentId?: string;
  teamIds?: readonly string[];
  siteIds?: readonly string[];
  /** A jose time span (`15m`, `8h`) or an absolute expiry in epoch seconds. */
  expiresIn?: string | number;
  issuer?: string;
  audience?: string;
}

/** Signs an HS256 token with the claims the servers expect. For local runs and tests; production tokens come from the IdP. */
export async function mintDevToken(r: DevTokenRequest): Promise<string> {
  const key = new TextEncoder().encode(r.secret);
  // Servers refuse shorter secrets, so a token signed with one could never be verified.
  if (key.length < MIN_HS256_SECRET_BYTES) throw new Error(`the HS256 token secret must be at least ${MIN_HS256_SECRET_BYTES} bytes`);
  const claims = {
    roles: [...r.roles],
    tenant: r.tenant,
    ...(r.agentId === undefined ? {} : { agent_id: r.agentId }),
    team_ids: [...(r.teamIds ?? [])],
    site_ids: [...(r.siteIds ?? [])],
  };
  let jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(r.subject).setIssuedAt().setExpirationTime(r.expiresIn ?? '1h');
  if (r.issuer !== undefined) jwt = jwt.setIssuer(r.issuer);
  if (r.audience !== undefined) jwt = jwt.setAudience(r.audience);
  return jwt.sign(key);
}
