// SOP plans, templates, runs and the script library through the HTTP API: refusals name the field
// and the reason and change nothing; guides read and copy scripts but do not edit them, and see
// only their own customers' rankings.
import type { FastifyInstance } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.ts';
import { generateSopWork } from '../../src/core/sop/generate.service.ts';
import { buildWorld, type World } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';
import { api, bearer, keyFor } from './harness.ts';

let app: FastifyInstance;
let world: World;
let admin: Record<string, string>;
let guide: Record<string, string>;
let valueGroup: string;

const db = () => testDb().db;

beforeAll(async () => {
  app = await api();
  world = await buildWorld(db(), (await newTenant()).id);
  admin = bearer(await keyFor(world.tenantId, 'admin'));
  guide = bearer(await keyFor(world.tenantId, 'guide', world.staff.li));
  valueGroup = newId();
  await db().insertInto('customer_groups').values([
    { tenant_id: world.tenantId, id: valueGroup, chat_id: `wr-${valueGroup}`, name: '福田水果群', kind: 'value', owner_staff_id: world.staff.li, store_id: world.stores.futian },
    { tenant_id: world.tenantId, id: newId(), chat_id: `wr-${newId()}`, name: '福田 VIP 群', kind: 'vip', owner_staff_id: world.staff.li, store_id: world.stores.futian },
  ]).execute();
});

const post = (url: string, payload: Record<string, unknown>, headers = admin) => app.inject({ method: 'POST', url, headers, payload });
const get = (url: string, headers = admin) => app.inject({ url, headers });

