import { beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createUser } from '../../src/core/access/access.service.ts';
import { newTenant, testDb } from '../helpers.ts';
import { buildWorld, type World } from '../fixtures.ts';
import { api, bearer, keyFor } from './harness.ts';

let app: FastifyInstance;
let world: World;
let slug: string;

beforeAll(async () => {
  app = await api();
  const tenant = await newTenant();
  slug = tenant.slug;
  world = await buildWorld(testDb().db, tenant.id);
  await createUser(testDb().db, tenant.id, { email: 'Owner@Example.com', name: '店主', password: 'correct horse', role: 'admin' });
});

const login = (body: unknown) => app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: body as object });

describe('console login', () => {
  it('signs in, keeps the session in an httpOnly cookie, and signs out', async () => {
    const res = await login({ tenant: slug, email: 'owner@example.com', password: 'correct horse' });
    expect(res.statusCode).toBe(200);
    expect(res.json().user).toMatchObject({ email: 'owner@example.com', role: 'admin', tenant: { slug, timezone: 'Asia/Shanghai' } });
    const cookie = res.cookies.find((c) => c.name === 'yuchi_session');
    expect(cookie?.httpOnly).toBe(true);
    const headers = { cookie: `yuchi_session=${cookie?.value}` };
    expect((await app.inject({ url: '/api/v1/auth/me', headers })).json().user.name).toBe('店主');
    expect((await app.inject({ url: '/api/v1/customers', headers })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers })).statusCode).toBe(204);
    expect((await app.inject({ url: '/api/v1/auth/me', headers })).statusCode).toBe(401);
  });

  it('answers every wrong login with the same 401, not saying which part was wrong', async () => {
    const wrongPassword = await login({ tenant: slug, email: 'owner@example.com', password: 'wrong horse' });
    const wrongEmail = await login({ tenant: slug, email: 'nobody@example.com', password: 'correct horse' });
    const wrongTenant = await login({ tenant: 'no-such-tenant', email: 'owner@example.com', password: 'correct horse' });
    for (const res of [wrongPassword, wrongEmail, wrongTenant]) {
      expect(res.statusCode).toBe(401);
      expect(res.cookies).toEqual([]);
    }
    expect(wrongEmail.json()).toEqual(wrongPassword.json());
    expect(wrongTenant.json()).toEqual(wrongPassword.json());
  });

  it('rejects a login body with missing fields, naming them', async () => {
    const res = await login({ tenant: slug });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.map((d: { path: string }) => d.path).sort()).toEqual(['body.email', 'body.password']);
  });
});

describe('API keys and roles', () => {
  it('answers 401 without a key, with a malformed key and with an unknown key', async () => {
    expect((await app.inject({ url: '/api/v1/customers' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/v1/customers', headers: bearer('nonsense') })).statusCode).toBe(401);
    const real = await keyFor(world.tenantId, 'admin');
    const forged = real.slice(0, -4) + (real.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const res = await app.inject({ url: '/api/v1/customers', headers: bearer(forged) });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('unauthenticated');
  });

  it('answers 403 when the role may not write, and 201 for an admin', async () => {
    const store = { code: 'SZ-LH-01', name: '罗湖东门店', district: '罗湖区', latitude: 22.548, longitude: 114.118, opensAt: '08:30', closesAt: '22:00' };
    for (const role of ['operator', 'guide'] as const) {
      const key = await keyFor(world.tenantId, role, role === 'guide' ? world.staff.li : undefined);
      const res = await app.inject({ method: 'POST', url: '/api/v1/stores', headers: bearer(key), payload: store });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('forbidden');
    }
    const admin = bearer(await keyFor(world.tenantId, 'admin'));
    const created = await app.inject({ method: 'POST', url: '/api/v1/stores', headers: admin, payload: store });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ code: 'SZ-LH-01', opensAt: '08:30', staffCount: 0 });
    const again = await app.inject({ method: 'POST', url: '/api/v1/stores', headers: admin, payload: store });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.details[0].path).toBe('code');
  });

  it('answers 400 for malformed JSON and names invalid fields', async () => {
    const admin = bearer(await keyFor(world.tenantId, 'admin'));
    const malformed = await app.inject({ method: 'POST', url: '/api/v1/stores', headers: { ...admin, 'content-type': 'application/json' }, payload: '{"code": "x",' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toBe('invalid');
    const invalid = await app.inject({ method: 'POST', url: '/api/v1/stores', headers: admin, payload: { code: '', name: '店', latitude: 123, opensAt: '25:00' } });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error.details.map((d: { path: string }) => d.path).sort()).toEqual(['body.code', 'body.latitude', 'body.opensAt']);
  });

  it('keeps tenants apart: a key of tenant A gets 404 for tenant B customers, orders and stores', async () => {
    const other = await newTenant('Other brand');
    const otherWorld = await buildWorld(testDb().db, other.id);
    const keyA = bearer(await keyFor(world.tenantId, 'admin'));
    expect((await app.inject({ url: `/api/v1/customers/${otherWorld.customers.mei}`, headers: keyA })).statusCode).toBe(404);
    expect((await app.inject({ url: `/api/v1/orders/${otherWorld.orders[0]?.id}`, headers: keyA })).statusCode).toBe(404);
    expect((await app.inject({ url: `/api/v1/stores/${otherWorld.stores.futian}`, headers: keyA })).statusCode).toBe(404);
    const list = (await app.inject({ url: '/api/v1/customers?pageSize=200', headers: keyA })).json();
    expect(list.items.map((c: { id: string }) => c.id)).not.toContain(otherWorld.customers.mei);
    const search = (await app.inject({ url: `/api/v1/customers?q=${otherWorld.phones.mei}`, headers: keyA })).json();
    expect(search.total).toBe(0);
  });

  it('lists staff with their store and customer counts', async () => {
    const admin = bearer(await keyFor(world.tenantId, 'admin'));
    const staff = (await app.inject({ url: `/api/v1/staff?storeId=${world.stores.futian}`, headers: admin })).json();
    expect(staff.items.map((s: { name: string; customerCount: number }) => [s.name, s.customerCount]).sort()).toEqual([['李娜', 1], ['王强', 1]]);
  });
});
