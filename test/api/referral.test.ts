// Fission on the real database, as one scenario: codes, contacts naming them through ingestion,
// two-level attribution by the sweep, first-order commissions, abuse refused and logged, a refund
// clawing back, the settlement and the superuser leaderboard.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildWorld, type World } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';
import { api, bearer, keyFor } from './harness.ts';

let app: FastifyInstance;
let world: World;
let admin: Record<string, string>;
let liWecom: string;
const run = randomBytes(3).toString('hex');
let seq = 0;
const day = 86_400_000;
const at = (daysAgo: number): string => new Date(Date.now() - daysAgo * day).toISOString();
const ids: Record<string, string> = {};
const orderedAt = at(1); // one instant: a refund re-sends the order unchanged but for refundedFen

beforeAll(async () => {
  app = await api();
  world = await buildWorld(testDb().db, (await newTenant()).id);
  admin = bearer(await keyFor(world.tenantId, 'admin'));
  liWecom = (await testDb().db.selectFrom('staff').select('wecom_user_id').where('id', '=', world.staff.li).executeTakeFirstOrThrow()).wecom_user_id ?? '';
});

async function contact(who: string, properties: Record<string, unknown>, known?: Record<string, string>, daysAgo = 5): Promise<void> {
  // A new person is named by a fresh external_userid; a known one (mei) keeps her name.
  const customer = known ?? { externalUserId: `wm${run}${who}` };
  const res = await app.inject({
    method: 'POST', url: '/api/v1/events', headers: admin,
    payload: { events: [{ id: `ref-${run}-${++seq}`, type: 'contact_added', occurredAt: at(daysAgo), customer, properties: { staffWecomUserId: liWecom, ...(known ? {} : { name: who }), ...properties } }] },
  });
  expect(res.json().accepted, res.body).toBe(1);
}

async function customerOf(who: string): Promise<string> {
  const row = await testDb().db.selectFrom('customer_identities').select('customer_id').where('tenant_id', '=', world.tenantId).where('kind', '=', 'external_userid').where('value', '=', `wm${run}${who}`).executeTakeFirstOrThrow();
  return row.customer_id;
}

async function order(who: string, no: string, paidFen: number, refundedFen = 0): Promise<void> {
  const res = await app.inject({
    method: 'POST', url: '/api/v1/orders', headers: admin,
    payload: { orders: [{ orderNo: `${run}-${no}`, customer: { externalUserId: `wm${run}${who}` }, channel: 'miniprogram', paidFen, refundedFen, orderedAt, items: [{ sku: 'CHERRY', name: '车厘子', quantity: 1, unitPriceFen: paidFen }] }] },
  });
  expect(res.json().rejected, res.body).toEqual([]);
}

const sweep = async () => (await app.inject({ method: 'POST', url: '/api/v1/referral/run', headers: admin })).json();

