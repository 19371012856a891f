// Imports started from the console. The upload is kept in a file under the system's temp
// directory, a job row records it, and a worker task (src/worker/tasks/import.ts) reads it through
// `importFile` — the same import as `yuchi import` — writing progress to the row at most every
// half second, so the console can show a live bar by polling. Every refused row is kept for the
// errors.csv download.
import { mkdir, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type { ImportJobStatus } from '../../db/schema.ts';
import type { Actor } from '../access/access.rules.ts';
import { notFound, YuchiError } from '../errors.ts';
import { newId, UUID_PATTERN } from '../ids.ts';
import { actorLabel } from '../tags/tags.rules.ts';
import type { ImportKind, KeptRowError, RowError } from './import.rules.ts';
import { importFile, type ImportSummary } from './import.service.ts';

/** The worker task that runs a console import (listed in src/worker/index.ts). */
export const IMPORT_TASK = 'import_file';
export const MAX_UPLOAD_BYTES = 512 * 1024 * 1024;
const PROGRESS_EVERY_MS = 500;
const RECENT_JOBS = 20;

/** Where uploads wait for the worker: one directory, files named by a fresh id. */
export function uploadsDir(): string {
  return path.join(tmpdir(), 'yuchi-imports');
}

export async function newUploadPath(): Promise<string> {
  const dir = uploadsDir();
  await mkdir(dir, { recursive: true });
  return path.join(dir, `${newId()}.csv`);
}

export async function removeUpload(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (err) {
    if (!(err instanceof Error && 'code' in err && err.code === 'ENOENT')) throw err;
  }
}

export interface ImportJobView {
  id: string;
  kind: ImportKind;
  fileName: string;
  status: ImportJobStatus;
  allOrNothing: boolean;
  bytesTotal: number;
  bytesRead: number;
  rows: number;
  rowsImported: number;
  rowsRejected: number;
  /** Customers: profiles created / existing matched. Orders: created / updated / already there. */
  created: number;
  updated: number;
  duplicates: number;
  /** False when an all-or-nothing import refused a row and stored nothing. */
  stored: boolean;
  /** Rows read per second while running (or over the whole run once finished). */
  rowsPerSecond: number;
  firstErrors: KeptRowError[];
  error: string | null;
  /** The failure as a code and its values, for the console to word (null: no code, or not failed). */
  errorWorded: { code: string; params: Record<string, string | number | null> } | null;
  createdBy: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

function jobQuery(db: Db, tenantId: string) {
  return db
    .selectFrom('import_jobs as j')
    .leftJoin('users as u', (join) => join.onRef('u.tenant_id', '=', 'j.tenant_id').on(sql<boolean>`'user:' || u.id::text = j.created_by`))
    .selectAll('j')
    .select('u.name as creator_name')
    .where('j.tenant_id', '=', tenantId);
}

type JobRow = Awaited<ReturnType<ReturnType<typeof jobQuery>['executeTakeFirstOrThrow']>>;

function toView(r: JobRow): ImportJobView {
  const end = r.finished_at ?? r.updated_at;
  const seconds = r.started_at ? (end.getTime() - r.started_at.getTime()) / 1000 : 0;
  return {
    id: r.id, kind: r.kind, fileName: r.file_name, status: r.status, allOrNothing: r.all_or_nothing,
    bytesTotal: r.bytes_total, bytesRead: r.bytes_read, rows: r.rows, rowsImported: r.rows_imported, rowsRejected: r.rows_rejected,
    created: r.created, updated: r.updated, duplicates: r.duplicates, stored: r.stored,
    rowsPerSecond: seconds > 0 ? Math.round(r.rows / seconds) : 0,
    firstErrors: r.first_errors, error: r.error,
    errorWorded: r.error_code === null ? null : { code: r.error_code, params: r.error_params ?? {} },
    createdBy: r.creator_name ?? r.created_by,
    createdAt: r.created_at.toISOString(), startedAt: r.started_at?.toISOString() ?? null, finishedAt: r.finished_at?.toISOString() ?? null,
  };
}

export interface NewImportJob {
  kind: ImportKind;
  fileName: string;
  /** The upload, which the job now owns (the worker removes it when done). */
  filePath: string;
  bytesTotal: number;
  allOrNothing: boolean;
}

/** Records the job and queues the worker task in one transaction, so neither exists without the other. */
export async function createImportJob(db: Db, actor: Actor, input: NewImportJob): Promise<ImportJobView> {
  const id = newId();
  const tenantId = actor.tenantId;
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('import_jobs').values({
      tenant_id: tenantId, id, kind: input.kind, file_name: input.fileName, file_path: input.filePath,
      all_or_nothing: input.allOrNothing, bytes_total: input.bytesTotal, created_by: actorLabel(actor),
    }).execute();
    // One import at a time per tenant (a named queue runs its jobs in order); never retried, since a
    // half-run partial import must not run twice.
    await sql`select graphile_worker.add_job(${IMPORT_TASK}, json_build_object('tenantId', ${tenantId}::text, 'jobId', ${id}::text),
                queue_name => ${`imports:${tenantId}`}, max_attempts => 1, job_key => ${`import:${id}`})`.execute(trx);
  });
  return getImportJob(db, actor, id);
}

export async function getImportJob(db: Db, actor: Actor, id: string): Promise<ImportJobView> {
  const row = UUID_PATTERN.test(id) ? await jobQuery(db, actor.tenantId).where('j.id', '=', id).executeTakeFirst() : undefined;
  if (!row) throw notFound('import');
  return toView(row);
}

