// Accounts and API keys as an administrator manages them, a user's own password, and the demo
// logins the sign-in page offers.
import { beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createUser } from '../../src/core/access/access.service.ts';
import { listDemoLogins } from '../../src/core/demo/demo-logins.ts';
import { DEMO_PASSWORD } from '../../src/core/demo/demo-tenant.ts';
import { newTenant, testDb } from '../helpers.ts';
import { buildWorld, type World } from '../fixtures.ts';
import { api, bearer, keyFor } from './harness.ts';

let app: FastifyInstance;
let world: World;
let slug: string;
let admin: Record<string, string>;

async function signIn(tenant: string, email: string, password: string): Promise<{ status: number; headers: Record<string, string> }> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { tenant, email, password } });
  const cookie = res.cookies.find((c) => c.name === 'yuchi_session');
  return { status: res.statusCode, headers: { cookie: `yuchi_session=${cookie?.value ?? ''}` } };
}

const me = async (headers: Record<string, string>): Promise<number> => (await app.inject({ url: '/api/v1/auth/me', headers })).statusCode;

beforeAll(async () => {
  app = await api();
  const tenant = await newTenant();
  slug = tenant.slug;
  world = await buildWorld(testDb().db, tenant.id);
  await createUser(testDb().db, tenant.id, { email: 'boss@example.com', name: '店主', password: 'boss-password', role: 'admin' });
  admin = (await signIn(slug, 'boss@example.com', 'boss-password')).headers;
});

