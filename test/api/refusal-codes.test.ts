// The refusals the console words itself carry a code and the values its sentence needs, in the
// details (where a form puts them under the field) as well as in the error code: points and
// rewards, the member-day range, coupon issuing, 拼团 and 拼单, and the channel settings checked by
// refinements (the WeCom EncodingAESKey, the SMS body template). Nothing is changed by a refusal.
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.ts';
import { runScoring } from '../../src/core/scores/scores.service.ts';
import { DEFAULT_SETTINGS as MESSAGING_DEFAULTS } from '../../src/core/messaging/settings.rules.ts';
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

// The refusals that still spoke English: each code from a real call, with the values its sentence
// needs, and nothing changed.
const get = (url: string) => app.inject({ url, headers: admin });
const put = (url: string, payload: Record<string, unknown>) => app.inject({ method: 'PUT', url, headers: admin, payload });
const firstDetail = (res: { json: () => { error: { details: unknown[] } } }) => res.json().error.details[0];

describe('accounts, the till, the workbench and a timeline', () => {
  it('refuses a guide account without a staff member, and an email taken', async () => {
    const guide = await post('/api/v1/users', { email: 'guide-rc@example.com', role: 'guide', password: 'pond-keeper-2026' });
    expect(guide.statusCode).toBe(400);
    expect(firstDetail(guide)).toMatchObject({ path: 'staffId', code: 'guide_needs_staff' });
    expect((await post('/api/v1/users', { email: 'twice-rc@example.com', role: 'operator', password: 'pond-keeper-2026' })).statusCode).toBe(201);
    const twice = await post('/api/v1/users', { email: 'Twice-RC@example.com', role: 'operator', password: 'pond-keeper-2026' });
    expect(twice.statusCode).toBe(409);
    expect(firstDetail(twice)).toMatchObject({ path: 'email', code: 'email_taken', params: { email: 'twice-rc@example.com' } });
  });

  it('asks the till for a phone or member number, the workbench for its staff member, the timeline for a real cursor', async () => {
    const till = await get('/api/v1/pos/prompt');
    expect(till.statusCode).toBe(400);
    expect(firstDetail(till)).toMatchObject({ path: 'query.phone', code: 'phone_or_member_no' });
    const blank = await get('/api/v1/pos/prompt?memberNo=%20%20');
    expect(blank.statusCode).toBe(400);
    expect(firstDetail(blank)).toMatchObject({ path: 'query.memberNo', code: 'too_small', params: { origin: 'string', minimum: 1 } });
    const bench = await get('/api/v1/workbench');
    expect(bench.statusCode).toBe(400);
    expect(firstDetail(bench)).toMatchObject({ path: 'query.staffId', code: 'staff_needed' });
    const cursor = await get(`/api/v1/customers/${world.customers.mei}/timeline?before=not-a-cursor`);
    expect(cursor.statusCode).toBe(400);
    expect(firstDetail(cursor)).toMatchObject({ path: 'before', code: 'page_cursor' });
  });
});

describe('date ranges of the reports', () => {
  it('refuses a dashboard range too long, an analytics range reversed or a date that is none, and a month range half given', async () => {
    const long = await get('/api/v1/dashboard/summary?from=2020-01-01&to=2026-01-01');
    expect(long.statusCode).toBe(400);
    expect(firstDetail(long)).toMatchObject({ path: 'query.from', code: 'range_too_long', params: { maximum: 1098 } });
    const reversed = await get('/api/v1/analytics/trends?from=2026-05-01&to=2026-04-01');
    expect(firstDetail(reversed)).toMatchObject({ code: 'range_reversed', params: { from: '2026-05-01', to: '2026-04-01' } });
    const bad = await get('/api/v1/analytics/trends?from=2026-02-30&to=2026-04-01');
    expect(firstDetail(bad)).toMatchObject({ path: 'query.from', code: 'date_format', params: { minimum: 2000, maximum: 2100 } });
    const half = await get('/api/v1/analytics/rfm/movement?from=2026-01');
    expect(half.statusCode).toBe(400);
    expect(firstDetail(half)).toMatchObject({ path: 'query.to', code: 'range_incomplete' });
    const month = await get('/api/v1/analytics/rfm/movement?from=2026-1&to=2026-02');
    expect(firstDetail(month)).toMatchObject({ path: 'query.from', code: 'month_format' });
  });
});

