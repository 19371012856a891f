// Points end to end on the real database: rules, earning through the order and event paths,
// refunds taking points back, adjustments and redemptions with every refusal changing nothing,
// FIFO expiry, concurrent redemptions that cannot overspend, and every balance re-derived from
// the ledger.
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
let pos: Record<string, string>;
let couponTemplate: string;
const db = () => testDb().db;

const SETTINGS = {
  pointsEnabled: true, pointsPerYuan: 1, channelMultipliers: { miniprogram: 150 }, storeMultipliers: {}, skuMultipliers: { CHERRY: 200 },
  memberDayMultiplier: 200, expiryMonths: 12, tierBasis: 'spend', tierWindowMonths: 12, memberDayWeekdays: [2], memberDayTemplateId: null,
};

beforeAll(async () => {
  app = await api();
  world = await buildWorld(db(), (await newTenant()).id);
  admin = bearer(await keyFor(world.tenantId, 'admin'));
  pos = bearer(await keyFor(world.tenantId, 'operator'));
  const t = await app.inject({ method: 'POST', url: '/api/v1/coupon-templates', headers: admin, payload: { name: '积分换5元券', kind: 'amount', amountOffFen: 500, validDays: 30, perCustomerLimit: 100 } });
  expect(t.statusCode, t.body).toBe(201);
  couponTemplate = t.json().id;
});

const put = (url: string, payload: unknown) => app.inject({ method: 'PUT', url, headers: admin, payload: payload as Record<string, unknown> });
const member = async (customerId: string) => {
  const res = await app.inject({ url: `/api/v1/membership/members/${customerId}`, headers: admin });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { balance: number; nextExpiry: { at: string; points: number } | null };
};
const ledger = async (customerId: string) => (await app.inject({ url: `/api/v1/membership/members/${customerId}/ledger?pageSize=200`, headers: admin })).json() as { total: number; items: { kind: string; points: number; reason: string; orderNo: string | null }[] };
const adjust = (customerId: string, points: number, reason: string, requestKey = newId()) =>
  app.inject({ method: 'POST', url: `/api/v1/membership/members/${customerId}/adjust`, headers: admin, payload: { points, reason, requestKey } });
const redeem = (customerId: string, rewardId: string, quantity = 1, requestKey = newId()) =>
  app.inject({ method: 'POST', url: `/api/v1/membership/members/${customerId}/redeem`, headers: pos, payload: { rewardId, quantity, requestKey } });
