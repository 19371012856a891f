import { beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { newTenant, testDb } from '../helpers.ts';
import { buildWorld, type World } from '../fixtures.ts';
import { api, bearer, keyFor } from './harness.ts';

let app: FastifyInstance;
let world: World;
let admin: Record<string, string>;

beforeAll(async () => {
  app = await api();
  const tenant = await newTenant();
  world = await buildWorld(testDb().db, tenant.id);
  admin = bearer(await keyFor(tenant.id, 'admin'));
});

describe('GET /api/v1/customers', () => {
  it('pages newest first with a total', async () => {
    const res = await app.inject({ url: '/api/v1/customers?page=1&pageSize=3', headers: admin });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.total).toBe(4);
    expect(body.items.map((c: { name: string }) => c.name)).toEqual(['刘军', '陈芳', '张磊']);
    const page2 = (await app.inject({ url: '/api/v1/customers?page=2&pageSize=3', headers: admin })).json();
    expect(page2.items.map((c: { name: string }) => c.name)).toEqual(['陈美']);
  });

  it('finds a customer by exact phone, member number or external_userid, and by name prefix', async () => {
    const byPhone = (await app.inject({ url: `/api/v1/customers?q=${world.phones.lei}`, headers: admin })).json();
    expect(byPhone.items.map((c: { id: string }) => c.id)).toEqual([world.customers.lei]);
    const member = (await app.inject({ url: `/api/v1/customers/${world.customers.mei}`, headers: admin })).json().memberNo;
    const byMember = (await app.inject({ url: `/api/v1/customers?q=${member}`, headers: admin })).json();
    expect(byMember.items.map((c: { id: string }) => c.id)).toEqual([world.customers.mei]);
    const byName = (await app.inject({ url: `/api/v1/customers?q=${encodeURIComponent('陈')}`, headers: admin })).json();
    expect(byName.items.map((c: { name: string }) => c.name).sort()).toEqual(['陈美', '陈芳'].sort());
    const none = (await app.inject({ url: `/api/v1/customers?q=${encodeURIComponent('%')}`, headers: admin })).json();
    expect(none.total).toBe(0);
  });

  it('filters by store and guide', async () => {
    const nanshan = (await app.inject({ url: `/api/v1/customers?storeId=${world.stores.nanshan}`, headers: admin })).json();
    expect(nanshan.items.map((c: { name: string }) => c.name).sort()).toEqual(['刘军', '陈芳'].sort());
    const li = (await app.inject({ url: `/api/v1/customers?guideId=${world.staff.li}`, headers: admin })).json();
    expect(li.items.map((c: { name: string }) => c.name)).toEqual(['陈美']);
  });

  it('rejects bad paging with the field path', async () => {
    const res = await app.inject({ url: '/api/v1/customers?pageSize=1000', headers: admin });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].path).toBe('query.pageSize');
    const bad = await app.inject({ url: '/api/v1/customers?storeId=nope', headers: admin });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('query.storeId');
  });
});

describe('GET /api/v1/customers/:id', () => {
  it('returns the profile with identities and order aggregates computed in the tenant zone', async () => {
    const res = await app.inject({ url: `/api/v1/customers/${world.customers.mei}`, headers: admin });
    expect(res.statusCode).toBe(200);
    const c = res.json();
    expect(c).toMatchObject({
      name: '陈美', gender: 'female', birthday: '1990-05-20', phone: world.phones.mei,
      store: { id: world.stores.futian, name: '福田中心店' }, guide: { id: world.staff.li, name: '李娜' },
      // 12,800 + 4,590 + 1,000; the last two orders fall on the same Shanghai day
      orderCount: 3, orderDays: 2, totalSpentFen: 18_390, averageTicketFen: 6_130,
      firstOrderAt: '2026-03-03T04:00:00.000Z', lastOrderAt: '2026-04-07T15:50:00.000Z',
    });
    expect(c.identities.map((i: { kind: string }) => i.kind).sort()).toEqual(['external_userid', 'member_no', 'phone']);
  });

  it('excludes fully refunded orders and nets partial refunds', async () => {
    const c = (await app.inject({ url: `/api/v1/customers/${world.customers.fang}`, headers: admin })).json();
    expect(c).toMatchObject({ orderCount: 1, orderDays: 1, totalSpentFen: 6_000 });
  });

  it('answers 404 for an unknown id and for a malformed one', async () => {
    const unknown = await app.inject({ url: '/api/v1/customers/0190c3c0-0000-7000-8000-000000000000', headers: admin });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('not_found');
    expect((await app.inject({ url: '/api/v1/customers/not-an-id', headers: admin })).statusCode).toBe(404);
  });

  it("lists a customer's orders newest first with their lines", async () => {
    const res = (await app.inject({ url: `/api/v1/customers/${world.customers.mei}/orders`, headers: admin })).json();
    expect(res.total).toBe(3);
    expect(res.items[0].orderNo).toBe(world.orders[2]?.orderNo);
    const kiwi = res.items.find((o: { orderNo: string }) => o.orderNo === world.orders[1]?.orderNo);
    expect(kiwi.items).toEqual([
      { lineNo: 1, sku: 'KIWI-6', name: '奇异果 6个装', quantity: 1, unitPriceFen: 2_990, amountFen: 2_990 },
      { lineNo: 2, sku: 'BANANA', name: '香蕉', quantity: 2, unitPriceFen: 800, amountFen: 1_600 },
    ]);
  });
});

describe('a guide', () => {
  it('sees only their own customers and their orders', async () => {
    const guide = bearer(await keyFor(world.tenantId, 'guide', world.staff.li));
    const list = (await app.inject({ url: '/api/v1/customers', headers: guide })).json();
    expect(list.items.map((c: { id: string }) => c.id)).toEqual([world.customers.mei]);
    expect((await app.inject({ url: `/api/v1/customers/${world.customers.lei}`, headers: guide })).statusCode).toBe(404);
    expect((await app.inject({ url: `/api/v1/customers/${world.customers.lei}/orders`, headers: guide })).statusCode).toBe(404);
    const orders = (await app.inject({ url: '/api/v1/orders', headers: guide })).json();
    expect(orders.total).toBe(3);
    const leiOrder = world.orders.find((o) => o.customer === world.customers.lei);
    expect((await app.inject({ url: `/api/v1/orders/${leiOrder?.id}`, headers: guide })).statusCode).toBe(404);
  });
});
