// One pool and one Kysely instance per process.
import { createHash } from 'node:crypto';
import pg from 'pg';
import { Kysely, PostgresDialect, sql, type RawBuilder } from 'kysely';
import type { Database } from './schema.ts';

// int8 (bigint) and numeric arrive as strings by default. Our int8 columns hold fen and counts,
// far below 2^53, so numbers are safe and what every caller wants.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
// `date` columns stay 'YYYY-MM-DD' strings: a birthday has no time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export type Db = Kysely<Database>;

/**
 * Marks a hot query to run as a named prepared statement, so PostgreSQL plans it once per
 * connection instead of on every call (for the customer 360, planning cost three times the
 * execution). Put it at the start of a `sql` template, or in a builder with `.modifyFront(PREPARED)`.
 * Only queries whose text has a small, fixed set of shapes should use it: each distinct text
 * becomes a statement kept by every connection.
 */
export const PREPARED: RawBuilder<unknown> = sql`/* prepared */`;
const MARKER = '/* prepared */';
const statementNames = new Map<string, string>();

function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = 'y_' + createHash('sha1').update(text).digest('base64url').slice(0, 20);
    statementNames.set(text, name);
  }
  return name;
}

/** A pg client that runs marked queries as named prepared statements. */
class PreparingClient extends pg.Client {
  override query(...args: unknown[]): never {
    const [text, values] = args;
    const run = super.query.bind(this) as (...a: unknown[]) => never;
    if (typeof text === 'string' && args.length <= 2 && text.includes(MARKER)) {
      return run({ name: statementName(text), text, values });
    }
    return run(...args);
  }
}

export interface DatabaseHandle {
  db: Db;
  pool: pg.Pool;
  url: string;
  close(): Promise<void>;
}

/**
 * `min` connections, once opened, are kept however long they sit idle (others close after
 * `idleTimeoutMillis`, 10 s by default): a server answering a steady stream would otherwise close
 * its spare connections between bursts and open them again in the next one, each opening (auth,
 * a new backend, its statements prepared again) costing a request tens to hundreds of ms.
 */
export function openDatabase(url: string, options: { max?: number; min?: number; idleTimeoutMillis?: number; applicationName?: string } = {}): DatabaseHandle {
  const pool = new pg.Pool({
    Client: PreparingClient,
    connectionString: url,
    max: options.max ?? 20,
    min: options.min ?? 0,
    idleTimeoutMillis: options.idleTimeoutMillis ?? 10_000,
    application_name: options.applicationName ?? 'yuchi',
  });
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on('error', (err) => console.error('[db] idle connection error:', err.message));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    pool,
    url,
    async close() {
      // Kysely ends the pool only if it ever used it, so end it here too.
      await db.destroy();
      if (!pool.ended) await pool.end();
    },
  };
}