describe('accounts', () => {
  it('lists, adds and refuses bad accounts naming the field', async () => {
    const added = await app.inject({ method: 'POST', url: '/api/v1/users', headers: admin, payload: { email: 'Ops@Example.com', name: '运营小王', role: 'operator', password: 'ops-password' } });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toMatchObject({ email: 'ops@example.com', role: 'operator', staff: null, disabled: false, lastSignInAt: null });

    const guide = await app.inject({ method: 'POST', url: '/api/v1/users', headers: admin, payload: { email: 'li@example.com', role: 'guide', staffId: world.staff.li, password: 'guide-password' } });
    expect(guide.json().staff).toEqual({ id: world.staff.li, name: expect.any(String) });

    const bad = [
      [{ email: 'ops@example.com', role: 'operator', password: 'long-enough' }, 409, 'email'],
      [{ email: 'x@example.com', role: 'guide', password: 'long-enough' }, 400, 'staffId'],
      [{ email: 'y@example.com', role: 'operator', password: 'short' }, 400, 'body.password'],
      [{ email: 'not-an-email', role: 'operator', password: 'long-enough' }, 400, 'email'],
    ] as const;
    for (const [payload, status, path] of bad) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/users', headers: admin, payload });
      expect(res.statusCode).toBe(status);
      expect(res.json().error.details.map((d: { path: string }) => d.path)).toContain(path);
    }

    const list = (await app.inject({ url: '/api/v1/users', headers: admin })).json().items as { email: string; lastSignInAt: string | null }[];
    expect(list.map((u) => u.email).sort()).toEqual(['boss@example.com', 'li@example.com', 'ops@example.com']);
    expect(list.find((u) => u.email === 'boss@example.com')?.lastSignInAt).not.toBeNull();

    const operator = (await signIn(slug, 'ops@example.com', 'ops-password')).headers;
    expect((await app.inject({ url: '/api/v1/users', headers: operator })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: operator, payload: { name: 'x', role: 'admin' } })).statusCode).toBe(403);
  });

  it('disabling signs a user out at once and keeps them out until enabled again', async () => {
    const user = (await app.inject({ method: 'POST', url: '/api/v1/users', headers: admin, payload: { email: 'temp@example.com', role: 'operator', password: 'temp-password' } })).json();
    const session = (await signIn(slug, 'temp@example.com', 'temp-password')).headers;
    expect(await me(session)).toBe(200);

    const disabled = await app.inject({ method: 'PATCH', url: `/api/v1/users/${user.id}`, headers: admin, payload: { disabled: true } });
    expect(disabled.json().disabled).toBe(true);
    expect(await me(session)).toBe(401);
    expect((await signIn(slug, 'temp@example.com', 'temp-password')).status).toBe(401);

    await app.inject({ method: 'PATCH', url: `/api/v1/users/${user.id}`, headers: admin, payload: { disabled: false, role: 'admin' } });
    expect((await signIn(slug, 'temp@example.com', 'temp-password')).status).toBe(200);

    const audit = await testDb().db.selectFrom('audit_log').select('action').where('tenant_id', '=', world.tenantId).where('target_id', '=', user.id).orderBy('at').execute();
    expect(audit.map((a) => a.action)).toEqual(['user.created', 'user.disabled', 'user.changed']);
  });

  it('keeps one active administrator', async () => {
    const tenant = await newTenant();
    const only = await createUser(testDb().db, tenant.id, { email: 'only@example.com', password: 'only-password', role: 'admin' });
    const session = (await signIn(tenant.slug, 'only@example.com', 'only-password')).headers;
    for (const payload of [{ role: 'operator' }, { disabled: true }]) {
      const res = await app.inject({ method: 'PATCH', url: `/api/v1/users/${only.id}`, headers: session, payload });
      expect(res.statusCode).toBe(409);
      expect(res.json().error.code).toBe('last_admin');
    }
    const second = (await app.inject({ method: 'POST', url: '/api/v1/users', headers: session, payload: { email: 'two@example.com', role: 'admin', password: 'two-password' } })).json();
    expect((await app.inject({ method: 'PATCH', url: `/api/v1/users/${only.id}`, headers: session, payload: { role: 'operator' } })).statusCode).toBe(200);
    // the demoted user may no longer manage accounts; the second administrator may not step down now
    expect((await app.inject({ url: '/api/v1/users', headers: session })).statusCode).toBe(403);
    const other = (await signIn(tenant.slug, 'two@example.com', 'two-password')).headers;
    expect((await app.inject({ method: 'PATCH', url: `/api/v1/users/${second.id}`, headers: other, payload: { disabled: true } })).statusCode).toBe(409);
    expect((await app.inject({ method: 'PATCH', url: '/api/v1/users/not-an-id', headers: other, payload: { name: 'x' } })).statusCode).toBe(404);
    expect((await app.inject({ method: 'PATCH', url: `/api/v1/users/${second.id}`, headers: other, payload: {} })).statusCode).toBe(400);
  });

  it('an administrator sets a forgotten password; the user changes their own', async () => {
    const user = (await app.inject({ method: 'POST', url: '/api/v1/users', headers: admin, payload: { email: 'forgot@example.com', role: 'operator', password: 'first-password' } })).json();
    const old = (await signIn(slug, 'forgot@example.com', 'first-password')).headers;
    expect((await app.inject({ method: 'POST', url: `/api/v1/users/${user.id}/password`, headers: admin, payload: { password: 'second-password' } })).statusCode).toBe(204);
    expect(await me(old)).toBe(401);
    expect((await signIn(slug, 'forgot@example.com', 'first-password')).status).toBe(401);

    const laptop = (await signIn(slug, 'forgot@example.com', 'second-password')).headers;
    const phone = (await signIn(slug, 'forgot@example.com', 'second-password')).headers;
    const wrong = await app.inject({ method: 'POST', url: '/api/v1/auth/password', headers: laptop, payload: { currentPassword: 'nope', newPassword: 'third-password' } });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.details[0].path).toBe('currentPassword');
    const changed = await app.inject({ method: 'POST', url: '/api/v1/auth/password', headers: laptop, payload: { currentPassword: 'second-password', newPassword: 'third-password' } });
    expect(changed.statusCode).toBe(204);
    expect(await me(laptop)).toBe(200);
    expect(await me(phone)).toBe(401);
    expect((await signIn(slug, 'forgot@example.com', 'third-password')).status).toBe(200);

    const key = await keyFor(world.tenantId, 'admin');
    expect((await app.inject({ method: 'POST', url: '/api/v1/auth/password', headers: bearer(key), payload: { currentPassword: 'x', newPassword: 'long-enough' } })).statusCode).toBe(403);
  });
});