describe('scores', () => {
  it('codes the scoring settings checked across fields, and changes nothing', async () => {
    const settings = (await get('/api/v1/scoring/settings')).json();
    const res = await put('/api/v1/scoring/settings', { ...settings, lifecycle: { ...settings.lifecycle, newDays: settings.lifecycle.activeDays + 1 } });
    expect(res.statusCode).toBe(400);
    expect(detailsOf(res)).toEqual([expect.objectContaining({ path: 'body.lifecycle.newDays', code: 'days_above_active', params: { activeDays: settings.lifecycle.activeDays } })]);
    expect((await get('/api/v1/scoring/settings')).json()).toEqual(settings);
  });

  it('says why CLV was not fitted by a code with its counts', async () => {
    await runScoring(testDb(), world.tenantId, { trigger: 'manual', today: '2026-06-01' });
    const clv = (await get('/api/v1/analytics/clv')).json();
    expect(clv.model.reason).toMatch(/repeat purchase/);
    expect(clv.model.reasonWorded).toEqual({ code: 'too_few_repeaters', params: { repeaters: expect.any(Number), customers: expect.any(Number), minimum: 10 } });
  });
});

describe('questionnaires and tags', () => {
  it('refuses a codebook into a rule tag, an answer to a closed questionnaire, two names alike, a used tag deleted and a manual tag evaluated', async () => {
    const group = (await post('/api/v1/tag-groups', { name: '肤质-rc', exclusive: true })).json().id as string;
    const sameGroup = await post('/api/v1/tag-groups', { name: '肤质-rc' });
    expect(sameGroup.statusCode).toBe(409);
    expect(firstDetail(sameGroup)).toMatchObject({ path: 'name', code: 'name_taken', params: { name: '肤质-rc' } });
    const oily = (await post('/api/v1/tags', { groupId: group, name: '油皮' })).json().id as string;
    const dry = (await post('/api/v1/tags', { groupId: group, name: '干皮' })).json().id as string;
    const vip = await post('/api/v1/tags', { groupId: (await post('/api/v1/tag-groups', { name: '规则-rc' })).json().id, name: '油皮规则', kind: 'rule', rule: { hasTag: oily } });
    expect(vip.statusCode, vip.body).toBe(201);

    const both = await post(`/api/v1/customers/${world.customers.mei}/tags`, { tagIds: [oily, dry] });
    expect(both.statusCode).toBe(400);
    expect(firstDetail(both)).toMatchObject({ code: 'exclusive_clash', params: { first: '油皮', second: '干皮', group: '肤质-rc' } });
    const used = await app.inject({ method: 'DELETE', url: `/api/v1/tags/${oily}`, headers: admin });
    expect(used.statusCode).toBe(409);
    expect(firstDetail(used)).toMatchObject({ code: 'tag_in_rule', params: { tag: '油皮规则' } });
    const manual = await post(`/api/v1/tags/${dry}/evaluate`, {});
    expect(firstDetail(manual)).toMatchObject({ code: 'manual_not_evaluated', params: { tag: '干皮' } });

    const byRule = await post('/api/v1/forms', { name: '规则问卷', questions: [{ id: 'q', text: 'q', type: 'single', options: [{ code: 'A', label: 'a', tagId: vip.json().id }] }] });
    expect(byRule.statusCode).toBe(400);
    expect(firstDetail(byRule)).toMatchObject({ code: 'rule_tag_by_hand', params: { tag: '油皮规则' } });
    const closed = (await post('/api/v1/forms', { name: '已关闭问卷', status: 'closed', questions: [{ id: 'q', text: 'q', type: 'text' }] })).json().id as string;
    const late = await post(`/api/v1/forms/${closed}/submissions`, { id: 'rc-late-1', customer: { customerId: world.customers.mei }, answers: { q: '好' } });
    expect(late.statusCode).toBe(400);
    expect(firstDetail(late)).toMatchObject({ path: 'formId', code: 'form_not_published', params: { form: '已关闭问卷', status: 'closed' } });
    const submissions = await sql<{ n: number }>`select count(*)::int as n from form_submissions where tenant_id = ${world.tenantId}`.execute(db());
    expect(submissions.rows[0]?.n).toBe(0);
  });
});

