// Console imports end to end: the CSV is uploaded as the request body, a job is queued, the
// worker (graphile-worker's runOnce) runs it, and the job row tells the progress and the result;
// every refused row downloads as errors.csv.
import { readdir } from 'node:fs/promises';
import { Logger, runOnce } from 'graphile-worker';
import type { FastifyInstance } from 'fastify';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { runImportJob, uploadsDir } from '../../src/core/imports/import-jobs.service.ts';
import { taskList } from '../../src/worker/index.ts';
import { newTenant, testDb } from '../helpers.ts';
import { buildWorld, type World } from '../fixtures.ts';
import { api, bearer, keyFor } from './harness.ts';

const quiet = new Logger(() => () => {});

let app: FastifyInstance;
let world: World;
let operator: Record<string, string>;

beforeAll(async () => {
  app = await api();
  world = await buildWorld(testDb().db, (await newTenant()).id);
  operator = bearer(await keyFor(world.tenantId, 'operator'));
});

interface Job {
  id: string;
  status: string;
  fileName: string;
  bytesTotal: number;
  bytesRead: number;
  rows: number;
  rowsImported: number;
  rowsRejected: number;
  created: number;
  updated: number;
  duplicates: number;
  stored: boolean;
  firstErrors: { line: number; column: string; reason: string; code?: string; params?: Record<string, string> }[];
  error: string | null;
  errorWorded: { code: string; params: Record<string, string | number | null> } | null;
}

async function upload(csv: string | Buffer, query: string, headers = operator): Promise<{ status: number; job: Job | undefined; body: unknown }> {
  const res = await app.inject({
    method: 'POST', url: `/api/v1/imports?${query}`, headers: { ...headers, 'content-type': 'text/csv; charset=utf-8' }, payload: csv,
  });
  const body: { job?: Job } = res.json();
  return { status: res.statusCode, job: res.statusCode === 202 ? body.job : undefined, body };
}

async function jobOf(id: string, headers = operator): Promise<Job> {
  const res = await app.inject({ url: `/api/v1/imports/${id}`, headers });
  expect(res.statusCode).toBe(200);
  return res.json();
}

async function runWorker(): Promise<void> {
  const handle = testDb();
  await runOnce({ pgPool: handle.pool, taskList: taskList(handle), logger: quiet });
}

const customerByPhone = (phone: string) => testDb().db.selectFrom('customer_identities as i')
  .innerJoin('customers as c', (j) => j.onRef('c.tenant_id', '=', 'i.tenant_id').onRef('c.id', '=', 'i.customer_id'))
  .select(['c.id', 'c.name', 'c.city']).where('i.tenant_id', '=', world.tenantId).where('i.kind', '=', 'phone').where('i.value', '=', phone).executeTakeFirst();

const CUSTOMERS = [
  '\uFEFF手机号,姓名,城市,门店编码',
  '13911110001,孙丽,深圳,SZ-FT-01',
  '12345,坏电话,深圳,',
  '13911110003,周杰,广州,',
  '13911110004,坏门店,,NOPE',
].join('\r\n') + '\r\n';

