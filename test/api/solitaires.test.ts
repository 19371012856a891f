// 接龙 end to end on the real database: joining, changes, refusals, the last unit under concurrency,
// closing into real orders (once), the deadline sweep and pickup lists.
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.ts';
import { closeDueSolitaires } from '../../src/core/group-selling/solitaires.service.ts';
import { buildWorld, type World } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';
import { api, bearer, keyFor } from './harness.ts';

let app: FastifyInstance;
let world: World;
let admin: Record<string, string>;
let groupId: string;

const db = () => testDb().db;
const hour = 3_600_000;

beforeAll(async () => {
  app = await api();
  world = await buildWorld(db(), (await newTenant()).id);
  admin = bearer(await keyFor(world.tenantId, 'admin'));
  groupId = newId();
  await db().insertInto('customer_groups').values({ tenant_id: world.tenantId, id: groupId, chat_id: `wr${groupId}`, name: '南山水果群', owner_staff_id: world.staff.zhao, store_id: world.stores.nanshan }).execute();
});

async function members(n: number, prefix = '群友'): Promise<string[]> {
  const ids = Array.from({ length: n }, () => newId());
  await db().insertInto('customers').values(ids.map((id, i) => ({ tenant_id: world.tenantId, id, name: `${prefix}${i + 1}` }))).execute();
  await db().insertInto('group_members').values(ids.map((id) => ({ tenant_id: world.tenantId, group_id: groupId, customer_id: id, joined_at: new Date() }))).execute();
  return ids;
}

