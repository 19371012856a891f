// Exporting the customer list: the same people as the list, CSV that Excel reads (BOM, Chinese
// headers) and XLSX that reads back to the same rows; admins and operators only; audited.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';

const records = (payload: Buffer): string[][] => parse(payload, { bom: true });
import { authenticateApiKey } from '../../src/core/access/access.service.ts';
import { newId } from '../../src/core/ids.ts';
import { customerPages } from '../../src/core/imports/export.service.ts';
import { importFile } from '../../src/core/imports/import.service.ts';
import { newTenant, testDb } from '../helpers.ts';
import { buildWorld, type World } from '../fixtures.ts';
import { api, bearer, keyFor } from './harness.ts';

let app: FastifyInstance;
let world: World;
let adminKey: string;
let admin: Record<string, string>;
let operator: Record<string, string>;

beforeAll(async () => {
  app = await api();
  world = await buildWorld(testDb().db, (await newTenant()).id);
  adminKey = await keyFor(world.tenantId, 'admin');
  admin = bearer(adminKey);
  operator = bearer(await keyFor(world.tenantId, 'operator'));
});

interface Listed {
  id: string; name: string; phone: string | null; memberNo: string | null; gender: string; city: string; sourceChannel: string;
  store: { name: string } | null; guide: { name: string } | null; orderCount: number; orderDays: number; totalSpentFen: number;
  firstOrderAt: string | null; lastOrderAt: string | null; createdAt: string;
}

async function listed(query = ''): Promise<Listed[]> {
  const res = await app.inject({ url: `/api/v1/customers?pageSize=200${query}`, headers: admin });
  expect(res.statusCode).toBe(200);
  return res.json().items;
}

