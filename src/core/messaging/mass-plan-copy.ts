// Writing a mass send's planned recipients: COPY ... FROM STDIN in PostgreSQL's text format, one
// chunk per transaction. COPY skips the per-row parsing of an INSERT's arrays and the speculative
// insertion of ON CONFLICT; duplicates are still impossible, because (tenant_id, mass_send_id,
// customer_id) is the key: a second planner of the same send fails its chunk and, on retry,
// resumes past the rows already written.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import type { Db } from '../../db/connect.ts';
import type { Database } from '../../db/schema.ts';

/** A dedicated connection for the duration of a callback (COPY needs the pg client itself). */
export type WithClient = <T>(fn: (client: pg.PoolClient) => Promise<T>) => Promise<T>;

/** Lends a client of a pool (the worker lends one of graphile-worker's instead). */
export function poolClients(pool: pg.Pool): WithClient {
  return async (fn) => {
    const client = await pool.connect();
    try {
      return await fn(client);
    } finally {
      client.release();
    }
  };
}

/**
 * A Kysely handle on one lent client, for the plan's reads: its session runs without parallel
 * workers, which for a 20,000-row chunk cost more to start than they save and would take the
 * cores the concurrent COPY needs. The caller resets the setting before giving the client back.
 */
export function dbOnClient(client: pg.PoolClient): Db {
  const lent = { query: client.query.bind(client), release: () => {} } as unknown as pg.PoolClient;
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: { connect: async () => lent, end: async () => {} } }) });
}

/** Escapes a value for COPY's text format: backslash, tab, newline and carriage return. */
export function copyText(value: string | null): string {
  if (value === null) return '\\N';
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : value;
}

export const PLANNED_COLUMNS = ['tenant_id', 'mass_send_id', 'customer_id', 'message_id', 'staff_id', 'verdict', 'reason', 'send_at'] as const;

/** One recipient's decision, as the line COPY reads; the mass send's constants are given once per chunk. */
export interface PlannedRow { id: string; customerId: string; staffId: string | null; verdict: 'send' | 'held_out' | 'excluded'; reason: string | null; at: string | null }

/**
 * A chunk's lines written straight into the bytes COPY reads, one field at a time: building a
 * string per line (and joining and encoding them) made more garbage than planning the recipients.
 * Every field is ASCII (ids, verdicts, reason codes, ISO times): latin1 is the bytes as written.
 */
export class PlannedLines {
  private bytes: Buffer;
  private at = 0;
  private readonly head: string;

  constructor(c: { tenantId: string; massSendId: string }, rows: number) {
    this.head = `${c.tenantId}\t${c.massSendId}\t`;
    this.bytes = Buffer.allocUnsafe(Math.max(1, rows) * 200);
  }

  private text(value: string): void {
    if (this.at + value.length + 1 > this.bytes.length) {
      const larger = Buffer.allocUnsafe(this.bytes.length * 2 + value.length);
      this.bytes.copy(larger, 0, 0, this.at);
      this.bytes = larger;
    }
    this.at += this.bytes.write(value, this.at, 'latin1');
  }

  private end(byte: number): void {
    this.bytes[this.at++] = byte;
  }

  add(r: PlannedRow): void {
    this.text(this.head);
    this.text(r.customerId); this.end(9);
    this.text(r.id); this.end(9);
    this.text(r.staffId ?? '\\N'); this.end(9);
    this.text(r.verdict); this.end(9);
    this.text(copyText(r.reason)); this.end(9);
    this.text(r.at ?? '\\N'); this.end(10);
  }

  /** The lines written so far (a view, not a copy). */
  done(): Buffer {
    return this.bytes.subarray(0, this.at);
  }
}

/** Writes one chunk's lines into mass_send_recipients in its own transaction: all of the chunk is durable, or none of it. */
export async function copyPlannedChunk(client: pg.PoolClient, lines: Buffer): Promise<void> {
  await client.query('begin');
  try {
    const stream = client.query(copyStreams.from(`copy mass_send_recipients (${PLANNED_COLUMNS.join(', ')}) from stdin`));
    await pipeline(Readable.from([lines]), stream);
    await client.query('commit');
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  }
}