async function post(body: Record<string, unknown> = {}, headers = admin): Promise<string> {
  const res = await app.inject({
    method: 'POST', url: '/api/v1/solitaires', headers,
    payload: { groupId, title: '车厘子季', sku: 'CHERRY-5J', itemName: '车厘子 5斤装', priceFen: 19900, stock: 10, storeId: world.stores.nanshan, deadlineAt: new Date(Date.now() + hour).toISOString(), ...body },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}

const join = (id: string, customer: string, quantity = 1, headers = admin) =>
  app.inject({ method: 'POST', url: `/api/v1/solitaires/${id}/entries`, headers, payload: { customer, quantity } });
const change = (id: string, customer: string, quantity: number) =>
  app.inject({ method: 'PUT', url: `/api/v1/solitaires/${id}/entries/${customer}`, headers: admin, payload: { quantity } });

describe('接龙', () => {
  it('lists people in joining order, lets them change and drop out, and renders the text', async () => {
    const id = await post();
    const [a, b, c] = await members(3);
    if (!a || !b || !c) throw new Error('no members');
    expect((await join(id, a, 2)).statusCode).toBe(201);
    expect((await join(id, b, 1)).statusCode).toBe(201);
    expect((await join(id, c, 3)).statusCode).toBe(201);
    expect((await change(id, b, 4)).statusCode).toBe(200);
    const res = await change(id, a, 0);
    expect(res.statusCode).toBe(200);
    const s = res.json();
    expect(s).toMatchObject({ taken: 7, remaining: 3, participants: 2 });
    expect(s.entries.map((e: { no: number; nickname: string; quantity: number }) => [e.no, e.nickname, e.quantity])).toEqual([[1, '群友2', 4], [2, '群友3', 3]]);
    expect(s.text.split('\n')).toEqual(['#接龙 车厘子季', '商品：车厘子 5斤装', '价格：¥199/份', '自提：南山科技园店', expect.stringMatching(/^截止：\d+月\d+日 \d\d:\d\d$/), '剩余：3/10 份', '', '1. 群友2 4', '2. 群友3 3']);
  });

  it('refuses joining twice, beyond the stock, outside the group, and after the deadline; nothing changes', async () => {
    const id = await post({ stock: 3 });
    const [a, b] = await members(2);
    if (!a || !b) throw new Error('no members');
    const outsider = await join(id, world.customers.jun, 1);
    expect([outsider.statusCode, outsider.json().error.code]).toEqual([422, 'not_group_member']);
    await join(id, a, 2);
    const twice = await join(id, a, 1);
    expect([twice.statusCode, twice.json().error.code]).toEqual([409, 'already_joined']);
    const beyond = await join(id, b, 2);
    expect([beyond.statusCode, beyond.json().error.code, beyond.json().error.details[0].path]).toEqual([409, 'sold_out', 'body.quantity']);
    expect((await join(id, b, 1)).statusCode).toBe(201);
    const raise = await change(id, a, 3);
    expect([raise.statusCode, raise.json().error.code]).toEqual([409, 'sold_out']);
    await sql`update solitaires set deadline_at = now() - interval '1 minute' where tenant_id = ${world.tenantId} and id = ${id}`.execute(db());
    const [c] = await members(1, '迟到');
    if (!c) throw new Error('no member');
    const late = await join(id, c, 1);
    expect([late.statusCode, late.json().error.code]).toEqual([409, 'deadline_passed']);
    expect((await change(id, a, 1)).json().error.code).toBe('deadline_passed');
    const s = (await app.inject({ url: `/api/v1/solitaires/${id}`, headers: admin })).json();
    expect(s).toMatchObject({ taken: 3, participants: 2 });
    expect(s.entries.map((e: { customerId: string; quantity: number }) => [e.customerId, e.quantity])).toEqual([[a, 2], [b, 1]]);
  });

  it('gives the last unit to exactly one of many concurrent joiners', async () => {
    const id = await post({ stock: 5 });
    const people = await members(40, '抢');
    const results = await Promise.all(people.map((p) => join(id, p, 1)));
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(5);
    expect(results.filter((r) => r.statusCode !== 201).map((r) => r.json().error.code)).toEqual(Array.from({ length: 35 }, () => 'sold_out'));
    const s = (await app.inject({ url: `/api/v1/solitaires/${id}`, headers: admin })).json();
    expect(s.entries.map((e: { no: number }) => e.no)).toEqual([1, 2, 3, 4, 5]);
    const stored = await sql<{ taken: number; sum: number }>`
      select s.taken, (select sum(quantity)::int from solitaire_entries e where e.tenant_id = s.tenant_id and e.solitaire_id = s.id) as sum
        from solitaires s where s.tenant_id = ${world.tenantId} and s.id = ${id}`.execute(db());
    expect(stored.rows[0]).toEqual({ taken: 5, sum: 5 });
  });

  it('closes into one real group_buy order per entry at the pickup store, once', async () => {
    const id = await post({ stock: 20 });
    const [a, b] = await members(2, '取货');
    if (!a || !b) throw new Error('no members');
    await join(id, a, 2);
    await join(id, b, 1);
    const [first, second] = await Promise.all([
      app.inject({ method: 'POST', url: `/api/v1/solitaires/${id}/close`, headers: admin }),
      app.inject({ method: 'POST', url: `/api/v1/solitaires/${id}/close`, headers: admin }),
    ]);
    expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
    expect(first.json().status).toBe('closed');
    const orders = await sql<{ customer_id: string; paid_fen: number; channel: string; store_id: string; quantity: number }>`
      select o.customer_id, o.paid_fen, o.channel, o.store_id, i.quantity from orders o join order_items i on i.tenant_id = o.tenant_id and i.order_id = o.id
       where o.tenant_id = ${world.tenantId} and o.order_no like ${`JL-${id}-%`} order by o.paid_fen desc`.execute(db());
    expect(orders.rows).toEqual([
      { customer_id: a, paid_fen: 39800, channel: 'group_buy', store_id: world.stores.nanshan, quantity: 2 },
      { customer_id: b, paid_fen: 19900, channel: 'group_buy', store_id: world.stores.nanshan, quantity: 1 },
    ]);
    const spent = await db().selectFrom('customers').select(['order_count', 'total_spent_fen']).where('tenant_id', '=', world.tenantId).where('id', '=', a).executeTakeFirstOrThrow();
    expect(spent).toEqual({ order_count: 1, total_spent_fen: 39800 });
    const paid = await sql<{ n: number }>`select count(*)::int as n from events where tenant_id = ${world.tenantId} and type = 'order_paid' and customer_id = ${a}`.execute(db());
    expect(paid.rows[0]?.n).toBe(1);
    expect((await join(id, b, 1)).json().error.code).toBe('closed');

    const pickups = (await app.inject({ url: `/api/v1/solitaires/pickups?solitaireId=${id}`, headers: admin })).json().items;
    expect(pickups.map((p: { storeName: string; no: number; nickname: string; quantity: number; orderNo: string }) => [p.storeName, p.no, p.nickname, p.quantity, p.orderNo]))
      .toEqual([['南山科技园店', 1, '取货1', 2, `JL-${id}-1`], ['南山科技园店', 2, '取货2', 1, `JL-${id}-2`]]);
    const csv = await app.inject({ url: `/api/v1/solitaires/pickups?solitaireId=${id}&format=csv`, headers: admin });
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.split('\r\n')[1]).toBe(`南山科技园店,车厘子季,车厘子 5斤装,1,取货1,,2,398.00,JL-${id}-1`);
  });

  it('closes 接龙 past their deadline from the worker sweep', async () => {
    const id = await post({ deadlineAt: new Date(Date.now() + 2 * hour).toISOString() });
    const [a] = await members(1, '晚');
    if (!a) throw new Error('no member');
    await join(id, a, 1);
    await closeDueSolitaires(db(), new Date(Date.now() + 3 * hour));
    const s = (await app.inject({ url: `/api/v1/solitaires/${id}`, headers: admin })).json();
    expect(s.status).toBe('closed');
    expect(s.entries[0].orderNo).toBe(`JL-${id}-1`);
  });

  it('refuses a deadline in the past and a missing group with the fields named', async () => {
    const res = await app.inject({
      method: 'POST', url: '/api/v1/solitaires', headers: admin,
      payload: { groupId: newId(), title: 'x', sku: 's', itemName: 'x', priceFen: 100, stock: 1, storeId: world.stores.nanshan, deadlineAt: '2020-01-01T00:00:00Z' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.map((d: { path: string }) => d.path)).toEqual(['body.groupId', 'body.deadlineAt']);
  });

  it('lets a guide post only in their own groups, and hides others\' 接龙 from them', async () => {
    const zhao = bearer(await keyFor(world.tenantId, 'guide', world.staff.zhao));
    const li = bearer(await keyFor(world.tenantId, 'guide', world.staff.li));
    const own = await post({}, zhao);
    const refused = await app.inject({ method: 'POST', url: '/api/v1/solitaires', headers: li, payload: { groupId, title: 'x', sku: 's', itemName: 'x', priceFen: 100, stock: 1, storeId: world.stores.nanshan, deadlineAt: new Date(Date.now() + hour).toISOString() } });
    expect(refused.json().error.details[0]).toEqual({ path: 'body.groupId', message: 'a guide posts only in groups they own', code: 'not_group_owner' });
    expect((await app.inject({ url: `/api/v1/solitaires/${own}`, headers: li })).statusCode).toBe(404);
    expect((await app.inject({ url: '/api/v1/solitaires', headers: li })).json().items).toEqual([]);
    const other = bearer(await keyFor((await newTenant()).id, 'admin'));
    expect((await app.inject({ url: `/api/v1/solitaires/${own}`, headers: other })).statusCode).toBe(404);
  });
});