export async function listImportJobs(db: Db, actor: Actor, limit = RECENT_JOBS): Promise<ImportJobView[]> {
  const rows = await jobQuery(db, actor.tenantId).orderBy('j.created_at', 'desc').orderBy('j.id', 'desc').limit(limit).execute();
  return rows.map(toView);
}

/** Every refused row of a job, in line order, a page at a time (for a streamed errors.csv). */
export async function* importErrors(db: Db, actor: Actor, id: string, pageSize = 5_000): AsyncGenerator<KeptRowError[]> {
  const job = await getImportJob(db, actor, id);
  let after = -1;
  for (;;) {
    const rows = await db.selectFrom('import_job_errors').select(['seq', 'line', 'column_name', 'reason'])
      .where('tenant_id', '=', actor.tenantId).where('job_id', '=', job.id).where('seq', '>', after)
      .orderBy('seq').limit(pageSize).execute();
    if (rows.length === 0) return;
    yield rows.map((r) => ({ line: r.line, column: r.column_name, reason: r.reason }));
    after = rows[rows.length - 1]?.seq ?? after;
    if (rows.length < pageSize) return;
  }
}

/**
 * Runs a queued job to its end: status running → done (or failed with the reason). Progress goes
 * to the row at most every `progressEveryMs`; refused rows to import_job_errors as they come.
 */
export async function runImportJob(db: Db, tenantId: string, jobId: string, options: { progressEveryMs?: number } = {}): Promise<ImportJobStatus> {
  const started = new Date();
  const job = await db.updateTable('import_jobs')
    .set({ status: 'running', started_at: started, updated_at: started })
    .where('tenant_id', '=', tenantId).where('id', '=', jobId).where('status', '=', 'queued')
    .returning(['kind', 'file_name', 'file_path', 'all_or_nothing', 'created_by'])
    .executeTakeFirst();
  if (!job) return 'failed'; // already run, or gone with its tenant
  const every = options.progressEveryMs ?? PROGRESS_EVERY_MS;

  // Writes are chained so they never overlap and land in order; the last progress wins.
  let writes: Promise<void> = Promise.resolve();
  let writeFailure: unknown = null;
  const chain = (write: () => Promise<unknown>): void => {
    writes = writes.then(write).then(() => undefined, (err: unknown) => {
      writeFailure ??= err;
    });
  };
  let seq = 0;
  const rejectedLines = new Set<number>();
  let lastProgress = 0;
  const saveProgress = (bytesRead: number, rows: number): void => {
    const rowsRejected = rejectedLines.size;
    chain(() => db.updateTable('import_jobs').set({ bytes_read: bytesRead, rows, rows_rejected: rowsRejected, updated_at: new Date() })
      .where('tenant_id', '=', tenantId).where('id', '=', jobId).execute());
  };

  let status: ImportJobStatus;
  try {
    if (!job.file_path) throw new Error('the uploaded file is no longer there');
    const summary = await importFile(db, {
      tenantId, kind: job.kind, file: job.file_path, allOrNothing: job.all_or_nothing, actor: job.created_by,
      onProgress: (p) => {
        const now = performance.now();
        if (now - lastProgress < every) return;
        lastProgress = now;
        saveProgress(p.bytesRead, p.rows);
      },
      onRejected: (errors) => {
        for (const e of errors) rejectedLines.add(e.line);
        const first = seq;
        seq += errors.length;
        chain(() => sql`insert into import_job_errors (tenant_id, job_id, seq, line, column_name, reason)
          select ${tenantId}::uuid, ${jobId}::uuid, x.* from unnest(${errors.map((_, i) => first + i)}::int[], ${errors.map((e) => e.line)}::int[],
                 ${errors.map((e) => e.column)}::text[], ${errors.map((e) => e.reason)}::text[]) as x`.execute(db));
      },
    });
    await writes;
    await finish(db, tenantId, jobId, summary, writeFailure === null ? null : `some refused rows could not be kept for errors.csv: ${String(writeFailure)}`);
    status = 'done';
  } catch (err) {
    await writes;
    const raw = err instanceof Error ? err.message : String(err);
    // The temporary path means nothing to the person who uploaded the file; its name does.
    const message = job.file_path ? raw.split(job.file_path).join(job.file_name) : raw;
    const worded = err instanceof YuchiError ? err.details.find((d) => d.code !== undefined) : undefined;
    await db.updateTable('import_jobs').set({
      status: 'failed', error: message.slice(0, 2000), updated_at: new Date(), finished_at: new Date(),
      error_code: worded?.code ?? null, error_params: worded ? JSON.stringify(worded.params ?? {}) : null,
    })
      .where('tenant_id', '=', tenantId).where('id', '=', jobId).execute();
    status = 'failed';
  }
  if (job.file_path) {
    await removeUpload(job.file_path);
    await db.updateTable('import_jobs').set({ file_path: null }).where('tenant_id', '=', tenantId).where('id', '=', jobId).execute();
  }
  return status;
}

async function finish(db: Db, tenantId: string, jobId: string, s: ImportSummary, problem: string | null): Promise<void> {
  const at = new Date();
  await db.updateTable('import_jobs').set({
    status: 'done', bytes_read: sql<number>`bytes_total`, rows: s.rowsRead, rows_imported: s.rowsImported, rows_rejected: s.rowsRejected,
    created: s.created, updated: s.updated, duplicates: s.duplicates, stored: s.stored, first_errors: JSON.stringify(s.firstErrors),
    error: problem, updated_at: at, finished_at: at,
  }).where('tenant_id', '=', tenantId).where('id', '=', jobId).execute();
}
