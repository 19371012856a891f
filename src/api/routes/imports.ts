// Console imports: the CSV arrives as the raw request body and streams to a file (never whole in
// memory), a job is queued for the worker, and the console polls the job for progress.
import { createWriteStream } from 'node:fs';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/connect.ts';
import { YuchiError } from '../../core/errors.ts';
import {
  createImportJob, getImportJob, importErrors, listImportJobs, MAX_UPLOAD_BYTES, newUploadPath, removeUpload,
} from '../../core/imports/import-jobs.service.ts';
import { actorOf } from '../auth.ts';
import { ErrorResponse, IdParams, Instant, protectedErrors } from '../schemas.ts';

const UPLOAD_TYPES = ['text/csv', 'application/octet-stream'];

/** A request body that has been written to a file by the CSV content-type parser. */
class Upload {
  constructor(readonly path: string, readonly bytes: number) {}
}

class ByteLimit extends Transform {
  bytes = 0;
  constructor(private readonly limit: number) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) done(tooLarge());
    else done(null, chunk);
  }
}

const tooLarge = (): YuchiError =>
  new YuchiError('too_large', `the file is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`, [{ path: 'body', message: 'is too large', code: 'file_too_large', params: { maximum: MAX_UPLOAD_BYTES / 1024 / 1024 } }]);

async function receive(body: Readable, declaredLength: number): Promise<Upload> {
  if (declaredLength > MAX_UPLOAD_BYTES) throw tooLarge();
  const file = await newUploadPath();
  const limit = new ByteLimit(MAX_UPLOAD_BYTES);
  try {
    await pipeline(body, limit, createWriteStream(file));
  } catch (err) {
    await removeUpload(file);
    throw err;
  }
  return new Upload(file, limit.bytes);
}

const Kind = z.enum(['customers', 'orders']);
const RowError = z.object({
  line: z.number().int(),
  column: z.string(),
  reason: z.string().describe('why, in English'),
  code: z.string().optional().describe('why, as a stable code (not_mobile, unknown_store, rejected, ...) for showing the reason in another language'),
  params: z.record(z.string(), z.union([z.string(), z.number()])).optional().describe("the code's values (e.g. { code: 'SZ-XX-99' } for unknown_store)"),
});

const ImportJob = z.object({
  id: z.string(),
  kind: Kind,
  fileName: z.string(),
  status: z.enum(['queued', 'running', 'done', 'failed']),
  allOrNothing: z.boolean(),
  bytesTotal: z.number().int(),
  bytesRead: z.number().int(),
  rows: z.number().int().describe('data rows read so far'),
  rowsImported: z.number().int(),
  rowsRejected: z.number().int(),
  created: z.number().int().describe('customers: profiles created; orders: orders created'),
  updated: z.number().int().describe('customers: existing profiles updated; orders: orders updated (refunds)'),
  duplicates: z.number().int().describe('orders already imported, unchanged'),
  stored: z.boolean().describe('false when all-or-nothing refused a row and stored nothing'),
  rowsPerSecond: z.number().int(),
  firstErrors: z.array(RowError).describe('the first 20 refused rows; all of them in errors.csv'),
  error: z.string().nullable().describe('why the import failed (status failed)'),
  errorWorded: z.object({ code: z.string(), params: z.record(z.string(), z.union([z.string(), z.number(), z.null()])) }).nullable()
    .describe('the failure as a code (header_no_identity, header_lacks, header_no_amount, header_no_customer, header_column_twice, file_empty, not_utf8, csv_unreadable) and its values'),
  createdBy: z.string().nullable(),
  createdAt: Instant,
  startedAt: Instant.nullable(),
  finishedAt: Instant.nullable(),
});

