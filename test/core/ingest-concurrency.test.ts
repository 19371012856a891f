// Concurrent ingestion batches about the same customers, on separate connections: every batch
// commits (profile locks are taken in one order, so no two batches wait for each other in a
// circle), merges happen once, retries store nothing twice, and the incrementally kept order
// aggregates equal a full recompute from the orders. A batch still resolving its customers holds
// no write lock: another batch writes to the same customer meanwhile, and only a merge of one of
// them waits for it.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, inject, it } from 'vitest';
import { refreshOrderAggregates } from '../../src/core/customers/aggregates.service.ts';
import { lockCustomers, lockForWrites, resolveParsedRefs } from '../../src/core/ingest/identity.service.ts';
import { parseRef, type ParsedRef } from '../../src/core/ingest/identity.rules.ts';
import { ingestEvents } from '../../src/core/ingest/ingest.service.ts';
import { insertCreatedOrders, prepareOrders, writeOrders } from '../../src/core/orders/record.service.ts';
import { parseOrder } from '../../src/core/orders/record.rules.ts';
import { openDatabase } from '../../src/db/connect.ts';
import { buildWorld } from '../fixtures.ts';
import { newTenant, testDb, waitsForLock } from '../helpers.ts';
import { adminOf } from './ingest-helpers.ts';

const run = randomBytes(4).toString('hex');
const db = () => testDb().db;
/** An order_paid event of ¥30; `key` names the event and its order number. */
const paidOrder = (key: string, customer: Record<string, string>, at: string) => ({
  id: `o-${run}-${key}`, type: 'order_paid', occurredAt: at, customer,
  properties: { orderNo: `R${run}-${key}`, paidFen: 3000, channel: 'pos', items: [{ sku: 'S', name: '苹果', quantity: 1, unitPriceFen: 3000 }] },
});
/** A ¥20 order of 4 June by a known customer, checked as ingestion checks it, for a batch's steps run by hand. */
function draftOrder(key: string, customerId: string) {
  const draft = parseOrder({ orderNo: `R${run}-${key}`, customer: { customerId }, channel: 'pos', totalFen: 2000, paidFen: 2000, orderedAt: '2026-06-04T02:00:00Z',
    items: [{ sku: 'S', name: '苹果', quantity: 1, unitPriceFen: 2000 }] }, 0, new Date());
  if ('rejection' in draft) throw new Error(draft.rejection.message);
  return draft;
}

