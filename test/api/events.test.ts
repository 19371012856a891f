// The ingestion API, the orders API and the customer 360 over HTTP (Fastify inject).
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.ts';
import { buildWorld, type World } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';
import { api, bearer, keyFor } from './harness.ts';

let app: FastifyInstance;
let world: World;
let admin: Record<string, string>;
let operator: Record<string, string>;
let guideLi: Record<string, string>;
const run = randomBytes(3).toString('hex');
let seq = 0;
const ev = (type: string, customer: Record<string, string>, properties: Record<string, unknown> = {}, occurredAt = '2026-05-01T10:00:00Z') =>
  ({ id: `api-${run}-${++seq}`, type, occurredAt, customer, properties });

beforeAll(async () => {
  app = await api();
  const tenant = await newTenant();
  world = await buildWorld(testDb().db, tenant.id);
  admin = bearer(await keyFor(tenant.id, 'admin'));
  operator = bearer(await keyFor(tenant.id, 'operator'));
  guideLi = bearer(await keyFor(tenant.id, 'guide', world.staff.li));
});

describe('POST /api/v1/events', () => {
  it('accepts good events and lists bad ones by index in a 200', async () => {
    const res = await app.inject({
      method: 'POST', url: '/api/v1/events', headers: operator,
      payload: { events: [ev('page_viewed', { phone: world.phones.mei }, { url: '/cherry' }), { type: 'page_viewed' }, ev('order_paid', { phone: world.phones.mei }, { orderNo: 'X', paidFen: -1 })] },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ accepted: 1, duplicates: 0, rejected: [{ index: 1, code: 'missing_id' }, { index: 2, code: 'negative_amount' }] });
  });

  it('answers 413 for more than 1,000 events without looking at them', async () => {
    const events = Array.from({ length: 1_001 }, () => ({ nonsense: true }));
    const res = await app.inject({ method: 'POST', url: '/api/v1/events', headers: admin, payload: { events } });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('too_large');
  });

  it('answers 400 only when the body is not { events: [...] }', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/events', headers: admin, payload: { events: 'many' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].path).toBe('body.events');
    const empty = await app.inject({ method: 'POST', url: '/api/v1/events', headers: admin, payload: { events: [] } });
    expect(empty.json()).toEqual({ accepted: 0, duplicates: 0, rejected: [] });
  });

  it('is not for guides', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/events', headers: guideLi, payload: { events: [] } });
    expect(res.statusCode).toBe(403);
  });
});

describe('POST /api/v1/orders', () => {
  it('records a batch, idempotently, with refunds', async () => {
    const phone = `1580000${String(Number.parseInt(run, 16) % 10_000).padStart(4, '0')}`;
    const order = { orderNo: `API-${run}`, customer: { phone }, channel: 'group_buy', paidFen: 9_900, orderedAt: '2026-05-03T04:00:00Z', storeCode: 'SZ-NS-01', items: [{ sku: 'MANGO', name: '芒果', quantity: 3, unitPriceFen: 3_300 }] };
    const first = await app.inject({ method: 'POST', url: '/api/v1/orders', headers: operator, payload: { orders: [order, { ...order, orderNo: '' }] } });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ accepted: 1, created: 1, updated: 0, duplicates: 0, rejected: [{ index: 1, code: 'invalid_order' }] });
    const again = await app.inject({ method: 'POST', url: '/api/v1/orders', headers: operator, payload: { orders: [order, { ...order, refundedFen: 3_300 }] } });
    expect(again.json()).toMatchObject({ accepted: 1, created: 0, updated: 1, duplicates: 1, rejected: [] });
    const list = (await app.inject({ url: `/api/v1/customers?q=${phone}`, headers: admin })).json();
    expect(list.items[0]).toMatchObject({ orderCount: 1, totalSpentFen: 6_600 });
    const tooMany = await app.inject({ method: 'POST', url: '/api/v1/orders', headers: admin, payload: { orders: Array.from({ length: 1_001 }, () => ({})) } });
    expect(tooMany.statusCode).toBe(413);
  });
});

