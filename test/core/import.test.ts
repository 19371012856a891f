// Importing files into a real database: good rows stored, bad rows reported by line and column,
// all-or-nothing storing nothing, re-imports changing nothing, aggregates kept right.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshOrderAggregates } from '../../src/core/customers/aggregates.service.ts';
import { newId } from '../../src/core/ids.ts';
import { importFile, type ImportSummary } from '../../src/core/imports/import.service.ts';
import type { RowError } from '../../src/core/imports/import.rules.ts';
import { newTenant, testDb } from '../helpers.ts';
import { buildWorld, type World } from '../fixtures.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'yuchi-import-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function csv(name: string, lines: string[]): Promise<string> {
  const file = path.join(dir, `${newId()}-${name}`);
  await writeFile(file, lines.join('\r\n') + '\r\n');
  return file;
}

async function run(world: World, kind: 'customers' | 'orders', file: string, options: { allOrNothing?: boolean; batchSize?: number } = {}): Promise<{ summary: ImportSummary; rejected: RowError[] }> {
  const rejected: RowError[] = [];
  const summary = await importFile(testDb().db, { tenantId: world.tenantId, kind, file, ...options, onRejected: (e) => rejected.push(...e) });
  return { summary, rejected };
}

const customerCount = async (tenantId: string): Promise<number> =>
  (await testDb().db.selectFrom('customers').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow()).n;

async function aggregatesOf(tenantId: string) {
  return testDb().db.selectFrom('customers').select(['id', 'order_count', 'order_days', 'total_spent_fen', 'first_order_at', 'last_order_at'])
    .where('tenant_id', '=', tenantId).orderBy('id').execute();
}

async function customerByPhone(tenantId: string, phone: string) {
  return testDb().db.selectFrom('customer_identities as i')
    .innerJoin('customers as c', (j) => j.onRef('c.tenant_id', '=', 'i.tenant_id').onRef('c.id', '=', 'i.customer_id'))
    .selectAll('c').where('i.tenant_id', '=', tenantId).where('i.kind', '=', 'phone').where('i.value', '=', phone).executeTakeFirst();
}

/** A world with a tag to import, and a customers file naming its store, guide and tag. */
async function customersWorld(): Promise<{ world: World; file: string }> {
  const world = await buildWorld(testDb().db, (await newTenant()).id);
  const groupId = newId();
  await testDb().db.insertInto('tag_groups').values({ tenant_id: world.tenantId, id: groupId, name: '肤质' }).execute();
  await testDb().db.insertInto('tags').values({ tenant_id: world.tenantId, id: newId(), group_id: groupId, name: '油皮' }).execute();
  const li = await testDb().db.selectFrom('staff').select('wecom_user_id').where('tenant_id', '=', world.tenantId).where('id', '=', world.staff.li).executeTakeFirstOrThrow();
  const file = await csv('customers.csv', [
    '\uFEFF手机号,姓名,性别,生日,城市,门店编码,导购企微账号,标签,备注',
    `13900000001,王芳,女,1992-03-04,深圳,SZ-FT-01,${li.wecom_user_id},肤质:油皮,老客`,
    '+86 139-0000-0002,李雷,男,,广州,,,,',
    '12345,坏电话,,,,,,,',
    '13900000004,坏日期,,1992-02-30,,,,,',
    '13900000005,坏门店,,,,NOPE,,,',
    `${world.phones.lei},张磊二,,,,,,,`,
    '13900000007,坏标签,,,,,,肤质:干皮,',
  ]);
  return { world, file };
}