describe('console imports', () => {
  it('queues an upload, runs it in the worker, reports the result and every refused row', async () => {
    const before = await readdir(uploadsDir()).catch(() => []);
    const { status, job } = await upload(CUSTOMERS, 'kind=customers&fileName=会员名单.csv');
    expect(status).toBe(202);
    if (!job) throw new Error('no job');
    expect(job).toMatchObject({ status: 'queued', fileName: '会员名单.csv', bytesTotal: Buffer.byteLength(CUSTOMERS), rows: 0 });
    // The upload waits in a file for the worker.
    expect((await readdir(uploadsDir())).length).toBe(before.length + 1);

    await runWorker();
    const done = await jobOf(job.id);
    expect(done).toMatchObject({
      status: 'done', stored: true, rows: 4, rowsImported: 2, rowsRejected: 2, created: 2, updated: 0,
      bytesRead: Buffer.byteLength(CUSTOMERS), error: null,
    });
    expect(done.firstErrors).toEqual([
      { line: 3, column: '手机号', code: 'not_mobile', reason: 'not a mobile number' },
      { line: 5, column: '门店编码', code: 'unknown_store', params: { code: 'NOPE' }, reason: 'unknown store code NOPE' },
    ]);
    expect(await customerByPhone('13911110001')).toMatchObject({ name: '孙丽', city: '深圳' });
    expect(await customerByPhone('13911110003')).toMatchObject({ name: '周杰', city: '广州' });
    // The worker removed the upload once read.
    expect((await readdir(uploadsDir())).length).toBe(before.length);

    const errors = await app.inject({ url: `/api/v1/imports/${job.id}/errors.csv`, headers: operator });
    expect(errors.statusCode).toBe(200);
    expect(errors.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(errors.headers['content-disposition']).toContain('-errors.csv');
    expect(errors.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(parse(errors.rawPayload, { bom: true })).toEqual([
      ['line', 'column', 'reason'],
      ['3', '手机号', 'not a mobile number'],
      ['5', '门店编码', 'unknown store code NOPE'],
    ]);

    const recent = await app.inject({ url: '/api/v1/imports', headers: operator });
    expect(recent.json().items[0]).toMatchObject({ id: job.id, status: 'done' });
  });

  it('stores nothing in all-or-nothing mode when a row is refused', async () => {
    const csv = ['order_no,phone,ordered_at,paid', 'D-1,13922220001,2026-05-01 10:00,12.50', 'D-2,13922220002,2026-05-01 11:00,-3'].join('\n');
    const { job } = await upload(csv, 'kind=orders&allOrNothing=true&fileName=orders.csv');
    if (!job) throw new Error('no job');
    await runWorker();
    expect(await jobOf(job.id)).toMatchObject({
      status: 'done', stored: false, rows: 2, rowsImported: 0, rowsRejected: 1, created: 0,
      firstErrors: [{ line: 3, column: 'paid', code: 'negative', reason: 'must not be negative' }],
    });
    const orders = await testDb().db.selectFrom('orders').select('order_no').where('tenant_id', '=', world.tenantId).where('order_no', 'in', ['D-1', 'D-2']).execute();
    expect(orders).toEqual([]);
  });

  it('ends as failed, naming the uploaded file, when the header is unusable', async () => {
    const { job } = await upload('姓名,城市\n王芳,深圳\n', 'kind=customers&fileName=名单.csv');
    if (!job) throw new Error('no job');
    await runWorker();
    const failed = await jobOf(job.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toContain('名单.csv');
    expect(failed.error).toContain('the header names no identity column');
    expect(failed.error).not.toContain(uploadsDir());
    // the console words it from its code
    expect(failed.errorWorded).toEqual({ code: 'header_no_identity', params: {} });
    // a file saved as GBK: the line named, worded by its code
    const gbk = Buffer.concat([Buffer.from('手机号,姓名\n13911110009,', 'utf8'), Buffer.from([0xcd, 0xf5, 0xb7, 0xbc]), Buffer.from('\n')]);
    const { job: second } = await upload(gbk, 'kind=customers&fileName=gbk.csv');
    if (!second) throw new Error('no job');
    await runWorker();
    expect(await jobOf(second.id)).toMatchObject({ status: 'failed', errorWorded: { code: 'not_utf8', params: { line: 2 } } });
  });

  it('writes progress to the job while it runs', async () => {
    const rows = 5_000;
    const lines = ['phone,name'];
    for (let i = 0; i < rows; i++) lines.push(`1393${String(i).padStart(7, '0')},客户${i}`);
    const csv = lines.join('\n') + '\n';
    const { job } = await upload(csv, 'kind=customers');
    if (!job) throw new Error('no job');
    const seen: Job[] = [];
    let running = true;
    const watching = (async () => {
      while (running) {
        seen.push(await jobOf(job.id));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    // The task runs this same function; a zero interval shows every progress report.
    const status = await runImportJob(testDb().db, world.tenantId, job.id, { progressEveryMs: 0 });
    running = false;
    await watching;
    expect(status).toBe('done');
    const partway = seen.filter((j) => j.status === 'running' && j.rows > 0 && j.rows < rows);
    expect(partway.length).toBeGreaterThan(0);
    // Rows only grow while it runs.
    const counts = seen.map((j) => j.rows);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(await jobOf(job.id)).toMatchObject({ status: 'done', rows, rowsImported: rows, created: rows, bytesRead: Buffer.byteLength(csv) });
    // A job runs once: a second run finds it no longer queued.
    expect(await runImportJob(testDb().db, world.tenantId, job.id)).toBe('failed');
    expect(await jobOf(job.id)).toMatchObject({ status: 'done', rows });
  });

  it('refuses what is not a CSV upload, removing anything it received', async () => {
    const before = (await readdir(uploadsDir()).catch(() => [])).length;
    const json = await app.inject({ method: 'POST', url: '/api/v1/imports?kind=customers', headers: operator, payload: { phone: '1' } });
    expect(json.statusCode).toBe(400);
    expect(json.json().error.details[0].path).toBe('body');
    const badKind = await upload(CUSTOMERS, 'kind=members');
    expect(badKind.status).toBe(400);
    expect(JSON.stringify(badKind.body)).toContain('query.kind');
    const empty = await upload('', 'kind=customers');
    expect(empty.status).toBe(400);
    expect((await readdir(uploadsDir())).length).toBe(before);
  });

  it('answers 413 before reading a body declared larger than the limit', async () => {
    const res = await app.inject({
      method: 'POST', url: '/api/v1/imports?kind=customers',
      headers: { ...operator, 'content-type': 'text/csv', 'content-length': String(600 * 1024 * 1024) }, payload: 'phone\n',
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('too_large');
  });

  it('lets only admins and operators import, and keeps each tenant to its own jobs', async () => {
    const guide = bearer(await keyFor(world.tenantId, 'guide', world.staff.li));
    expect((await upload(CUSTOMERS, 'kind=customers', guide)).status).toBe(403);
    expect((await app.inject({ url: '/api/v1/imports', headers: guide })).statusCode).toBe(403);
    const admin = bearer(await keyFor(world.tenantId, 'admin'));
    const { job } = await upload(CUSTOMERS, 'kind=customers', admin);
    if (!job) throw new Error('no job');
    const other = await buildWorld(testDb().db, (await newTenant()).id);
    const stranger = bearer(await keyFor(other.tenantId, 'admin'));
    expect((await app.inject({ url: `/api/v1/imports/${job.id}`, headers: stranger })).statusCode).toBe(404);
    expect((await app.inject({ url: `/api/v1/imports/${job.id}/errors.csv`, headers: stranger })).statusCode).toBe(404);
    expect((await app.inject({ url: '/api/v1/imports', headers: stranger })).json().items).toEqual([]);
    await runWorker();
  });
});
