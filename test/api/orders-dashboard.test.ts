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
  world = await buildWorld(testDb().db, (await newTenant()).id);
  admin = bearer(await keyFor(world.tenantId, 'admin'));
});

describe('orders', () => {
  it('filters by calendar dates in the tenant zone', async () => {
    // 2026-04-07T15:50Z is 23:50 on 7 April in Shanghai, so both orders of that day are in it
    const res = (await app.inject({ url: '/api/v1/orders?from=2026-04-07&to=2026-04-07', headers: admin })).json();
    expect(res.items.map((o: { orderNo: string }) => o.orderNo).sort()).toEqual([world.orders[1]?.orderNo, world.orders[2]?.orderNo].sort());
    const bad = await app.inject({ url: '/api/v1/orders?from=2026-02-30', headers: admin });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('query.from');
    const reversed = await app.inject({ url: '/api/v1/orders?from=2026-05-01&to=2026-04-01', headers: admin });
    expect(reversed.statusCode).toBe(400);
  });

  it('filters by channel, status and order number, and refuses an unknown channel naming it', async () => {
    const list = async (query: string) => ((await app.inject({ url: `/api/v1/orders?${query}`, headers: admin })).json() as { items: { orderNo: string }[]; total: number });
    const pos = world.orders.filter((o) => o.channel === 'pos').map((o) => o.orderNo).sort();
    expect((await list('channel=pos')).items.map((o) => o.orderNo).sort()).toEqual(pos);
    expect((await list('status=refunded')).items.map((o) => o.orderNo)).toEqual([world.orders[5]?.orderNo]);
    expect((await list(`orderNo=${world.orders[3]?.orderNo}`)).items.map((o) => o.orderNo)).toEqual([world.orders[3]?.orderNo]);
    expect((await list(`orderNo=${world.orders[3]?.orderNo}&channel=miniprogram`)).total).toBe(0);
    const bad = await app.inject({ url: '/api/v1/orders?channel=fax', headers: admin });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('query.channel');
  });

  it('returns one order with store and lines', async () => {
    const refunded = world.orders[4];
    const res = (await app.inject({ url: `/api/v1/orders/${refunded?.id}`, headers: admin })).json();
    expect(res).toMatchObject({ orderNo: refunded?.orderNo, status: 'partially_refunded', paidFen: 8_000, refundedFen: 2_000, channel: 'group_buy', store: { name: '南山科技园店' } });
    expect(res.items).toHaveLength(1);
  });
});

describe('dashboard summary', () => {
  it('reconciles with the orders it is built from', async () => {
    const res = await app.inject({ url: '/api/v1/dashboard/summary?from=2026-01-01&to=2026-06-30', headers: admin });
    expect(res.statusCode).toBe(200);
    const s = res.json();
    // From the fixture: 5 orders not fully refunded; GMV 12,800 + 4,590 + 1,000 + 6,600 + (8,000 − 2,000)
    const kept = world.orders.filter((o) => o.status !== 'refunded');
    const gmv = kept.reduce((sum, o) => sum + o.paidFen - o.refundedFen, 0);
    expect(gmv).toBe(30_990);
    expect(s.orders).toEqual({ count: kept.length, gmvFen: gmv, averageTicketFen: Math.round(gmv / kept.length), buyers: 3, repeatBuyers: 1 });
    expect(s.customers).toEqual({ total: 4, withOrders: 3, newInRange: 4 });
    expect(s.gmvByMonth).toEqual([
      { month: '2026-01', gmvFen: 0, orders: 0, buyers: 0 },
      { month: '2026-02', gmvFen: 0, orders: 0, buyers: 0 },
      { month: '2026-03', gmvFen: 12_800, orders: 1, buyers: 1 },
      { month: '2026-04', gmvFen: 12_190, orders: 3, buyers: 2 },
      { month: '2026-05', gmvFen: 6_000, orders: 1, buyers: 1 },
      { month: '2026-06', gmvFen: 0, orders: 0, buyers: 0 },
    ]);
    expect(s.topStores.map((t: { name: string; gmvFen: number }) => [t.name, t.gmvFen])).toEqual([['福田中心店', 24_990], ['南山科技园店', 6_000]]);
    expect(s.channels.find((c: { channel: string }) => c.channel === 'miniprogram')).toEqual({ channel: 'miniprogram', gmvFen: 5_590, orders: 2 });
  });

  it('filters by store', async () => {
    const s = (await app.inject({ url: `/api/v1/dashboard/summary?from=2026-01-01&to=2026-06-30&storeId=${world.stores.nanshan}`, headers: admin })).json();
    expect(s.orders.gmvFen).toBe(6_000);
    expect(s.customers.total).toBe(2);
  });

  it('refuses impossible ranges with the field named', async () => {
    const res = await app.inject({ url: '/api/v1/dashboard/summary?from=2020-01-01&to=2026-01-01', headers: admin });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].path).toBe('query.from');
  });

  it('is closed to guides', async () => {
    const guide = bearer(await keyFor(world.tenantId, 'guide', world.staff.li));
    expect((await app.inject({ url: '/api/v1/dashboard/summary', headers: guide })).statusCode).toBe(403);
  });
});

describe('service endpoints', () => {
  it('reports health, serves the OpenAPI document and the reference page', async () => {
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ ok: true });
    const doc = (await app.inject({ url: '/api/openapi.json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/customers', '/api/v1/customers/{id}', '/api/v1/orders', '/api/v1/stores', '/api/v1/dashboard/summary']));
    const docs = await app.inject({ url: '/api/docs' });
    expect([200, 302]).toContain(docs.statusCode);
    const unknown = await app.inject({ url: '/api/v2/nothing' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('not_found');
  });
});
