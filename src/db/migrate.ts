// Forward-only migrations: numbered plain SQL files in ./migrations, each applied once, in order,
// in its own transaction. An advisory lock keeps two processes from migrating at once.
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { Logger, runMigrations as runWorkerMigrations } from 'graphile-worker';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
const LOCK_KEY = 7_301_953; // arbitrary, constant: "yuchi migrations"

export interface MigrationResult {
  applied: string[];
  total: number;
}

export async function listMigrations(): Promise<string[]> {
  const files = await readdir(MIGRATIONS_DIR);
  return files.filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).sort();
}

export async function migrate(pool: pg.Pool): Promise<MigrationResult> {
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('select pg_advisory_lock($1)', [LOCK_KEY]);
    await client.query(`create table if not exists yuchi_migrations (
      name text primary key, applied_at timestamptz not null default now())`);
    const done = new Set((await client.query<{ name: string }>('select name from yuchi_migrations')).rows.map((r) => r.name));
    const all = await listMigrations();
    for (const name of all) {
      if (done.has(name)) continue;
      const sql = await readFile(MIGRATIONS_DIR + name, 'utf8');
      await client.query('begin');
      try {
        await client.query(sql);
        await client.query('insert into yuchi_migrations (name) values ($1)', [name]);
        await client.query('commit');
      } catch (err) {
        await client.query('rollback');
        throw new Error(`migration ${name} failed: ${(err as Error).message}`);
      }
      applied.push(name);
    }
    await client.query('select pg_advisory_unlock($1)', [LOCK_KEY]);
    await runWorkerMigrations({ pgPool: pool, logger: quietLogger });
    return { applied, total: all.length };
  } finally {
    client.release();
  }
}

const quietLogger = new Logger(() => () => {});
