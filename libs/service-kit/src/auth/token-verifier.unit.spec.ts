import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { isDomainError } from '@switchboard/domain-errors';
import { mintDevToken } from './dev-token';
import { bearerToken, createTokenVerifier, TokenVerifier } from './token-verifier';

const secret = 'unit-test-secret-that-is-at-least-32-bytes-long';
const supervisor = { secret, subject: 'u-7', roles: ['supervisor'] as const, tenant: 'acme', siteIds: ['paris'] };

async function rejectionOf(verifier: TokenVerifier, token: string) {
  const e = await verifier.verify(token).then(() => undefined, (err: unknown) => err);
  if (!isDomainError(e)) throw new Error(`expected a domain error, got ${String(e)}`);
  return { kind: e.kind, code: e.code, message: e.message };
}

describe('When tokens are HS256 with a shared secret', () => {
  let verifier: TokenVerifier;
  beforeAll(async () => { verifier = await createTokenVerifier({ key: { kind: 'hs256', secret }, issuer: 'switchboard-dev' }); });

  it('should turn a valid token into the principal with its scope claims', async () => {
    const token = await mintDevToken({ ...supervisor, roles: ['supervisor', 'agent'], agentId: 'a-9', teamIds: ['t-1'], issuer: 'switchboard-dev' });
    expect(await verifier.verify(token)).toEqual({ userId: 'u-7', roles: ['supervisor', 'agent'], tenant: 'acme', agentId: 'a-9', teamIds: ['t-1'], siteIds: ['paris'] });
  });

  it('should reject an expired token as expired', async () => {
    const token = await mintDevToken({ ...supervisor, issuer: 'switchboard-dev', expiresIn: Math.floor(Date.now() / 1000) - 60 });
    expect(await rejectionOf(verifier, token)).toMatchObject({ kind: 'unauthenticated', code: 'AUTH.TOKEN_EXPIRED' });
  });

  it('should reject a token signed with another secret', async () => {
    const token = await mintDevToken({ ...supervisor, issuer: 'switchboard-dev', secret: 'another-secret-that-is-also-32-bytes-long!!' });
    expect(await rejectionOf(verifier, token)).toMatchObject({ kind: 'unauthenticated', code: 'AUTH.TOKEN_INVALID', message: 'invalid token' });
  });

  it('should reject a token from another issuer', async () => {
    const token = await mintDevToken({ ...supervisor, issuer: 'someone-else' });
    expect(await rejectionOf(verifier, token)).toMatchObject({ code: 'AUTH.TOKEN_INVALID', message: 'invalid token: iss claim rejected' });
  });

  it.each([
    ['no roles claim', { tenant: 'acme' }, 'roles claim missing'],
    ['only unknown roles', { tenant: 'acme', roles: ['janitor'] }, 'roles claim grants no known role'],
    ['no tenant', { roles: ['agent'] }, 'tenant claim missing'],
    ['a malformed team list', { tenant: 'acme', roles: ['team_leader'], team_ids: 't-1' }, 'team_ids claim is not a list of ids'],
  ])('should reject a token with %s', async (_what, claims, reason) => {
    const token = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('u-1').setIssuer('switchboard-dev')
      .setExpirationTime('5m').sign(new TextEncoder().encode(secret));
    expect(await rejectionOf(verifier, token)).toMatchObject({ code: 'AUTH.TOKEN_INVALID', message: `invalid token: ${reason}` });
  });

  it('should drop role names it does not know but keep the known ones', async () => {
    const token = await new SignJWT({ tenant: 'acme', roles: ['janitor', 'agent'] }).setProtectedHeader({ alg: 'HS256' }).setSubject('u-1')
      .setIssuer('switchboard-dev').setExpirationTime('5m').sign(new TextEncoder().encode(secret));
    expect((await verifier.verify(token)).roles).toEqual(['agent']);
  });

  it('should reject a token without an expiry', async () => {
    const token = await new SignJWT({ tenant: 'acme', roles: ['agent'] }).setProtectedHeader({ alg: 'HS256' }).setSubject('u-1')
      .setIssuer('switchboard-dev').sign(new TextEncoder().encode(secret));
    expect(await rejectionOf(verifier, token)).toMatchObject({ code: 'AUTH.TOKEN_INVALID' });
  });

  it('should refuse to start with a secret shorter than 32 bytes', async () => {
    await expect(createTokenVerifier({ key: { kind: 'hs256', secret: 'short' } })).rejects.toThrow(/at least 32 bytes/);
  });
});

describe('When tokens are signed with a private key', () => {
  it('should verify RS256 with the public key and reject an HS256 token signed with that public key', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const spkiPem = await exportSPKI(publicKey);
    const verifier = await createTokenVerifier({ key: { kind: 'public-key', algorithm: 'RS256', spkiPem } });
    const claims = { tenant: 'acme', roles: ['director'] };
    const good = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256' }).setSubject('u-2').setExpirationTime('5m').sign(privateKey);
    expect((await verifier.verify(good)).roles).toEqual(['director']);
    const confused = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('u-2').setExpirationTime('5m')
      .sign(new TextEncoder().encode(spkiPem));
    expect(await rejectionOf(verifier, confused)).toMatchObject({ code: 'AUTH.TOKEN_INVALID' });
  });

  it('should verify ES256 against a JWKS by key id', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    const verifier = await createTokenVerifier({ key: { kind: 'jwks', jwks: { keys: [jwk] } } });
    const token = await new SignJWT({ tenant: 'acme', roles: ['integrator'] }).setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setSubject('svc-bi').setExpirationTime('5m').sign(privateKey);
    expect(await verifier.verify(token)).toMatchObject({ userId: 'svc-bi', roles: ['integrator'] });
  });
});

describe('bearerToken', () => {
  it.each([
    [['Bearer abc.def.ghi'], 'abc.def.ghi'],
    [['bearer abc.def.ghi'], 'abc.def.ghi'],
    [['Basic dXNlcjpwYXNz'], undefined],
    [[], undefined],
    [['Bearer a.b.c', 'Bearer d.e.f'], undefined],
    [[Buffer.from('Bearer a.b.c')], undefined],
  ])('should read %j as %s', (values, token) => {
    expect(bearerToken(values)).toBe(token);
  });
});
