// API keys already checked are kept in the server process; a change to a key or its tenant, made
// by any connection, must end that as soon as its notice arrives. The app under test listens on
// its own connection, as a server does; the changes here are made on another (the test's pool),
// as an administrator's SQL or another process would.
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildWorld, type World } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';
import { api, bearer, keyFor } from './harness.ts';

const db = () => testDb().db;
let app: FastifyInstance;
let t: string;
let w: World;

/** The answer once the change's notice has been heard: asked again until it differs from `before` (at most 200 times). */
async function afterNotice(url: string, key: string, before: string): Promise<{ statusCode: number; body: string }> {
  let res = await app.inject({ url, headers: bearer(key) });
  for (let i = 0; i < 200 && `${res.statusCode} ${res.body}` === before; i++) {
    await new Promise((r) => setTimeout(r, 10));
    res = await app.inject({ url, headers: bearer(key) });
  }
  return res;
}

beforeAll(async () => {
  app = await api();
  t = (await newTenant()).id;
  w = await buildWorld(db(), t);
});

describe('API keys kept by the server', () => {
  it('answers a known key as reading its row does, and drops it when the key is revoked elsewhere', async () => {
    const key = await keyFor(t, 'operator');
    const url = `/api/v1/pos/prompt?phone=13100000001&storeId=${w.stores.futian}`;
    const first = await app.inject({ url, headers: bearer(key) });
    expect(first.statusCode).toBe(200);
    // the listening connection comes up with the first request: later ones are answered from what is kept
    for (let i = 0; i < 20; i++) {
      const again = await app.inject({ url, headers: bearer(key) });
      expect(again.statusCode).toBe(200);
      expect(again.json()).toEqual(first.json());
    }
    // the server is listening for changes (so those answers came from what it keeps)
    const listening = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where application_name = 'yuchi-api-keys' and query ilike 'listen%'`.execute(db());
    expect(listening.rows[0]?.n).toBeGreaterThan(0);
    await sql`update api_keys set revoked_at = now() where tenant_id = ${t} and revoked_at is null`.execute(db());
    const revoked = await afterNotice(url, key, `${first.statusCode} ${first.body}`);
    expect(revoked.statusCode).toBe(401);
    expect((await app.inject({ url, headers: bearer(key) })).statusCode).toBe(401);
  });

  it('a guide key keeps seeing only its own customers, and a tenant change reaches the actor', async () => {
    const guide = await keyFor(t, 'guide', w.staff.wang);
    const url = '/api/v1/pos/prompt?phone=13100000001';
    const asGuide = await app.inject({ url, headers: bearer(guide) });
    const asGuideAgain = await app.inject({ url, headers: bearer(guide) });
    expect(asGuideAgain.json()).toEqual(asGuide.json());

    const key = await keyFor(t, 'admin');
    const me = await app.inject({ url: '/api/v1/auth/me', headers: bearer(key) });
    expect(me.statusCode).toBe(200);
    const again = await app.inject({ url: '/api/v1/auth/me', headers: bearer(key) });
    expect(again.body).toBe(me.body);
    await db().updateTable('tenants').set({ name: '改名后的租户', timezone: 'Asia/Urumqi' }).where('id', '=', t).execute();
    const renamed = await afterNotice('/api/v1/auth/me', key, `${me.statusCode} ${me.body}`);
    expect(renamed.statusCode).toBe(200);
    expect(JSON.parse(renamed.body)).toMatchObject({ user: { tenant: { id: t, name: '改名后的租户', timezone: 'Asia/Urumqi' } } });
  });

  it('refuses unknown and malformed keys every time', async () => {
    const url = '/api/v1/pos/prompt?phone=13100000001';
    const known = await keyFor(t, 'operator');
    const forged = known.slice(0, -4) + (known.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    for (const key of [forged, forged, 'yk_nonsense', known.replace(/^yk_[0-9a-f]{32}/, `yk_${'0'.repeat(32)}`)]) {
      expect((await app.inject({ url, headers: bearer(key) })).statusCode).toBe(401);
    }
  });
});
