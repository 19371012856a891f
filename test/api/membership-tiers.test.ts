// Tiers and the member day on the real database: tier rules refused with the field named, the
// full recompute and the incremental one on orders agreeing, changes recorded with their
// timeline event and coupons; the member-day coupon for active group members once per date (by
// the API and by the worker's schedule); and the member-day lift against hand-counted days.
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { Logger, quickAddJob, runOnce } from 'graphile-worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.ts';
import { taskList } from '../../src/worker/index.ts';
import { buildWorld, type World } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';
import { api, bearer, keyFor } from './harness.ts';

let app: FastifyInstance;
let world: World;
let admin: Record<string, string>;
let silverCoupon: string;
let memberDayCoupon: string;
const db = () => testDb().db;

const SETTINGS = {
  pointsEnabled: true, pointsPerYuan: 1, channelMultipliers: {}, storeMultipliers: {}, skuMultipliers: {},
  memberDayMultiplier: 100, expiryMonths: 12, tierBasis: 'spend', tierWindowMonths: 12, memberDayWeekdays: [] as number[], memberDayTemplateId: null as string | null,
};
const TIERS = () => [
  { name: '普通会员', minValue: 0, maxValue: 10_000 },
  { name: '银卡', minValue: 10_000, maxValue: 50_000, benefits: '95折', memberPricePercent: 95, couponTemplateIds: [silverCoupon] },
  { name: '金卡', minValue: 50_000, maxValue: null, benefits: '9折 + 生日礼', memberPricePercent: 90 },
];

const template = async (name: string): Promise<string> => {
  const t = await app.inject({ method: 'POST', url: '/api/v1/coupon-templates', headers: admin, payload: { name, kind: 'amount', amountOffFen: 1000, validDays: 30, perCustomerLimit: 100 } });
  expect(t.statusCode, t.body).toBe(201);
  return t.json().id;
};

beforeAll(async () => {
  app = await api();
  world = await buildWorld(db(), (await newTenant()).id);
  admin = bearer(await keyFor(world.tenantId, 'admin'));
  silverCoupon = await template('银卡升级礼');
  memberDayCoupon = await template('会员日专享券');
  const saved = await app.inject({ method: 'PUT', url: '/api/v1/membership/settings', headers: admin, payload: SETTINGS });
  expect(saved.statusCode, saved.body).toBe(200);
});

/** Each customer's spend over the last 12 months, counted from the fixture's rows here, and the tier it falls in. */
function expectedTier(customer: string): string {
  const since = new Date();
  since.setUTCMonth(since.getUTCMonth() - 12);
  const spend = world.orders.filter((o) => o.customer === customer && new Date(o.orderedAt) >= since).reduce((s, o) => s + o.paidFen - o.refundedFen, 0);
  return spend >= 50_000 ? '金卡' : spend >= 10_000 ? '银卡' : '普通会员';
}

const tierOf = async (customer: string): Promise<string | undefined> =>
  (await app.inject({ url: `/api/v1/membership/members/${customer}`, headers: admin })).json().tier?.name;

