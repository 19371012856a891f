// Running a multi-row write all or nothing.
import type { Db } from './connect.ts';

const RETRYABLE = new Set(['40P01', '40001']); // deadlock detected, serialization failure
const MAX_ATTEMPTS = 5;

function isRetryable(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' && RETRYABLE.has(err.code);
}

/**
 * Runs `work` in the caller's transaction, or in a new one. A new one is retried when PostgreSQL
 * breaks a deadlock between concurrent writers by aborting this one; inside a caller's
 * transaction the caller decides.
 */
export async function inTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  if (db.isTransaction) return work(db);
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(work);
    } catch (err) {
      if (attempt >= MAX_ATTEMPTS || !isRetryable(err)) throw err;
      await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20));
    }
  }
}
