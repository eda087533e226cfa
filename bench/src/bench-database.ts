import { Client } from 'pg';

/** Drops a benchmark's scratch database; FORCE is safe here because a benchmark owns every connection to it. */
export async function dropBenchDatabase(postgresUrl: string, name: string): Promise<void> {
  const c = new Client({ connectionString: postgresUrl });
  await c.connect();
  try {
    await c.query(`drop database if exists ${name} with (force)`);
  } finally {
    await c.end();
  }
}