const csvField = (text: string): string => (/[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

export function importRoutes(app: FastifyInstance, db: Db): void {
  // A scope of its own, so that only this route streams CSV bodies to files.
  void app.register(async (scope) => {
    scope.addContentTypeParser(UPLOAD_TYPES, async (request: FastifyRequest, body: Readable) => receive(body, Number(request.headers['content-length'] ?? 0)));
    // An upload the request did not turn into a job (refused query, lost connection) is removed.
    const claimed = new WeakSet<Upload>();
    scope.addHook('onResponse', async (request) => {
      if (request.body instanceof Upload && !claimed.has(request.body)) await removeUpload(request.body.path);
    });

    const r = scope.withTypeProvider<ZodTypeProvider>();
    r.post('/api/v1/imports', {
      config: { permission: 'customers:import' },
      schema: {
        tags: ['imports'],
        summary: 'Upload a customers or orders CSV and import it in the background',
        description: `Send the file itself as the body with Content-Type text/csv (or application/octet-stream), at most ${MAX_UPLOAD_BYTES / 1024 / 1024} MB, UTF-8. `
          + 'Columns and headers are those of `yuchi import` (English or Chinese). Answers 202 with the job; poll GET /api/v1/imports/:id for progress.',
        querystring: z.object({
          kind: Kind,
          allOrNothing: z.enum(['true', 'false']).default('false').describe('true: any refused row and nothing is stored'),
          fileName: z.string().trim().min(1).max(255).optional().describe('the name shown in the console'),
        }),
        response: { 202: z.object({ job: ImportJob }), 413: ErrorResponse, ...protectedErrors },
      },
    }, async (request, reply) => {
      const upload = request.body;
      if (!(upload instanceof Upload)) {
        throw new YuchiError('invalid', 'body: send the CSV file itself as the body, with Content-Type text/csv', [{ path: 'body', message: 'must be the CSV file (Content-Type text/csv)', code: 'csv_body_needed', params: {} }]);
      }
      if (upload.bytes === 0) throw new YuchiError('invalid', 'body: the file is empty', [{ path: 'body', message: 'is empty', code: 'file_empty', params: {} }]);
      const { kind, allOrNothing, fileName } = request.query;
      claimed.add(upload);
      try {
        const job = await createImportJob(db, actorOf(request), {
          kind, fileName: fileName ?? `${kind}.csv`, filePath: upload.path, bytesTotal: upload.bytes, allOrNothing: allOrNothing === 'true',
        });
        return await reply.status(202).send({ job });
      } catch (err) {
        await removeUpload(upload.path);
        throw err;
      }
    });
  });

  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/api/v1/imports', {
    config: { permission: 'customers:import' },
    schema: { tags: ['imports'], summary: 'Recent console imports, newest first', response: { 200: z.object({ items: z.array(ImportJob) }), ...protectedErrors } },
  }, async (request) => ({ items: await listImportJobs(db, actorOf(request)) }));

  r.get('/api/v1/imports/:id', {
    config: { permission: 'customers:import' },
    schema: { tags: ['imports'], summary: 'One import: progress while it runs, the result when done', params: IdParams, response: { 200: ImportJob, ...protectedErrors } },
  }, async (request) => getImportJob(db, actorOf(request), request.params.id));

  r.get('/api/v1/imports/:id/errors.csv', {
    config: { permission: 'customers:import' },
    schema: {
      tags: ['imports'], summary: 'Every refused row of an import as CSV (line,column,reason)', params: IdParams,
      response: { 200: z.any().describe('text/csv, UTF-8 with a BOM'), ...protectedErrors },
    },
  }, async (request, reply) => {
    const actor = actorOf(request);
    const job = await getImportJob(db, actor, request.params.id); // 404 before the stream starts
    const pages = importErrors(db, actor, job.id);
    async function* lines(): AsyncGenerator<string> {
      yield '\uFEFFline,column,reason\n';
      for await (const page of pages) yield page.map((e) => `${e.line},${csvField(e.column)},${csvField(e.reason)}\n`).join('');
    }
    const name = job.fileName.replace(/\.csv$/i, '').replace(/[^\w.-]+/g, '_') || 'import';
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${name}-errors.csv"; filename*=UTF-8''${encodeURIComponent(`${job.fileName.replace(/\.csv$/i, '')}-errors.csv`)}`)
      .send(Readable.from(lines()));
  });
}
