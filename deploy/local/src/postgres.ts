import { execFileSync } from 'node:child_process';
import { Client } from 'pg';
import { fail, step, waitFor } from './process-util';

export const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

async function answers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function localClusters(): string[] {
  try {
    return execFileSync('pg_lsclusters', ['--no-header']).toString().trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * Uses the server at `url` when it answers; otherwise starts the local Debian cluster if one is installed;
 * otherwise stops with exactly what to install.
 */
export async function ensurePostgres(url: string, external = false): Promise<void> {
  if (await answers(url)) return;
  if (external) fail(`PostgreSQL does not answer at ${redact(url)} (from POSTGRES_URL). Check the address and credentials, or unset POSTGRES_URL to use the local server.`);
  const clusters = localClusters();
  if (clusters.length === 0) {
    fail(`PostgreSQL does not answer at ${redact(url)} and no local cluster is installed. Install it with: apt-get install -y postgresql (then allow trust or password auth for 127.0.0.1), or set POSTGRES_URL.`);
  }
  const [version, name] = clusters[0].split(/\s+/);
  step(`Starting local PostgreSQL cluster ${version}/${name}`);
  try {
    execFileSync('pg_ctlcluster', [version, name, 'start'], { stdio: 'inherit' });
  } catch {
    fail(`Could not start PostgreSQL cluster ${version}/${name}; run: pg_ctlcluster ${version} ${name} start, and read its log in /var/log/postgresql.`);
  }
  await waitFor(`PostgreSQL at ${redact(url)}`, 30_000, () => answers(url)).catch((e) => fail((e as Error).message));
}

/** Creates the database if it does not exist; returns its URL. One database per service. */
export async function ensureDatabase(serverUrl: string, database: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) fail(`invalid database name '${database}'`);
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (!rowCount) {
      await client.query(`create database ${database}`).catch((e: { code?: string }) => {
        if (e.code !== '42P04') throw e; // created concurrently by another starter
      });
    }
  } finally {
    await client.end();
  }
  return withDatabase(serverUrl, database);
}

export function withDatabase(serverUrl: string, database: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable url>';
  }
}