const postOrders = async (orders: Record<string, unknown>[]) => {
  const res = await app.inject({ method: 'POST', url: '/api/v1/orders', headers: admin, payload: { orders } });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.json().rejected).toEqual([]);
  return res.json();
};
const reward = async (body: Record<string, unknown>): Promise<string> => {
  const res = await app.inject({ method: 'POST', url: '/api/v1/membership/rewards', headers: admin, payload: body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
};
const newCustomer = async (): Promise<string> => {
  const id = newId();
  await db().insertInto('customers').values({ tenant_id: world.tenantId, id, name: `会员${id.slice(-4)}` }).execute();
  return id;
};
const entryCount = async () => (await sql<{ n: number }>`select count(*)::int as n from points_ledger where tenant_id = ${world.tenantId}`.execute(db())).rows[0]?.n;

/** Every balance the API shows equals the sum of the customer's ledger entries and of their open lots. */
async function expectBalancesDerivable(): Promise<void> {
  const rows = await sql<{ customer_id: string; from_ledger: number; stored: number | null; lots: number | null }>`
    select l.customer_id, sum(l.points)::int as from_ledger,
           (select balance from points_balances b where b.tenant_id = l.tenant_id and b.customer_id = l.customer_id) as stored,
           (select sum(remaining)::int from points_lots p where p.tenant_id = l.tenant_id and p.customer_id = l.customer_id) as lots
      from points_ledger l where l.tenant_id = ${world.tenantId} group by l.tenant_id, l.customer_id`.execute(db());
  expect(rows.rows.length).toBeGreaterThan(0);
  for (const r of rows.rows) {
    expect(r.from_ledger).toBeGreaterThanOrEqual(0);
    expect({ customer: r.customer_id, stored: r.stored, lots: r.lots ?? 0 }).toEqual({ customer: r.customer_id, stored: r.from_ledger, lots: r.from_ledger });
    expect((await member(r.customer_id)).balance).toBe(r.from_ledger);
  }
}

describe('points rules', () => {
  it('refuses a multiplier out of range or an unknown store, naming the field, and saves nothing', async () => {
    const big = await put('/api/v1/membership/settings', { ...SETTINGS, channelMultipliers: { pos: 5000 } });
    expect(big.statusCode).toBe(400);
    expect(big.json().error.details[0].path).toContain('channelMultipliers');
    const store = newId();
    const unknown = await put('/api/v1/membership/settings', { ...SETTINGS, storeMultipliers: { [store]: 200 } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.details[0].path).toBe(`body.storeMultipliers.${store}`);
    const saved = await app.inject({ url: '/api/v1/membership/settings', headers: admin });
    expect(saved.json().pointsEnabled).toBe(false);
  });

  it('saves the rules', async () => {
    const res = await put('/api/v1/membership/settings', SETTINGS);
    expect(res.statusCode, res.body).toBe(200);
    expect((await app.inject({ url: '/api/v1/membership/settings', headers: admin })).json()).toMatchObject({ pointsEnabled: true, skuMultipliers: { CHERRY: 200 } });
  });
});

describe('earning on orders', () => {
  let customer: string;
  const orderNos = { wed: `P-${newId()}`, tue: `P-${newId()}` };
  const wed = { orderNo: orderNos.wed, channel: 'pos', paidFen: 10_000, totalFen: 10_000, orderedAt: '2026-11-25T04:00:00Z', items: [{ sku: 'KIWI', name: '奇异果', quantity: 1, unitPriceFen: 10_000 }] };
  const tue = { orderNo: orderNos.tue, channel: 'miniprogram', paidFen: 10_000, totalFen: 10_000, orderedAt: '2026-11-24T04:00:00Z', items: [{ sku: 'CHERRY', name: '车厘子', quantity: 1, unitPriceFen: 10_000 }] };

  it('earns by the rules: ¥ paid × channel × SKU × member day, once per order', async () => {
    customer = await newCustomer();
    const first = await postOrders([{ ...wed, customer: { customerId: customer } }, { ...tue, customer: { customerId: customer } }]);
    expect(first.created).toBe(2);
    // Wednesday pos ¥100 → 100; Tuesday (member day) mini-program cherries ¥100 → 100 × 2 × 1.5 × 2 = 600
    expect((await member(customer)).balance).toBe(700);
    await postOrders([{ ...wed, customer: { customerId: customer } }]);
    const entries = await ledger(customer);
    expect(entries.items.map((e) => [e.kind, e.points, e.orderNo]).sort()).toEqual([['earn', 100, orderNos.wed], ['earn', 600, orderNos.tue]].sort());
  });

  it('takes back the refunded share, then the rest at the full refund', async () => {
    await postOrders([{ ...tue, customer: { customerId: customer }, refundedFen: 5_000 }]);
    expect((await member(customer)).balance).toBe(400);
    await postOrders([{ ...tue, customer: { customerId: customer }, refundedFen: 10_000 }]);
    expect((await member(customer)).balance).toBe(100);
    const reversals = (await ledger(customer)).items.filter((e) => e.kind === 'reverse').map((e) => e.points);
    expect(reversals.sort()).toEqual([-300, -300]);
  });

  it('earns on an order_paid event too', async () => {
    const res = await app.inject({
      method: 'POST', url: '/api/v1/events', headers: admin,
      payload: { events: [{ id: `ev-${newId()}`, type: 'order_paid', occurredAt: '2026-11-25T05:00:00Z', customer: { customerId: customer }, properties: { orderNo: `E-${newId()}`, channel: 'pos', paidFen: 3_050, totalFen: 3_050 } }] },
    });
    expect(res.json()).toMatchObject({ accepted: 1 });
    expect((await member(customer)).balance).toBe(130);
  });

  it('never takes a refund below zero: what was spent stays spent', async () => {
    const spender = await newCustomer();
    const orderNo = `S-${newId()}`;
    const o = { orderNo, customer: { customerId: spender }, channel: 'pos', paidFen: 5_000, totalFen: 5_000, orderedAt: '2026-11-25T04:00:00Z', items: [] };
    await postOrders([o]);
    const goods = await reward({ name: '环保袋', kind: 'goods', sku: 'BAG', pointsPrice: 40 });
    expect((await redeem(spender, goods)).statusCode).toBe(200);
    await postOrders([{ ...o, refundedFen: 5_000 }]);
    expect((await member(spender)).balance).toBe(0);
    expect((await ledger(spender)).items.find((e) => e.kind === 'reverse')).toMatchObject({ points: -10, reason: expect.stringContaining('40 points already spent') });
  });
});

describe('adjustments', () => {
  it('refuses an adjustment without reason, below zero, or for an unknown customer, changing nothing', async () => {
    const c = await newCustomer();
    expect((await adjust(c, 50, '补偿：门店缺货')).statusCode).toBe(200);
    const before = await entryCount();
    const blank = await adjust(c, 10, '   ');
    expect(blank.statusCode).toBe(400);
    expect(blank.json().error.details[0].path).toBe('body.reason');
    const negative = await adjust(c, -60, '误发');
    expect(negative.statusCode).toBe(409);
    expect(negative.json().error).toMatchObject({ code: 'insufficient_points', details: [{ path: 'body.points' }] });
    const unknown = await adjust(newId(), 10, '补偿');
    expect(unknown.statusCode).toBe(404);
    expect(await entryCount()).toBe(before);
    expect((await member(c)).balance).toBe(50);
  });

  it('takes points away with the reason kept, once per request key', async () => {
    const c = await newCustomer();
    await adjust(c, 80, '活动奖励');
    const key = newId();
    expect((await adjust(c, -30, '误发更正', key)).json()).toEqual({ balance: 50, duplicate: false });
    expect((await adjust(c, -30, '误发更正', key)).json()).toEqual({ balance: 50, duplicate: true });
    expect((await ledger(c)).items[0]).toMatchObject({ kind: 'adjust', points: -30, reason: '误发更正' });
  });
});

describe('redeeming', () => {
  it('buys a coupon through issueCoupons and goods from a stock; refusals change nothing', async () => {
    const c = await newCustomer();
    await adjust(c, 100, '开卡礼');
    const coupon = await reward({ name: '5元券', kind: 'coupon', couponTemplateId: couponTemplate, pointsPrice: 30 });
    const bag = await reward({ name: '帆布袋', kind: 'goods', sku: 'BAG2', pointsPrice: 20, stock: 1 });
    const bought = await redeem(c, coupon);
    expect(bought.statusCode, bought.body).toBe(200);
    expect(bought.json()).toMatchObject({ points: 30, balance: 70, coupons: [{ code: expect.any(String) }] });
    const held = await sql<{ source: string; status: string }>`select source, status from coupons where tenant_id = ${world.tenantId} and code = ${bought.json().coupons[0].code}`.execute(db());
    expect(held.rows).toEqual([{ source: 'points', status: 'issued' }]);

    expect((await redeem(c, bag)).statusCode).toBe(200);
    const before = { entries: await entryCount(), coupons: (await sql<{ n: number }>`select count(*)::int as n from coupons where tenant_id = ${world.tenantId}`.execute(db())).rows[0]?.n };
    const soldOut = await redeem(c, bag);
    expect(soldOut.statusCode).toBe(409);
    expect(soldOut.json().error.code).toBe('reward_out_of_stock');
    const tooMany = await redeem(c, coupon, 2);
    expect(tooMany.statusCode).toBe(409);
    expect(tooMany.json().error.code).toBe('insufficient_points');
    const unknownReward = await redeem(c, newId());
    expect(unknownReward.statusCode).toBe(400);
    expect(unknownReward.json().error.details[0].path).toBe('body.rewardId');
    expect(await entryCount()).toBe(before.entries);
    expect((await sql<{ n: number }>`select count(*)::int as n from coupons where tenant_id = ${world.tenantId}`.execute(db())).rows[0]?.n).toBe(before.coupons);
    expect((await member(c)).balance).toBe(50);
    const rewards = (await app.inject({ url: '/api/v1/membership/rewards', headers: admin })).json().items as { id: string; redeemed: number; left: number | null }[];
    expect(rewards.find((r) => r.id === bag)).toMatchObject({ redeemed: 1, left: 0 });
  });

  it('concurrent redemptions never overspend: 100 points, 12 tries at 30, exactly 3 succeed', async () => {
    const c = await newCustomer();
    await adjust(c, 100, '测试并发');
    const goods = await reward({ name: '果篮', kind: 'goods', sku: 'BASKET', pointsPrice: 30 });
    const results = await Promise.all(Array.from({ length: 12 }, () => redeem(c, goods)));
    const codes = results.map((r) => r.statusCode);
    expect(codes.filter((s) => s === 200)).toHaveLength(3);
    expect(codes.filter((s) => s === 409)).toHaveLength(9);
    expect(results.filter((r) => r.statusCode === 409).every((r) => r.json().error.code === 'insufficient_points')).toBe(true);
    expect((await member(c)).balance).toBe(10);
    expect((await ledger(c)).items.filter((e) => e.kind === 'redeem')).toHaveLength(3);
  });

  it('concurrent redemptions never oversell a stock: 8 tries for 2 left', async () => {
    const buyers = await Promise.all(Array.from({ length: 8 }, () => newCustomer()));
    for (const b of buyers) await adjust(b, 100, '测试库存');
    const goods = await reward({ name: '限量礼盒', kind: 'goods', sku: 'LIMITED', pointsPrice: 10, stock: 2 });
    const results = await Promise.all(buyers.map((b) => redeem(b, goods)));
    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(2);
    expect(results.filter((r) => r.statusCode === 409).every((r) => r.json().error.code === 'reward_out_of_stock')).toBe(true);
  });
});

describe('expiry', () => {
  it('spends the first-expiring lot first and expires what is left of it', async () => {
    const c = await newCustomer();
    // with a 1-month rule, points earned in January 2026 are gone when March 2026 begins in Shanghai
    await put('/api/v1/membership/settings', { ...SETTINGS, expiryMonths: 1 });
    const old = { orderNo: `X-${newId()}`, customer: { customerId: c }, channel: 'pos', paidFen: 5_000, totalFen: 5_000, orderedAt: '2026-01-10T04:00:00Z', items: [] };
    // a recent day that is not the member day (Tuesday in Shanghai), so it earns at the plain rate
    const notMemberDay = [1, 2].map((d) => new Date(Date.now() - d * 86_400_000)).find((at) => new Date(at.getTime() + 8 * 3_600_000).getUTCDay() !== 2);
    const recent = { orderNo: `X-${newId()}`, customer: { customerId: c }, channel: 'pos', paidFen: 8_000, totalFen: 8_000, orderedAt: notMemberDay?.toISOString(), items: [] };
    await postOrders([old, recent]);
    await put('/api/v1/membership/settings', SETTINGS);
    expect(await member(c)).toMatchObject({ balance: 130, nextExpiry: { at: '2026-02-28T16:00:00.000Z', points: 50 } });
    const goods = await reward({ name: '小礼品', kind: 'goods', sku: 'SMALL', pointsPrice: 30 });
    expect((await redeem(c, goods)).statusCode).toBe(200);
    const expired = await app.inject({ method: 'POST', url: '/api/v1/membership/points/expire', headers: admin });
    expect(expired.json().points).toBeGreaterThanOrEqual(20);
    expect((await ledger(c)).items.find((e) => e.kind === 'expire')?.points).toBe(-20);
    expect((await member(c)).balance).toBe(80);
    // expiring again finds nothing more for this customer
    await app.inject({ method: 'POST', url: '/api/v1/membership/points/expire', headers: admin });
    expect((await ledger(c)).items.filter((e) => e.kind === 'expire')).toHaveLength(1);
  });
});

describe('the ledger is the truth', () => {
  it('every balance equals the sum of its entries and of its open lots', async () => {
    await expectBalancesDerivable();
  });

  it('a guide sees only their own customers\' points', async () => {
    const guide = bearer(await keyFor(world.tenantId, 'guide', world.staff.li));
    expect((await app.inject({ url: `/api/v1/membership/members/${world.customers.mei}`, headers: guide })).statusCode).toBe(200);
    expect((await app.inject({ url: `/api/v1/membership/members/${world.customers.lei}`, headers: guide })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: `/api/v1/membership/members/${world.customers.mei}/adjust`, headers: guide, payload: { points: 5, reason: 'x', requestKey: 'g' } })).statusCode).toBe(403);
  });

  it('a merge moves the points to the survivor', async () => {
    const a = await newCustomer();
    const b = await newCustomer();
    await adjust(a, 30, '合并前');
    await adjust(b, 12, '合并前');
    const { mergeCustomers } = await import('../../src/core/ingest/merge.service.ts');
    await db().transaction().execute((trx) => mergeCustomers(trx, world.tenantId, [{ survivorId: a, mergedIds: [b], identities: [] }], { source: 'test' }));
    expect((await member(a)).balance).toBe(42);
    await expectBalancesDerivable();
  });
});
