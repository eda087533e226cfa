import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Local runs use random secrets kept in the ignored .infra folder (mode 600), created on first start; the same
 * variable in the environment wins. Production supplies them from its secret store; none is ever in the repository.
 */
export function devSecret(rootDir: string, name: 'AUTH_JWT_SECRET' | 'CALLER_HASH_KEY' | 'AMI_SECRET', env: NodeJS.ProcessEnv = process.env): string {
  if (env[name]) return env[name]!;
  const file = path.join(rootDir, '.infra', `dev-${name.toLowerCase().replace(/_/g, '-')}`);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  }
  return fs.readFileSync(file, 'utf8').trim();
}
