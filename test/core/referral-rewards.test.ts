// Reward kinds other than the first-order commission, on the real database: a window commission on
// every order within N days, fixed points and a coupon on the first order, an external distributor
// (no coupon to hold) — and the documents: the OpenAPI lists the fission routes.
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTemplate } from '../../src/core/coupons/templates.service.ts';
import { newId } from '../../src/core/ids.ts';
import { memberPoints } from '../../src/core/membership/points.service.ts';
import { recordOrders } from '../../src/core/orders/record.service.ts';
import { attributeByRequest } from '../../src/core/referral/attribution.service.ts';
import { createExternalPartner, createReferralCode, setRewardRules } from '../../src/core/referral/referral.service.ts';
import { runReferralSweep } from '../../src/core/referral/sweep.service.ts';
import { api } from '../api/harness.ts';
import { newTenant, testDb } from '../helpers.ts';

const db = () => testDb().db;
const day = 86_400_000;
let t: string;

beforeAll(async () => {
  t = (await newTenant()).id;
});

async function people(n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, () => newId());
  await db().insertInto('customers').values(ids.map((id, i) => ({ tenant_id: t, id, name: `人${i}` }))).execute();
  return ids;
}

async function buy(customerId: string, no: string, paidFen: number, at: Date, refundedFen = 0): Promise<void> {
  const r = await recordOrders(db(), t, [{ orderNo: `${t}-${no}`, customer: { customerId }, channel: 'pos', paidFen, totalFen: paidFen, discountFen: 0, refundedFen, orderedAt: at.toISOString(), items: [{ sku: 'X', name: 'x', quantity: 1, unitPriceFen: paidFen, amountFen: paidFen }] }], { source: 'test' });
  expect(r.rejected).toEqual([]);
}

const rewards = async () => (await sql<{ level: number; kind: string; order_no: string | null; reward_fen: number; points: number; coupon_code: string | null; status: string; clawback_points: number }>`
  select level, kind, order_no, reward_fen, points, coupon_code, status, clawback_points from referral_rewards where tenant_id = ${t} order by level, order_no`.execute(db())).rows;