describe('concurrent ingestion about the same customers', () => {
  it('commits every batch, merges once and keeps the aggregates equal to a recompute', async () => {
    const tenant = await newTenant();
    const world = await buildWorld(db(), tenant.id);
    const actor = adminOf(tenant.id);
    const staff = await db().selectFrom('staff').select('wecom_user_id').where('tenant_id', '=', tenant.id).where('id', '=', world.staff.li).executeTakeFirstOrThrow();
    const people = 12;
    const phone = (i: number): string => `187${run.slice(0, 4).replace(/\D/g, '7').padEnd(4, '7')}${String(i).padStart(4, '0')}`;
    const wecom = (i: number): string => `wm${run}c${i}`;
    // Each person starts as two profiles: one known by phone, one by WeCom id.
    const seeded = await ingestEvents(db(), actor, Array.from({ length: people }, (_, i) => [
      { id: `seed-${run}-p${i}`, type: 'page_viewed', occurredAt: '2026-04-01T02:00:00Z', customer: { phone: phone(i) } },
      { id: `seed-${run}-w${i}`, type: 'page_viewed', occurredAt: '2026-04-01T03:00:00Z', customer: { externalUserId: wecom(i) } },
    ]).flat());
    expect(seeded.accepted).toBe(2 * people);

    // 4 connections × 3 batches; each batch names every person in its own order (so lock orders
    // would cross if they followed the batch), orders for all of them (some on days they already
    // bought), group joins, contacts, and the event that links phone and WeCom id: a merge.
    let seq = 0;
    const batch = (worker: number, round: number) => {
      const step = [1, 5, 7, 11][worker] ?? 1; // steps prime to 12: each order is a permutation
      const order = Array.from({ length: people }, (_, i) => (i * step + round) % people);
      return order.flatMap((i) => {
        seq += 1;
        const day = `2026-05-${String(1 + ((worker + round + i) % 3)).padStart(2, '0')}`;
        const who = (worker + round) % 2 === 0 ? { phone: phone(i) } : { externalUserId: wecom(i) };
        return [
          { id: `c-${run}-${worker}-${round}-${i}-o`, type: 'order_paid', occurredAt: `${day}T0${worker}:1${round}:00Z`, customer: who,
            properties: { orderNo: `N${run}-${worker}-${round}-${i}`, paidFen: 1000 + seq, channel: 'pos', items: [{ sku: 'S', name: '苹果', quantity: 1, unitPriceFen: 1000 + seq }] } },
          { id: `c-${run}-${worker}-${round}-${i}-g`, type: 'group_joined', occurredAt: `${day}T05:00:00Z`, customer: who, properties: { chatId: `wr-${run}-${i % 3}` } },
          { id: `c-${run}-${worker}-${round}-${i}-k`, type: 'contact_added', occurredAt: `${day}T06:00:00Z`, customer: who, properties: { staffWecomUserId: staff.wecom_user_id } },
          { id: `c-${run}-${worker}-${round}-${i}-m`, type: 'message_received', occurredAt: `${day}T07:00:00Z`, customer: { phone: phone(i), externalUserId: wecom(i) } },
        ];
      });
    };
    const batches = Array.from({ length: 4 }, (_, w) => Array.from({ length: 3 }, (_, r) => batch(w, r)));
    const pools = batches.map(() => openDatabase(inject('databaseUrl'), { max: 1 }));
    try {
      const results = await Promise.all(batches.map(async (list, w) => {
        const out = [];
        for (const events of list) out.push(await ingestEvents(pools[w]?.db ?? db(), actor, events));
        return out;
      }));
      const flat = results.flat();
      expect(flat.flatMap((r) => r.rejected)).toEqual([]);
      expect(flat.reduce((n, r) => n + r.accepted, 0)).toBe(4 * 3 * people * 4);

      // A retried batch stores nothing again.
      const retry = await ingestEvents(db(), actor, batches[1]?.[2] ?? []);
      expect(retry).toEqual({ accepted: 0, duplicates: people * 4, rejected: [] });
    } finally {
      await Promise.all(pools.map((p) => p.close()));
    }

    // One profile per person, every order on it, every merge recorded once.
    // (buildWorld's own customers aside)
    const values = Array.from({ length: people }, (_, i) => [phone(i), wecom(i)]).flat();
    const ours = await db().selectFrom('customer_identities').select('customer_id').distinct()
      .where('tenant_id', '=', tenant.id).where('value', 'in', values).execute();
    expect(ours).toHaveLength(people);
    const ids = ours.map((o) => o.customer_id);
    const customers = await db().selectFrom('customers').select(['id', 'order_count']).where('tenant_id', '=', tenant.id).where('id', 'in', ids).execute();
    expect(customers.map((c) => c.order_count)).toEqual(Array.from({ length: people }, () => 12));
    const merges = await sql<{ n: number }>`select count(*)::int as n from customer_merges where tenant_id = ${tenant.id}`.execute(db());
    expect(merges.rows[0]?.n).toBe(people);
    const members = await sql<{ n: number }>`select count(*)::int as n from group_members where tenant_id = ${tenant.id} and customer_id = any(${ids}::uuid[])`.execute(db());
    expect(members.rows[0]?.n).toBe(people);

    // The aggregates kept batch by batch are what a recompute from the orders gives.
    const before = await db().selectFrom('customers')
      .select(['id', 'order_count', 'order_days', 'total_spent_fen', 'first_order_at', 'last_order_at', 'first_day_spent_fen', 'last_active_at'])
      .where('tenant_id', '=', tenant.id).where('id', 'in', ids).orderBy('id').execute();
    expect(before.every((c) => c.order_days === 3)).toBe(true);
    expect((await refreshOrderAggregates(db(), tenant.id)).customersUpdated).toBe(0);
    const after = await db().selectFrom('customers')
      .select(['id', 'order_count', 'order_days', 'total_spent_fen', 'first_order_at', 'last_order_at', 'first_day_spent_fen', 'last_active_at'])
      .where('tenant_id', '=', tenant.id).where('id', 'in', ids).orderBy('id').execute();
    expect(after).toEqual(before);
  });
});