describe('importing customers', () => {
  let world: World;
  let file: string;
  beforeAll(async () => {
    ({ world, file } = await customersWorld());
  });

  it('stores the good rows, reports the bad ones by line and column, and matches known people', async () => {
    const { summary, rejected } = await run(world, 'customers', file);
    expect(rejected).toEqual([
      { line: 4, column: '手机号', code: 'not_mobile', reason: 'not a mobile number' },
      { line: 5, column: '生日', code: 'invalid_date', reason: 'not a valid date' },
      { line: 6, column: '门店编码', code: 'unknown_store', params: { code: 'NOPE' }, reason: 'unknown store code NOPE' },
      { line: 8, column: '标签', code: 'unknown_tag', params: { tag: '肤质:干皮' }, reason: 'unknown tag 肤质:干皮 (create it first; write group:name)' },
    ]);
    expect(summary).toMatchObject({ rowsRead: 7, rowsImported: 3, rowsRejected: 4, stored: true, created: 2, updated: 1, ignoredColumns: ['备注'] });
    expect(summary.firstErrors).toEqual(rejected);

    const wang = await customerByPhone(world.tenantId, '13900000001');
    expect(wang).toMatchObject({ name: '王芳', gender: 'female', birthday: '1992-03-04', city: '深圳', store_id: world.stores.futian, guide_id: world.staff.li });
    expect(wang?.attribute_sources).toMatchObject({ name: { source: 'import' }, store: { source: 'import' } });
    const tags = await testDb().db.selectFrom('customer_tags').select(['source']).where('tenant_id', '=', world.tenantId).where('customer_id', '=', wang?.id ?? '').execute();
    expect(tags).toEqual([{ source: 'import' }]);
    const tagEvents = await testDb().db.selectFrom('events').select(['type', 'properties']).where('tenant_id', '=', world.tenantId).where('customer_id', '=', wang?.id ?? '').where('type', '=', 'tag_added').execute();
    expect(tagEvents).toEqual([{ type: 'tag_added', properties: expect.objectContaining({ tagName: '油皮', source: 'import' }) }]);
    expect(await customerByPhone(world.tenantId, '13900000002')).toMatchObject({ name: '李雷', gender: 'male', city: '广州' });
    // 张磊 existed under this phone: the same profile, renamed by the more recent import
    expect(await customerByPhone(world.tenantId, world.phones.lei)).toMatchObject({ id: world.customers.lei, name: '张磊二' });
    expect(await customerByPhone(world.tenantId, '13900000004')).toBeUndefined();
    expect(await customerCount(world.tenantId)).toBe(6);
  });

  it('stores nothing in all-or-nothing mode when a row is bad, yet reports every bad row', async () => {
    const { world: fresh, file: freshFile } = await customersWorld();
    const { summary, rejected } = await run(fresh, 'customers', freshFile, { allOrNothing: true });
    expect(summary).toMatchObject({ rowsRead: 7, rowsImported: 0, rowsRejected: 4, stored: false, created: 0 });
    expect(rejected.map((e) => e.line)).toEqual([4, 5, 6, 8]);
    expect(await customerCount(fresh.tenantId)).toBe(4);
    expect(await customerByPhone(fresh.tenantId, '13900000002')).toBeUndefined();
  });

  it('refuses a file whose header names no identity, and a file that is not UTF-8', async () => {
    const noId = await csv('noid.csv', ['姓名,城市', '王芳,深圳']);
    await expect(run(world, 'customers', noId)).rejects.toThrow('the header names no identity column');
    const gbkFile = path.join(dir, 'gbk.csv');
    await writeFile(gbkFile, Buffer.concat([Buffer.from('phone,name\n13900000009,'), Buffer.from([0xcd, 0xf5]), Buffer.from('\n')]));
    await expect(run(world, 'customers', gbkFile)).rejects.toThrow('line 2 is not valid UTF-8');
  });
});

