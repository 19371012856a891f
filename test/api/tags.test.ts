import { beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { newTenant, testDb } from '../helpers.ts';
import { buildWorld, type World } from '../fixtures.ts';
import { api, bearer, keyFor } from './harness.ts';

let app: FastifyInstance;
let world: World;
let admin: Record<string, string>;
let operator: Record<string, string>;
let guideLi: Record<string, string>;
let otherAdmin: Record<string, string>;
let groupId: string;

beforeAll(async () => {
  app = await api();
  const tenant = await newTenant();
  world = await buildWorld(testDb().db, tenant.id);
  admin = bearer(await keyFor(tenant.id, 'admin'));
  operator = bearer(await keyFor(tenant.id, 'operator'));
  guideLi = bearer(await keyFor(tenant.id, 'guide', world.staff.li));
  otherAdmin = bearer(await keyFor((await newTenant()).id, 'admin'));
  const group = await app.inject({ method: 'POST', url: '/api/v1/tag-groups', headers: operator, payload: { name: '价值' } });
  expect(group.statusCode).toBe(201);
  groupId = group.json().id;
});

async function newTag(payload: Record<string, unknown>): Promise<{ id: string; customerCount: number }> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/tags', headers: operator, payload: { groupId, ...payload } });
  expect(res.statusCode).toBe(201);
  return res.json();
}

const tagNamesOf = async (customerId: string, headers = admin): Promise<string[]> =>
  (await app.inject({ url: `/api/v1/customers/${customerId}/tags`, headers })).json().items.map((t: { name: string }) => t.name).sort();

describe('tag groups and tags over HTTP', () => {
  it('creates a rule tag that is evaluated at once, and lists it in its group', async () => {
    // 陈美 spent ¥183.90 in all: a ¥100 all-time rule holds for her alone
    const tag = await newTag({ name: '百元客', kind: 'rule', rule: { metric: 'spent_fen', op: '>=', value: 10_000 } });
    expect(tag.customerCount).toBe(1);
    expect(await tagNamesOf(world.customers.mei)).toEqual(['百元客']);
    const groups = (await app.inject({ url: '/api/v1/tag-groups', headers: guideLi })).json();
    expect(groups.items.find((g: { id: string }) => g.id === groupId).tags.map((t: { name: string; kind: string }) => [t.name, t.kind])).toContainEqual(['百元客', 'rule']);
  });

  it('refuses a bad rule naming its path, and unknown or foreign groups', async () => {
    const bad = await app.inject({
      method: 'POST', url: '/api/v1/tags', headers: operator,
      payload: { groupId, name: '坏规则', kind: 'rule', rule: { all: [{ lastOrderWithinDays: 30 }, { metric: 'spent_fen', op: '≥', value: 1 }] } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'invalid', message: 'rule.all[1].op: must be one of >=, >, <=, <, =' });
    const foreign = await app.inject({ method: 'POST', url: '/api/v1/tags', headers: otherAdmin, payload: { groupId, name: 'x' } });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().error.details).toEqual([{ path: 'groupId', message: 'no such tag group', code: 'unknown_tag_group', params: {} }]);
    const guide = await app.inject({ method: 'POST', url: '/api/v1/tags', headers: guideLi, payload: { groupId, name: 'x' } });
    expect(guide.statusCode).toBe(403);
  });

  it('evaluates a rule tag on demand; a manual tag cannot be evaluated; another tenant cannot touch it', async () => {
    const tag = await newTag({ name: '近期下单', kind: 'rule', rule: { lastOrderWithinDays: 3650 } });
    const res = await app.inject({ method: 'POST', url: `/api/v1/tags/${tag.id}/evaluate`, headers: operator });
    expect(res.statusCode).toBe(200);
    // already evaluated at creation: nothing changes now
    expect(res.json()).toEqual({ tagId: tag.id, added: 0, removed: 0 });
    expect(tag.customerCount).toBe(3); // 陈美, 张磊, 陈芳 ordered; 刘军 never did
    const manual = await newTag({ name: '手动' });
    expect((await app.inject({ method: 'POST', url: `/api/v1/tags/${manual.id}/evaluate`, headers: operator })).statusCode).toBe(400);
    expect((await app.inject({ method: 'POST', url: `/api/v1/tags/${tag.id}/evaluate`, headers: otherAdmin })).statusCode).toBe(404);
    expect((await app.inject({ method: 'PATCH', url: `/api/v1/tags/${tag.id}`, headers: otherAdmin, payload: { name: 'y' } })).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/tags/${manual.id}`, headers: otherAdmin })).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/tags/${manual.id}`, headers: operator })).statusCode).toBe(204);
  });
});

