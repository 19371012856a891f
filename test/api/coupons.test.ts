// Coupons end to end: templates, issuance (idempotent, limits, stock, bulk to a tag), redemption
// at checkout with every refusal changing nothing, reversal, figures, and concurrent redemption.
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { CODE_ALPHABET } from '../../src/core/coupons/coupons.rules.ts';
import { runIssueJob } from '../../src/core/coupons/issue-jobs.service.ts';
import { reverseCouponsOfRefundedOrders } from '../../src/core/coupons/refunds.service.ts';
import { newId } from '../../src/core/ids.ts';
import { buildWorld, type World } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';
import { api, bearer, keyFor } from './harness.ts';

let app: FastifyInstance;
let world: World;
let admin: Record<string, string>;
let pos: Record<string, string>;

beforeAll(async () => {
  app = await api();
  world = await buildWorld(testDb().db, (await newTenant()).id);
  admin = bearer(await keyFor(world.tenantId, 'admin'));
  pos = bearer(await keyFor(world.tenantId, 'operator'));
});

const db = () => testDb().db;

async function template(body: Record<string, unknown>): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/coupon-templates', headers: admin, payload: { validDays: 30, ...body } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}

async function issue(templateId: string, customers: string[], requestKey = newId()) {
  return app.inject({ method: 'POST', url: `/api/v1/coupon-templates/${templateId}/issue`, headers: admin, payload: { customers, requestKey } });
}

async function issueOne(templateId: string, customer: string): Promise<string> {
  const res = await issue(templateId, [customer]);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().issued[0].code;
}

async function couponState(code: string) {
  return (await sql<{ status: string; order_no: string | null; events: number }>`
    select c.status, c.order_no, (select count(*)::int from events e where e.tenant_id = c.tenant_id and e.customer_id = c.customer_id and e.type = 'coupon_redeemed' and e.properties->>'code' = c.code) as events
      from coupons c where c.tenant_id = ${world.tenantId} and c.code = ${code}`.execute(db())).rows[0];
}

const redeem = (payload: Record<string, unknown>, headers = pos) => app.inject({ method: 'POST', url: '/api/v1/coupons/redeem', headers, payload });
const order = (extra: Record<string, unknown> = {}) => ({ orderNo: `R-${newId()}`, storeId: world.stores.futian, channel: 'pos', totalFen: 6000, ...extra });

describe('coupon templates', () => {
  it('refuses terms that make no sense, naming the field', async () => {
    const negative = await app.inject({ method: 'POST', url: '/api/v1/coupon-templates', headers: admin, payload: { name: '满10减20', kind: 'threshold', thresholdFen: 1000, amountOffFen: 2000, validDays: 7 } });
    expect(negative.statusCode).toBe(400);
    expect(negative.json().error.details.map((d: { path: string }) => d.path)).toContain('body.amountOffFen');
    const both = await app.inject({ method: 'POST', url: '/api/v1/coupon-templates', headers: admin, payload: { name: 'x', kind: 'amount', amountOffFen: 100, validDays: 7, validTo: '2027-01-01T00:00:00Z' } });
    expect(both.statusCode).toBe(400);
    expect(both.json().error.details[0].path).toBe('body.validTo');
    const store = await app.inject({ method: 'POST', url: '/api/v1/coupon-templates', headers: admin, payload: { name: 'x', kind: 'amount', amountOffFen: 100, validDays: 7, storeIds: [newId()] } });
    expect(store.statusCode).toBe(400);
    expect(store.json().error.details[0].path).toBe('body.storeIds.0');
  });

  it('guides may neither create templates nor issue', async () => {
    const guide = bearer(await keyFor(world.tenantId, 'guide', world.staff.li));
    const created = await app.inject({ method: 'POST', url: '/api/v1/coupon-templates', headers: guide, payload: { name: '立减5元', kind: 'amount', amountOffFen: 500, validDays: 7 } });
    expect(created.statusCode).toBe(403);
    const id = await template({ name: '导购不可发', kind: 'amount', amountOffFen: 500 });
    const issued = await app.inject({ method: 'POST', url: `/api/v1/coupon-templates/${id}/issue`, headers: guide, payload: { customers: [world.customers.mei], requestKey: 'g' } });
    expect(issued.statusCode).toBe(403);
    expect((await sql<{ n: number }>`select count(*)::int as n from coupons where tenant_id = ${world.tenantId} and template_id = ${id}`.execute(db())).rows[0]?.n).toBe(0);
  });
});

