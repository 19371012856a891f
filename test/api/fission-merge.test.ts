// Two profiles proved to be one person: their 接龙 lines, 拼团 leadership, 拼单 cart and referral
// network move to the survivor, and the merge does not fail on them.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.ts';
import { buildWorld, type World } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';
import { api, bearer, keyFor } from './harness.ts';

let app: FastifyInstance;
let world: World;
let admin: Record<string, string>;
const run = randomBytes(3).toString('hex');
const db = () => testDb().db;

beforeAll(async () => {
  app = await api();
  world = await buildWorld(db(), (await newTenant()).id);
  admin = bearer(await keyFor(world.tenantId, 'admin'));
});

async function events(list: { type: string; customer: Record<string, string>; properties?: Record<string, unknown> }[]): Promise<void> {
  const res = await app.inject({
    method: 'POST', url: '/api/v1/events', headers: admin,
    payload: { events: list.map((e, i) => ({ id: `merge-${run}-${i}-${newId()}`, occurredAt: new Date(Date.now() - 3_600_000).toISOString(), properties: {}, ...e })) },
  });
  expect(res.json().rejected, res.body).toEqual([]);
}

const idOf = async (kind: 'external_userid' | 'phone', value: string): Promise<string> =>
  (await db().selectFrom('customer_identities').select('customer_id').where('tenant_id', '=', world.tenantId).where('kind', '=', kind).where('value', '=', value).executeTakeFirstOrThrow()).customer_id;

describe('merging profiles with fission rows', () => {
  it('moves 接龙 quantities, 拼团, 拼单 and the referral network to the survivor', async () => {
    const phone = `135${run.replace(/\D/g, '0').slice(0, 4)}0000`.slice(0, 11);
    const chatId = `wr-merge-${run}`;
    await events([
      { type: 'group_joined', customer: { externalUserId: `wmA${run}` }, properties: { chatId } },
      { type: 'group_joined', customer: { phone }, properties: { chatId } },
    ]);
    const a = await idOf('external_userid', `wmA${run}`);
    const b = await idOf('phone', phone);
    expect(a).not.toBe(b);
    const group = await db().selectFrom('customer_groups').select('id').where('tenant_id', '=', world.tenantId).where('chat_id', '=', chatId).executeTakeFirstOrThrow();
    const sol = (await app.inject({ method: 'POST', url: '/api/v1/solitaires', headers: admin, payload: { groupId: group.id, title: '合并', sku: 'S', itemName: '苹果', priceFen: 100, stock: 10, storeId: world.stores.futian, deadlineAt: new Date(Date.now() + 3_600_000).toISOString() } })).json();
    await app.inject({ method: 'POST', url: `/api/v1/solitaires/${sol.id}/entries`, headers: admin, payload: { customer: a, quantity: 2 } });
    await app.inject({ method: 'POST', url: `/api/v1/solitaires/${sol.id}/entries`, headers: admin, payload: { customer: b, quantity: 3 } });
    const gb = await app.inject({ method: 'POST', url: '/api/v1/group-buys', headers: admin, payload: { leader: a, sku: 'D', itemName: '榴莲', priceFen: 100, originalPriceFen: 200, targetSize: 3, timeLimitMinutes: 60 } });
    const cart = await app.inject({ method: 'POST', url: '/api/v1/shared-carts', headers: admin, payload: { initiator: a } });
    expect([gb.statusCode, cart.statusCode]).toEqual([201, 201]);
    await app.inject({ method: 'POST', url: '/api/v1/referral/codes', headers: admin, payload: { customer: a, code: `A${run}` } });
    await app.inject({ method: 'POST', url: '/api/v1/referral/attributions', headers: admin, payload: { customer: world.customers.jun, code: `A${run}` } });

    // One event naming both identities proves they are one person.
    await events([{ type: 'page_viewed', customer: { externalUserId: `wmA${run}`, phone } }]);
    const survivor = await idOf('phone', phone);
    expect(await idOf('external_userid', `wmA${run}`)).toBe(survivor);
    const gone = survivor === a ? b : a;

    const s = (await app.inject({ url: `/api/v1/solitaires/${sol.id}`, headers: admin })).json();
    expect(s.entries.map((e: { customerId: string; quantity: number }) => [e.customerId, e.quantity])).toEqual([[survivor, 5]]);
    expect(s.taken).toBe(5);
    expect((await app.inject({ url: `/api/v1/group-buys/${gb.json().id}`, headers: admin })).json().leaderCustomerId).toBe(survivor);
    expect((await app.inject({ url: `/api/v1/shared-carts/${cart.json().shareToken}`, headers: admin })).json().initiatorCustomerId).toBe(survivor);
    const tree = (await app.inject({ url: `/api/v1/referral/tree/${survivor}`, headers: admin })).json();
    expect(tree.children.map((n: { customerId: string }) => n.customerId)).toEqual([world.customers.jun]);
    const left = await sql<{ n: number }>`
      select (select count(*) from solitaire_entries where tenant_id = ${world.tenantId} and customer_id = ${gone})
           + (select count(*) from referral_partners where tenant_id = ${world.tenantId} and customer_id = ${gone}) as n`.execute(db());
    expect(Number(left.rows[0]?.n)).toBe(0);
  });
});