describe('reward kinds', () => {
  it('pays a window commission on every order within N days, and points on the first order', async () => {
    const [a, b] = await people(2);
    if (!a || !b) throw new Error('no people');
    await setRewardRules(db(), t, [{ level: 1, kind: 'percent_window', percentBp: 300, windowDays: 30 }, { level: 2, kind: 'points', points: 50 }]);
    const { code: aCode } = await createReferralCode(db(), t, { customerId: a });
    const [c] = await people(1);
    if (!c) throw new Error('no person');
    await attributeByRequest(db(), t, { customerId: b, code: aCode }, 'test');
    const { code: bCode } = await createReferralCode(db(), t, { customerId: b });
    await attributeByRequest(db(), t, { customerId: c, code: bCode }, 'test');
    // The referrals date from 50 days ago; orders cannot be in the future.
    await sql`update referrals set attributed_at = now() - interval '50 days' where tenant_id = ${t}`.execute(db());
    const soon = new Date(Date.now() - 49 * day);
    await buy(c, 'c1', 10_000, soon);
    await buy(c, 'c2', 3_333, new Date(Date.now() - 48 * day));
    await buy(c, 'c3', 5_000, new Date(Date.now() - 5 * day)); // outside the 30 days
    await runReferralSweep(db(), t);
    expect(await rewards()).toEqual([
      { level: 1, kind: 'percent_window', order_no: `${t}-c1`, reward_fen: 300, points: 0, coupon_code: null, status: 'earned', clawback_points: 0 },
      { level: 1, kind: 'percent_window', order_no: `${t}-c2`, reward_fen: 99, points: 0, coupon_code: null, status: 'earned', clawback_points: 0 },
      { level: 2, kind: 'points', order_no: `${t}-c1`, reward_fen: 0, points: 50, coupon_code: null, status: 'earned', clawback_points: 0 },
    ]);
    // the points are on a's ledger (a is c's referrer's referrer), once however often the sweep runs
    await runReferralSweep(db(), t);
    expect((await memberPoints(db(), t, a)).balance).toBe(50);
    // Half of c1 refunded: half the commission and half the points come back.
    await buy(c, 'c1', 10_000, soon, 5_000);
    await runReferralSweep(db(), t);
    const after = await sql<{ order_no: string; level: number; clawback_fen: number; clawback_points: number; status: string }>`
      select order_no, level, clawback_fen, clawback_points, status from referral_rewards where tenant_id = ${t} and order_no = ${`${t}-c1`} order by level`.execute(db());
    expect(after.rows).toEqual([
      { order_no: `${t}-c1`, level: 1, clawback_fen: 150, clawback_points: 0, status: 'partially_clawed_back' },
      { order_no: `${t}-c1`, level: 2, clawback_fen: 0, clawback_points: 25, status: 'partially_clawed_back' },
    ]);
    expect((await memberPoints(db(), t, a)).balance).toBe(25);
    const ledger = await db().selectFrom('points_ledger').select(['kind', 'points']).where('tenant_id', '=', t).where('customer_id', '=', a).orderBy('created_at').execute();
    expect(ledger).toEqual([{ kind: 'adjust', points: 50 }, { kind: 'adjust', points: -25 }]);
  });

  it('gives the referring customer a coupon on the first order; an external distributor gets none', async () => {
    const tenant = (await newTenant()).id;
    const template = await createTemplate(db(), tenant, { name: '推荐有礼 10 元', kind: 'amount', amountOffFen: 1000, validDays: 30, status: 'active' }, 'test');
    await setRewardRules(db(), tenant, [{ level: 1, kind: 'coupon', couponTemplateId: template.id }]);
    const ids = [newId(), newId(), newId()];
    await db().insertInto('customers').values(ids.map((id, i) => ({ tenant_id: tenant, id, name: `客${i}` }))).execute();
    const [referrer, friend, other] = ids as [string, string, string];
    const { code } = await createReferralCode(db(), tenant, { customerId: referrer });
    const shop = await createExternalPartner(db(), tenant, { name: '社区团长老张' });
    const { code: shopCode } = await createReferralCode(db(), tenant, { partnerId: shop.id });
    await attributeByRequest(db(), tenant, { customerId: friend, code }, 'test');
    await attributeByRequest(db(), tenant, { customerId: other, code: shopCode }, 'test');
    for (const [i, who] of [friend, other].entries()) {
      await recordOrders(db(), tenant, [{ orderNo: `${tenant}-${i}`, customer: { customerId: who }, channel: 'pos', paidFen: 8800, totalFen: 8800, discountFen: 0, orderedAt: new Date(Date.now() + day).toISOString(), items: [] }], { source: 'test' });
    }
    await runReferralSweep(db(), tenant, new Date(Date.now() + 2 * day));
    await runReferralSweep(db(), tenant, new Date(Date.now() + 3 * day));
    const coupons = await sql<{ customer_id: string; source: string }>`select customer_id, source from coupons where tenant_id = ${tenant}`.execute(db());
    expect(coupons.rows).toEqual([{ customer_id: referrer, source: 'referral' }]);
    const r = await sql<{ kind: string; coupon_code: string | null }>`select kind, coupon_code from referral_rewards where tenant_id = ${tenant}`.execute(db());
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]?.coupon_code).toMatch(/\S+/);
  });

  it('refuses a coupon rule naming no template of the tenant', async () => {
    await expect(setRewardRules(db(), t, [{ level: 1, kind: 'coupon', couponTemplateId: newId() }])).rejects.toMatchObject({ reason: 'invalid_reward_rules', details: [{ path: 'body.rules[0].couponTemplateId' }] });
  });

  it('documents the fission routes in the OpenAPI document', async () => {
    const app = await api();
    const doc = (await app.inject({ url: '/api/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/solitaires/{id}/entries', '/api/v1/group-buys/shared/{token}/join', '/api/v1/referral/tree/{customerId}', '/api/v1/referral/settlement']));
  });
});