describe('issuing', () => {
  it('gives each customer a unique unambiguous code, once per request key, on their timeline', async () => {
    const id = await template({ name: '新人5元券', kind: 'amount', amountOffFen: 500, perCustomerLimit: 3 });
    const first = await issue(id, [world.customers.mei, world.customers.lei], 'welcome-1');
    expect(first.statusCode).toBe(200);
    const body = first.json();
    expect(body.issued).toHaveLength(2);
    const codes: string[] = body.issued.map((c: { code: string }) => c.code);
    expect(new Set(codes).size).toBe(2);
    for (const code of codes) expect([...code].every((ch) => CODE_ALPHABET.includes(ch))).toBe(true);
    const again = (await issue(id, [world.customers.mei, world.customers.lei], 'welcome-1')).json();
    expect(again.issued).toHaveLength(0);
    expect(again.duplicates.map((c: { code: string }) => c.code).sort()).toEqual([...codes].sort());
    const events = await sql<{ n: number }>`select count(*)::int as n from events where tenant_id = ${world.tenantId} and type = 'coupon_received' and properties->>'templateId' = ${id}`.execute(db());
    expect(events.rows[0]?.n).toBe(2);
    // Relative validity: 30 local days, the issue day the first.
    const c = body.issued[0];
    expect(Date.parse(c.validTo) - Date.parse(c.validFrom)).toBeLessThanOrEqual(30 * 86_400_000);
    expect(Date.parse(c.validTo) - Date.parse(c.validFrom)).toBeGreaterThan(29 * 86_400_000);
  });

  it('skips customers at the per-customer limit', async () => {
    const id = await template({ name: '每人一张', kind: 'amount', amountOffFen: 300, perCustomerLimit: 1 });
    await issueOne(id, world.customers.mei);
    const res = (await issue(id, [world.customers.mei, world.customers.fang])).json();
    expect(res.issued.map((c: { customerId: string }) => c.customerId)).toEqual([world.customers.fang]);
    expect(res.skipped).toEqual([{ customerId: world.customers.mei, reason: 'limit_reached' }]);
  });

  it('refuses more coupons than the stock left, issuing none', async () => {
    const id = await template({ name: '限量1张', kind: 'amount', amountOffFen: 300, totalStock: 1 });
    const res = await issue(id, [world.customers.mei, world.customers.lei]);
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('stock_exhausted');
    expect((await sql<{ n: number }>`select count(*)::int as n from coupons where tenant_id = ${world.tenantId} and template_id = ${id}`.execute(db())).rows[0]?.n).toBe(0);
    expect((await issue(id, [world.customers.mei])).statusCode).toBe(200);
    expect((await issue(id, [world.customers.lei])).json().error.code).toBe('stock_exhausted');
  });

  it('refuses a paused template and unknown customers', async () => {
    const id = await template({ name: '暂停', kind: 'amount', amountOffFen: 300, status: 'paused' });
    const paused = await issue(id, [world.customers.mei]);
    expect(paused.statusCode).toBe(409);
    expect(paused.json().error.code).toBe('template_not_active');
    const active = await template({ name: '查无此人', kind: 'amount', amountOffFen: 300 });
    const unknown = await issue(active, [world.customers.mei, newId()]);
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.details[0].path).toBe('body.customers.1');
  });

  it('issues in bulk to a tag, once however often the job runs', async () => {
    const groupId = newId();
    const tagId = newId();
    await sql`insert into tag_groups (tenant_id, id, name) values (${world.tenantId}, ${groupId}, '会员日')`.execute(db());
    await sql`insert into tags (tenant_id, id, group_id, name) values (${world.tenantId}, ${tagId}, ${groupId}, '群成员')`.execute(db());
    await sql`insert into customer_tags (tenant_id, customer_id, tag_id, source) values (${world.tenantId}, ${world.customers.mei}, ${tagId}, 'manual'), (${world.tenantId}, ${world.customers.jun}, ${tagId}, 'manual')`.execute(db());
    const id = await template({ name: '周二会员日券', kind: 'percent', percent: 90 });
    const res = await app.inject({ method: 'POST', url: `/api/v1/coupon-templates/${id}/issue-jobs`, headers: admin, payload: { targetKind: 'tag', targetId: tagId, requestKey: 'tuesday-1' } });
    expect(res.statusCode).toBe(202);
    const same = await app.inject({ method: 'POST', url: `/api/v1/coupon-templates/${id}/issue-jobs`, headers: admin, payload: { targetKind: 'tag', targetId: tagId, requestKey: 'tuesday-1' } });
    expect(same.statusCode).toBe(200);
    expect(same.json().id).toBe(res.json().id);
    expect(await runIssueJob(db(), world.tenantId, res.json().id)).toBe('done');
    await sql`update coupon_issue_jobs set status = 'queued' where tenant_id = ${world.tenantId} and id = ${res.json().id}`.execute(db());
    expect(await runIssueJob(db(), world.tenantId, res.json().id)).toBe('done');
    const held = await sql<{ customer_id: string }>`select customer_id from coupons where tenant_id = ${world.tenantId} and template_id = ${id} order by customer_id`.execute(db());
    expect(held.rows.map((r) => r.customer_id)).toEqual([world.customers.mei, world.customers.jun].sort());
    const jobs = (await app.inject({ url: `/api/v1/coupon-templates/${id}/issue-jobs`, headers: admin })).json();
    expect(jobs.items[0]).toMatchObject({ status: 'done', issued: 2, skipped: 0 });
    const badTarget = await app.inject({ method: 'POST', url: `/api/v1/coupon-templates/${id}/issue-jobs`, headers: admin, payload: { targetKind: 'segment', targetId: newId(), requestKey: 'x' } });
    expect(badTarget.statusCode).toBe(400);
  });
});