describe('a batch still resolving its customers', () => {
  it('holds up no other batch writing to them, and a merge of one of them waits for its commit', async () => {
    const tenant = await newTenant();
    const actor = adminOf(tenant.id);
    const [phoneA, wecomB, phoneC] = [`186${run.replace(/\D/g, '6').padEnd(8, '6').slice(0, 8)}`, `wm${run}-b`, `185${run.replace(/\D/g, '5').padEnd(8, '5').slice(0, 8)}`];
    // A (by phone) is older than B (by WeCom id): a merge keeps A.
    for (const [key, customer] of [['a', { phone: phoneA }], ['b', { externalUserId: wecomB }], ['c', { phone: phoneC }]] as const) {
      expect((await ingestEvents(db(), actor, [{ id: `seed-${run}-${key}`, type: 'page_viewed', occurredAt: '2026-04-01T02:00:00Z', customer }])).accepted).toBe(1);
    }
    const idOf = async (value: string): Promise<string> => (await db().selectFrom('customer_identities').select('customer_id')
      .where('tenant_id', '=', tenant.id).where('value', '=', value).executeTakeFirstOrThrow()).customer_id;
    const [a, b, c] = [await idOf(phoneA), await idOf(wecomB), await idOf(phoneC)];

    const holder = openDatabase(inject('databaseUrl'), { max: 1, applicationName: `holder-${run}` });
    const writer = openDatabase(inject('databaseUrl'), { max: 1, applicationName: `writer-${run}` });
    const merger = openDatabase(inject('databaseUrl'), { max: 1, applicationName: `merger-${run}` });
    let release = (): void => {};
    const released = new Promise<void>((r) => { release = r; });
    let resolvedHeld = (): void => {};
    const held = new Promise<void>((r) => { resolvedHeld = r; });
    try {
      // The holder resolves C and B and stops there, before taking its write locks.
      const holding = holder.db.transaction().execute(async (trx) => {
        const refs = [parseRef({ phone: phoneC }), parseRef({ externalUserId: wecomB })] as ParsedRef[];
        const resolved = await resolveParsedRefs(trx, tenant.id, refs, { create: true, source: 'test' }, { deferMerges: true });
        expect(resolved.results.map((r) => ('customerId' in r ? r.customerId : r.error.code))).toEqual([c, b]);
        resolvedHeld();
        await released;
        await lockForWrites(trx, tenant.id, { merges: resolved.merges, writing: [c] }, { source: 'test' });
      });
      await held;

      // Another batch orders for C and touches B: it commits while the holder is open.
      const write = ingestEvents(writer.db, actor, [
        { id: `w-${run}-1`, type: 'order_paid', occurredAt: '2026-05-01T02:00:00Z', customer: { phone: phoneC },
          properties: { orderNo: `W${run}`, paidFen: 5000, channel: 'pos', items: [{ sku: 'S', name: '苹果', quantity: 1, unitPriceFen: 5000 }] } },
        { id: `w-${run}-2`, type: 'page_viewed', occurredAt: '2026-05-01T03:00:00Z', customer: { externalUserId: wecomB } },
      ]);
      expect(await waitsForLock(`writer-${run}`, write)).toBe(false);
      expect((await write).accepted).toBe(2);
      expect((await db().selectFrom('customers').select('order_count').where('tenant_id', '=', tenant.id).where('id', '=', c).executeTakeFirstOrThrow()).order_count).toBe(1);

      // A batch that proves A and B one person must wait: B is to disappear, and the holder may still write to it.
      const merge = ingestEvents(merger.db, actor, [{ id: `m-${run}`, type: 'page_viewed', occurredAt: '2026-05-02T02:00:00Z', customer: { phone: phoneA, externalUserId: wecomB } }]);
      expect(await waitsForLock(`merger-${run}`, merge)).toBe(true);
      release();
      await holding;
      expect((await merge).accepted).toBe(1);
    } finally {
      release();
      await Promise.all([holder.close(), writer.close(), merger.close()]);
    }
    expect(await idOf(wecomB)).toBe(a);
    const merged = await sql<{ survivor_id: string }>`select survivor_id from customer_merges where tenant_id = ${tenant.id} and merged_id = ${b}`.execute(db());
    expect(merged.rows.map((r) => r.survivor_id)).toEqual([a]);
    const events = await sql<{ n: number }>`select count(*)::int as n from events where tenant_id = ${tenant.id} and customer_id = ${a} and event_key like ${`%${run}%`}`.execute(db());
    expect(events.rows[0]?.n).toBe(4); // A's seed, B's seed and the writer's page view (moved over), the merging event
  });
});