describe('importing orders', () => {
  const header = '订单号,手机号,下单时间,门店编码,渠道,订单金额,实付金额,sku,商品名称,数量,单价';
  const ordersFile = (meiPhone: string): Promise<string> => csv('orders.csv', [
    header,
    'A-1,13900000011,2026-05-01 10:00,SZ-FT-01,门店,100.00,90.00,CHERRY,车厘子,1,60.00',
    'A-1,,,,,,,KIWI,奇异果,2,20.00',
    'A-2,13900000011,2026-05-03 20:30,SZ-NS-01,小程序,,45.50,,,,',
    'A-3,1390000001,2026-05-04 10:00,SZ-FT-01,门店,,10.00,,,,',
    'A-4,13900000012,2026-05-32 10:00,SZ-FT-01,门店,,10.00,,,,',
    'A-5,13900000012,2026-05-05 10:00,SZ-FT-01,门店,,-10.00,,,,',
    'A-6,13900000012,2026-05-05 11:00,SZ-XX-99,门店,,10.00,,,,',
    'A-7,13900000012,2026-05-05 12:00,SZ-FT-01,门店,,10.005,,,,',
    'A-8,13900000013,2026-05-06 09:00,,接龙,,20,,,,',
    `A-9,${meiPhone},2026-05-07 09:00,SZ-FT-01,pos,,33.30,,,,`,
  ]);
  const expectedErrors: RowError[] = [
    { line: 5, column: '手机号', code: 'not_mobile', reason: 'not a mobile number' },
    { line: 6, column: '下单时间', code: 'invalid_date_time', reason: 'not a valid date and time' },
    { line: 7, column: '实付金额', code: 'negative', reason: 'must not be negative' },
    { line: 8, column: '门店编码', code: 'unknown_store', params: { code: 'SZ-XX-99' }, reason: 'unknown store code SZ-XX-99' },
    { line: 9, column: '实付金额', code: 'too_many_decimals', reason: 'has more than 2 decimal places' },
  ];

  it('stores the good orders, keeps aggregates right, and a re-import finds only duplicates', async () => {
    const world = await buildWorld(testDb().db, (await newTenant()).id);
    const file = await ordersFile(world.phones.mei);
    // batches of 2 lines: A-1's two lines must still arrive together
    const first = await run(world, 'orders', file, { batchSize: 2 });
    expect(first.rejected).toEqual(expectedErrors);
    expect(first.summary).toMatchObject({ rowsRead: 10, rowsImported: 5, rowsRejected: 5, stored: true, created: 4, updated: 0, duplicates: 0 });

    const a1 = await testDb().db.selectFrom('orders').selectAll().where('tenant_id', '=', world.tenantId).where('order_no', '=', 'A-1').executeTakeFirstOrThrow();
    expect(a1).toMatchObject({ channel: 'pos', status: 'paid', total_fen: 10_000, discount_fen: 1_000, paid_fen: 9_000, store_id: world.stores.futian });
    expect(a1.ordered_at.toISOString()).toBe('2026-05-01T02:00:00.000Z');
    const items = await testDb().db.selectFrom('order_items').select(['sku', 'quantity', 'unit_price_fen', 'amount_fen']).where('tenant_id', '=', world.tenantId).where('order_id', '=', a1.id).orderBy('line_no').execute();
    expect(items).toEqual([
      { sku: 'CHERRY', quantity: 1, unit_price_fen: 6_000, amount_fen: 6_000 },
      { sku: 'KIWI', quantity: 2, unit_price_fen: 2_000, amount_fen: 4_000 },
    ]);
    // 13900000011: 90.00 + 45.50 on two Shanghai days; 陈美 had 183.90 over 3 orders on 2 days
    expect(await customerByPhone(world.tenantId, '13900000011')).toMatchObject({ order_count: 2, order_days: 2, total_spent_fen: 13_550 });
    expect(await customerByPhone(world.tenantId, world.phones.mei)).toMatchObject({ id: world.customers.mei, order_count: 4, order_days: 3, total_spent_fen: 21_720 });
    expect(await customerByPhone(world.tenantId, '13900000012')).toBeUndefined();
    // Incremental aggregates equal a full recomputation from the orders.
    const after = await aggregatesOf(world.tenantId);
    expect((await refreshOrderAggregates(testDb().db, world.tenantId)).customersUpdated).toBe(0);

    const again = await run(world, 'orders', file);
    expect(again.rejected).toEqual(expectedErrors);
    expect(again.summary).toMatchObject({ rowsImported: 5, rowsRejected: 5, created: 0, updated: 0, duplicates: 4 });
    expect(await aggregatesOf(world.tenantId)).toEqual(after);
    const orderCount = await testDb().db.selectFrom('orders').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', world.tenantId).executeTakeFirstOrThrow();
    expect(orderCount.n).toBe(world.orders.length + 4);
  });

  it('stores nothing in all-or-nothing mode, and everything when the file is clean', async () => {
    const world = await buildWorld(testDb().db, (await newTenant()).id);
    const { summary, rejected } = await run(world, 'orders', await ordersFile(world.phones.mei), { allOrNothing: true, batchSize: 3 });
    expect(rejected).toEqual(expectedErrors);
    expect(summary).toMatchObject({ stored: false, rowsImported: 0, rowsRejected: 5 });
    const orders = await testDb().db.selectFrom('orders').select('order_no').where('tenant_id', '=', world.tenantId).execute();
    expect(orders).toHaveLength(world.orders.length);
    expect(await customerCount(world.tenantId)).toBe(4);

    const clean = await csv('clean.csv', [header, 'B-1,13900000021,2026-05-01 10:00,SZ-FT-01,门店,,9.90,,,,', 'B-2,13900000022,2026-05-02 10:00,SZ-NS-01,电商,,19.90,,,,']);
    const ok = await run(world, 'orders', clean, { allOrNothing: true });
    expect(ok.summary).toMatchObject({ stored: true, rowsImported: 2, rowsRejected: 0, created: 2 });
    expect(await customerCount(world.tenantId)).toBe(6);
  });

  it('keeps every line of an order out when one line is bad', async () => {
    const world = await buildWorld(testDb().db, (await newTenant()).id);
    const file = await csv('lines.csv', [
      'order_no,phone,ordered_at,paid,sku,item_name,quantity,unit_price',
      'C-1,13900000031,2026-05-01 10:00,30,S1,one,1,10',
      'C-1,,,,S2,two,0,10',
      'C-1,,,,S3,three,1,10',
      'C-2,13900000032,2026-05-01 11:00,5,,,,',
    ]);
    const { summary, rejected } = await run(world, 'orders', file);
    expect(rejected).toEqual([
      { line: 2, column: 'order_no', code: 'order_has_errors', params: { order: 'C-1', line: 3 }, reason: 'order C-1 not imported: line 3 has errors' },
      { line: 3, column: 'quantity', code: 'not_quantity', reason: 'must be a whole number from 1 to 999999' },
      { line: 4, column: 'order_no', code: 'order_has_errors', params: { order: 'C-1', line: 3 }, reason: 'order C-1 not imported: line 3 has errors' },
    ]);
    expect(summary).toMatchObject({ rowsRead: 4, rowsImported: 1, rowsRejected: 3, created: 1 });
  });
});