describe('SOP plans API', () => {
  it('creates a plan with a coupon slot, refuses an overlapping one with the reason, and pauses', async () => {
    const coupon = await post('/api/v1/coupon-templates', { name: '周二会员日 5 元券', kind: 'amount', amountOffFen: 500, validDays: 1 });
    expect(coupon.statusCode, coupon.body).toBe(201);
    const created = await post('/api/v1/sop/plans', {
      name: '门店群日常', target: { kind: 'group_kind', groupKind: 'value' },
      slots: [
        { weekday: null, time: '08:30', title: '新品晒图', mode: 'task', content: { text: '今日新到：车厘子', images: ['https://img.example.com/cherry.jpg'] } },
        { weekday: 2, time: '10:00', title: '会员日领券', mode: 'auto', content: { text: '周二会员日，领券下单', couponTemplateId: coupon.json().id } },
      ],
    });
    expect(created.statusCode, created.body).toBe(201);
    const plan = created.json();
    expect(plan.slots.map((s: { time: string; durationMinutes: number; ownerStaffId: null }) => [s.time, s.durationMinutes, s.ownerStaffId])).toEqual([['08:30', 30, null], ['10:00', 30, null]]);

    const extra = {
      name: '福田加推', target: { kind: 'groups', groupIds: [valueGroup] },
      slots: [{ weekday: 2, time: '10:15', durationMinutes: 20, title: '周二加推', mode: 'task', content: { text: '加推' } }],
    };
    const overlap = await post('/api/v1/sop/plans', extra);
    expect(overlap.statusCode).toBe(409);
    expect(overlap.json().error.code).toBe('slot_overlap');
    expect(overlap.json().error.details[0]).toEqual({
      path: 'slots.0', message: 'overlaps 「门店群日常」 周二 10:00–10:30 会员日领券 for the same groups',
      code: 'overlaps_other_plan', params: { plan: '门店群日常', weekday: 2, start: '10:00', end: '10:30', title: '会员日领券' },
    });

    const badTime = await post('/api/v1/sop/plans', { name: 'x', target: { kind: 'group_kind', groupKind: 'vip' }, slots: [{ weekday: null, time: '23:45', durationMinutes: 30, title: '晚', mode: 'task', content: { text: 't' } }] });
    expect(badTime.statusCode).toBe(400);
    expect(badTime.json().error.details).toEqual([{ path: 'slots.0.durationMinutes', message: 'ends after midnight (23:45 + 30 min)', code: 'ends_after_midnight', params: { start: '23:45', minutes: 30 } }]);
    const badKind = await post('/api/v1/sop/plans', { name: 'x', target: { kind: 'group_kind', groupKind: 'party' }, slots: [] });
    expect(badKind.statusCode).toBe(400);
    expect(badKind.json().error.details[0].path).toMatch(/^body\.target/);
    const badCoupon = await post('/api/v1/sop/plans', { name: 'x', target: { kind: 'group_kind', groupKind: 'vip' }, slots: [{ weekday: null, time: '09:00', title: '券', mode: 'task', content: { text: 't', couponTemplateId: newId() } }] });
    expect(badCoupon.json().error.details).toEqual([{ path: 'slots.0.content.couponTemplateId', message: 'no such coupon template', code: 'unknown_coupon_template', params: {} }]);
    expect((await get('/api/v1/sop/plans')).json().items.map((p: { name: string }) => p.name)).toEqual(['门店群日常']);

    const paused = await post(`/api/v1/sop/plans/${plan.id}/status`, { status: 'paused' });
    expect(paused.json().status).toBe('paused');
    // With the plan paused, the Tuesday slot no longer blocks.
    expect((await post('/api/v1/sop/plans', extra)).statusCode).toBe(201);
    // Resuming it is now refused: the new plan holds 10:15 on Tuesdays.
    expect((await post(`/api/v1/sop/plans/${plan.id}/status`, { status: 'active' })).json().error.code).toBe('slot_overlap');

    // Changing a slot keeps its id.
    const kept = plan.slots[0];
    const put = await app.inject({ method: 'PUT', url: `/api/v1/sop/plans/${plan.id}`, headers: admin, payload: {
      name: '门店群日常', target: { kind: 'group_kind', groupKind: 'value' }, status: 'paused', slots: [{ ...kept, time: '08:00' }],
    } });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json().slots).toEqual([{ ...kept, time: '08:00' }]);

    expect((await get('/api/v1/sop/plans', guide)).statusCode).toBe(403);
    const picked = await get(`/api/v1/sop/groups?q=${encodeURIComponent('水果')}`);
    expect(picked.json().items).toEqual([{ id: valueGroup, name: '福田水果群', kind: 'value', ownerName: '李娜' }]);
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/sop/plans/${plan.id}`, headers: admin })).statusCode).toBe(204);
    expect((await get(`/api/v1/sop/plans/${plan.id}`)).statusCode).toBe(404);
  });

  it('lists, previews and applies templates; a taken name gets a suffix', async () => {
    const tenant = await newTenant();
    const w = await buildWorld(db(), tenant.id);
    const h = bearer(await keyFor(w.tenantId, 'operator'));
    const list = await get('/api/v1/sop/templates', h);
    expect(list.json().items.map((t: { key: string }) => t.key)).toEqual(['fruit-daily-rhythm', 'knowledge-expert', 'exclusive-advisor', 'interest-community', 'weekly-plan', 'eight-levers']);
    const preview = await get('/api/v1/sop/templates/eight-levers', h);
    expect(preview.json().slots).toHaveLength(8);
    expect((await get('/api/v1/sop/templates/nope', h)).statusCode).toBe(404);
    const a = await post('/api/v1/sop/templates/weekly-plan/apply', { status: 'paused' }, h);
    const b = await post('/api/v1/sop/templates/weekly-plan/apply', { status: 'paused' }, h);
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    expect([a.json().name, b.json().name]).toEqual(['日常群周规划 SOP', '日常群周规划 SOP (2)']);
    expect(a.json()).toMatchObject({ templateKey: 'weekly-plan', target: { kind: 'group_kind', groupKind: 'value' } });
  });

  it('shows generated runs', async () => {
    const tenant = await newTenant();
    const w = await buildWorld(db(), tenant.id);
    const h = bearer(await keyFor(w.tenantId, 'admin'));
    await db().insertInto('customer_groups').values({ tenant_id: tenant.id, id: newId(), chat_id: 'wr-runs', name: '南山群', kind: 'interest', owner_staff_id: w.staff.zhao, store_id: w.stores.nanshan }).execute();
    await post('/api/v1/sop/templates/interest-community/apply', {}, h);
    // 2026-12-01T04:30Z is 12:30 in Shanghai: the daily 12:30 outfit post.
    await generateSopWork(db(), tenant.id, new Date('2026-12-01T04:30:00Z'), { channel: undefined });
    const runs = await get('/api/v1/sop/runs?from=2026-12-01&to=2026-12-01', h);
    expect(runs.statusCode, runs.body).toBe(200);
    expect(runs.json().items.map((r: { slotTitle: string; groupName: string; staffName: string }) => [r.slotTitle, r.groupName, r.staffName])).toEqual([['今日穿搭灵感', '南山群', '赵敏']]);
    expect((await get('/api/v1/sop/runs?from=2026-12-01', h)).json().error.details[0].path).toBe('query.to');
  });
});

describe('script library API', () => {
  it('ranks scripts by the customer\'s tags, counts copies per guide, and lets only operators edit', async () => {
    const group = newId();
    const [acne, dry] = [newId(), newId()];
    await db().insertInto('tag_groups').values({ tenant_id: world.tenantId, id: group, name: '肤质密码本' }).execute();
    await db().insertInto('tags').values([
      { tenant_id: world.tenantId, id: acne, group_id: group, name: '痘痘困扰', code: '3' },
      { tenant_id: world.tenantId, id: dry, group_id: group, name: '干皮', code: 'B' },
    ]).execute();
    await db().insertInto('customer_tags').values({ tenant_id: world.tenantId, customer_id: world.customers.mei, tag_id: acne, source: 'form' }).execute();

    const general = await post('/api/v1/scripts', { title: '新客欢迎', scenario: '新客欢迎', body: '你好呀，我是你的专属顾问～' });
    const forAcne = await post('/api/v1/scripts', { title: '痘痘肌护理建议', scenario: '售前咨询', body: '痘痘肌先做好清洁和控油，推荐试试…', tagIds: [acne] });
    const forDry = await post('/api/v1/scripts', { title: '干皮保湿', scenario: '售前咨询', body: '干皮重点在补水锁水…', tagIds: [dry] });
    expect([general.statusCode, forAcne.statusCode, forDry.statusCode]).toEqual([201, 201, 201]);
    expect(forAcne.json().tags).toEqual([{ id: acne, name: '痘痘困扰' }]);
    const badTag = await post('/api/v1/scripts', { title: 'x', scenario: '售后', body: 'x', tagIds: [newId()] });
    expect(badTag.json().error.details).toEqual([{ path: 'tagIds.0', message: 'no such tag', code: 'unknown_tag', params: {} }]);
    expect((await post('/api/v1/scripts', { title: 'x', scenario: '售后', body: 'x' }, guide)).statusCode).toBe(403);

    // 陈美 (li's customer) has the acne tag: that script first, then the general one, then the dry-skin one.
    const ranked = await get(`/api/v1/scripts?customerId=${world.customers.mei}`, guide);
    expect(ranked.statusCode, ranked.body).toBe(200);
    expect(ranked.json().items.map((s: { title: string; matchedTags: number }) => [s.title, s.matchedTags])).toEqual([['痘痘肌护理建议', 1], ['新客欢迎', 0], ['干皮保湿', 0]]);
    expect(ranked.json().scenarios).toContain('复购提醒');
    // 张磊 is wang's customer: li may not ask about him.
    expect((await get(`/api/v1/scripts?customerId=${world.customers.lei}`, guide)).statusCode).toBe(404);

    const id = forAcne.json().id;
    expect((await post(`/api/v1/scripts/${id}/used`, {}, guide)).json()).toEqual({ useCount: 1, usedByMe: 1 });
    expect((await post(`/api/v1/scripts/${id}/used`, {}, guide)).json()).toEqual({ useCount: 2, usedByMe: 2 });
    expect((await post(`/api/v1/scripts/${id}/used`, {}, admin)).json()).toEqual({ useCount: 3, usedByMe: 1 });
    const usage = (await get('/api/v1/scripts/usage')).json().items;
    expect(usage.map((u: { staffName: string | null; uses: number }) => [u.staffName, u.uses])).toEqual([['李娜', 2], [null, 1]]);

    expect((await get('/api/v1/scripts?q=保湿', guide)).json().items.map((s: { title: string }) => s.title)).toEqual(['干皮保湿']);
    expect((await get('/api/v1/scripts?scenario=售前咨询', guide)).json().items).toHaveLength(2);
    expect((await get(`/api/v1/scripts?tagId=${dry}`, guide)).json().items.map((s: { title: string }) => s.title)).toEqual(['干皮保湿']);
    // Without a customer, the most copied first.
    expect((await get('/api/v1/scripts', guide)).json().items[0].title).toBe('新客欢迎');

    const changed = await app.inject({ method: 'PUT', url: `/api/v1/scripts/${id}`, headers: admin, payload: { title: '痘痘肌护理', scenario: '售前咨询', body: '新版', tagIds: [acne, dry] } });
    expect(changed.json()).toMatchObject({ title: '痘痘肌护理', useCount: 3 });
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/scripts/${id}`, headers: admin })).statusCode).toBe(204);
    expect((await post(`/api/v1/scripts/${id}/used`, {}, guide)).statusCode).toBe(404);
  });
});