describe('tagging customers over HTTP', () => {
  it('a guide tags their own customer, not another guide\'s', async () => {
    const tag = await newTag({ name: '导购跟进' });
    const own = await app.inject({ method: 'POST', url: `/api/v1/customers/${world.customers.mei}/tags`, headers: guideLi, payload: { tagIds: [tag.id] } });
    expect(own.statusCode).toBe(200);
    expect(own.json().items.map((t: { name: string }) => t.name)).toContain('导购跟进');
    const others = await app.inject({ method: 'POST', url: `/api/v1/customers/${world.customers.lei}/tags`, headers: guideLi, payload: { tagIds: [tag.id] } });
    expect(others.statusCode).toBe(404);
    const off = await app.inject({ method: 'DELETE', url: `/api/v1/customers/${world.customers.mei}/tags/${tag.id}`, headers: guideLi });
    expect(off.statusCode).toBe(200);
    expect(off.json().items.map((t: { name: string }) => t.name)).not.toContain('导购跟进');
  });

  it('another tenant\'s tag id is unknown', async () => {
    const foreignGroup = (await app.inject({ method: 'POST', url: '/api/v1/tag-groups', headers: otherAdmin, payload: { name: '别家' } })).json();
    const foreign = (await app.inject({ method: 'POST', url: '/api/v1/tags', headers: otherAdmin, payload: { groupId: foreignGroup.id, name: '别家标签' } })).json();
    const res = await app.inject({ method: 'POST', url: `/api/v1/customers/${world.customers.mei}/tags`, headers: operator, payload: { tagIds: [foreign.id] } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual([{ path: 'tagIds[0]', message: 'no such tag', code: 'unknown_tag', params: {} }]);
  });

  it('bulk-tags a filtered list with matched and changed counts; a guide may not', async () => {
    const tag = await newTag({ name: '南山活动' });
    const body = { filter: { storeId: world.stores.nanshan }, add: [tag.id] };
    const res = await app.inject({ method: 'POST', url: '/api/v1/customers/tags/bulk', headers: operator, payload: body });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ matched: 2, changed: 2 });
    const again = await app.inject({ method: 'POST', url: '/api/v1/customers/tags/bulk', headers: operator, payload: body });
    expect(again.json()).toEqual({ matched: 2, changed: 0 });
    const listed = (await app.inject({ url: `/api/v1/customers?tagIds=${tag.id}`, headers: admin })).json();
    expect(listed.items.map((c: { name: string }) => c.name).sort()).toEqual(['刘军', '陈芳'].sort());
    const guide = await app.inject({ method: 'POST', url: '/api/v1/customers/tags/bulk', headers: guideLi, payload: body });
    expect(guide.statusCode).toBe(403);
    const unknownField = await app.inject({ method: 'POST', url: '/api/v1/customers/tags/bulk', headers: operator, payload: { filter: { city: '深圳' }, add: [tag.id] } });
    expect(unknownField.statusCode).toBe(400);
  });

  it('filters the customer list by spend and tags from the query string, naming bad values', async () => {
    const spenders = (await app.inject({ url: '/api/v1/customers?minSpentFen=6000&maxSpentFen=7000', headers: admin })).json();
    expect(spenders.items.map((c: { name: string }) => c.name).sort()).toEqual(['张磊', '陈芳'].sort());
    const bad = await app.inject({ url: `/api/v1/customers?anyTagIds=${groupId},nope`, headers: admin });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('query.anyTagIds.1');
    const days = await app.inject({ url: '/api/v1/customers?noOrderWithinDays=0', headers: admin });
    expect(days.statusCode).toBe(400);
    expect(days.json().error.details[0].path).toBe('query.noOrderWithinDays');
  });

  it('pre-tags phones; one that belongs to a customer is tagged at once', async () => {
    const tag = await newTag({ name: '老会员名单' });
    const res = await app.inject({ method: 'POST', url: '/api/v1/pre-tags', headers: operator, payload: { kind: 'phone', values: [world.phones.jun, '13512345678'], tagIds: [tag.id] } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ created: 2, applied: 1 });
    expect(await tagNamesOf(world.customers.jun)).toContain('老会员名单');
    const pending = (await app.inject({ url: `/api/v1/pre-tags?tagId=${tag.id}&pending=true`, headers: operator })).json();
    expect(pending.items.map((p: { value: string }) => p.value)).toEqual(['13512345678']);
    expect((await app.inject({ url: '/api/v1/pre-tags', headers: guideLi })).statusCode).toBe(403);
  });
});

describe('the API document', () => {
  it('describes the tag routes', async () => {
    const doc = (await app.inject({ url: '/api/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/tag-groups', '/api/v1/tags/{id}/evaluate', '/api/v1/customers/tags/bulk', '/api/v1/pre-tags']));
  });
});
