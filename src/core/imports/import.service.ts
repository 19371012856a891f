// Imports a customers or orders CSV into a tenant. The file is streamed and written in batches
// through the same functions the API uses (resolveCustomers, recordOrders), so identity
// resolution, merges, aggregates and the timeline behave exactly as for live data. Each batch is
// one transaction; with allOrNothing the whole file is one, and any refused row stores nothing.
// Reading the next batch overlaps writing the previous one.
import { basename } from 'node:path';
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { YuchiError } from '../errors.ts';
import { newId } from '../ids.ts';
import { localTimeReader } from './fields.rules.ts';
import { openCsv } from './csv-source.ts';
import {
  HeaderError, mapHeader, readCustomerRow, readOrderLine, type ColumnMap, type CustomerRow, type Field, type ImportKind, type RowError,
} from './import.rules.ts';
import { assembleOrders, type OrderLineEntry } from './order-lines.rules.ts';
import { loadLookups, writeCustomers, writeOrders, type BatchResult } from './import.writes.ts';

export interface ImportRequest {
  tenantId: string;
  kind: ImportKind;
  file: string;
  allOrNothing?: boolean;
  /** Rows per transaction in partial mode (and per statement group in both). */
  batchSize?: number;
  /** Who imports, on the timeline and in the audit log. */
  actor?: string;
  onProgress?: (progress: ImportProgress) => void;
  /** Receives every refused row, in line order within each batch (for an errors file). */
  onRejected?: (errors: RowError[]) => void;
}

export interface ImportProgress {
  bytesRead: number;
  bytesTotal: number;
  rows: number;
}

export interface ImportSummary {
  kind: ImportKind;
  file: string;
  mode: 'partial' | 'all-or-nothing';
  rowsRead: number;
  /** Rows stored, or found already stored (a re-sent order). */
  rowsImported: number;
  rowsRejected: number;
  /** False when all-or-nothing mode refused a row and stored nothing. */
  stored: boolean;
  /** Customers: profiles created / existing profiles matched. Orders: orders created / updated / already there unchanged. */
  created: number;
  updated: number;
  duplicates: number;
  firstErrors: RowError[];
  ignoredColumns: string[];
  /** readingMs: the reader busy (file, CSV, checks); waitingMs: the reader waiting for the database; databaseMs: batches being written (overlaps reading). */
  timings: { totalMs: number; readingMs: number; waitingMs: number; databaseMs: number };
}

const FIRST_ERRORS = 20;
const DEFAULT_BATCH = 5_000;

interface Pending<T> {
  items: T[];
  errors: RowError[];
  rows: number;
}

