import { beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { newId } from '../../src/core/ids.ts';
import { newTenant, testDb } from '../helpers.ts';
import { buildWorld, type World } from '../fixtures.ts';
import { api, bearer, keyFor } from './harness.ts';

let app: FastifyInstance;
let world: World;
let operator: Record<string, string>;
let guideLi: Record<string, string>;
let otherAdmin: Record<string, string>;

beforeAll(async () => {
  app = await api();
  const tenant = await newTenant();
  world = await buildWorld(testDb().db, tenant.id);
  operator = bearer(await keyFor(tenant.id, 'operator'));
  guideLi = bearer(await keyFor(tenant.id, 'guide', world.staff.li));
  otherAdmin = bearer(await keyFor((await newTenant()).id, 'admin'));
});

describe('groups over HTTP', () => {
  it('registers, lists by owner and kind, changes, refuses bad input and dissolves', async () => {
    const created = await app.inject({ method: 'POST', url: '/api/v1/groups', headers: operator, payload: { name: '福田鲜果群', kind: 'value', purpose: '新品与秒杀', ownerStaffId: world.staff.li, capacity: 300 } });
    expect(created.statusCode).toBe(201);
    const group = created.json();
    expect(group).toMatchObject({ name: '福田鲜果群', kind: 'value', capacity: 300, members: 0, owner: { id: world.staff.li, name: '李娜' }, store: { id: world.stores.futian }, health: null, status: 'active' });
    expect(group.chatId).toBe(`pending:${group.id}`);
    const other = (await app.inject({ method: 'POST', url: '/api/v1/groups', headers: operator, payload: { name: '南山团购群', kind: 'group_buy', ownerStaffId: world.staff.zhao } })).json();

    const big = await app.inject({ method: 'POST', url: '/api/v1/groups', headers: operator, payload: { name: '超大群', kind: 'value', capacity: 800 } });
    expect(big.statusCode).toBe(400);
    expect(big.json().error.details[0].path).toBe('body.capacity');
    const noOwner = await app.inject({ method: 'POST', url: '/api/v1/groups', headers: operator, payload: { name: '无主群', kind: 'value', ownerStaffId: newId() } });
    expect(noOwner.statusCode).toBe(400);
    expect(noOwner.json().error.details).toEqual([{ path: 'ownerStaffId', message: 'no such staff member', code: 'unknown_staff', params: {} }]);

    const mine = (await app.inject({ url: '/api/v1/groups', headers: guideLi })).json();
    expect(mine.items.map((g: { id: string }) => g.id)).toEqual([group.id]);
    expect((await app.inject({ url: `/api/v1/groups/${other.id}`, headers: guideLi })).statusCode).toBe(404);
    expect((await app.inject({ url: `/api/v1/groups/${group.id}`, headers: otherAdmin })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: '/api/v1/groups', headers: guideLi, payload: { name: 'x', kind: 'value' } })).statusCode).toBe(403);
    const groupBuys = (await app.inject({ url: '/api/v1/groups?kind=group_buy', headers: operator })).json();
    expect(groupBuys.items.map((g: { name: string }) => g.name)).toEqual(['南山团购群']);

    await testDb().db.insertInto('group_members').values([world.customers.mei, world.customers.lei, world.customers.fang].map((c) => ({
      tenant_id: world.tenantId, group_id: group.id, customer_id: c, joined_at: '2026-05-01T00:00:00Z',
    }))).execute();
    const tooSmall = await app.inject({ method: 'PATCH', url: `/api/v1/groups/${group.id}`, headers: operator, payload: { capacity: 2 } });
    expect(tooSmall.statusCode).toBe(400);
    expect(tooSmall.json().error.details).toEqual([{ path: 'capacity', message: 'the group already has 3 members', code: 'capacity_below_members', params: { members: 3 } }]);
    const bound = await app.inject({ method: 'PATCH', url: `/api/v1/groups/${group.id}`, headers: operator, payload: { chatId: 'wrFUTIAN001', purpose: '每日鲜果' } });
    expect(bound.json()).toMatchObject({ chatId: 'wrFUTIAN001', purpose: '每日鲜果', members: 3 });
    const clash = await app.inject({ method: 'PATCH', url: `/api/v1/groups/${other.id}`, headers: operator, payload: { chatId: 'wrFUTIAN001' } });
    expect(clash.statusCode).toBe(409);

    const members = (await app.inject({ url: `/api/v1/groups/${group.id}/members`, headers: guideLi })).json();
    expect(members.total).toBe(3);
    const dissolved = (await app.inject({ method: 'PATCH', url: `/api/v1/groups/${other.id}`, headers: operator, payload: { status: 'dissolved' } })).json();
    expect(dissolved.status).toBe('dissolved');
    expect(dissolved.dissolvedAt).not.toBeNull();
    const active = (await app.inject({ url: '/api/v1/groups?status=active', headers: operator })).json();
    expect(active.total).toBe(1);

    // a group is judged on its last complete week: one created today has none yet
    await testDb().db.updateTable('customer_groups').set({ created_at: new Date(Date.now() - 30 * 86_400_000) }).where('tenant_id', '=', world.tenantId).execute();
    const recompute = await app.inject({ method: 'POST', url: '/api/v1/groups/health/recompute', headers: operator, payload: { weeks: 4 } });
    expect(recompute.statusCode).toBe(200);
    expect(recompute.json()).toMatchObject({ groups: 2, weeks: 4, classified: 1 });
    const detail = (await app.inject({ url: `/api/v1/groups/${group.id}`, headers: operator })).json();
    expect(detail.weeks.at(-1)).toMatchObject({ members: 3, messages: 0 });
    expect(detail.health).toMatchObject({ class: 'dead', actions: ['revive'] });
  });

  it('refuses an invalid, catastrophically slow or over-long regex with the reason, and keeps good rules', async () => {
    const post = (payload: Record<string, unknown>) => app.inject({ method: 'POST', url: '/api/v1/group-rules', headers: operator, payload });
    const base = { name: '退款', kind: 'auto_reply', match: 'regex', action: 'reply', replyTemplate: '请私信店长' };
    for (const [pattern, reason, code] of [['(退款', /not a valid regular expression/, 'invalid_regex'], ['(a+)+$', /exponential/, 'slow_regex'], ['a'.repeat(201), /at most 200/, 'too_long']] as const) {
      const res = await post({ ...base, pattern });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.details[0]).toMatchObject({ path: 'pattern', message: expect.stringMatching(reason), code });
    }
    const wrongAction = await post({ name: '广告', kind: 'banned_word', match: 'keyword', pattern: '代购', action: 'reply' });
    expect(wrongAction.statusCode).toBe(400);
    expect(wrongAction.json().error.details[0].path).toBe('action');
    const noReply = await post({ ...base, pattern: '^退款', replyTemplate: '' });
    expect(noReply.json().error.details[0].path).toBe('replyTemplate');
    expect((await app.inject({ url: '/api/v1/group-rules', headers: operator })).json().items).toEqual([]);

    const good = await post({ ...base, pattern: '^(退款|退货)' });
    expect(good.statusCode).toBe(201);
    const rule = good.json();
    const badPatch = await app.inject({ method: 'PATCH', url: `/api/v1/group-rules/${rule.id}`, headers: operator, payload: { pattern: '([a-z]*)*' } });
    expect(badPatch.statusCode).toBe(400);
    const off = await app.inject({ method: 'PATCH', url: `/api/v1/group-rules/${rule.id}`, headers: operator, payload: { active: false } });
    expect(off.json()).toMatchObject({ active: false, pattern: '^(退款|退货)' });
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/group-rules/${rule.id}`, headers: operator })).statusCode).toBe(204);
    expect((await app.inject({ url: '/api/v1/group-rules', headers: guideLi })).statusCode).toBe(403);
  });

  it('refuses an invite rule naming neither a tag nor a segment', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/group-invite-rules', headers: operator, payload: { name: '无人群', kind: 'value' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0]).toEqual({ path: 'tagId', message: 'name either a tag or a segment', code: 'tag_or_segment', params: {} });
    const unknown = await app.inject({ method: 'POST', url: '/api/v1/group-invite-rules', headers: operator, payload: { name: '未知', kind: 'value', segmentId: newId() } });
    expect(unknown.json().error.details[0]).toEqual({ path: 'segmentId', message: 'no such segment', code: 'unknown_segment', params: {} });
    expect((await app.inject({ url: '/api/v1/group-invite-rules', headers: operator })).json().items).toEqual([]);
  });
});
