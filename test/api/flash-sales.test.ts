// Flash sales under load: never oversold, nobody over the limit, every order a real order.
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.ts';
import { buildWorld, type World } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';
import { api, bearer, keyFor } from './harness.ts';

let app: FastifyInstance;
let world: World;
let admin: Record<string, string>;

beforeAll(async () => {
  app = await api();
  world = await buildWorld(testDb().db, (await newTenant()).id);
  admin = bearer(await keyFor(world.tenantId, 'admin'));
});

const db = () => testDb().db;
const hour = 3_600_000;

async function sale(body: Record<string, unknown> = {}): Promise<string> {
  const res = await app.inject({
    method: 'POST', url: '/api/v1/flash-sales', headers: admin,
    payload: { name: '车厘子秒杀', sku: 'CHERRY-5J', itemName: '车厘子 5斤', priceFen: 9900, originalPriceFen: 19900, stock: 20, perCustomerLimit: 1,
      startsAt: new Date(Date.now() - hour).toISOString(), endsAt: new Date(Date.now() + hour).toISOString(), ...body },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}

async function customers(n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, () => newId());
  await db().insertInto('customers').values(ids.map((id, i) => ({ tenant_id: world.tenantId, id, name: `买家${i}` }))).execute();
  return ids;
}

const buy = (saleId: string, customer: string, quantity = 1) =>
  app.inject({ method: 'POST', url: `/api/v1/flash-sales/${saleId}/orders`, headers: admin, payload: { customer, quantity } });

describe('flash sales', () => {
  it('sells exactly the stock to 200 concurrent buyers, one each', async () => {
    const id = await sale();
    const buyers = await customers(200);
    const results = await Promise.all(buyers.map((c) => buy(id, c)));
    const created = results.filter((r) => r.statusCode === 201);
    expect(created).toHaveLength(20);
    expect(results.filter((r) => r.statusCode === 409).every((r) => r.json().error.code === 'sold_out')).toBe(true);
    expect(results.filter((r) => r.statusCode !== 201 && r.statusCode !== 409)).toEqual([]);
    const s = (await app.inject({ url: `/api/v1/flash-sales/${id}`, headers: admin })).json();
    expect(s).toMatchObject({ remaining: 0, orders: 20, buyers: 20 });
    // Real orders: in orders, on the buyers' aggregates.
    const orderNos = created.map((r) => r.json().orderNo as string);
    const orders = await sql<{ n: number; paid: number; channel: string }>`
      select count(*)::int as n, sum(paid_fen)::bigint as paid, min(channel) as channel from orders where tenant_id = ${world.tenantId} and order_no = any(${orderNos}::text[])`.execute(db());
    expect(orders.rows[0]).toEqual({ n: 20, paid: 20 * 9900, channel: 'miniprogram' });
    const spent = await sql<{ n: number }>`select count(*)::int as n from customers where tenant_id = ${world.tenantId} and id = any(${buyers}::uuid[]) and order_count = 1 and total_spent_fen = 9900`.execute(db());
    expect(spent.rows[0]?.n).toBe(20);
  });

  it('holds the per-customer limit when one customer buys concurrently', async () => {
    const id = await sale({ stock: 100, perCustomerLimit: 2 });
    const [who] = await customers(1);
    if (!who) throw new Error('no customer');
    const results = await Promise.all(Array.from({ length: 30 }, () => buy(id, who)));
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(2);
    expect(results.filter((r) => r.statusCode === 409).every((r) => r.json().error.code === 'limit_reached')).toBe(true);
    const counter = await sql<{ quantity: number }>`select quantity from flash_sale_buyers where tenant_id = ${world.tenantId} and sale_id = ${id} and customer_id = ${who}`.execute(db());
    expect(counter.rows[0]?.quantity).toBe(2);
    expect((await app.inject({ url: `/api/v1/flash-sales/${id}`, headers: admin })).json().remaining).toBe(98);
  });

  it('refuses before the start, after the end, over the limit, and when cancelled', async () => {
    const [who] = await customers(1);
    if (!who) throw new Error('no customer');
    const later = await sale({ startsAt: new Date(Date.now() + hour).toISOString(), endsAt: new Date(Date.now() + 2 * hour).toISOString() });
    expect((await buy(later, who)).json().error.code).toBe('not_started');
    const over = await sale({ startsAt: new Date(Date.now() - 2 * hour).toISOString(), endsAt: new Date(Date.now() - hour).toISOString() });
    const ended = await buy(over, who);
    expect([ended.statusCode, ended.json().error.code]).toEqual([409, 'ended']);
    const open = await sale({ perCustomerLimit: 1 });
    expect((await buy(open, who, 2)).json().error.code).toBe('limit_reached');
    await app.inject({ method: 'POST', url: `/api/v1/flash-sales/${open}/cancel`, headers: admin });
    expect((await buy(open, who)).json().error.code).toBe('sale_cancelled');
    const none = await sql<{ n: number }>`select count(*)::int as n from orders where tenant_id = ${world.tenantId} and customer_id = ${who}`.execute(db());
    expect(none.rows[0]?.n).toBe(0);
  });

  it('refuses a sale ending before it starts or priced above its original price', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/flash-sales', headers: admin, payload: { name: 'x', sku: 's', itemName: 'x', priceFen: 500, originalPriceFen: 400, stock: 1, startsAt: '2026-06-02T00:00:00Z', endsAt: '2026-06-01T00:00:00Z' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.map((d: { path: string }) => d.path)).toEqual(['body.endsAt', 'body.priceFen']);
  });

  it('is invisible to another tenant and closed to guides', async () => {
    const id = await sale();
    const other = await newTenant();
    const otherAdmin = bearer(await keyFor(other.id, 'admin'));
    expect((await app.inject({ url: `/api/v1/flash-sales/${id}`, headers: otherAdmin })).statusCode).toBe(404);
    const guide = bearer(await keyFor(world.tenantId, 'guide', world.staff.li));
    const res = await app.inject({ method: 'POST', url: `/api/v1/flash-sales/${id}/orders`, headers: guide, payload: { customer: world.customers.mei } });
    expect(res.statusCode).toBe(403);
  });
});
