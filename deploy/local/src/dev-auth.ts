import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Local runs verify gRPC tokens with a random HS256 secret kept in the ignored .infra folder (mode 600), created on
 * first start; AUTH_JWT_SECRET in the environment wins. Production uses the IdP's keys (AUTH_JWKS_FILE).
 */
export function devAuthSecret(rootDir: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.AUTH_JWT_SECRET) return env.AUTH_JWT_SECRET;
  const file = path.join(rootDir, '.infra', 'dev-auth-secret');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  }
  return fs.readFileSync(file, 'utf8').trim();
}