describe('tier rules', () => {
  it('refuses a gap or an overlap naming the field, and keeps the tiers as they were', async () => {
    const gap = await app.inject({ method: 'PUT', url: '/api/v1/membership/tiers', headers: admin, payload: { tiers: [{ name: '普通', minValue: 0, maxValue: 10_000 }, { name: '银卡', minValue: 20_000, maxValue: null }] } });
    expect(gap.statusCode).toBe(400);
    expect(gap.json().error.details).toEqual([{ path: 'body.tiers.1.minValue', message: expect.stringContaining('gap'), code: 'tier_gap', params: { previousLevel: 0, previousMax: 10_000, minValue: 20_000 } }]);
    const overlap = await app.inject({ method: 'PUT', url: '/api/v1/membership/tiers', headers: admin, payload: { tiers: [{ name: '普通', minValue: 0, maxValue: 10_000 }, { name: '银卡', minValue: 5_000, maxValue: null }] } });
    expect(overlap.json().error.details[0]).toMatchObject({ path: 'body.tiers.1.minValue', message: expect.stringContaining('overlap') });
    const notFrom0 = await app.inject({ method: 'PUT', url: '/api/v1/membership/tiers', headers: admin, payload: { tiers: [{ name: '普通', minValue: 100, maxValue: null }] } });
    expect(notFrom0.json().error.details[0].path).toBe('body.tiers.0.minValue');
    expect((await app.inject({ url: '/api/v1/membership/tiers', headers: admin })).json().items).toEqual([]);
  });

  it('saves contiguous tiers with benefits', async () => {
    const res = await app.inject({ method: 'PUT', url: '/api/v1/membership/tiers', headers: admin, payload: { tiers: TIERS() } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().items.map((t: { name: string; level: number }) => [t.level, t.name])).toEqual([[0, '普通会员'], [1, '银卡'], [2, '金卡']]);
  });
});

describe('tier recompute', () => {
  it('places every customer by rolling spend, records the changes, writes tier_changed and grants the tier\'s coupon', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/membership/tiers/recompute', headers: admin });
    expect(res.statusCode, res.body).toBe(200);
    for (const c of Object.values(world.customers)) expect(await tierOf(c)).toBe(expectedTier(c));
    const movedUp = Object.values(world.customers).filter((c) => expectedTier(c) !== '普通会员');
    expect(res.json()).toEqual({ changed: movedUp.length, couponsIssued: movedUp.filter((c) => expectedTier(c) === '银卡').length });
    const events = await sql<{ customer_id: string; to_tier: string }>`
      select customer_id, properties->>'toTier' as to_tier from events where tenant_id = ${world.tenantId} and type = 'tier_changed'`.execute(db());
    expect(events.rows.map((e) => [e.customer_id, e.to_tier]).sort()).toEqual(movedUp.map((c) => [c, expectedTier(c)]).sort());
    const again = await app.inject({ method: 'POST', url: '/api/v1/membership/tiers/recompute', headers: admin });
    expect(again.json()).toEqual({ changed: 0, couponsIssued: 0 });
  });

  it('moves a buyer at once on an order and back on its refund, like the full recompute would', async () => {
    const lei = world.customers.lei;
    const orderNo = `TIER-${newId()}`;
    const o = { orderNo, customer: { customerId: lei }, channel: 'pos', paidFen: 50_000, totalFen: 50_000, orderedAt: new Date().toISOString(), items: [] };
    await app.inject({ method: 'POST', url: '/api/v1/orders', headers: admin, payload: { orders: [o] } });
    expect(await tierOf(lei)).toBe('金卡');
    const changes = await sql<{ cause: string; n: number }>`select cause, count(*)::int as n from tier_changes where tenant_id = ${world.tenantId} and customer_id = ${lei} group by cause`.execute(db());
    expect(changes.rows).toEqual([{ cause: 'order', n: 1 }]);
    await app.inject({ method: 'POST', url: '/api/v1/orders', headers: admin, payload: { orders: [{ ...o, refundedFen: 50_000 }] } });
    expect(await tierOf(lei)).toBe(expectedTier(lei));
    expect((await app.inject({ method: 'POST', url: '/api/v1/membership/tiers/recompute', headers: admin })).json().changed).toBe(0);
  });

  it('can measure tiers by points earned in the window', async () => {
    const c = newId();
    await db().insertInto('customers').values({ tenant_id: world.tenantId, id: c, name: '积分会员' }).execute();
    await app.inject({ method: 'PUT', url: '/api/v1/membership/settings', headers: admin, payload: { ...SETTINGS, tierBasis: 'points' } });
    await app.inject({ method: 'PUT', url: '/api/v1/membership/tiers', headers: admin, payload: { tiers: [{ name: '普通会员', minValue: 0, maxValue: 100 }, { name: '银卡', minValue: 100, maxValue: null }] } });
    // 150 points from an order; an adjustment does not count towards the tier
    await app.inject({ method: 'POST', url: '/api/v1/orders', headers: admin, payload: { orders: [{ orderNo: `PT-${newId()}`, customer: { customerId: c }, channel: 'pos', paidFen: 15_000, totalFen: 15_000, orderedAt: new Date().toISOString(), items: [] }] } });
    expect(await tierOf(c)).toBe('银卡');
    await app.inject({ method: 'PUT', url: '/api/v1/membership/settings', headers: admin, payload: SETTINGS });
    await app.inject({ method: 'PUT', url: '/api/v1/membership/tiers', headers: admin, payload: { tiers: TIERS() } });
  });
});

describe('the nightly membership task', () => {
  it('at 02:xx in the tenant zone, recomputes tiers that drifted and expires due points', async () => {
    const handle = testDb();
    const quiet = new Logger(() => () => {});
    const mei = world.customers.mei;
    await db().deleteFrom('customer_tiers').where('tenant_id', '=', world.tenantId).where('customer_id', '=', mei).execute();
    expect(await tierOf(mei)).toBe('普通会员');
    // 18:30 UTC is 02:30 the next day in Shanghai
    await quickAddJob({ pgPool: handle.pool }, 'nightly_membership', { _cron: { ts: '2026-12-01T18:30:00Z', backfilled: false } });
    for (let i = 0; i < 5; i++) await runOnce({ pgPool: handle.pool, taskList: taskList(handle), logger: quiet });
    expect(await tierOf(mei)).toBe(expectedTier(mei));
    const last = await db().selectFrom('tier_changes').select(['cause']).where('tenant_id', '=', world.tenantId).where('customer_id', '=', mei).orderBy('changed_at', 'desc').executeTakeFirst();
    expect(last?.cause).toBe('recompute');
  });
});

