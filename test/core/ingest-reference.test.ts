// The batched ingestion path against a straightforward reference: the same generated events sent one
// at a time, in order, on one connection (each event its own transaction, so resolution, merges and
// aggregates only ever see one event), into a second tenant. Batches of the first tenant run on
// several connections at once and include in-batch duplicates, retried batches, refunds, rejected
// items and events that link profiles (merges). Profiles are compared by the identities they hold,
// since ids and survivors may differ. Two things legitimately differ and are compared loosely: how
// many merges a person took (people a batch proves to be one are created as one profile, where one
// event at a time creates two and merges them), and the dates of a friendship or group membership
// that facts reported on two profiles before their merge (a merge combines the two rows; a batch
// folds the facts): for these only which relations exist is compared.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, inject, it } from 'vitest';
import { refreshOrderAggregates } from '../../src/core/customers/aggregates.service.ts';
import { newId } from '../../src/core/ids.ts';
import { ingestEvents } from '../../src/core/ingest/ingest.service.ts';
import { openDatabase } from '../../src/db/connect.ts';
import { newTenant, testDb } from '../helpers.ts';
import { adminOf } from './ingest-helpers.ts';
import { prng } from '../prng.ts';

const run = randomBytes(4).toString('hex');
const db = () => testDb().db;


type Event = Record<string, unknown>;

interface Scenario {
  /** Each phase's batches are sent at once on separate connections; phases follow each other. */
  phases: Event[][][][];
}