describe('a merge beside a batch that has just recorded an order for the survivor', () => {
  it('moves the merged orders before it locks the survivor, so neither waits for the other in a circle', async () => {
    const tenant = await newTenant();
    const actor = adminOf(tenant.id);
    const [phoneA, wecomB] = [`183${run.replace(/\D/g, '3').padEnd(8, '3').slice(0, 8)}`, `wm${run}-rollup`];
    // A (older, the survivor) and B each bought in June: moving B's order adds to A's June rollup rows.
    expect((await ingestEvents(db(), actor, [paidOrder('a', { phone: phoneA }, '2026-06-02T02:00:00Z')])).accepted).toBe(1);
    expect((await ingestEvents(db(), actor, [paidOrder('b', { externalUserId: wecomB }, '2026-06-03T02:00:00Z')])).accepted).toBe(1);
    const a = (await db().selectFrom('customer_identities').select('customer_id').where('tenant_id', '=', tenant.id).where('value', '=', phoneA).executeTakeFirstOrThrow()).customer_id;

    const holder = openDatabase(inject('databaseUrl'), { max: 1, applicationName: `rollup-holder-${run}` });
    const merger = openDatabase(inject('databaseUrl'), { max: 1, applicationName: `rollup-merger-${run}` });
    try {
      await holder.db.transaction().execute(async (trx) => {
        // A batch has inserted a June order for A (holding A's June rollup rows) and not yet locked A.
        const prepared = await prepareOrders(trx, tenant.id, [draftOrder('h', a)]);
        expect((await insertCreatedOrders(trx, tenant.id, prepared.prepared.map((p) => ({ prepared: p, customerId: a })))).rows).toHaveLength(1);

        // Another batch proves A and B one person: its merge waits for those rollup rows.
        const merge = ingestEvents(merger.db, actor, [{ id: `m-${run}-rollup`, type: 'page_viewed', occurredAt: '2026-06-05T02:00:00Z', customer: { phone: phoneA, externalUserId: wecomB } }]);
        expect(await waitsForLock(`rollup-merger-${run}`, merge)).toBe(true);
        // The first batch now locks A for writing: the merge does not hold A yet, so this does not wait.
        const locking = lockCustomers(trx, tenant.id, [a]);
        expect(await waitsForLock(`rollup-holder-${run}`, locking)).toBe(false);
        await locking;
        return { merge }; // (wrapped: returning the promise itself would wait for it before committing)
      }).then(async ({ merge }) => {
        expect((await merge).accepted).toBe(1);
      });
    } finally {
      await Promise.all([holder.close(), merger.close()]);
    }
    const merged = await sql<{ n: number }>`select count(*)::int as n from customer_merges where tenant_id = ${tenant.id}`.execute(db());
    expect(merged.rows[0]?.n).toBe(1);
    // The holder's order has no aggregate delta (it stopped at the lock), so a recompute corrects A: the
    // rollup rows, kept by triggers, already hold all three orders.
    await refreshOrderAggregates(db(), tenant.id);
    const june = await sql<{ orders: number }>`select sum(orders)::int as orders from analytics_customer_months where tenant_id = ${tenant.id} and customer_id = ${a} and store_key = '00000000-0000-0000-0000-000000000000'`.execute(db());
    expect(june.rows[0]?.orders).toBe(3);
  });
});

describe('a merge a batch carries out after inserting its new orders', () => {
  // Merges are carried out ahead of the batch; one lands inside it when another batch creates the
  // linked profile meanwhile. By then the batch has inserted its new orders, which it adds to their
  // buyers' aggregates after the merge: the merge's recompute must leave them out.
  it('counts the new order of the batch once on the survivor', async () => {
    const tenant = await newTenant();
    const actor = adminOf(tenant.id);
    const [phoneA, wecomB] = [`182${run.replace(/\D/g, '2').padEnd(8, '2').slice(0, 8)}`, `wm${run}-pending`];
    // A (older, the survivor) and B each bought once.
    expect((await ingestEvents(db(), actor, [paidOrder('pa', { phone: phoneA }, '2026-06-02T02:00:00Z')])).accepted).toBe(1);
    expect((await ingestEvents(db(), actor, [paidOrder('pb', { externalUserId: wecomB }, '2026-06-03T02:00:00Z')])).accepted).toBe(1);

    // The batch's steps, as ingestion runs them: resolve (planning the merge), insert the new order,
    // lock and merge, then add the new order to the aggregates.
    const a = await db().transaction().execute(async (trx) => {
      const resolved = await resolveParsedRefs(trx, tenant.id, [parseRef({ phone: phoneA, externalUserId: wecomB }) as ParsedRef], { create: true, source: 'test' }, { deferMerges: true });
      const first = resolved.results[0];
      if (!first || 'error' in first) throw new Error('not resolved');
      expect(resolved.merges).toHaveLength(1);
      const rows = (await prepareOrders(trx, tenant.id, [draftOrder('pnew', first.customerId)])).prepared.map((p) => ({ prepared: p, customerId: first.customerId }));
      const inserted = await insertCreatedOrders(trx, tenant.id, rows);
      await lockForWrites(trx, tenant.id, { merges: resolved.merges, writing: [], pendingOrders: inserted.rows.map((o) => o.prepared.orderId) }, { source: 'test' });
      await writeOrders(trx, tenant.id, rows, { source: 'test', timeline: false, buyersLocked: true, inserted });
      return first.customerId;
    });

    const stored = await db().selectFrom('customers').select(['order_count', 'order_days', 'total_spent_fen']).where('tenant_id', '=', tenant.id).where('id', '=', a).executeTakeFirstOrThrow();
    expect({ ...stored, total_spent_fen: Number(stored.total_spent_fen) }).toEqual({ order_count: 3, order_days: 3, total_spent_fen: 8000 });
    expect((await refreshOrderAggregates(db(), tenant.id, [a])).customersUpdated).toBe(0);
  });
});