describe('names and keys taken, segments in use, welcomes and channels', () => {
  it('codes a store code, a WeCom user id, a segment name and a template name taken', async () => {
    const store = await post('/api/v1/stores', { code: 'SZ-FT-01', name: '又一家福田店' });
    expect(store.statusCode).toBe(409);
    expect(firstDetail(store)).toMatchObject({ path: 'code', code: 'store_code_taken', params: { code: 'SZ-FT-01' } });
    const wecomUserId = (await get(`/api/v1/staff/${world.staff.li}`)).json().wecomUserId as string;
    const staff = await post('/api/v1/staff', { name: '李娜二号', wecomUserId });
    expect(staff.statusCode).toBe(409);
    expect(firstDetail(staff)).toMatchObject({ code: 'wecom_user_taken', params: { wecomUserId } });
    const women = { field: 'gender', op: 'eq', value: 'female' };
    const base = (await post('/api/v1/segments', { name: '女性-rc', definition: women })).json();
    expect(firstDetail(await post('/api/v1/segments', { name: '女性-rc', definition: women }))).toMatchObject({ path: 'name', code: 'name_taken' });
    await post('/api/v1/segments', { name: '引用-rc', definition: { field: 'segment', op: 'in', value: base.id } });
    const archived = await app.inject({ method: 'DELETE', url: `/api/v1/segments/${base.id as string}`, headers: admin });
    expect(archived.statusCode).toBe(409);
    expect(firstDetail(archived)).toMatchObject({ code: 'segment_in_use', params: { segments: '引用-rc' } });
    expect((await post('/api/v1/message-templates', { name: '到店-rc', content: { sandbox: { text: '你好' } } })).statusCode).toBe(201);
    const template = await post('/api/v1/message-templates', { name: '到店-rc', content: { sandbox: { text: '你好' } } });
    expect(firstDetail(template)).toMatchObject({ code: 'name_taken', params: { name: '到店-rc' } });
  });

  it('names the unknown variable of a welcome with those it may use, and words WeCom not set up by its code', async () => {
    const welcome = await put('/api/v1/group-welcomes', { groupKind: 'vip', text: '欢迎 {name}' });
    expect(welcome.statusCode).toBe(400);
    expect(firstDetail(welcome)).toMatchObject({ path: 'text', code: 'unknown_variable', params: { variable: '{name}', variables: expect.stringContaining('{nickname}') } });
    const sync = await post('/api/v1/channels/wecom/sync', {});
    expect(sync.statusCode).toBe(422);
    expect(sync.json().error).toMatchObject({ code: 'wecom_not_set_up', details: [] });
  });

  it('refuses a referral code for a customer and a partner at once, and an empty upload', async () => {
    const both = await post('/api/v1/referral/codes', { customer: world.customers.mei, partnerId: newId() });
    expect(both.statusCode).toBe(400);
    expect(firstDetail(both)).toMatchObject({ path: 'body', code: 'customer_or_partner' });
    const empty = await app.inject({ method: 'POST', url: '/api/v1/imports?kind=customers', headers: { ...admin, 'content-type': 'text/csv' }, payload: '' });
    expect(empty.statusCode).toBe(400);
    expect(firstDetail(empty)).toMatchObject({ path: 'body', code: 'file_empty' });
  });
});

describe('the diagnosis wizard', () => {
  it('codes every missing answer, the ones the orders cannot measure apart', async () => {
    const res = await post('/api/v1/diagnoses', { answers: { industry: 'fresh_food' } });
    expect(res.statusCode).toBe(422);
    const details = detailsOf(res) as { path: string; code: string }[];
    expect(details).toContainEqual(expect.objectContaining({ path: 'answers.expertise', code: 'answer_needed' }));
    for (const d of details) expect(d.code).toBe(d.path === 'answers.purchasesPerYear' || d.path === 'answers.averageTicketFen' || d.path === 'answers.repurchaseRate' ? 'not_measurable' : 'answer_needed');
  });
});

