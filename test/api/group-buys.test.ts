// 拼团 and 拼单 on the real database: the last seat under concurrency, orders when full, refunds
// when the time runs out, no double join, and one shared cart paid by its initiator.
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.ts';
import { cancelExpiredGroupBuys } from '../../src/core/group-selling/group-buys.service.ts';
import { buildWorld, type World } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';
import { api, bearer, keyFor } from './harness.ts';

let app: FastifyInstance;
let world: World;
let admin: Record<string, string>;
const db = () => testDb().db;

beforeAll(async () => {
  app = await api();
  world = await buildWorld(db(), (await newTenant()).id);
  admin = bearer(await keyFor(world.tenantId, 'admin'));
});

async function customers(n: number, prefix = '团员'): Promise<string[]> {
  const ids = Array.from({ length: n }, () => newId());
  await db().insertInto('customers').values(ids.map((id, i) => ({ tenant_id: world.tenantId, id, name: `${prefix}${i + 1}` }))).execute();
  return ids;
}

async function open(leader: string, body: Record<string, unknown> = {}): Promise<{ id: string; shareToken: string }> {
  const res = await app.inject({
    method: 'POST', url: '/api/v1/group-buys', headers: admin,
    payload: { leader, sku: 'DURIAN-1', itemName: '金枕榴莲', priceFen: 9900, originalPriceFen: 15900, targetSize: 3, timeLimitMinutes: 60, storeId: world.stores.futian, ...body },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

const joinBy = (token: string, customer: string, paid = true) =>
  app.inject({ method: 'POST', url: `/api/v1/group-buys/shared/${token}/join`, headers: admin, payload: { customer, paid } });

describe('拼团', () => {
  it('fills the last seat once under concurrency and records every participant\'s order', async () => {
    const [leader, ...others] = await customers(31);
    if (!leader) throw new Error('no leader');
    const gb = await open(leader, { targetSize: 4 });
    const results = await Promise.all(others.map((c) => joinBy(gb.shareToken, c)));
    const joined = results.filter((r) => r.statusCode === 201);
    expect(joined).toHaveLength(3);
    expect(results.filter((r) => r.statusCode !== 201).map((r) => r.json().error.code)).toEqual(Array.from({ length: 27 }, () => 'group_full'));
    const view = (await app.inject({ url: `/api/v1/group-buys/${gb.id}`, headers: admin })).json();
    expect(view).toMatchObject({ status: 'succeeded', joined: 4 });
    expect(view.members.map((m: { seat: number }) => m.seat)).toEqual([1, 2, 3, 4]);
    const orders = await sql<{ n: number; paid: number; channel: string; discount: number }>`
      select count(*)::int as n, sum(paid_fen)::bigint as paid, min(channel) as channel, sum(discount_fen)::bigint as discount
        from orders where tenant_id = ${world.tenantId} and order_no like ${`PT-${gb.id}-%`}`.execute(db());
    expect(orders.rows[0]).toEqual({ n: 4, paid: 4 * 9900, channel: 'group_buy', discount: 4 * 6000 });
    const buyers = view.members.map((m: { customerId: string }) => m.customerId);
    const spent = await sql<{ n: number }>`select count(*)::int as n from customers where tenant_id = ${world.tenantId} and id = any(${buyers}::uuid[]) and order_count = 1 and total_spent_fen = 9900`.execute(db());
    expect(spent.rows[0]?.n).toBe(4);
  });

  it('refuses a second join of the same customer, even concurrently', async () => {
    const [leader, twice] = await customers(2);
    if (!leader || !twice) throw new Error('no customers');
    const gb = await open(leader, { targetSize: 5 });
    const results = await Promise.all(Array.from({ length: 10 }, () => joinBy(gb.shareToken, twice)));
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(1);
    expect(new Set(results.filter((r) => r.statusCode !== 201).map((r) => `${r.statusCode} ${r.json().error.code}`))).toEqual(new Set(['409 already_joined']));
    const leaderAgain = await joinBy(gb.shareToken, leader);
    expect(leaderAgain.json().error.code).toBe('already_joined');
    expect((await app.inject({ url: `/api/v1/group-buys/${gb.id}`, headers: admin })).json().joined).toBe(2);
  });

  it('cancels at the time limit and gives those who paid a refund event; none to the unpaid', async () => {
    const [leader, payer, unpaid, late] = await customers(4);
    if (!leader || !payer || !unpaid || !late) throw new Error('no customers');
    const gb = await open(leader, { targetSize: 5, timeLimitMinutes: 30 });
    await joinBy(gb.shareToken, payer);
    await joinBy(gb.shareToken, unpaid, false);
    // (the sweep covers every tenant: other tests' group buys may fall due, so this one is looked at)
    await cancelExpiredGroupBuys(db(), new Date(Date.now() + 10 * 60_000));
    expect((await app.inject({ url: `/api/v1/group-buys/${gb.id}`, headers: admin })).json().status).toBe('open');
    await cancelExpiredGroupBuys(db(), new Date(Date.now() + 31 * 60_000));
    const view = (await app.inject({ url: `/api/v1/group-buys/${gb.id}`, headers: admin })).json();
    expect(view.status).toBe('cancelled');
    expect(view.members.map((m: { customerId: string; paidFen: number; refundedFen: number; orderNo: string | null }) => [m.customerId, m.paidFen, m.refundedFen, m.orderNo]))
      .toEqual([[leader, 9900, 9900, null], [payer, 9900, 9900, null], [unpaid, 0, 0, null]]);
    const refunds = await sql<{ customer_id: string; refund: number; reason: string }>`
      select customer_id, (properties ->> 'refundFen')::int as refund, properties ->> 'reason' as reason from events
       where tenant_id = ${world.tenantId} and type = 'group_buy_refunded' and properties ->> 'groupBuyId' = ${gb.id} order by customer_id`.execute(db());
    expect(refunds.rows).toEqual([leader, payer].sort().map((c) => ({ customer_id: c, refund: 9900, reason: 'expired' })));
    const orders = await sql<{ n: number }>`select count(*)::int as n from orders where tenant_id = ${world.tenantId} and order_no like ${`PT-${gb.id}-%`}`.execute(db());
    expect(orders.rows[0]?.n).toBe(0);
    // Running the sweep again refunds nobody twice; joining now is refused.
    await cancelExpiredGroupBuys(db(), new Date(Date.now() + 40 * 60_000));
    const again = await sql<{ n: number }>`select count(*)::int as n from events where tenant_id = ${world.tenantId} and type = 'group_buy_refunded' and properties ->> 'groupBuyId' = ${gb.id}`.execute(db());
    expect(again.rows[0]?.n).toBe(2);
    expect((await joinBy(gb.shareToken, late)).json().error.code).toBe('closed');
  });

  it('refuses a price above the original price and an unknown leader', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/group-buys', headers: admin, payload: { leader: newId(), sku: 's', itemName: 'x', priceFen: 200, originalPriceFen: 100, targetSize: 2, timeLimitMinutes: 10 } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.map((d: { path: string }) => d.path)).toEqual(['body.priceFen', 'body.leader']);
  });
});

describe('拼单', () => {
  it('puts several people\'s items into one order paid by the initiator, each line attributed', async () => {
    const [host, friend] = await customers(2, '拼单');
    if (!host || !friend) throw new Error('no customers');
    const cart = (await app.inject({ method: 'POST', url: '/api/v1/shared-carts', headers: admin, payload: { initiator: host, storeId: world.stores.futian } })).json();
    const add = (customer: string, sku: string, quantity: number, unitPriceFen: number) =>
      app.inject({ method: 'POST', url: `/api/v1/shared-carts/${cart.shareToken}/items`, headers: admin, payload: { customer, sku, name: sku, quantity, unitPriceFen } });
    expect((await add(host, 'LATTE', 1, 2800)).statusCode).toBe(201);
    expect((await add(friend, 'DONUT', 2, 900)).statusCode).toBe(201);
    const notHost = await app.inject({ method: 'POST', url: `/api/v1/shared-carts/${cart.shareToken}/checkout`, headers: admin, payload: { customer: friend } });
    expect([notHost.statusCode, notHost.json().error.code]).toEqual([422, 'not_initiator']);
    const paid = await app.inject({ method: 'POST', url: `/api/v1/shared-carts/${cart.shareToken}/checkout`, headers: admin, payload: { customer: host } });
    expect(paid.statusCode, paid.body).toBe(200);
    const view = paid.json();
    expect(view).toMatchObject({ status: 'paid', totalFen: 4600, orderNo: `PD-${cart.id}` });
    const lines = await sql<{ line_no: number; sku: string; amount_fen: number }>`
      select i.line_no, i.sku, i.amount_fen from order_items i join orders o on o.tenant_id = i.tenant_id and o.id = i.order_id
       where o.tenant_id = ${world.tenantId} and o.order_no = ${`PD-${cart.id}`} order by i.line_no`.execute(db());
    const who = new Map(view.lines.map((l: { lineNo: number; customerId: string }) => [l.lineNo, l.customerId]));
    expect(lines.rows.map((l) => [l.line_no, l.sku, l.amount_fen, who.get(l.line_no)])).toEqual([[1, 'LATTE', 2800, host], [2, 'DONUT', 1800, friend]]);
    const order = await db().selectFrom('orders').select(['customer_id', 'channel', 'paid_fen']).where('tenant_id', '=', world.tenantId).where('order_no', '=', `PD-${cart.id}`).executeTakeFirstOrThrow();
    expect(order).toEqual({ customer_id: host, channel: 'group_buy', paid_fen: 4600 });
    const late = await add(friend, 'COOKIE', 1, 500);
    expect([late.statusCode, late.json().error.code]).toEqual([409, 'closed']);
  });
});
