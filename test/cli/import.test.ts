// `yuchi import` as a user runs it: a real process, exit codes, the summary, the errors file.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTenant, testDb } from '../helpers.ts';
import { buildWorld } from '../fixtures.ts';
import { yuchi } from './yuchi.ts';




let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'yuchi-cli-import-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, lines: string[]): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, lines.join('\n') + '\n');
  return p;
}

const HEADER = 'order_no,phone,ordered_at,store_code,channel,paid';

async function tenantWithWorld(): Promise<{ slug: string; tenantId: string }> {
  const tenant = await newTenant();
  await buildWorld(testDb().db, tenant.id);
  return { slug: tenant.slug, tenantId: tenant.id };
}

const orderNos = async (tenantId: string): Promise<string[]> =>
  (await testDb().db.selectFrom('orders').select('order_no').where('tenant_id', '=', tenantId).where('order_no', 'like', 'K-%').orderBy('order_no').execute()).map((o) => o.order_no);

describe('yuchi import', () => {
  it('imports the good rows, prints the bad ones, writes them all to --errors and exits 1', async () => {
    const { slug, tenantId } = await tenantWithWorld();
    const bad = await file('bad.csv', [
      HEADER,
      'K-1,13900000041,2026-05-01 10:00,SZ-FT-01,pos,12.50',
      'K-2,139,2026-05-01 10:00,SZ-FT-01,pos,12.50',
      'K-3,13900000043,2026-05-01 10:00,NOPE,pos,12.50',
      'K-4,13900000044,2026-05-01 10:00,SZ-FT-01,fax,1.999',
    ]);
    const errors = path.join(dir, 'errors.csv');
    const res = await yuchi(['import', 'orders', bad, '--tenant', slug, '--errors', errors]);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('4 rows read, 1 imported, 3 rejected');
    expect(res.stdout).toContain('orders: 1 created, 0 updated, 0 already imported');
    expect(res.stdout).toContain('line 3, column phone: not a mobile number');
    expect(res.stdout).toContain('line 4, column store_code: unknown store code NOPE');
    expect(await readFile(errors, 'utf8')).toBe([
      '\uFEFFline,column,reason',
      '3,phone,not a mobile number',
      '4,store_code,unknown store code NOPE',
      '5,channel,"must be pos/门店, miniprogram/小程序, ecommerce/电商, group_buy/接龙/拼团 or other/其他"',
      '5,paid,has more than 2 decimal places',
      '',
    ].join('\n'));
    expect(await orderNos(tenantId)).toEqual(['K-1']);
  });

  it('exits 0 with a JSON summary when every row is imported, and stores nothing with --all-or-nothing', async () => {
    const { slug, tenantId } = await tenantWithWorld();
    const good = await file('good.csv', [HEADER, 'K-1,13900000051,2026-05-01 10:00,SZ-FT-01,pos,12.50', 'K-2,13900000052,2026-05-02 10:00,SZ-NS-01,接龙,8']);
    const bad = await file('bad-aon.csv', [HEADER, 'K-3,13900000053,2026-05-01 10:00,SZ-FT-01,pos,12.50', 'K-4,13900000054,tomorrow,SZ-FT-01,pos,1']);
    const errors = path.join(dir, 'errors-aon.csv');
    const refused = await yuchi(['import', 'orders', bad, '--tenant', slug, '--all-or-nothing', '--errors', errors]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('all-or-nothing: rows were rejected, so nothing was stored');
    expect(await readFile(errors, 'utf8')).toContain('3,ordered_at,"not a time (use YYYY-MM-DD HH:mm:ss in local time');
    expect(await orderNos(tenantId)).toEqual([]);

    const ok = await yuchi(['import', 'orders', good, '--tenant', slug, '--json']);
    expect(ok.code).toBe(0);
    const summary = JSON.parse(ok.stdout);
    expect(summary).toMatchObject({ kind: 'orders', rowsRead: 2, rowsImported: 2, rowsRejected: 0, created: 2, stored: true, firstErrors: [] });
    expect(summary.rowsPerSecond).toBeGreaterThan(0);
    expect(summary.peakRssMb).toBeGreaterThan(0);
    expect(await orderNos(tenantId)).toEqual(['K-1', 'K-2']);
  });

  it('exits 2 on usage errors and 1 on a file it cannot read as an import', async () => {
    const { slug } = await tenantWithWorld();
    const good = await file('usage.csv', [HEADER, 'K-1,13900000061,2026-05-01 10:00,SZ-FT-01,pos,12.50']);
    const noTenant = await yuchi(['import', 'orders', good, '--tenant', 'no-such-tenant']);
    expect(noTenant.code).toBe(2);
    expect(noTenant.stderr).toContain('--tenant: no tenant no-such-tenant');
    const missing = await yuchi(['import', 'orders', path.join(dir, 'missing.csv'), '--tenant', slug]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file');
    expect((await yuchi(['import', 'orders', good])).code).toBe(2);
    expect((await yuchi(['import', 'orders', good, '--tenant', slug, '--batch-size', 'lots'])).code).toBe(2);
    expect((await yuchi(['import', 'refunds', good, '--tenant', slug])).code).toBe(2);
    const header = await file('header.csv', ['phone,paid', '13900000061,1']);
    const noOrderNo = await yuchi(['import', 'orders', header, '--tenant', slug]);
    expect(noOrderNo.code).toBe(1);
    expect(noOrderNo.stderr).toContain('the header lacks order_no/订单号 and ordered_at/下单时间');
  });
});