function generate(seed: number, staffWecom: string): Scenario {
  const rnd = prng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const people = 40;
  const phone = (i: number): string => `159${String(seed % 1000).padStart(3, '0')}${String(i).padStart(5, '0')}`;
  const wecom = (i: number): string => `wm-${run}-${seed}-${i}`;
  const member = (i: number): string => `M${run}${seed}${i}`;
  let seq = 0;
  let minute = 0;
  const at = (): string => new Date(Date.UTC(2026, 4, 1, 2) + (minute += 7 + Math.floor(rnd() * 600)) * 60_000).toISOString();
  const id = (): string => `r-${run}-${seed}-${++seq}`;

  // Phase 1: every person appears as up to three separate profiles (by phone, WeCom id, member number).
  const seedEvents: Event[] = [];
  for (let i = 0; i < people; i++) {
    seedEvents.push({ id: id(), type: 'page_viewed', occurredAt: at(), customer: { phone: phone(i) } });
    if (i % 2 === 0) seedEvents.push({ id: id(), type: 'page_viewed', occurredAt: at(), customer: { externalUserId: wecom(i) } });
    if (i % 3 === 0) seedEvents.push({ id: id(), type: 'page_viewed', occurredAt: at(), customer: { memberNo: member(i) } });
  }

  // Phase 2: mixed events, some naming two identities of a person (a merge), some new people.
  const orders: { no: string; paid: number; who: Record<string, string> }[] = [];
  const mixed: Event[] = [];
  for (let n = 0; n < 360; n++) {
    const i = Math.floor(rnd() * (people + 10)); // people ≥ 40 are new to the tenant
    const refs: Record<string, string>[] = [{ phone: phone(i) }, { externalUserId: wecom(i) }, { memberNo: member(i) }];
    const r = rnd();
    const who = r < 0.12 ? { ...pick(refs), ...pick(refs) } : r < 0.16 ? { phone: phone(i), externalUserId: wecom(i), memberNo: member(i) } : pick(refs);
    const kind = rnd();
    const occurredAt = at();
    if (kind < 0.3) {
      const no = `O-${run}-${seed}-${orders.length}`;
      const paid = 100 + Math.floor(rnd() * 50_000);
      orders.push({ no, paid, who });
      mixed.push({ id: id(), type: 'order_paid', occurredAt, customer: who,
        properties: { orderNo: no, paidFen: paid, channel: 'pos', items: [{ sku: 'S1', name: '面霜', quantity: 1, unitPriceFen: paid }] } });
    } else if (kind < 0.45) {
      mixed.push({ id: id(), type: rnd() < 0.75 ? 'group_joined' : 'group_left', occurredAt, customer: who, properties: { chatId: `wr-${run}-${seed}-${Math.floor(rnd() * 4)}` } });
    } else if (kind < 0.6) {
      mixed.push({ id: id(), type: rnd() < 0.75 ? 'contact_added' : 'contact_deleted', occurredAt, customer: who,
        properties: { staffWecomUserId: staffWecom, state: 'qr', channel: 'store_qr', ...(rnd() < 0.5 ? { name: `顾客${i}-${n}` } : {}) } });
    } else if (kind < 0.72) {
      mixed.push({ id: id(), type: 'profile_updated', occurredAt, customer: who, source: pick(['wecom', 'pos', 'api', 'miniprogram']),
        properties: { city: pick(['深圳', '广州', '上海']), ...(rnd() < 0.5 ? { gender: pick(['male', 'female']) } : {}) } });
    } else {
      mixed.push({ id: id(), type: pick(['page_viewed', 'message_received', 'store_visited']), occurredAt, customer: who });
    }
    if (rnd() < 0.04) mixed.push({ ...mixed[mixed.length - 1] }); // the same event twice in a batch
    if (rnd() < 0.02) mixed.push({ id: id(), type: 'order_paid', occurredAt, customer: who, properties: { orderNo: 'x', paidFen: -5 } }); // rejected
  }
  const batches: Event[][] = [];
  for (let k = 0; k < mixed.length; k += 45) batches.push(mixed.slice(k, k + 45));

  // Phase 3: refunds (partial, then some in full), a retry of two earlier batches, and a last round
  // of links between profiles, at once.
  const refunds: Event[] = [];
  for (const o of orders) {
    if (rnd() < 0.3) refunds.push({ id: id(), type: 'order_refunded', occurredAt: at(), customer: o.who, properties: { orderNo: o.no, paidFen: o.paid, refundedFen: Math.floor(o.paid / 3) + 1, channel: 'pos' } });
    if (rnd() < 0.15) refunds.push({ id: id(), type: 'order_refunded', occurredAt: at(), customer: o.who, properties: { orderNo: o.no, paidFen: o.paid, channel: 'pos' } });
  }
  const links: Event[] = Array.from({ length: 12 }, (_, k) => ({ id: id(), type: 'message_sent', occurredAt: at(), customer: { phone: phone(k * 3), memberNo: member(k * 3) } }));
  return {
    phases: [
      [[seedEvents]],
      [batches.filter((_, k) => k % 3 === 0), batches.filter((_, k) => k % 3 === 1), batches.filter((_, k) => k % 3 === 2)],
      [[refunds], [batches[1] ?? [], links], [batches[2] ?? []]],
    ],
  };
}

interface Totals {
  accepted: number;
  duplicates: number;
  rejected: number;
}

async function tenantWithStaff(): Promise<{ tenantId: string; staffWecom: string }> {
  const tenant = await newTenant();
  const staffWecom = `guide.${run}`;
  await db().insertInto('staff').values({ tenant_id: tenant.id, id: newId(), store_id: null, name: '导购', wecom_user_id: staffWecom, phone: null }).execute();
  return { tenantId: tenant.id, staffWecom };
}

/** The batched path: each phase's lanes on their own connection at once. */
async function ingestBatched(tenantId: string, scenario: Scenario): Promise<Totals> {
  const totals: Totals = { accepted: 0, duplicates: 0, rejected: 0 };
  const pools = [0, 1, 2].map(() => openDatabase(inject('databaseUrl'), { max: 1 }));
  try {
    for (const lanes of scenario.phases) {
      await Promise.all(lanes.map(async (batches, lane) => {
        for (const events of batches) {
          const r = await ingestEvents(pools[lane]?.db ?? db(), adminOf(tenantId), events);
          totals.accepted += r.accepted;
          totals.duplicates += r.duplicates;
          totals.rejected += r.rejected.length;
        }
      }));
    }
  } finally {
    await Promise.all(pools.map((p) => p.close()));
  }
  return totals;
}