describe('API keys', () => {
  it('shows a key once, notes its use, and a revoked key stops working at once', async () => {
    const created = await app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: admin, payload: { name: '收银系统', role: 'operator' } });
    expect(created.statusCode).toBe(201);
    const { key, apiKey } = created.json();
    expect(key).toMatch(/^yk_/);
    expect(apiKey).toMatchObject({ name: '收银系统', role: 'operator', lastUsedAt: null, revokedAt: null });
    expect(key.startsWith(apiKey.prefix.slice(0, 12))).toBe(true);

    expect((await app.inject({ url: '/api/v1/customers', headers: bearer(key) })).statusCode).toBe(200);
    const listed = async () => ((await app.inject({ url: '/api/v1/api-keys', headers: admin })).json().items as { id: string; lastUsedAt: string | null }[]).find((k) => k.id === apiKey.id);
    await expect.poll(async () => (await listed())?.lastUsedAt ?? null).not.toBeNull();
    expect(JSON.stringify((await app.inject({ url: '/api/v1/api-keys', headers: admin })).json())).not.toContain(key.slice(-20));

    const revoked = await app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${apiKey.id}`, headers: admin });
    expect(revoked.json().revokedAt).not.toBeNull();
    expect((await app.inject({ url: '/api/v1/customers', headers: bearer(key) })).statusCode).toBe(401);
    const again = await app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${apiKey.id}`, headers: admin });
    expect(again.json().revokedAt).toBe(revoked.json().revokedAt);

    const guideKey = await app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: admin, payload: { name: '导购小程序', role: 'guide' } });
    expect(guideKey.statusCode).toBe(400);
    expect(guideKey.json().error.details[0].path).toBe('staffId');
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/api-keys/nope', headers: admin })).statusCode).toBe(404);
  });
});

describe('demo logins on the sign-in page', () => {
  it('lists a demo tenant only while its user signs in with the demo password', async () => {
    const tenant = await newTenant('演示品牌');
    const candidates = [{ slug: tenant.slug, model: 'shopping' as const, brand: '水果连锁', emails: ['admin@demo.test', 'guide@demo.test'] }];
    expect(await listDemoLogins(testDb().db, candidates)).toEqual([]);

    await createUser(testDb().db, tenant.id, { email: 'admin@demo.test', password: DEMO_PASSWORD, role: 'admin' });
    await createUser(testDb().db, tenant.id, { email: 'guide@demo.test', password: 'not-the-demo-one', role: 'operator' });
    expect(await listDemoLogins(testDb().db, candidates)).toEqual([
      { tenant: tenant.slug, name: '演示品牌', model: 'shopping', brand: '水果连锁', logins: [{ role: 'admin', email: 'admin@demo.test', password: DEMO_PASSWORD }] },
    ]);

    const session = (await signIn(tenant.slug, 'admin@demo.test', DEMO_PASSWORD)).headers;
    await app.inject({ method: 'POST', url: '/api/v1/auth/password', headers: session, payload: { currentPassword: DEMO_PASSWORD, newPassword: 'a-private-one' } });
    expect(await listDemoLogins(testDb().db, candidates)).toEqual([]);
  });

  it('answers without a session, and every login it offers signs in', async () => {
    const res = await app.inject({ url: '/api/v1/auth/demo-logins' });
    expect(res.statusCode).toBe(200);
    for (const demo of res.json().demos as { tenant: string; logins: { email: string; password: string }[] }[]) {
      for (const login of demo.logins) expect((await signIn(demo.tenant, login.email, login.password)).status).toBe(200);
    }
  });
});