describe('member day', () => {
  let group: string;
  beforeAll(async () => {
    group = newId();
    const dissolved = newId();
    await db().insertInto('customer_groups').values([
      { tenant_id: world.tenantId, id: group, chat_id: `wr${group}`, name: '福田会员群' },
      { tenant_id: world.tenantId, id: dissolved, chat_id: `wr${dissolved}`, name: '旧群', status: 'dissolved' },
    ]).execute();
    await db().insertInto('group_members').values([
      { tenant_id: world.tenantId, group_id: group, customer_id: world.customers.mei, joined_at: '2026-03-01T00:00:00Z' },
      { tenant_id: world.tenantId, group_id: group, customer_id: world.customers.lei, joined_at: '2026-03-01T00:00:00Z', left_at: '2026-06-01T00:00:00Z' },
      { tenant_id: world.tenantId, group_id: dissolved, customer_id: world.customers.fang, joined_at: '2026-03-01T00:00:00Z' },
    ]).execute();
    const saved = await app.inject({ method: 'PUT', url: '/api/v1/membership/settings', headers: admin, payload: { ...SETTINGS, memberDayWeekdays: [2], memberDayTemplateId: memberDayCoupon } });
    expect(saved.statusCode, saved.body).toBe(200);
  });

  const memberDayHolders = async (date: string) => (await sql<{ customer_id: string }>`
    select customer_id from coupons where tenant_id = ${world.tenantId} and template_id = ${memberDayCoupon} and issue_key like ${`member_day:${date}:%`}`.execute(db())).rows.map((r) => r.customer_id);

  it('issues the member-day coupon to active group members only, once per date', async () => {
    const issue = (date: string) => app.inject({ method: 'POST', url: '/api/v1/membership/member-day/issue', headers: admin, payload: { date } });
    expect((await issue('2026-12-01')).json()).toMatchObject({ ran: true, issued: 1 });
    expect(await memberDayHolders('2026-12-01')).toEqual([world.customers.mei]);
    expect((await issue('2026-12-01')).json()).toMatchObject({ ran: false, skippedBecause: 'already_issued' });
    expect((await issue('2026-12-02')).json()).toMatchObject({ ran: false, skippedBecause: 'not_member_day' });
    expect(await memberDayHolders('2026-12-01')).toHaveLength(1);
  });

  it('the worker issues it when the member day begins in the tenant zone', async () => {
    const handle = testDb();
    const quiet = new Logger(() => () => {});
    // 16:30 UTC on Monday 2026-12-07 is 00:30 on Tuesday 2026-12-08 in Shanghai
    await quickAddJob({ pgPool: handle.pool }, 'member_day', { _cron: { ts: '2026-12-07T16:30:00Z', backfilled: false } });
    for (let i = 0; i < 5; i++) await runOnce({ pgPool: handle.pool, taskList: taskList(handle), logger: quiet });
    expect(await memberDayHolders('2026-12-08')).toEqual([world.customers.mei]);
    const run = await db().selectFrom('member_day_runs').selectAll().where('tenant_id', '=', world.tenantId).where('day', '=', '2026-12-08').executeTakeFirst();
    expect(run).toMatchObject({ issued: 1, skipped: 0 });
  });

  it('reports member-day sales against other days, per day and per week', async () => {
    const res = await app.inject({ url: '/api/v1/membership/member-day/lift?from=2026-03-01&to=2026-05-31&weekdays=2', headers: admin });
    expect(res.statusCode, res.body).toBe(200);
    const lift = res.json();
    // Count the fixture's orders by Shanghai calendar day here, independently of the service.
    const shanghaiDay = (iso: string) => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 10);
    const inRange = world.orders.filter((o) => shanghaiDay(o.orderedAt) >= '2026-03-01' && shanghaiDay(o.orderedAt) <= '2026-05-31');
    const tuesday = (d: string) => new Date(`${d}T00:00:00Z`).getUTCDay() === 2;
    const member = inRange.filter((o) => tuesday(shanghaiDay(o.orderedAt)));
    const other = inRange.filter((o) => !tuesday(shanghaiDay(o.orderedAt)));
    const days = lift.days as { date: string; memberDay: boolean }[];
    expect(days).toHaveLength(92);
    const memberDays = days.filter((d) => d.memberDay).length;
    const gmv = (os: typeof inRange) => os.reduce((s, o) => s + o.paidFen - o.refundedFen, 0);
    expect(lift.memberDays).toMatchObject({ days: memberDays, gmvFen: Math.round(gmv(member) / memberDays), orders: member.length / memberDays });
    expect(lift.otherDays).toMatchObject({ days: 92 - memberDays, gmvFen: Math.round(gmv(other) / (92 - memberDays)) });
    expect(lift.ratio.gmv).toBeCloseTo(Math.round(gmv(member) / memberDays) / Math.round(gmv(other) / (92 - memberDays)), 2);
    expect(lift.weeks[0].weekStart).toBe('2026-02-23');
    const bad = await app.inject({ url: '/api/v1/membership/member-day/lift?from=2026-05-01&to=2026-03-01', headers: admin });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('query.to');
  });
});