export async function importFile(db: Db, request: ImportRequest): Promise<ImportSummary> {
  const started = performance.now();
  const batchSize = request.batchSize ?? DEFAULT_BATCH;
  const allOrNothing = request.allOrNothing ?? false;
  const actor = request.actor ?? `import:${basename(request.file)}`;
  const tenant = await db.selectFrom('tenants').select(['id', 'timezone']).where('id', '=', request.tenantId).executeTakeFirst();
  if (!tenant) throw new YuchiError('not_found', 'tenant not found');
  const lookups = await loadLookups(db, tenant.id, request.kind);
  const now = new Date();
  const readTime = localTimeReader(tenant.timezone, () => now);
  const source = await openCsv(request.file);

  const summary: ImportSummary = {
    kind: request.kind, file: request.file, mode: allOrNothing ? 'all-or-nothing' : 'partial',
    rowsRead: 0, rowsImported: 0, rowsRejected: 0, stored: true, created: 0, updated: 0, duplicates: 0,
    firstErrors: [], ignoredColumns: [], timings: { totalMs: 0, readingMs: 0, waitingMs: 0, databaseMs: 0 },
  };
  const reject = (errors: RowError[]): void => {
    if (errors.length === 0) return;
    errors.sort((a, b) => a.line - b.line);
    summary.rowsRejected += new Set(errors.map((e) => e.line)).size;
    for (const e of errors) if (summary.firstErrors.length < FIRST_ERRORS) summary.firstErrors.push(e);
    request.onRejected?.(errors);
  };

  const trx = allOrNothing ? await db.startTransaction().execute() : null;
  let inFlight: Promise<void> = Promise.resolve();
  let writeFailure: unknown = null;
  let waitMs = 0;

  /**
   * Writes a batch once the previous one is done, without waiting for it: the caller reads on.
   * `errors` are the batch's refused rows, reported in line order with the database's refusals.
   */
  const write = async (errors: RowError[], size: number, run: (tx: Db) => Promise<BatchResult>): Promise<void> => {
    const waitFrom = performance.now();
    await inFlight;
    waitMs += performance.now() - waitFrom;
    if (writeFailure !== null) throw writeFailure;
    // All or nothing: after the first refusal nothing more is written, but every row is still checked.
    if (size === 0 || (allOrNothing && summary.rowsRejected + errors.length > 0)) {
      reject(errors);
      return;
    }
    inFlight = (async () => {
      const from = performance.now();
      try {
        const result = trx ? await run(trx) : await db.transaction().execute(async (tx) => {
          // A batch's commit need not wait for the disk: the audit row written synchronously at the
          // end flushes every earlier commit with it, and an import cut short is re-run (it is idempotent).
          await sql`set local synchronous_commit = off`.execute(tx);
          return run(tx);
        });
        summary.rowsImported += result.rowsImported;
        summary.created += result.created;
        summary.updated += result.updated;
        summary.duplicates += result.duplicates;
        reject([...errors, ...result.errors]);
      } catch (err) {
        writeFailure = err;
      } finally {
        summary.timings.databaseMs += performance.now() - from;
      }
    })();
  };
  const writeCustomerBatch = (batch: Pending<CustomerRow>): Promise<void> =>
    write(batch.errors, batch.items.length, (tx) => writeCustomers(tx, tenant.id, batch.items, { actor, at: now, column: columnName }));

  let map: ColumnMap | null = null;
  const columnName = (field: Field): string => map?.header[field] ?? field;
  let customers: Pending<CustomerRow> = { items: [], errors: [], rows: 0 };
  let entries: OrderLineEntry[] = [];
  let entryErrors: RowError[] = [];
  let lastProgress = 0;
  const flushOrders = async (): Promise<void> => {
    if (!map || entries.length === 0) return;
    const { orders, errors } = assembleOrders(entries, map);
    const batchErrors = [...entryErrors, ...errors];
    entries = [];
    entryErrors = [];
    await write(batchErrors, orders.length, (tx) => writeOrders(tx, tenant.id, orders, { actor, column: columnName }));
  };

  try {
    for await (const { record, line } of source.records) {
      if (map === null) {
        try {
          map = mapHeader(request.kind, record);
        } catch (err) {
          if (err instanceof HeaderError) throw new YuchiError('invalid', `${request.file}: ${err.message}`, [{ path: 'header', message: err.message, code: err.code, params: err.params }]);
          throw err;
        }
        summary.ignoredColumns = map.ignored;
        continue;
      }
      summary.rowsRead++;
      if (request.kind === 'customers') {
        const read = readCustomerRow(record, line, map, lookups, now);
        if ('row' in read) customers.items.push(read.row);
        else customers.errors.push(...read.errors);
        if (++customers.rows >= batchSize) {
          const batch = customers;
          customers = { items: [], errors: [], rows: 0 };
          await writeCustomerBatch(batch);
        }
      } else {
        const read = readOrderLine(record, line, map, lookups, readTime);
        const orderNo = 'row' in read ? read.row.orderNo : read.orderNo;
        // Batches end between orders, so the lines of one order are always written together.
        if (entries.length >= batchSize && entries[entries.length - 1]?.orderNo !== orderNo) await flushOrders();
        if ('row' in read) entries.push({ line, orderNo, row: read.row });
        else {
          entries.push({ line, orderNo, row: null });
          entryErrors.push(...read.errors);
        }
      }
      if ((summary.rowsRead & 1023) === 0 && request.onProgress) {
        const t = performance.now();
        if (t - lastProgress > 100) {
          lastProgress = t;
          request.onProgress({ bytesRead: source.bytesRead(), bytesTotal: source.bytesTotal, rows: summary.rowsRead });
        }
      }
    }
    if (map === null) throw new YuchiError('invalid', `${request.file} is empty: the first line must be the header`, [{ path: 'file', message: 'is empty', code: 'file_empty', params: {} }]);
    if (request.kind === 'customers') await writeCustomerBatch(customers);
    else await flushOrders();
    const waitFrom = performance.now();
    await inFlight;
    waitMs += performance.now() - waitFrom;
    if (writeFailure !== null) throw writeFailure;
    request.onProgress?.({ bytesRead: source.bytesTotal, bytesTotal: source.bytesTotal, rows: summary.rowsRead });
    if (trx) {
      if (summary.rowsRejected > 0) {
        await trx.rollback().execute();
        summary.stored = false;
      } else {
        await trx.commit().execute();
      }
    }
  } catch (err) {
    await inFlight;
    if (trx && !trx.isCommitted && !trx.isRolledBack) await trx.rollback().execute();
    source.close();
    if (err instanceof YuchiError || trx) throw err;
    // Partial mode: the batches before the failing one stay stored.
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`the import stopped: ${message} (${summary.rowsImported} rows were imported before the failing batch)`, { cause: err });
  }
  if (!summary.stored) {
    summary.rowsImported = 0;
    summary.created = 0;
    summary.updated = 0;
    summary.duplicates = 0;
  }
  summary.timings.totalMs = performance.now() - started;
  summary.timings.waitingMs = waitMs;
  summary.timings.readingMs = summary.timings.totalMs - waitMs;
  await db.insertInto('audit_log').values({
    tenant_id: tenant.id, id: newId(), actor, action: `${request.kind}.import`, target_type: request.kind, target_id: null,
    details: JSON.stringify({
      file: basename(request.file), mode: summary.mode, rowsRead: summary.rowsRead, rowsImported: summary.rowsImported,
      rowsRejected: summary.rowsRejected, stored: summary.stored, created: summary.created, updated: summary.updated,
    }),
  }).execute();
  return summary;
}
