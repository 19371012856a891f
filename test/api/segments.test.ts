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

const women = { field: 'gender', op: 'eq', value: 'female' };

beforeAll(async () => {
  app = await api();
  const tenant = await newTenant();
  world = await buildWorld(testDb().db, tenant.id);
  admin = bearer(await keyFor(tenant.id, 'admin'));
  operator = bearer(await keyFor(tenant.id, 'operator'));
  guideLi = bearer(await keyFor(tenant.id, 'guide', world.staff.li));
  otherAdmin = bearer(await keyFor((await newTenant()).id, 'admin'));
});

describe('segments over HTTP', () => {
  it('previews a count and a sample without saving', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/segments/preview', headers: operator, payload: { definition: { all: [women, { field: 'store_id', op: 'eq', value: world.stores.futian }] } } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ count: 1, sample: [{ id: world.customers.mei, name: '陈美' }] });
    expect((await app.inject({ url: '/api/v1/segments', headers: operator })).json().items).toEqual([]);
  });

  it('refuses a bad definition with 400 naming the path', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/segments', headers: operator, payload: {
      name: '坏的', definition: { all: [women, { field: 'city', op: 'eq', value: '深圳' }, { field: 'order_count', op: 'within_days', value: 3 }] },
    } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual([{ path: 'definition.all[2].op', message: expect.stringContaining('not an operator'), code: 'bad_operator', params: { op: 'within_days' } }]);
    const tag = await app.inject({ method: 'POST', url: '/api/v1/segments/preview', headers: operator, payload: { definition: { field: 'tags', op: 'has_any', value: [world.stores.futian] } } });
    expect(tag.statusCode).toBe(400);
    expect(tag.json().error.details[0].path).toBe('definition.value[0]');
    expect(tag.json().error.details[0]).toMatchObject({ code: 'unknown_tag' });
    // a bound out of range comes back with zod's code and the bound, for the console to word
    const negative = await app.inject({ method: 'POST', url: '/api/v1/segments/preview', headers: operator, payload: { definition: { field: 'order_count', op: 'gte', value: -1 } } });
    expect(negative.statusCode).toBe(400);
    expect(negative.json().error.details).toEqual([{ path: 'definition.value', message: expect.any(String), code: 'too_small', params: { origin: 'number', minimum: 0, inclusive: 'true' } }]);
  });

  it('creates, lists with counts, changes with a version bump, and archives', async () => {
    const created = await app.inject({ method: 'POST', url: '/api/v1/segments', headers: operator, payload: { name: '女性顾客', definition: women } });
    expect(created.statusCode).toBe(201);
    const seg = created.json();
    expect(seg).toMatchObject({ name: '女性顾客', version: 1, size: 2, status: 'active' });
    expect((await app.inject({ method: 'POST', url: '/api/v1/segments', headers: operator, payload: { name: '女性顾客', definition: women } })).statusCode).toBe(409);

    const list = (await app.inject({ url: '/api/v1/segments', headers: admin })).json();
    expect(list.items.map((s: { name: string; size: number }) => [s.name, s.size])).toEqual([['女性顾客', 2]]);

    const members = (await app.inject({ url: `/api/v1/segments/${seg.id}/members`, headers: admin })).json();
    expect(members.items.map((c: { id: string }) => c.id).sort()).toEqual([world.customers.mei, world.customers.fang].sort());
    expect(members.total).toBe(2);
    const filtered = (await app.inject({ url: `/api/v1/customers?segmentId=${seg.id}`, headers: admin })).json();
    expect(filtered.total).toBe(2);

    // a rename alone keeps the version; a new definition bumps it and keeps the old one
    const renamed = (await app.inject({ method: 'PATCH', url: `/api/v1/segments/${seg.id}`, headers: operator, payload: { name: '女性' } })).json();
    expect(renamed).toMatchObject({ name: '女性', version: 1 });
    const redefined = await app.inject({ method: 'PATCH', url: `/api/v1/segments/${seg.id}`, headers: operator, payload: { definition: { all: [women, { field: 'store_id', op: 'eq', value: world.stores.nanshan }] } } });
    expect(redefined.statusCode).toBe(200);
    expect(redefined.json()).toMatchObject({ version: 2, size: 1 });
    const versions = (await app.inject({ url: `/api/v1/segments/${seg.id}/versions`, headers: admin })).json().items;
    expect(versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(versions[1].definition).toEqual(women);
    const badPatch = await app.inject({ method: 'PATCH', url: `/api/v1/segments/${seg.id}`, headers: operator, payload: { definition: { not: { field: 'segment', op: 'in', value: seg.id } } } });
    expect(badPatch.statusCode).toBe(400);
    expect(badPatch.json().error.details[0]).toMatchObject({ path: 'definition.not.value' });

    const sizes = (await app.inject({ url: `/api/v1/segments/${seg.id}/sizes`, headers: admin })).json().items;
    expect(sizes.at(-1).size).toBe(1);
    const recompute = await app.inject({ method: 'POST', url: `/api/v1/segments/${seg.id}/recompute`, headers: operator });
    expect(recompute.json()).toEqual({ segmentId: seg.id, entered: 0, exited: 0 });

    // the customer's timeline shows the entry and the exit
    const timeline = await testDb().db.selectFrom('events').select(['type']).where('tenant_id', '=', world.tenantId).where('customer_id', '=', world.customers.mei)
      .where('type', 'in', ['segment_entered', 'segment_exited']).orderBy('id').execute();
    expect(timeline.map((e) => e.type)).toEqual(['segment_entered', 'segment_exited']);

    expect((await app.inject({ method: 'DELETE', url: `/api/v1/segments/${seg.id}`, headers: operator })).statusCode).toBe(204);
    expect((await app.inject({ url: '/api/v1/segments', headers: admin })).json().items).toEqual([]);
    expect((await app.inject({ url: `/api/v1/segments/${seg.id}`, headers: admin })).json()).toMatchObject({ status: 'archived', size: 0 });
  });

  it('refuses archiving a segment another one uses', async () => {
    const base = (await app.inject({ method: 'POST', url: '/api/v1/segments', headers: operator, payload: { name: '基础', definition: women } })).json();
    await app.inject({ method: 'POST', url: '/api/v1/segments', headers: operator, payload: { name: '引用', definition: { field: 'segment', op: 'in', value: base.id } } });
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/segments/${base.id}`, headers: operator })).statusCode).toBe(409);
  });

  it('keeps guides out (403) and other tenants blind (404)', async () => {
    const seg = (await app.inject({ method: 'POST', url: '/api/v1/segments', headers: admin, payload: { name: '深圳', definition: { field: 'city', op: 'eq', value: '深圳' } } })).json();
    expect((await app.inject({ url: '/api/v1/segments', headers: guideLi })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: '/api/v1/segments/preview', headers: guideLi, payload: { definition: women } })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: '/api/v1/segments', headers: guideLi, payload: { name: 'x', definition: women } })).statusCode).toBe(403);
    expect((await app.inject({ url: `/api/v1/segments/${seg.id}`, headers: otherAdmin })).statusCode).toBe(404);
    expect((await app.inject({ url: `/api/v1/segments/${seg.id}/members`, headers: otherAdmin })).statusCode).toBe(404);
    expect((await app.inject({ method: 'PATCH', url: `/api/v1/segments/${seg.id}`, headers: otherAdmin, payload: { name: 'y' } })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: `/api/v1/segments/${seg.id}/recompute`, headers: otherAdmin })).statusCode).toBe(404);
    // another tenant cannot refer to it either
    const ref = await app.inject({ method: 'POST', url: '/api/v1/segments/preview', headers: otherAdmin, payload: { definition: { field: 'segment', op: 'in', value: seg.id } } });
    expect(ref.statusCode).toBe(400);
  });
});