/** Shanghai wall-clock time of an instant (UTC+8 all year), written independently of the code under test. */
const shanghai = (iso: string | null): string => (iso ? new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ') : '');
const GENDER_ZH: Record<string, string> = { male: '男', female: '女', unknown: '未知' };

function expectedRow(c: Listed, lang: 'zh' | 'en'): string[] {
  return [
    c.id, c.name, c.phone ?? '', c.memberNo ?? '', lang === 'zh' ? GENDER_ZH[c.gender] ?? '' : c.gender, c.city, c.sourceChannel,
    c.store?.name ?? '', c.guide?.name ?? '', String(c.orderCount), String(c.orderDays), (c.totalSpentFen / 100).toFixed(2),
    shanghai(c.firstOrderAt), shanghai(c.lastOrderAt), shanghai(c.createdAt),
  ];
}

const todayInShanghai = (): string => shanghai(new Date().toISOString()).slice(0, 10).replace(/-/g, '');

describe('GET /api/v1/customers/export', () => {
  it('gives a CSV with a BOM, Chinese headers and exactly the rows of the list', async () => {
    const res = await app.inject({ url: '/api/v1/customers/export', headers: operator });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="customers-${todayInShanghai()}.csv"`);
    expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const [header, ...rows] = records(res.rawPayload);
    expect(header).toEqual(['客户ID', '姓名', '手机号', '会员号', '性别', '城市', '来源渠道', '门店', '导购', '订单数', '消费天数', '累计消费(元)', '首次下单时间', '最近下单时间', '创建时间']);
    const list = await listed();
    expect(rows).toEqual(list.map((c) => expectedRow(c, 'zh')));
    // 陈美: 128.00 + 45.90 + 10.00, first order 2026-03-03T04:00Z = noon in Shanghai
    expect(rows.find((r) => r[1] === '陈美')).toEqual(expect.arrayContaining(['183.90', '2026-03-03 12:00:00', '女']));
  });

  it('takes the filters of the list, and English headers on request', async () => {
    const res = await app.inject({ url: `/api/v1/customers/export?lang=en&storeId=${world.stores.nanshan}`, headers: admin });
    const [header, ...rows] = records(res.rawPayload);
    expect(header?.slice(0, 5)).toEqual(['customer_id', 'name', 'phone', 'member_no', 'gender']);
    expect(rows).toEqual((await listed(`&storeId=${world.stores.nanshan}`)).map((c) => expectedRow(c, 'en')));
    expect(rows).toHaveLength(2);
    const byPhone = await app.inject({ url: `/api/v1/customers/export?q=${world.phones.lei}`, headers: admin });
    expect(records(byPhone.rawPayload).slice(1).map((r) => r[1])).toEqual(['张磊']);
  });

  it('takes the tag filters of the list too', async () => {
    const { db } = testDb();
    const groupId = newId();
    const tagId = newId();
    await db.insertInto('tag_groups').values({ tenant_id: world.tenantId, id: groupId, name: '价值' }).execute();
    await db.insertInto('tags').values({ tenant_id: world.tenantId, id: tagId, group_id: groupId, name: 'VIP' }).execute();
    await db.insertInto('customer_tags').values([world.customers.mei, world.customers.fang].map((customerId) => ({
      tenant_id: world.tenantId, customer_id: customerId, tag_id: tagId, source: 'manual' as const, added_by: 'test',
    }))).execute();
    const res = await app.inject({ url: `/api/v1/customers/export?tagIds=${tagId}`, headers: admin });
    const rows = records(res.rawPayload).slice(1);
    expect(rows.map((r) => r[1]).sort()).toEqual(['陈美', '陈芳'].sort());
    expect(rows).toEqual((await listed(`&tagIds=${tagId}`)).map((c) => expectedRow(c, 'zh')));
    await db.deleteFrom('customer_tags').where('tenant_id', '=', world.tenantId).where('tag_id', '=', tagId).execute();
  });

  it('gives an XLSX that reads back to the rows of the list', async () => {
    const res = await app.inject({ url: '/api/v1/customers/export?format=xlsx', headers: admin });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="customers-${todayInShanghai()}.xlsx"`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Uint8Array.from(res.rawPayload).buffer);
    const sheet = workbook.worksheets[0];
    expect(sheet?.name).toBe('客户');
    const rows: string[][] = [];
    sheet?.eachRow((row) => {
      const cells: string[] = [];
      for (let i = 1; i <= 15; i++) {
        const v = row.getCell(i).value;
        cells.push(typeof v === 'number' && i === 12 ? v.toFixed(2) : v === null || v === undefined ? '' : String(v));
      }
      rows.push(cells);
    });
    const [header, ...data] = rows;
    expect(header?.[1]).toBe('姓名');
    expect(data).toEqual((await listed()).map((c) => expectedRow(c, 'zh')));
    // Amounts are numbers in the sheet, so Excel can sum them.
    expect(sheet?.getRow(2).getCell(12).value).toEqual(expect.any(Number));
  });

  it('gives a file that imports back: the Chinese headers are the import\'s own', async () => {
    const res = await app.inject({ url: '/api/v1/customers/export', headers: admin });
    const dir = await mkdtemp(path.join(tmpdir(), 'yuchi-export-'));
    try {
      const file = path.join(dir, 'customers.csv');
      await writeFile(file, res.rawPayload);
      const target = await newTenant();
      const summary = await importFile(testDb().db, { tenantId: target.id, kind: 'customers', file });
      expect(summary).toMatchObject({ rowsRead: 4, rowsImported: 4, rowsRejected: 0, created: 4 });
      expect(summary.ignoredColumns).toEqual(['客户ID', '来源渠道', '门店', '导购', '订单数', '消费天数', '累计消费(元)', '首次下单时间', '最近下单时间', '创建时间']);
      const copied = await testDb().db.selectFrom('customers as c')
        .innerJoin('customer_identities as i', (j) => j.onRef('i.tenant_id', '=', 'c.tenant_id').onRef('i.customer_id', '=', 'c.id'))
        .select(['c.name', 'c.gender', 'c.city', 'i.value as phone']).where('c.tenant_id', '=', target.id).where('i.kind', '=', 'phone').orderBy('i.value').execute();
      const original = (await listed()).map((c) => ({ name: c.name, gender: c.gender, city: c.city, phone: c.phone })).sort((a, b) => (a.phone ?? '').localeCompare(b.phone ?? ''));
      expect(copied).toEqual(original);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('walks the list in keyset pages that together equal the list', async () => {
    const actor = await authenticateApiKey(testDb().db, adminKey);
    if (!actor) throw new Error('no actor');
    const pages: string[][] = [];
    for await (const page of customerPages(testDb().db, actor, {}, 3)) pages.push(page.map((c) => c.name));
    expect(pages.map((p) => p.length)).toEqual([3, 1]);
    expect(pages.flat()).toEqual((await listed()).map((c) => c.name));
  });

  it('loses nobody when creation times differ by microseconds within one millisecond', async () => {
    const tenant = await newTenant();
    const ids = ['0190c3c0-0000-7000-8000-000000000001', '0190c3c0-0000-7000-8000-000000000002', '0190c3c0-0000-7000-8000-000000000003'];
    await testDb().db.insertInto('customers').values([
      { tenant_id: tenant.id, id: ids[0] ?? '', name: 'a', created_at: '2026-01-01T00:00:00.123456Z' },
      { tenant_id: tenant.id, id: ids[1] ?? '', name: 'b', created_at: '2026-01-01T00:00:00.123400Z' },
      { tenant_id: tenant.id, id: ids[2] ?? '', name: 'c', created_at: '2026-01-01T00:00:00.123300Z' },
    ]).execute();
    const actor = await authenticateApiKey(testDb().db, await keyFor(tenant.id, 'admin'));
    if (!actor) throw new Error('no actor');
    const names: string[] = [];
    for await (const page of customerPages(testDb().db, actor, {}, 1)) names.push(...page.map((c) => c.name));
    expect(names).toEqual(['a', 'b', 'c']);
  });

  it('is for admins and operators only, and every export is audited', async () => {
    const guide = bearer(await keyFor(world.tenantId, 'guide', world.staff.li));
    expect((await app.inject({ url: '/api/v1/customers/export', headers: guide })).statusCode).toBe(403);
    const bad = await app.inject({ url: '/api/v1/customers/export?format=pdf', headers: admin });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('query.format');
    const audit = await testDb().db.selectFrom('audit_log').select(['action', 'details']).where('tenant_id', '=', world.tenantId)
      .where('action', '=', 'customers.export').orderBy('at').execute();
    expect(audit.map((a) => a.details)).toEqual([
      { format: 'csv', lang: 'zh', filter: {}, rows: 4, completed: true },
      { format: 'csv', lang: 'en', filter: { storeId: world.stores.nanshan }, rows: 2, completed: true },
      { format: 'csv', lang: 'zh', filter: { q: world.phones.lei }, rows: 1, completed: true },
      { format: 'csv', lang: 'zh', filter: { tagIds: [expect.any(String)] }, rows: 2, completed: true },
      { format: 'xlsx', lang: 'zh', filter: {}, rows: 4, completed: true },
      { format: 'csv', lang: 'zh', filter: {}, rows: 4, completed: true },
    ]);
  });
});