describe("a rule tag's rule and a questionnaire's answers", () => {
  it('codes a window of no days, an empty list, an unknown option and an empty answer', async () => {
    const group = (await post('/api/v1/tag-groups', { name: '规则问题-rc' })).json().id as string;
    const noDays = await post('/api/v1/tags', { groupId: group, name: '零天', kind: 'rule', rule: { metric: 'spent_fen', windowDays: 0, op: '>=', value: 1 } });
    expect(noDays.statusCode).toBe(400);
    expect(firstDetail(noDays)).toMatchObject({ path: 'rule.windowDays', code: 'day_count', params: { minimum: 1, maximum: 3650 } });
    const empty = await post('/api/v1/tags', { groupId: group, name: '空', kind: 'rule', rule: { any: [] } });
    expect(firstDetail(empty)).toMatchObject({ path: 'rule.any', code: 'rules_needed' });

    const form = (await post('/api/v1/forms', { name: '口味-rc', questions: [{ id: 'taste', text: '口味', type: 'single', options: [{ code: 'A', label: '甜' }, { code: 'B', label: '酸' }] }] })).json().id as string;
    const unknown = await post(`/api/v1/forms/${form}/submissions`, { id: 'rc-taste-1', customer: { customerId: world.customers.mei }, answers: { taste: 'Z' } });
    expect(unknown.statusCode).toBe(400);
    expect(firstDetail(unknown)).toMatchObject({ path: 'answers.taste', code: 'unknown_option', params: { code: 'Z', options: 'A, B' } });
    const none = await post(`/api/v1/forms/${form}/submissions`, { id: 'rc-taste-2', customer: { customerId: world.customers.mei }, answers: {} });
    expect(firstDetail(none)).toMatchObject({ path: 'answers', code: 'answers_needed' });
  });
});

describe('quiet hours, a mass send without an audience, a referral code that is none', () => {
  it('codes each, nothing changed', async () => {
    const quiet = await put('/api/v1/messaging/settings', { ...MESSAGING_DEFAULTS, quietHours: { ...MESSAGING_DEFAULTS.quietHours, start: '21:00', end: '21:00' } });
    expect(quiet.statusCode).toBe(400);
    expect(firstDetail(quiet)).toMatchObject({ path: 'quietHours.end', code: 'same_start_end' });
    expect((await get('/api/v1/messaging/settings')).json()).toEqual(MESSAGING_DEFAULTS);
    const noAudience = await post('/api/v1/mass-sends/dry-run', { audience: { include: { kind: 'tag', ids: [] } }, channel: 'sandbox', content: { text: '你好' } });
    expect(noAudience.statusCode).toBe(400);
    expect(detailsOf(noAudience)).toContainEqual(expect.objectContaining({ path: 'body.audience.include.ids', code: 'audience_needed' }));
    const noCode = await post('/api/v1/referral/attributions', { customer: world.customers.lei, code: 'NOSUCHCODE' });
    expect(noCode.statusCode).toBe(404);
    expect(firstDetail(noCode)).toMatchObject({ path: 'body.code', code: 'unknown_referral_code' });
  });
});

describe('refinements of request shapes', () => {
  it('codes a template without content and a user change that changes nothing', async () => {
    const empty = await post('/api/v1/message-templates', { name: '空模板-rc', content: {} });
    expect(empty.statusCode).toBe(400);
    expect(firstDetail(empty)).toMatchObject({ code: 'content_needed' });
    const user = (await post('/api/v1/users', { email: 'still-rc@example.com', role: 'operator', password: 'pond-keeper-2026' })).json().id as string;
    const nothing = await app.inject({ method: 'PATCH', url: `/api/v1/users/${user}`, headers: admin, payload: {} });
    expect(nothing.statusCode).toBe(400);
    expect(firstDetail(nothing)).toMatchObject({ code: 'nothing_to_change' });
  });
});

describe('a journey', () => {
  it("names the node whose condition is not valid by a code", async () => {
    const graph = {
      nodes: [
        { id: 'in', type: 'entry', trigger: { kind: 'event', eventType: 'coupon_viewed' } },
        { id: 'tagged', type: 'condition', definition: { field: 'tags', op: 'has_any', value: [newId()] } },
        { id: 'yes', type: 'exit' },
        { id: 'no', type: 'exit' },
      ],
      edges: [{ from: 'in', to: 'tagged' }, { from: 'tagged', port: 'yes', to: 'yes' }, { from: 'tagged', port: 'no', to: 'no' }],
    };
    const created = await post('/api/v1/journeys', { name: '条件-rc', graph });
    expect(created.statusCode, created.body).toBe(201);
    const published = await post(`/api/v1/journeys/${created.json().id as string}/publish`, {});
    expect(published.statusCode).toBe(400);
    expect(detailsOf(published)).toContainEqual(expect.objectContaining({ path: 'graph.nodes.tagged.definition', code: 'condition_invalid' }));
  });
});