describe('GET /api/v1/customers/:id (the 360) and its timeline', () => {
  it('returns identities, aggregates, groups, contacts and tags', async () => {
    const ext = `wm${run}360`;
    const liWecom = (await testDb().db.selectFrom('staff').select('wecom_user_id').where('id', '=', world.staff.li).executeTakeFirstOrThrow()).wecom_user_id;
    const res = await app.inject({
      method: 'POST', url: '/api/v1/events', headers: admin,
      payload: { events: [
        ev('contact_added', { phone: world.phones.mei, externalUserId: ext }, { staffWecomUserId: liWecom, state: 'qr-360' }, '2026-05-05T01:00:00Z'),
        ev('group_joined', { externalUserId: ext }, { chatId: `wr-${run}-360`, groupName: '车厘子团' }, '2026-05-05T02:00:00Z'),
      ] },
    });
    expect(res.json().accepted).toBe(2);
    const c = (await app.inject({ url: `/api/v1/customers/${world.customers.mei}`, headers: admin })).json();
    expect(c).toMatchObject({
      id: world.customers.mei, name: '陈美', orderCount: 3, orderDays: 2, totalSpentFen: 18_390, averageTicketFen: 6_130,
      guide: { id: world.staff.li, name: '李娜' }, lastActiveAt: '2026-05-05T02:00:00.000Z',
      contacts: [{ staff: { id: world.staff.li, name: '李娜' }, state: 'qr-360', deletedAt: null }],
      groups: [{ chatId: `wr-${run}-360`, name: '车厘子团', leftAt: null }],
      tags: [], consents: [],
    });
    expect(c.identities.map((i: { value: string }) => i.value)).toContain(ext);
    expect(c.mergedFrom).toBeUndefined();
  });

  it('pages the timeline newest first with a cursor', async () => {
    const phone = `1590000${String(Number.parseInt(run, 16) % 10_000).padStart(4, '0')}`;
    const events = Array.from({ length: 7 }, (_, i) => ev('page_viewed', { phone }, { page: i }, `2026-05-0${1 + (i % 3)}T0${i}:00:00Z`));
    await app.inject({ method: 'POST', url: '/api/v1/events', headers: admin, payload: { events } });
    const id = (await app.inject({ url: `/api/v1/customers?q=${phone}`, headers: admin })).json().items[0].id;
    const seen: number[] = [];
    let before: string | null = null;
    let pages = 0;
    do {
      const query: string = before ? `?limit=3&before=${before}` : '?limit=3';
      const page = (await app.inject({ url: `/api/v1/customers/${id}/timeline${query}`, headers: admin })).json();
      seen.push(...page.items.map((e: { properties: { page: number } }) => e.properties.page));
      before = page.nextCursor;
      pages += 1;
    } while (before && pages < 10);
    expect(pages).toBe(3);
    // by occurredAt descending: 05-03 (pages 2, 5), 05-02 (1, 4), 05-01 (0, 3, 6), later hour first within a day
    expect(seen).toEqual([5, 2, 4, 1, 6, 3, 0]);
    const bad = await app.inject({ url: `/api/v1/customers/${id}/timeline?before=garbage`, headers: admin });
    expect(bad.statusCode).toBe(400);
  });

  it('opens a merged-away id as its survivor, saying so', async () => {
    // 张磊 (created after 陈美) is proved to be 陈美 by a member number and his phone
    const member = (await app.inject({ url: `/api/v1/customers/${world.customers.mei}`, headers: admin })).json().memberNo;
    const res = await app.inject({ method: 'POST', url: '/api/v1/events', headers: admin, payload: { events: [ev('store_visited', { memberNo: member, phone: world.phones.lei })] } });
    expect(res.json().accepted).toBe(1);
    const c = (await app.inject({ url: `/api/v1/customers/${world.customers.lei}`, headers: admin })).json();
    expect(c.id).toBe(world.customers.mei);
    expect(c.mergedFrom.id).toBe(world.customers.lei);
    const timeline = (await app.inject({ url: `/api/v1/customers/${world.customers.lei}/timeline`, headers: admin })).json();
    expect(timeline.items[0]).toMatchObject({ type: 'customer_merged', properties: { mergedId: world.customers.lei } });
  });

  it('shows a guide their own customers only', async () => {
    expect((await app.inject({ url: `/api/v1/customers/${world.customers.mei}`, headers: guideLi })).statusCode).toBe(200);
    expect((await app.inject({ url: `/api/v1/customers/${world.customers.mei}/timeline`, headers: guideLi })).statusCode).toBe(200);
    expect((await app.inject({ url: `/api/v1/customers/${world.customers.fang}`, headers: guideLi })).statusCode).toBe(404);
    expect((await app.inject({ url: `/api/v1/customers/${world.customers.fang}/timeline`, headers: guideLi })).statusCode).toBe(404);
    expect((await app.inject({ url: `/api/v1/customers/${newId()}`, headers: admin })).statusCode).toBe(404);
  });
});