/** The reference: one event per call, phase by phase, lane by lane. */
async function ingestOneByOne(tenantId: string, scenario: Scenario): Promise<Totals> {
  const totals: Totals = { accepted: 0, duplicates: 0, rejected: 0 };
  for (const lanes of scenario.phases) {
    for (const batches of lanes) {
      for (const event of batches.flat()) {
        const r = await ingestEvents(db(), adminOf(tenantId), [event]);
        totals.accepted += r.accepted;
        totals.duplicates += r.duplicates;
        totals.rejected += r.rejected.length;
      }
    }
  }
  return totals;
}

/** Every profile of a tenant as the identities it holds → what it shows. */
async function profiles(tenantId: string): Promise<Map<string, Record<string, unknown>>> {
  const rows = await sql<Record<string, unknown> & { who: string | null }>`
    select (select string_agg(i.kind || ':' || i.value, '|' order by i.kind, i.value) from customer_identities i
             where i.tenant_id = c.tenant_id and i.customer_id = c.id) as who,
           c.name, c.gender, c.birthday, c.city, c.source_channel, c.guide_id is not null as has_guide, c.attribute_sources,
           c.order_count, c.order_days, c.total_spent_fen::text as spent, c.first_order_at, c.last_order_at, c.first_day_spent_fen::text as first_day_spent,
           c.last_active_at,
           (select string_agg(e.event_key || '/' || e.type, ',' order by e.event_key) from events e
             where e.tenant_id = c.tenant_id and e.customer_id = c.id and e.type <> 'customer_merged') as events,
           (select string_agg(o.order_no || '/' || o.status || '/' || o.refunded_fen, ',' order by o.order_no) from orders o
             where o.tenant_id = c.tenant_id and o.customer_id = c.id) as orders,
           (select string_agg(g.chat_id, ',' order by g.chat_id) from group_members m
              join customer_groups g on g.tenant_id = m.tenant_id and g.id = m.group_id
             where m.tenant_id = c.tenant_id and m.customer_id = c.id) as groups,
           (select count(*)::int from customer_contacts k
             where k.tenant_id = c.tenant_id and k.customer_id = c.id) as contacts
      from customers c where c.tenant_id = ${tenantId}`.execute(db());
  const out = new Map<string, Record<string, unknown>>();
  for (const { who, ...rest } of rows.rows) {
    expect(who).not.toBeNull(); // every profile ingestion creates holds an identity
    out.set(who ?? '', rest);
  }
  return out;
}

describe('batched ingestion against one event at a time', () => {
  it.each([11, 29])('ends in the same profiles, events, orders and relations (seed %i)', async (seed) => {
    const batched = await tenantWithStaff();
    const reference = await tenantWithStaff();
    const scenario = generate(seed, batched.staffWecom);
    expect(reference.staffWecom).toBe(batched.staffWecom);

    const got = await ingestBatched(batched.tenantId, scenario);
    const want = await ingestOneByOne(reference.tenantId, scenario);
    expect(got).toEqual(want);
    expect(got.rejected).toBeGreaterThan(0);
    expect(got.duplicates).toBeGreaterThan(0);

    const a = await profiles(batched.tenantId);
    const b = await profiles(reference.tenantId);
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    for (const [who, shown] of b) expect({ who, ...a.get(who) }).toEqual({ who, ...shown });
    // Every merge is recorded, and on the survivor's timeline.
    const merged = await sql<{ merges: number; recorded: number }>`
      select (select count(*)::int from customer_merges where tenant_id = ${batched.tenantId}) as merges,
             (select count(*)::int from events where tenant_id = ${batched.tenantId} and type = 'customer_merged') as recorded`.execute(db());
    expect(merged.rows[0]?.merges).toBeGreaterThan(10);
    expect(merged.rows[0]?.recorded).toBe(merged.rows[0]?.merges);

    // The aggregates kept as orders arrived are what a full recompute gives.
    expect((await refreshOrderAggregates(db(), batched.tenantId)).customersUpdated).toBe(0);
  }, 120_000);
});
