// Analytics: the API's figures recomputed straight from raw order, contact and event rows in plain
// TypeScript (no shared SQL), on a generated demo world plus contacts and events ingested through
// the real ingestion; then filters, CSV, bad input, permissions and tenant isolation.
import { beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { newTenant, testDb } from '../helpers.ts';
import { api, bearer, keyFor } from './harness.ts';
import { seedDemo } from '../../src/core/demo/demo.service.ts';
import { ingestEvents } from '../../src/core/ingest/ingest.service.ts';
import { adminOf } from '../core/ingest-helpers.ts';
import { newId } from '../../src/core/ids.ts';
import { refreshFirstOrderFacts } from '../../src/core/analytics/facts.service.ts';
import { recordOrders } from '../../src/core/orders/record.service.ts';

const TZ = 'Asia/Shanghai';
const DAY = 86_400_000;
const dayFormat = new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' });
const dayOf = (d: Date): string => dayFormat.format(d);
const plusDays = (date: string, n: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
const monthIndex = (date: string): number => Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1;
const mondayOf = (date: string): string => plusDays(date, -((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7));
const share = (n: number, base: number): number | null => (base > 0 ? Math.round((n / base) * 10_000) / 10_000 : null);

interface RawOrder { id: string; customerId: string | null; storeId: string | null; channel: string; counted: boolean; spent: number; at: Date; day: string }
interface RawCustomer { id: string; createdAt: Date; storeId: string | null; guideId: string | null; source: string }

let app: FastifyInstance;
let tenantId: string;
let admin: Record<string, string>;
let today: string;
let orders: RawOrder[];
let customers: RawCustomer[];
let contacts: { customerId: string; addedAt: Date; deletedAt: Date | null }[];
let events: { type: string; customerId: string | null; at: Date; referrer: string | null }[];
let firstOrder: Map<string, RawOrder>;

/** One GET; `body` is the parsed JSON (null for CSV). */
async function get(url: string, headers = admin) {
  const res = await app.inject({ url, headers });
  const json = String(res.headers['content-type'] ?? '').includes('json') ? res.json() : null;
  return { status: res.statusCode, body: json, text: res.body, type: String(res.headers['content-type']) };
}

/** The raw rows, read plainly; every figure below is recomputed from these. */
async function loadRaw(): Promise<void> {
  const { db } = testDb();
  orders = (await sql<{ id: string; customer_id: string | null; store_id: string | null; channel: string; status: string; paid_fen: string; refunded_fen: string; ordered_at: Date }>`
    select id, customer_id, store_id, channel, status, paid_fen, refunded_fen, ordered_at from orders where tenant_id = ${tenantId}`.execute(db)).rows
    .map((o) => ({ id: o.id, customerId: o.customer_id, storeId: o.store_id, channel: o.channel, counted: o.status !== 'refunded', spent: Number(o.paid_fen) - Number(o.refunded_fen), at: o.ordered_at, day: dayOf(o.ordered_at) }));
  customers = (await sql<{ id: string; created_at: Date; store_id: string | null; guide_id: string | null; source_channel: string }>`
    select id, created_at, store_id, guide_id, source_channel from customers where tenant_id = ${tenantId}`.execute(db)).rows
    .map((c) => ({ id: c.id, createdAt: c.created_at, storeId: c.store_id, guideId: c.guide_id, source: c.source_channel }));
  contacts = (await sql<{ customer_id: string; added_at: Date; deleted_at: Date | null }>`select customer_id, added_at, deleted_at from customer_contacts where tenant_id = ${tenantId}`.execute(db)).rows
    .map((c) => ({ customerId: c.customer_id, addedAt: c.added_at, deletedAt: c.deleted_at }));
  events = (await sql<{ type: string; customer_id: string | null; occurred_at: Date; properties: Record<string, unknown> }>`select type, customer_id, occurred_at, properties from events where tenant_id = ${tenantId}`.execute(db)).rows
    .map((e) => ({ type: e.type, customerId: e.customer_id, at: e.occurred_at, referrer: typeof e.properties.referrerCustomerId === 'string' ? e.properties.referrerCustomerId : null }));
  firstOrder = new Map();
  for (const o of orders) {
    if (!o.counted || !o.customerId) continue;
    const held = firstOrder.get(o.customerId);
    if (!held || o.at < held.at || (o.at.getTime() === held.at.getTime() && o.id < held.id)) firstOrder.set(o.customerId, o);
  }
}

beforeAll(async () => {
  app = await api();
  const { db } = testDb();
  tenantId = (await newTenant()).id;
  admin = bearer(await keyFor(tenantId, 'admin'));
  await seedDemo(testDb(), { tenantId, customers: 1500, months: 14, seed: 7 });
  today = dayOf(new Date());

  // WeCom contacts, deletions, interactions and referrals over the last 80 days, through ingestion.
  // People the seeded world has not made WeCom friends, so each one's first contact is the one written
  // here, inside the funnel's window, whatever today's date does to the seeded history.
  const picked = (await sql<{ id: string }>`select c.id from customers c where c.tenant_id = ${tenantId}
    and not exists (select 1 from customer_contacts k where k.tenant_id = c.tenant_id and k.customer_id = c.id) order by c.id limit 60`.execute(db)).rows.map((r) => r.id);
  const staff = (await sql<{ id: string }>`select id from staff where tenant_id = ${tenantId} order by id limit 3`.execute(db)).rows.map((r) => r.id);
  const now = Date.now();
  const batch: unknown[] = [];
  picked.forEach((customerId, i) => {
    const added = now - (2 + i * 1.3) * DAY;
    const staffId = staff[i % staff.length];
    batch.push({ id: `add-${i}`, type: 'contact_added', occurredAt: new Date(added).toISOString(), customer: { customerId }, properties: { staffId, state: 'qr-1', ...(i % 5 === 1 ? { referrerCustomerId: picked[i - 1] } : {}) } });
    if (i % 4 === 0) batch.push({ id: `del-${i}`, type: 'contact_deleted', occurredAt: new Date(added + (3 + (i % 40)) * DAY).toISOString(), customer: { customerId }, properties: { staffId } });
    if (i % 3 === 0) batch.push({ id: `msg-${i}`, type: 'message_received', occurredAt: new Date(added + DAY).toISOString(), customer: { customerId }, properties: { staffId } });
    if (i % 7 === 0) batch.push({ id: `page-${i}`, type: 'page_viewed', occurredAt: new Date(added - DAY).toISOString(), customer: { customerId }, properties: {} });
    if (i % 9 === 2) batch.push({ id: `ref-${i}`, type: 'referral', occurredAt: new Date(added + 2 * DAY).toISOString(), customer: { customerId: picked[0] }, properties: { referrerCustomerId: customerId } });
  });
  const ingested = await ingestEvents(db, adminOf(tenantId), batch.filter((e) => Date.parse((e as { occurredAt: string }).occurredAt) < now));
  expect(ingested.rejected).toEqual([]);

  await loadRaw();
}, 120_000);

const counted = (): RawOrder[] => orders.filter((o) => o.counted);
const defaultFrom = (): string => { const m = monthIndex(today) - 11; return `${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}-01`; };
const INTERACTIONS = new Set(['message_received', 'message_sent', 'group_joined', 'form_submitted', 'page_viewed', 'store_visited']);
function repurchasedWithin(customerId: string, firstDay: string, days: number): boolean {
  return counted().some((o) => o.customerId === customerId && o.day > firstDay && o.day <= plusDays(firstDay, days));
}

describe('analytics reconcile with the raw rows', () => {
  it('trends by month, week and day', async () => {
    const from = defaultFrom();
    const inRange = counted().filter((o) => o.day >= from && o.day <= today);
    for (const [granularity, key] of [['month', (d: string) => d.slice(0, 7)], ['week', mondayOf], ['day', (d: string) => d]] as const) {
      const res = await get(`/api/v1/analytics/trends?granularity=${granularity}`);
      expect(res.status).toBe(200);
      expect(res.body.range).toEqual({ from, to: today });
      const points = res.body.points as { bucket: string; gmvFen: number; orders: number; buyers: number; newBuyers: number; activeCustomers: number; averageTicketFen: number }[];
      const busiest = [...new Set(inRange.map((o) => key(o.day)))].slice(0, 4);
      expect(busiest.length).toBeGreaterThan(0);
      for (const bucket of busiest) {
        const mine = inRange.filter((o) => key(o.day) === bucket);
        const gmv = mine.reduce((s, o) => s + o.spent, 0);
        const buyers = new Set(mine.flatMap((o) => (o.customerId ? [o.customerId] : [])));
        const fresh = [...firstOrder.values()].filter((o) => key(o.day) === bucket && o.day >= from).length;
        const active = new Set([...buyers, ...events.filter((e) => INTERACTIONS.has(e.type) && e.customerId && key(dayOf(e.at)) === bucket && dayOf(e.at) >= from).map((e) => e.customerId)]);
        const p = points.find((x) => x.bucket === bucket);
        expect(p).toEqual({ bucket, gmvFen: gmv, orders: mine.length, averageTicketFen: Math.round(gmv / mine.length), buyers: buyers.size, newBuyers: fresh, activeCustomers: active.size });
      }
      // The month totals are the home dashboard's.
      if (granularity === 'month') {
        const dash = await get('/api/v1/dashboard/summary');
        expect(points.map((x) => x.gmvFen)).toEqual(dash.body.gmvByMonth.map((m: { gmvFen: number }) => m.gmvFen));
      }
    }
  });

  it('repurchase-30 and the by-month rows, from orders, from first-order facts, and with stale facts', async () => {
    const from = '2025-12-01';
    const check = async (): Promise<number> => {
      const res = await get(`/api/v1/analytics/repurchase?from=${from}&to=${today}`);
      const base = [...firstOrder.values()].filter((o) => o.day >= from && o.day <= today);
      const eligible = base.filter((o) => plusDays(o.day, 30) < today);
      const again = eligible.filter((o) => o.customerId && repurchasedWithin(o.customerId, o.day, 30));
      expect(eligible.length).toBeGreaterThan(20);
      expect(res.body.firstTimeBuyers).toBe(base.length);
      expect(res.body.windows[1]).toEqual({ days: 30, eligible: eligible.length, repurchased: again.length, rate: share(again.length, eligible.length) });
      for (const month of res.body.byMonth.slice(0, 3)) {
        const seven = base.filter((o) => o.day.slice(0, 7) === month.month && plusDays(o.day, 7) < today);
        expect(month.windows[0].repurchased).toBe(seven.filter((o) => o.customerId && repurchasedWithin(o.customerId, o.day, 7)).length);
        const ninety = base.filter((o) => o.day.slice(0, 7) === month.month && plusDays(o.day, 90) < today);
        expect(month.windows[2].repurchased).toBe(ninety.filter((o) => o.customerId && repurchasedWithin(o.customerId, o.day, 90)).length);
      }
      return again.length;
    };
    const fromOrders = await check();
    const { db } = testDb();
    expect((await refreshFirstOrderFacts(db, tenantId)).customersWritten).toBe(firstOrder.size);
    expect((await refreshFirstOrderFacts(db, tenantId)).customersWritten).toBe(0);
    expect(await check()).toBe(fromOrders);
    // A late order (a POS export) makes a first-time buyer a repurchaser: their fact is stale now.
    const lonely = [...firstOrder.values()].find((o) => o.day >= from && plusDays(o.day, 30) < today && o.customerId && !repurchasedWithin(o.customerId, o.day, 30));
    if (!lonely?.customerId) throw new Error('no first-time buyer without repurchase');
    const late = await recordOrders(db, tenantId, [{
      orderNo: `late-${lonely.id}`, customer: { customerId: lonely.customerId }, channel: 'pos', totalFen: 3_000, paidFen: 3_000,
      orderedAt: new Date(lonely.at.getTime() + 10 * DAY).toISOString(), items: [{ sku: 'X', name: '鲜榨橙汁', quantity: 1, unitPriceFen: 3_000 }],
    }], { source: 'test' });
    expect(late.created).toBe(1);
    await loadRaw();
    expect(await check()).toBe(fromOrders + 1);
  });

  it('a cohort row', async () => {
    const res = await get('/api/v1/analytics/cohorts');
    const row = res.body.cohorts[2] as { month: string; size: number; cells: ({ customers: number; rate: number } | null)[] };
    const members = [...firstOrder.values()].filter((o) => o.day.slice(0, 7) === row.month && o.day >= defaultFrom()).map((o) => o.customerId);
    expect(row.size).toBe(members.length);
    const m0 = monthIndex(`${row.month}-01`);
    const expected = Array.from({ length: 12 }, (_, k) => {
      if (m0 + k > monthIndex(today)) return null;
      const n = new Set(counted().filter((o) => members.includes(o.customerId) && monthIndex(o.day) === m0 + k).map((o) => o.customerId)).size;
      return { customers: n, rate: share(n, members.length) };
    });
    expect(row.cells).toEqual(expected);
    expect(row.cells[0]?.customers).toBe(row.size);
  });

  it('the funnel', async () => {
    const from = plusDays(today, -60);
    const res = await get(`/api/v1/analytics/funnel?from=${from}&to=${today}`);
    const firstAdded = new Map<string, Date>();
    for (const c of contacts) if (!firstAdded.has(c.customerId) || c.addedAt < (firstAdded.get(c.customerId) as Date)) firstAdded.set(c.customerId, c.addedAt);
    const acquired = [...firstAdded].filter(([, at]) => dayOf(at) >= from && dayOf(at) <= today);
    const now = Date.now();
    const kept = (id: string, at: Date, n: number): boolean => contacts.some((c) => c.customerId === id && c.addedAt.getTime() <= at.getTime() + n * DAY && (c.deletedAt === null || c.deletedAt.getTime() > at.getTime() + n * DAY));
    const e7 = acquired.filter(([, at]) => at.getTime() + 7 * DAY <= now);
    const e30 = acquired.filter(([, at]) => at.getTime() + 30 * DAY <= now);
    const r7 = e7.filter(([id, at]) => kept(id, at, 7)).length;
    const r30 = e30.filter(([id, at]) => kept(id, at, 30)).length;
    const active = acquired.filter(([id, at]) => events.some((e) => e.customerId === id && INTERACTIONS.has(e.type) && e.at >= at)).length;
    const converted = acquired.filter(([id, at]) => counted().some((o) => o.customerId === id && o.at >= at)).length;
    const referred = acquired.filter(([id, at]) => events.some((e) => (e.type === 'contact_added' || e.type === 'referral') && e.referrer === id && e.at >= at)).length;
    expect(acquired.length).toBeGreaterThan(30);
    expect(r7).toBeLessThan(e7.length); // deletions happened
    expect(referred).toBeGreaterThan(0);
    const counts = [acquired.length, r7, r30, active, converted, referred];
    const bases = [acquired.length, e7.length, e30.length, acquired.length, acquired.length, acquired.length];
    expect(res.body.steps.map((s: { count: number; base: number }) => [s.count, s.base])).toEqual(counts.map((c, i) => [c, bases[i]]));
    expect(res.body.steps[3].fromPrevious).toBe(share(active, r30));
  });

  it('a store breakdown row', async () => {
    const res = await get('/api/v1/analytics/breakdown?by=store');
    const top = res.body.rows[0];
    const from = defaultFrom();
    const mine = counted().filter((o) => o.storeId === top.key && o.day >= from && o.day <= today);
    const gmv = mine.reduce((s, o) => s + o.spent, 0);
    const firsts = [...firstOrder.values()].filter((o) => o.storeId === top.key && o.day >= from && plusDays(o.day, 30) < today);
    const again = firsts.filter((o) => o.customerId && repurchasedWithin(o.customerId, o.day, 30)).length;
    expect(top).toMatchObject({
      gmvFen: gmv, orders: mine.length, buyers: new Set(mine.map((o) => o.customerId)).size, averageTicketFen: Math.round(gmv / mine.length),
      repurchase30: { eligible: firsts.length, repurchased: again, rate: share(again, firsts.length) },
    });
    expect(res.body.rows.reduce((s: number, r: { gmvFen: number }) => s + r.gmvFen, 0)).toBe(counted().filter((o) => o.day >= from && o.day <= today).reduce((s, o) => s + o.spent, 0));
    // Channel, guide and source groups also add up to the whole.
    for (const by of ['channel', 'guide', 'source']) {
      const rows = (await get(`/api/v1/analytics/breakdown?by=${by}`)).body.rows as { orders: number }[];
      expect(rows.reduce((s, r) => s + r.orders, 0)).toBe(counted().filter((o) => o.day >= from && o.day <= today).length);
    }
  });

  it('an LTV row', async () => {
    const res = await get('/api/v1/analytics/ltv');
    const row = res.body.rows[1] as { month: string; customers: number; cumulativeFen: (number | null)[] };
    const acquired = customers.filter((c) => dayOf(c.createdAt).slice(0, 7) === row.month && dayOf(c.createdAt) >= defaultFrom());
    expect(row.customers).toBe(acquired.length);
    const ids = new Set(acquired.map((c) => c.id));
    const a0 = monthIndex(`${row.month}-01`);
    let total = 0;
    const expected = Array.from({ length: 12 }, (_, k) => {
      total += counted().filter((o) => o.customerId && ids.has(o.customerId) && Math.max(0, monthIndex(o.day) - a0) === k).reduce((s, o) => s + o.spent, 0);
      return a0 + k > monthIndex(today) ? null : Math.round(total / acquired.length);
    });
    expect(row.cumulativeFen).toEqual(expected);
  });
});

describe('analytics API', () => {
  it('filters by store and by segment', async () => {
    const { db } = testDb();
    const stores = await get('/api/v1/analytics/breakdown?by=store');
    const store = stores.body.rows[1];
    const trend = await get(`/api/v1/analytics/trends?storeId=${store.key}`);
    expect(trend.body.points.reduce((s: number, p: { gmvFen: number }) => s + p.gmvFen, 0)).toBe(store.gmvFen);

    const segmentId = newId();
    const members = customers.slice(0, 200).map((c) => c.id);
    await sql`insert into segments (tenant_id, id, name, definition) values (${tenantId}, ${segmentId}, 'test', '{}')`.execute(db);
    await sql`insert into segment_members (tenant_id, segment_id, customer_id) select ${tenantId}, ${segmentId}, unnest(${members}::uuid[])`.execute(db);
    const inSegment = await get(`/api/v1/analytics/trends?granularity=month&segmentId=${segmentId}`);
    const from = defaultFrom();
    const set = new Set(members);
    const expected = counted().filter((o) => o.customerId && set.has(o.customerId) && o.day >= from).reduce((s, o) => s + o.spent, 0);
    expect(inSegment.body.points.reduce((s: number, p: { gmvFen: number }) => s + p.gmvFen, 0)).toBe(expected);
    const ltv = await get(`/api/v1/analytics/ltv?segmentId=${segmentId}`);
    expect(ltv.body.rows.reduce((s: number, r: { customers: number }) => s + r.customers, 0)).toBe(customers.filter((c) => set.has(c.id) && dayOf(c.createdAt) >= from).length);

    expect((await get(`/api/v1/analytics/trends?segmentId=${newId()}`)).status).toBe(404);
    expect((await get(`/api/v1/analytics/cohorts?storeId=${newId()}`)).status).toBe(404);
  });

  it('downloads the same figures as CSV with a BOM', async () => {
    const json = await get('/api/v1/analytics/trends?granularity=week');
    const csv = await get('/api/v1/analytics/trends?granularity=week&format=csv');
    expect(csv.status).toBe(200);
    expect(csv.type).toContain('text/csv');
    expect(csv.text.charCodeAt(0)).toBe(0xfeff);
    const rows = parse(csv.text, { bom: true, columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0] ?? {})).toEqual(['bucket', 'gmvYuan', 'orders', 'averageTicketYuan', 'buyers', 'newBuyers', 'activeCustomers']);
    expect(rows.map((r) => [r.bucket, Math.round(Number(r.gmvYuan) * 100), Number(r.orders)])).toEqual(json.body.points.map((p: { bucket: string; gmvFen: number; orders: number }) => [p.bucket, p.gmvFen, p.orders]));

    const stores = parse((await get('/api/v1/analytics/breakdown?by=store&format=csv')).text, { bom: true, columns: true }) as Record<string, string>[];
    const storeJson = (await get('/api/v1/analytics/breakdown?by=store')).body.rows;
    expect(stores.map((r) => r.name)).toEqual(storeJson.map((r: { name: string }) => r.name));
    expect(stores[0]?.name).toMatch(/店/);
    for (const view of ['repurchase', 'cohorts', 'funnel', 'ltv']) {
      const res = await get(`/api/v1/analytics/${view}?format=csv`);
      expect(res.status).toBe(200);
      expect((parse(res.text, { bom: true, columns: true }) as unknown[]).length).toBeGreaterThan(0);
    }
  });

  it('refuses bad dates, ranges and parameters naming the field', async () => {
    const cases: [string, string][] = [
      ['/api/v1/analytics/trends?from=2026-02-30', 'query.from'],
      ['/api/v1/analytics/trends?to=2026-13-01', 'query.to'],
      ['/api/v1/analytics/cohorts?from=2026-05-01&to=2026-04-01', 'query.from'],
      ['/api/v1/analytics/ltv?from=2019-01-01&to=2025-01-02', 'query.from'],
      ['/api/v1/analytics/trends?granularity=year', 'query.granularity'],
      ['/api/v1/analytics/breakdown?by=city', 'query.by'],
      ['/api/v1/analytics/breakdown', 'query.by'],
      ['/api/v1/analytics/funnel?storeId=nope', 'query.storeId'],
    ];
    for (const [url, path] of cases) {
      const res = await get(url);
      expect(res.status, url).toBe(400);
      expect(res.body.error.details[0].path, url).toBe(path);
    }
    expect((await get('/api/v1/analytics/funnel?from=2021-01-01&to=2025-12-31')).status).toBe(200);
  });

  it('is closed to guides and to other tenants', async () => {
    const { db } = testDb();
    const staffId = (await sql<{ id: string }>`select id from staff where tenant_id = ${tenantId} limit 1`.execute(db)).rows[0]?.id;
    const guide = bearer(await keyFor(tenantId, 'guide', staffId));
    expect((await get('/api/v1/analytics/trends', guide)).status).toBe(403);
    expect((await get('/api/v1/analytics/cohorts', guide)).status).toBe(403);

    const other = await newTenant('Other');
    const otherAdmin = bearer(await keyFor(other.id, 'admin'));
    const trends = await get('/api/v1/analytics/trends', otherAdmin);
    expect(trends.body.points.every((p: { orders: number; activeCustomers: number }) => p.orders === 0 && p.activeCustomers === 0)).toBe(true);
    expect((await get('/api/v1/analytics/breakdown?by=store', otherAdmin)).body.rows).toEqual([]);
    const store = (await get('/api/v1/analytics/breakdown?by=store')).body.rows[0].key;
    expect((await get(`/api/v1/analytics/trends?storeId=${store}`, otherAdmin)).status).toBe(404);
  });
});