describe('referral and two-level distribution', () => {
  it('refuses reward rules that pay more than the order, and keeps the old ones', async () => {
    const good = await app.inject({ method: 'PUT', url: '/api/v1/referral/rules', headers: admin, payload: { rules: [{ level: 1, kind: 'percent_first_order', percentBp: 1000 }, { level: 2, kind: 'percent_first_order', percentBp: 500 }] } });
    expect(good.statusCode, good.body).toBe(200);
    const bad = await app.inject({ method: 'PUT', url: '/api/v1/referral/rules', headers: admin, payload: { rules: [{ level: 1, kind: 'percent_first_order', percentBp: 8000 }, { level: 2, kind: 'percent_window', percentBp: 3000, windowDays: 30 }] } });
    expect([bad.statusCode, bad.json().error.code, bad.json().error.details[0].path]).toEqual([422, 'invalid_reward_rules', 'body.rules']);
    const rules = (await app.inject({ url: '/api/v1/referral/rules', headers: admin })).json().rules;
    expect(rules.map((r: { level: number; percentBp: number }) => [r.level, r.percentBp])).toEqual([[1, 1000], [2, 500]]);
  });

  it('attributes contacts naming a code to the referrer and the referrer\'s referrer', async () => {
    const code = await app.inject({ method: 'POST', url: '/api/v1/referral/codes', headers: admin, payload: { customer: world.customers.mei, code: `MEI${run}` } });
    expect(code.statusCode, code.body).toBe(201);
    const taken = await app.inject({ method: 'POST', url: '/api/v1/referral/codes', headers: admin, payload: { customer: world.customers.lei, code: `MEI${run}` } });
    expect([taken.statusCode, taken.json().error.code]).toEqual([409, 'code_taken']);
    await contact('B', { state: `MEI${run}`, deviceId: 'dev-B' }, undefined, 5);
    expect(await sweep()).toMatchObject({ accepted: 1, refused: 0 });
    ids.B = await customerOf('B');
    const bCode = (await app.inject({ method: 'POST', url: '/api/v1/referral/codes', headers: admin, payload: { customer: ids.B } })).json().code as string;
    await contact('C', { referralCode: bCode }, undefined, 4);
    expect(await sweep()).toMatchObject({ accepted: 1, refused: 0 });
    ids.C = await customerOf('C');
    // Re-running reads nothing twice.
    expect(await sweep()).toMatchObject({ accepted: 0, refused: 0 });

    const tree = (await app.inject({ url: `/api/v1/referral/tree/${world.customers.mei}`, headers: admin })).json();
    expect(tree).toMatchObject({ level1: 1, level2: 1, upline: null });
    expect(tree.children.map((n: { customerId: string; children: { customerId: string }[] }) => [n.customerId, n.children.map((c) => c.customerId)])).toEqual([[ids.B, [ids.C]]]);
    const bTree = (await app.inject({ url: `/api/v1/referral/tree/${ids.B}`, headers: admin })).json();
    expect(bTree).toMatchObject({ level1: 1, level2: 0, upline: { customerId: world.customers.mei, name: '陈美' } });
    const timeline = await testDb().db.selectFrom('events').select('properties').where('tenant_id', '=', world.tenantId).where('type', '=', 'referral_attributed').where('customer_id', '=', ids.C).executeTakeFirstOrThrow();
    expect(timeline.properties).toMatchObject({ code: bCode, referrerCustomerId: ids.B });
  });

  it('refuses self-referral, cycles, a shared phone and a shared device, with the reason logged', async () => {
    await contact('mei-self', { state: `MEI${run}` }, { phone: world.phones.mei }, 3);
    const bCode = (await app.inject({ url: `/api/v1/referral/partners?customer=${ids.B}`, headers: admin })).json().items[0].codes[0] as string;
    await contact('mei-cycle', { state: bCode }, { phone: world.phones.mei }, 3);
    await contact('D', { state: `MEI${run}`, phone: world.phones.mei }, undefined, 3);
    await contact('E', { state: `MEI${run}`, deviceId: 'dev-B' }, undefined, 3);
    expect(await sweep()).toMatchObject({ accepted: 0, refused: 4 });
    const refusals = (await app.inject({ url: '/api/v1/referral/refusals', headers: admin })).json().items;
    expect(refusals.map((r: { reason: string }) => r.reason).sort()).toEqual(['cycle', 'same_device', 'same_phone', 'self_referral']);
    const direct = await app.inject({ method: 'POST', url: '/api/v1/referral/attributions', headers: admin, payload: { customer: world.customers.mei, code: `MEI${run}` } });
    expect([direct.statusCode, direct.json().error.code]).toEqual([422, 'self_referral']);
    const tree = (await app.inject({ url: `/api/v1/referral/tree/${world.customers.mei}`, headers: admin })).json();
    expect(tree).toMatchObject({ level1: 1, level2: 1 });
  });

  it('pays each level on the first order, claws back on refund, and settles the period', async () => {
    await order('B', 'b1', 20_000);
    await order('C', 'c1', 10_000);
    await order('C', 'c2', 5_000);
    expect(await sweep()).toMatchObject({ credited: 3, clawedBack: 0 });
    expect(await sweep()).toMatchObject({ credited: 0, clawedBack: 0 });
    // C's first order is refunded in full: B's commission and mei's level-2 commission come back.
    await order('C', 'c1', 10_000, 10_000);
    expect(await sweep()).toMatchObject({ clawedBack: 2 });

    const from = at(10);
    const to = new Date(Date.now() + day).toISOString();
    const items = (await app.inject({ url: `/api/v1/referral/settlement?from=${from}&to=${to}`, headers: admin })).json().items;
    const row = (customerId: string) => items.find((s: { customerId: string }) => s.customerId === customerId);
    expect(row(world.customers.mei)).toMatchObject({ referredLevel1: 1, referredLevel2: 1, orders: 1, gmvFen: 20_000, rewardLevel1Fen: 2_000, rewardLevel2Fen: 500, clawedBackFen: 500, payableFen: 2_000 });
    expect(row(ids.B ?? '')).toMatchObject({ referredLevel1: 1, referredLevel2: 0, orders: 1, gmvFen: 10_000, rewardLevel1Fen: 1_000, rewardLevel2Fen: 0, clawedBackFen: 1_000, payableFen: 0 });
    const csv = await app.inject({ url: `/api/v1/referral/settlement?from=${from}&to=${to}&format=csv`, headers: admin });
    expect(csv.body.split('\r\n')).toContain('陈美,customer,1,1,1,200.00,20.00,5.00,0,5.00,20.00');
    const backwards = await app.inject({ url: `/api/v1/referral/settlement?from=${to}&to=${from}`, headers: admin });
    expect(backwards.statusCode).toBe(400);
  });

  it('ranks superusers by own spend plus referred spend plus group activity', async () => {
    const items = (await app.inject({ url: '/api/v1/referral/superusers?limit=3', headers: admin })).json().items;
    // 陈美: own 18,390 (the world's orders) + B's 20,000; B: own 20,000 + C's 5,000 (c1 refunded).
    expect(items.slice(0, 2).map((s: { customerId: string; valueFen: number; ownSpentFen: number; level1SpentFen: number; level2SpentFen: number }) => [s.customerId, s.valueFen, s.ownSpentFen, s.level1SpentFen, s.level2SpentFen]))
      .toEqual([[world.customers.mei, 18_390 + 20_000 + 2_500, 18_390, 20_000, 5_000], [ids.B, 25_000, 20_000, 5_000, 0]]);
    expect(items).toHaveLength(3);
  });
  it('decides a chain made within one batch, and its cycle, in one sweep', async () => {
    await contact('X', { state: `MEI${run}` }, undefined, 2);
    ids.X = await customerOf('X');
    const xCode = (await app.inject({ method: 'POST', url: '/api/v1/referral/codes', headers: admin, payload: { customer: ids.X } })).json().code as string;
    // X's code is used before the sweep has attributed X: the sweep sees both in one batch.
    await contact('Y', { referralCode: xCode }, undefined, 2);
    ids.Y = await customerOf('Y');
    const yCode = (await app.inject({ method: 'POST', url: '/api/v1/referral/codes', headers: admin, payload: { customer: ids.Y } })).json().code as string;
    // 陈美 brought X who brought Y: 陈美 joining through Y's code would close a circle.
    await contact('mei-circle', { state: yCode }, { phone: world.phones.mei }, 2);
    expect(await sweep()).toMatchObject({ accepted: 2, refused: 1 });
    const yTree = (await app.inject({ url: `/api/v1/referral/tree/${ids.Y}`, headers: admin })).json();
    expect(yTree.upline).toMatchObject({ customerId: ids.X });
    const meiTree = (await app.inject({ url: `/api/v1/referral/tree/${world.customers.mei}`, headers: admin })).json();
    expect(meiTree).toMatchObject({ level1: 2, level2: 2 });
    const refusals = (await app.inject({ url: '/api/v1/referral/refusals', headers: admin })).json().items;
    expect(refusals.filter((r: { code: string }) => r.code === yCode).map((r: { customerId: string; reason: string }) => [r.customerId, r.reason])).toEqual([[world.customers.mei, 'cycle']]);
  });
});
