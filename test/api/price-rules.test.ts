// Price rules through the API and the checkout quote with stored rules and held coupons.
import type { FastifyInstance } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.ts';
import { buildWorld, type World } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';
import { api, bearer, keyFor } from './harness.ts';

let app: FastifyInstance;
let world: World;
let admin: Record<string, string>;

beforeAll(async () => {
  app = await api();
  world = await buildWorld(testDb().db, (await newTenant()).id);
  admin = bearer(await keyFor(world.tenantId, 'admin'));
});

const rule = (payload: Record<string, unknown>) => app.inject({ method: 'POST', url: '/api/v1/price-rules', headers: admin, payload });
const quote = (payload: Record<string, unknown>) => app.inject({ method: 'POST', url: '/api/v1/checkout/quote', headers: admin, payload });

describe('price rules', () => {
  it('refuses a 满减 that would make a price negative, naming the field', async () => {
    const res = await rule({ name: '满100减120', params: { kind: 'threshold', thresholdFen: 10000, amountOffFen: 12000 } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].path).toBe('body.params.amountOffFen');
    // a code and the values the console words the refusal with; the English message stays
    expect(res.json().error.details[0]).toMatchObject({ code: 'off_above_threshold', params: { thresholdFen: 10000 }, message: expect.stringContaining('thresholdFen') });
    // a schema refusal carries zod's code and its bound
    const long = await rule({ name: '满'.repeat(101), params: { kind: 'threshold', thresholdFen: 10000, amountOffFen: 1000 } });
    expect(long.statusCode).toBe(400);
    expect(long.json().error.details).toEqual([{ path: 'body.name', message: expect.any(String), code: 'too_big', params: { origin: 'string', maximum: 100, inclusive: 'true' } }]);
    const unknownKind = await rule({ name: 'x', params: { kind: 'bogo' } });
    expect(unknownKind.statusCode).toBe(400);
  });

  it('creates, lists, changes and deletes', async () => {
    const created = await rule({ name: '满199减30', params: { kind: 'threshold', thresholdFen: 19900, amountOffFen: 3000 } });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id;
    expect(created.json().params).toEqual({ kind: 'threshold', thresholdFen: 19900, amountOffFen: 3000, repeat: false });
    const changed = await app.inject({ method: 'PUT', url: `/api/v1/price-rules/${id}`, headers: admin, payload: { name: '满199减30', params: { kind: 'threshold', thresholdFen: 19900, amountOffFen: 3000 }, status: 'paused' } });
    expect(changed.json().status).toBe('paused');
    expect((await app.inject({ url: '/api/v1/price-rules', headers: admin })).json().items.map((r: { id: string }) => r.id)).toContain(id);
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/price-rules/${id}`, headers: admin })).statusCode).toBe(204);
    expect((await app.inject({ url: `/api/v1/price-rules/${id}`, headers: admin })).statusCode).toBe(404);
    const guide = bearer(await keyFor(world.tenantId, 'guide', world.staff.li));
    expect((await app.inject({ method: 'POST', url: '/api/v1/price-rules', headers: guide, payload: { name: 'g', params: { kind: 'threshold', thresholdFen: 100, amountOffFen: 10 } } })).statusCode).toBe(403);
  });
});

describe('checkout quote', () => {
  it('takes the cherry bundle and member price and 满减, explains each line, and applies a held coupon', async () => {
    const tenant = await newTenant();
    const w = await buildWorld(testDb().db, tenant.id);
    const h = bearer(await keyFor(w.tenantId, 'admin'));
    const post = (url: string, payload: Record<string, unknown>) => app.inject({ method: 'POST', url, headers: h, payload });
    expect((await post('/api/v1/price-rules', { name: '车厘子199元5斤', skus: ['CHERRY'], params: { kind: 'bundle', quantity: 5, priceFen: 19900 } })).statusCode).toBe(201);
    expect((await post('/api/v1/price-rules', { name: '会员价', params: { kind: 'member_price', prices: { MANGO: 1500 } } })).statusCode).toBe(201);
    expect((await post('/api/v1/price-rules', { name: '满199减30', params: { kind: 'threshold', thresholdFen: 19900, amountOffFen: 3000 } })).statusCode).toBe(201);
    const t = await post('/api/v1/coupon-templates', { name: '9折券', kind: 'percent', percent: 90, validDays: 7 });
    const issued = await post(`/api/v1/coupon-templates/${t.json().id}/issue`, { customers: [w.customers.mei], requestKey: 'q' });
    const code: string = issued.json().issued[0].code;
    const items = [{ sku: 'CHERRY', name: '车厘子', quantity: 5, unitPriceFen: 5000 }, { sku: 'MANGO', name: '芒果', quantity: 2, unitPriceFen: 2000 }];
    // mei holds a member number: member price applies.
    const res = await post('/api/v1/checkout/quote', { customer: w.customers.mei, channel: 'miniprogram', items, couponCodes: [code, 'NOSUCH22'] });
    expect(res.statusCode, res.body).toBe(200);
    const q = res.json();
    // 25000 + 4000 → bundle 19900 + member 3000 = 22900 → 满减 19900 → 9折 per line.
    expect(q.totalFen).toBe(29000);
    expect(q.applied.map((a: { name: string }) => a.name)).toEqual(['会员价', '车厘子199元5斤', '满199减30', '9折券']);
    expect(q.lines[0].adjustments.map((a: { name: string }) => a.name)).toEqual(['车厘子199元5斤', '满199减30', '9折券']);
    expect(q.lines.reduce((s: number, l: { payableFen: number }) => s + l.payableFen, 0)).toBe(q.payableFen);
    expect(q.payableFen).toBe(17910);
    expect(q.refusedCoupons).toEqual([{ code: 'NOSUCH22', reason: 'coupon_unknown', message: 'no coupon NOSUCH22' }]);
    // lei has no member number; a quote changes nothing.
    const lei = (await post('/api/v1/checkout/quote', { customer: w.customers.lei, channel: 'miniprogram', items, couponCodes: [code] })).json();
    expect(lei.applied.map((a: { name: string }) => a.name)).not.toContain('会员价');
    expect(lei.refusedCoupons[0].reason).toBe('coupon_unavailable');
    const still = await app.inject({ url: `/api/v1/coupons?customerId=${w.customers.mei}`, headers: h });
    expect(still.json().items[0].status).toBe('issued');
  });

  it('checks the cart', async () => {
    const res = await quote({ channel: 'pos', items: [{ sku: 'A', quantity: 0, unitPriceFen: 100 }] });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].path).toBe('body.items.0.quantity');
    const other = await quote({ channel: 'pos', customer: newId(), items: [{ sku: 'A', quantity: 1, unitPriceFen: 100 }] });
    expect(other.statusCode).toBe(200);
  });
});
