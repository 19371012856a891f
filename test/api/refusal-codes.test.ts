// The refusals the console words itself carry a code and the values its sentence needs, in the
// details (where a form puts them under the field) as well as in the error code: points and
// rewards, the member-day range, coupon issuing, 拼团 and 拼单, and the channel settings checked by
// refinements (the WeCom EncodingAESKey, the SMS body template). Nothing is changed by a refusal.
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
const db = () => testDb().db;

beforeAll(async () => {
  app = await api();
  world = await buildWorld(db(), (await newTenant()).id);
  admin = bearer(await keyFor(world.tenantId, 'admin'));
});

const post = (url: string, payload: Record<string, unknown>) => app.inject({ method: 'POST', url, headers: admin, payload });
const detailsOf = (res: { json: () => { error: { details: unknown[] } } }) => res.json().error.details;

describe('points and rewards', () => {
  it('refuses taking more points than the balance, with the balance and what was asked, and books nothing', async () => {
    const url = `/api/v1/membership/members/${world.customers.mei}/adjust`;
    expect((await post(url, { points: 30, reason: '补录', requestKey: 'rc-1' })).statusCode).toBe(200);
    const res = await post(url, { points: -50, reason: '误发', requestKey: 'rc-2' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('insufficient_points');
    expect(detailsOf(res)).toEqual([{ path: 'body.points', message: expect.stringMatching(/balance is 30/), code: 'insufficient_points', params: { balance: 30, asked: 50 } }]);
    const entries = await sql<{ n: number }>`select count(*)::int as n from points_ledger where tenant_id = ${world.tenantId} and customer_id = ${world.customers.mei}`.execute(db());
    expect(entries.rows[0]?.n).toBe(1);
  });

  it('refuses an adjustment without a reason or of zero points, naming the field', async () => {
    const url = `/api/v1/membership/members/${world.customers.lei}/adjust`;
    const noReason = await post(url, { points: 5, reason: '  ', requestKey: 'rc-3' });
    expect(noReason.statusCode).toBe(400);
    expect(detailsOf(noReason)).toEqual([expect.objectContaining({ path: 'body.reason', code: 'reason_needed' })]);
    const zero = await post(url, { points: 0, reason: '试试', requestKey: 'rc-4' });
    expect(zero.statusCode).toBe(400);
    expect(detailsOf(zero)).toEqual([expect.objectContaining({ path: 'body.points', code: 'points_not_whole' })]);
  });

  it('refuses a coupon reward without its coupon, goods with one, and a change of kind', async () => {
    const noCoupon = await post('/api/v1/membership/rewards', { name: '5元券', kind: 'coupon', pointsPrice: 10 });
    expect(noCoupon.statusCode).toBe(400);
    expect(detailsOf(noCoupon)).toEqual([expect.objectContaining({ path: 'body.couponTemplateId', code: 'coupon_template_needed' })]);
    const goodsWithCoupon = await post('/api/v1/membership/rewards', { name: '帆布袋', kind: 'goods', pointsPrice: 10, couponTemplateId: newId() });
    expect(detailsOf(goodsWithCoupon)).toEqual([expect.objectContaining({ path: 'body.couponTemplateId', code: 'goods_no_coupon' })]);
    const created = await post('/api/v1/membership/rewards', { name: '帆布袋', kind: 'goods', pointsPrice: 10, stock: 5 });
    expect(created.statusCode, created.body).toBe(201);
    const template = await post('/api/v1/coupon-templates', { name: '换购券', kind: 'amount', amountOffFen: 500, validDays: 30 });
    const changed = await app.inject({ method: 'PUT', url: `/api/v1/membership/rewards/${created.json().id as string}`, headers: admin,
      payload: { name: '帆布袋', kind: 'coupon', pointsPrice: 10, stock: 5, couponTemplateId: template.json().id } });
    expect(changed.statusCode).toBe(400);
    expect(detailsOf(changed)).toEqual([expect.objectContaining({ path: 'body.kind', code: 'kind_fixed' })]);
  });
});

describe('member-day range', () => {
  it('refuses a range that ends before it starts, or runs longer than two years', async () => {
    const reversed = await app.inject({ url: '/api/v1/membership/member-day/lift?from=2026-05-01&to=2026-04-01', headers: admin });
    expect(reversed.statusCode).toBe(400);
    expect(detailsOf(reversed)).toEqual([expect.objectContaining({ path: 'query.to', code: 'range_reversed', params: { from: '2026-05-01', to: '2026-04-01' } })]);
    const long = await app.inject({ url: '/api/v1/membership/member-day/lift?from=2020-01-01&to=2026-01-01', headers: admin });
    expect(long.statusCode).toBe(400);
    expect(detailsOf(long)).toEqual([expect.objectContaining({ path: 'query.to', code: 'range_too_long', params: { maximum: 731 } })]);
  });
});

describe('coupon issuing', () => {
  const template = async (body: Record<string, unknown>): Promise<string> => {
    const res = await post('/api/v1/coupon-templates', { validDays: 30, kind: 'amount', amountOffFen: 300, ...body });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  };

  it('refuses a paused template and a stock too small, with the template and the counts', async () => {
    const paused = await template({ name: '暂停券', status: 'paused' });
    const res = await post(`/api/v1/coupon-templates/${paused}/issue`, { customers: [world.customers.mei], requestKey: 'rc-5' });
    expect(res.statusCode).toBe(409);
    expect(detailsOf(res)).toEqual([expect.objectContaining({ code: 'template_not_active', params: { template: '暂停券', status: 'paused' } })]);
    const scarce = await template({ name: '限量券', totalStock: 1 });
    const short = await post(`/api/v1/coupon-templates/${scarce}/issue`, { customers: [world.customers.mei, world.customers.lei], requestKey: 'rc-6' });
    expect(short.statusCode).toBe(409);
    expect(detailsOf(short)).toEqual([expect.objectContaining({ code: 'stock_exhausted', params: { template: '限量券', left: 1, asked: 2 } })]);
    const unknown = await post(`/api/v1/coupon-templates/${scarce}/issue`, { customers: [newId()], requestKey: 'rc-7' });
    expect(detailsOf(unknown)).toEqual([expect.objectContaining({ path: 'body.customers.0', code: 'unknown_customer' })]);
  });

  it('refuses an issue job to a tag or segment that does not exist, and a request key reused for another target', async () => {
    const id = await template({ name: '群发券' });
    const noTag = await post(`/api/v1/coupon-templates/${id}/issue-jobs`, { targetKind: 'tag', targetId: newId(), requestKey: 'rc-8' });
    expect(noTag.statusCode).toBe(400);
    expect(detailsOf(noTag)).toEqual([expect.objectContaining({ path: 'body.targetId', code: 'unknown_tag' })]);
    const noSegment = await post(`/api/v1/coupon-templates/${id}/issue-jobs`, { targetKind: 'segment', targetId: newId(), requestKey: 'rc-9' });
    expect(detailsOf(noSegment)).toEqual([expect.objectContaining({ path: 'body.targetId', code: 'unknown_segment' })]);
  });
});

describe('拼团 and 拼单', () => {
  async function customers(n: number): Promise<string[]> {
    const ids = Array.from({ length: n }, () => newId());
    await db().insertInto('customers').values(ids.map((id, i) => ({ tenant_id: world.tenantId, id, name: `团员${i + 1}` }))).execute();
    return ids;
  }

  it('refuses a group price above the list price and an unknown leader, each under its field', async () => {
    const res = await post('/api/v1/group-buys', { leader: newId(), sku: 'D-1', itemName: '榴莲', priceFen: 20000, originalPriceFen: 15900, targetSize: 2, timeLimitMinutes: 60 });
    expect(res.statusCode).toBe(400);
    expect(detailsOf(res)).toEqual([
      expect.objectContaining({ path: 'body.priceFen', code: 'price_above_original', params: { originalPriceFen: 15900 } }),
      expect.objectContaining({ path: 'body.leader', code: 'unknown_customer' }),
    ]);
  });

  it('refuses a seat in a full group with its size, and a second join by the same customer', async () => {
    const [leader, one, two] = await customers(3);
    const opened = await post('/api/v1/group-buys', { leader, sku: 'D-2', itemName: '榴莲', priceFen: 9900, originalPriceFen: 15900, targetSize: 2, timeLimitMinutes: 60 });
    expect(opened.statusCode, opened.body).toBe(201);
    const token = opened.json().shareToken as string;
    const again = await post(`/api/v1/group-buys/shared/${token}/join`, { customer: leader, paid: true });
    expect(again.statusCode).toBe(409);
    expect(detailsOf(again)).toEqual([expect.objectContaining({ path: 'body.customer', code: 'already_joined' })]);
    expect((await post(`/api/v1/group-buys/shared/${token}/join`, { customer: one, paid: true })).statusCode).toBe(201);
    const full = await post(`/api/v1/group-buys/shared/${token}/join`, { customer: two, paid: true });
    expect(full.statusCode).toBe(409);
    expect(full.json().error.code).toBe('group_full');
    expect(detailsOf(full)).toEqual([expect.objectContaining({ code: 'group_full', params: { size: 2 } })]);
  });

  it('refuses paying an empty shared cart, or by someone other than its initiator', async () => {
    const [host, friend] = await customers(2);
    const cart = (await post('/api/v1/shared-carts', { initiator: host, storeId: world.stores.futian })).json();
    const empty = await post(`/api/v1/shared-carts/${cart.shareToken}/checkout`, { customer: host });
    expect(empty.statusCode).toBe(409);
    expect(detailsOf(empty)).toEqual([expect.objectContaining({ code: 'cart_empty' })]);
    const notHost = await post(`/api/v1/shared-carts/${cart.shareToken}/checkout`, { customer: friend });
    expect(detailsOf(notHost)).toEqual([expect.objectContaining({ path: 'body.customer', code: 'not_initiator' })]);
    const noStore = await post('/api/v1/shared-carts', { initiator: host, storeId: newId() });
    expect(detailsOf(noStore)).toEqual([expect.objectContaining({ path: 'body.storeId', code: 'unknown_store' })]);
  });
});

describe('channel settings checked by refinements', () => {
  it('codes a WeCom key of the wrong characters and an SMS template without its placeholders', async () => {
    const key = `${'a'.repeat(42)}=`;
    const wecom = await app.inject({ method: 'PUT', url: '/api/v1/channels/wecom', headers: admin, payload: { corpId: 'ww1436e0e65a779aee', agentId: '1000002', secret: 's', token: 'tok', encodingAesKey: key } });
    expect(wecom.statusCode).toBe(400);
    expect(detailsOf(wecom)).toContainEqual(expect.objectContaining({ path: 'body.encodingAesKey', code: 'aes_key_charset' }));
    const sms = await app.inject({ method: 'PUT', url: '/api/v1/channels/sms', headers: admin, payload: { url: 'https://sms.example.com/send', bodyTemplate: '{"content":"{sign}"}' } });
    expect(sms.statusCode).toBe(400);
    expect(detailsOf(sms)).toEqual([
      expect.objectContaining({ path: 'body.bodyTemplate', code: 'template_needs_placeholder', params: { placeholder: '{phone}' } }),
      expect.objectContaining({ path: 'body.bodyTemplate', code: 'template_needs_placeholder', params: { placeholder: '{text}' } }),
    ]);
    const configured = await sql<{ n: number }>`select count(*)::int as n from channel_settings where tenant_id = ${world.tenantId}`.execute(db());
    expect(configured.rows[0]?.n).toBe(0);
  });
});