describe('redeeming', () => {
  let tid: string;
  beforeAll(async () => {
    tid = await template({ name: '满50减5', kind: 'threshold', thresholdFen: 5000, amountOffFen: 500, storeIds: [world.stores.futian], channels: ['pos', 'miniprogram'], perCustomerLimit: 10 });
  });

  it.each([
    ['a store the coupon is not valid in', () => ({ order: order({ storeId: world.stores.nanshan }) }), 422, 'coupon_wrong_store'],
    ['a channel the coupon is not valid on', () => ({ order: order({ channel: 'ecommerce' }) }), 422, 'coupon_wrong_channel'],
    ['an order under the threshold', () => ({ order: order({ totalFen: 4999 }) }), 422, 'coupon_threshold_not_met'],
    ['another customer', () => ({ customer: world.customers.lei }), 422, 'coupon_wrong_customer'],
    ['an unknown code', () => ({ code: 'ZZZZ2222' }), 422, 'coupon_unknown'],
  ])('refuses %s and changes nothing', async (_name, change, status, reason) => {
    const code = await issueOne(tid, world.customers.mei);
    const res = await redeem({ code, customer: world.customers.mei, order: order(), ...change() });
    expect(res.statusCode).toBe(status);
    expect(res.json().error.code).toBe(reason);
    expect(res.json().error.message).not.toBe('');
    expect(await couponState(code)).toEqual({ status: 'issued', order_no: null, events: 0 });
  });

  it('refuses expired and not-yet-valid coupons', async () => {
    const expired = await issueOne(tid, world.customers.mei);
    await sql`update coupons set valid_from = now() - interval '40 days', valid_to = now() - interval '1 day' where tenant_id = ${world.tenantId} and code = ${expired}`.execute(db());
    const res = await redeem({ code: expired, customer: world.customers.mei, order: order() });
    expect([res.statusCode, res.json().error.code]).toEqual([422, 'coupon_expired']);
    expect(await couponState(expired)).toEqual({ status: 'issued', order_no: null, events: 0 });
    const later = await template({ name: '下月生效', kind: 'amount', amountOffFen: 100, validFrom: new Date(Date.now() + 10 * 86_400_000).toISOString(), validDays: null, validTo: new Date(Date.now() + 20 * 86_400_000).toISOString() });
    const code = await issueOne(later, world.customers.mei);
    const early = await redeem({ code, customer: world.customers.mei, order: order() });
    expect([early.statusCode, early.json().error.code]).toEqual([422, 'coupon_not_yet_valid']);
  });

  it('keeps a coupon usable when its holder\'s profile is merged into another', async () => {
    const [merged, survivor] = [newId(), newId()];
    await db().insertInto('customers').values([{ tenant_id: world.tenantId, id: merged, name: '小程序游客' }, { tenant_id: world.tenantId, id: survivor, name: '门店会员' }]).execute();
    const code = await issueOne(tid, merged);
    // What a merge leaves: the merged profile gone, a pointer to the survivor.
    await sql`insert into customer_merges (tenant_id, merged_id, survivor_id) values (${world.tenantId}, ${merged}, ${survivor})`.execute(db());
    await sql`delete from customers where tenant_id = ${world.tenantId} and id = ${merged}`.execute(db());
    const listed = (await app.inject({ url: `/api/v1/coupons?customerId=${survivor}`, headers: admin })).json();
    expect(listed.items.map((c: { code: string }) => c.code)).toEqual([code]);
    const res = await redeem({ code, customer: survivor, order: order() });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().customerId).toBe(survivor);
  });

  it('refuses another tenant\'s code', async () => {
    const other = await buildWorld(db(), (await newTenant()).id);
    const otherAdmin = bearer(await keyFor(other.tenantId, 'admin'));
    const created = await app.inject({ method: 'POST', url: '/api/v1/coupon-templates', headers: otherAdmin, payload: { name: '别家券', kind: 'amount', amountOffFen: 500, validDays: 7 } });
    const issued = await app.inject({ method: 'POST', url: `/api/v1/coupon-templates/${created.json().id}/issue`, headers: otherAdmin, payload: { customers: [other.customers.mei], requestKey: 'k' } });
    const code: string = issued.json().issued[0].code;
    const res = await redeem({ code, customer: world.customers.mei, order: order() });
    expect([res.statusCode, res.json().error.code]).toEqual([422, 'coupon_unknown']);
    expect((await app.inject({ url: `/api/v1/coupon-templates/${created.json().id}`, headers: admin })).statusCode).toBe(404);
  });

  it('redeems once, answers a retry of the same order the same, refuses a second order, and reverses', async () => {
    const code = await issueOne(tid, world.customers.mei);
    const o = order({ items: [{ sku: 'CHERRY', name: '车厘子', quantity: 2, unitPriceFen: 3000 }], totalFen: 6000 });
    const ok = await redeem({ code: code.toLowerCase(), customer: world.customers.mei, order: o });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ code, discountFen: 500, payableFen: 5500, orderNo: o.orderNo });
    expect(await couponState(code)).toEqual({ status: 'redeemed', order_no: o.orderNo, events: 1 });
    const retry = await redeem({ code, customer: world.customers.mei, order: o });
    expect([retry.statusCode, retry.json().discountFen]).toEqual([200, 500]);
    const twice = await redeem({ code, customer: world.customers.mei, order: order() });
    expect([twice.statusCode, twice.json().error.code]).toEqual([409, 'coupon_already_redeemed']);

    const wrongOrder = await app.inject({ method: 'POST', url: `/api/v1/coupons/${code}/reverse`, headers: pos, payload: { orderNo: 'nope' } });
    expect([wrongOrder.statusCode, wrongOrder.json().error.code]).toEqual([409, 'coupon_order_mismatch']);
    const reversed = await app.inject({ method: 'POST', url: `/api/v1/coupons/${code}/reverse`, headers: pos, payload: { orderNo: o.orderNo } });
    expect(reversed.statusCode, reversed.body).toBe(200);
    expect((await couponState(code))?.status).toBe('issued');
    const again = await app.inject({ method: 'POST', url: `/api/v1/coupons/${code}/reverse`, headers: pos, payload: {} });
    expect([again.statusCode, again.json().error.code]).toEqual([409, 'coupon_not_redeemed']);
    // Given back, it can be used on the next order.
    expect((await redeem({ code, customer: world.customers.mei, order: order() })).statusCode).toBe(200);
  });

  it('counts issued, redeemed and the GMV of the orders that redeemed', async () => {
    const id = await template({ name: '统计券', kind: 'amount', amountOffFen: 1000 });
    const a = await issueOne(id, world.customers.mei);
    await issueOne(id, world.customers.lei);
    const orderNo = `GMV-${newId()}`;
    const recorded = await app.inject({ method: 'POST', url: '/api/v1/orders', headers: admin, payload: { orders: [{ orderNo, customer: { customerId: world.customers.mei }, channel: 'pos', totalFen: 9000, discountFen: 1000, paidFen: 8000, orderedAt: new Date().toISOString(), items: [] }] } });
    expect(recorded.json().created).toBe(1);
    expect((await redeem({ code: a, customer: world.customers.mei, order: { orderNo, channel: 'pos', totalFen: 9000 } })).statusCode).toBe(200);
    const t = (await app.inject({ url: `/api/v1/coupon-templates/${id}`, headers: admin })).json();
    expect(t.stats).toEqual({ issued: 2, redeemed: 1, redemptionRate: 0.5, gmvFen: 8000 });
  });

  it('gives a coupon back when its order is refunded in full, not in part', async () => {
    const full = await issueOne(tid, world.customers.mei);
    const part = await issueOne(tid, world.customers.mei);
    const orderOf = async (code: string, paidFen: number) => {
      const orderNo = `RF-${newId()}`;
      const o = { orderNo, customer: { customerId: world.customers.mei }, channel: 'pos', storeId: world.stores.futian, totalFen: 6000, discountFen: 500, paidFen, orderedAt: new Date().toISOString(), items: [] };
      expect((await app.inject({ method: 'POST', url: '/api/v1/orders', headers: admin, payload: { orders: [o] } })).json().created).toBe(1);
      expect((await redeem({ code, customer: world.customers.mei, order: { orderNo, storeId: world.stores.futian, channel: 'pos', totalFen: 6000 } })).statusCode).toBe(200);
      return o;
    };
    const a = await orderOf(full, 5500);
    const b = await orderOf(part, 5500);
    // A refund is the order re-sent with the total refunded so far.
    await app.inject({ method: 'POST', url: '/api/v1/orders', headers: admin, payload: { orders: [{ ...a, refundedFen: 5500 }, { ...b, refundedFen: 1000 }] } });
    expect(await reverseCouponsOfRefundedOrders(db(), world.tenantId)).toBe(1);
    expect(await reverseCouponsOfRefundedOrders(db(), world.tenantId)).toBe(0);
    expect((await couponState(full))?.status).toBe('issued');
    expect((await couponState(part))?.status).toBe('redeemed');
    const reversedEvents = await sql<{ n: number }>`select count(*)::int as n from events where tenant_id = ${world.tenantId} and type = 'coupon_reversed' and properties->>'code' = ${full}`.execute(db());
    expect(reversedEvents.rows[0]?.n).toBe(1);
  });

  it('lets exactly one of 50 concurrent redemptions of one coupon through', async () => {
    const code = await issueOne(tid, world.customers.mei);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => redeem({ code, customer: world.customers.mei, order: order({ orderNo: `C-${i}-${newId()}` }) })));
    const statuses = results.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    expect(results.filter((r) => r.statusCode === 409).every((r) => r.json().error.code === 'coupon_already_redeemed')).toBe(true);
    expect((await couponState(code))?.events).toBe(1);
  });

  it('shows a guide only their own customers\' coupons', async () => {
    const guide = bearer(await keyFor(world.tenantId, 'guide', world.staff.li));
    const list = (await app.inject({ url: `/api/v1/coupons?templateId=${tid}`, headers: guide })).json();
    expect(list.items.length).toBeGreaterThan(0);
    expect(list.items.every((c: { customer: { id: string } }) => c.customer.id === world.customers.mei)).toBe(true);
    const fang = (await app.inject({ url: `/api/v1/coupons?customerId=${world.customers.lei}`, headers: guide })).json();
    expect(fang.items).toEqual([]);
  });
});
