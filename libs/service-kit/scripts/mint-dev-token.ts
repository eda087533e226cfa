// Mints an HS256 bearer token for local runs:
//   AUTH_JWT_SECRET=… node -r @swc-node/register libs/service-kit/scripts/mint-dev-token.ts \
//     --sub u-1 --roles supervisor --tenant acme --sites paris [--teams t-1,t-2] [--agent a-1] [--ttl 8h] [--iss …] [--aud …]
//   node -r @swc-node/register libs/service-kit/scripts/mint-dev-token.ts --new-secret   # prints a fresh random secret
// The secret comes from $AUTH_JWT_SECRET (or --secret-env NAME, or --secret, which shells keep in their history).
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { mintDevToken } from '../src/auth/dev-token';
import { Role, ROLES } from '../src/auth/principal';

const USAGE = 'usage: mint-dev-token.ts --sub ID --roles r1[,r2] --tenant T [--sites s1,s2] [--teams t1,t2] [--agent A] [--ttl 1h] '
  + '[--iss ISS] [--aud AUD] [--secret-env NAME | --secret S] | --new-secret';

const list = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');

function fail(message: string): never {
  process.stderr.write(`mint-dev-token: ${message}\n${USAGE}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const { values: a } = parseArgs({
    options: {
      sub: { type: 'string' }, roles: { type: 'string' }, tenant: { type: 'string' }, sites: { type: 'string' }, teams: { type: 'string' },
      agent: { type: 'string' }, ttl: { type: 'string', default: '1h' }, iss: { type: 'string' }, aud: { type: 'string' },
      'secret-env': { type: 'string', default: 'AUTH_JWT_SECRET' }, secret: { type: 'string' }, 'new-secret': { type: 'boolean' },
    },
  });
  if (a['new-secret']) {
    process.stdout.write(`${randomBytes(32).toString('base64url')}\n`);
    return;
  }
  const secret = a.secret ?? process.env[a['secret-env']!];
  if (secret === undefined || secret === '') fail(`no secret: set $${a['secret-env']} (or pass --secret)`);
  if (a.sub === undefined || a.tenant === undefined) fail('--sub and --tenant are required');
  const roles = list(a.roles);
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (roles.length === 0 || unknown.length > 0) fail(`--roles must list some of: ${ROLES.join(', ')}${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}`);
  const token = await mintDevToken({
    secret, subject: a.sub, tenant: a.tenant, roles: roles as Role[], siteIds: list(a.sites), teamIds: list(a.teams),
    agentId: a.agent, expiresIn: a.ttl, issuer: a.iss, audience: a.aud,
  }).catch((e: Error) => fail(e.message));
  process.stdout.write(`${token}\n`);
}

void main();
