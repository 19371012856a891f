// `seedDemo`: draws the demo world of demo.rules.ts and bulk-loads it with COPY in one
// transaction. Customers are generated in chunks; while PostgreSQL ingests one chunk, the next is
// being generated (the generator yields to the event loop so the socket keeps flowing), which
// keeps both cores busy and memory bounded whatever the number of customers.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import type { DatabaseHandle } from '../../db/connect.ts';
import { YuchiError, conflict, invalid } from '../errors.ts';
import { getTenant } from '../tenants/tenants.service.ts';
import { DemoWorld, type ChunkRows } from './demo.world.ts';
import { ZoneClock } from './demo.rules.ts';
import type { DemoProfile } from './demo.profile.ts';

export interface SeedDemoOptions {
  tenantId: string;
  customers: number;
  months: number;
  seed: number;
  /** The world as it stands when this day begins in the tenant's zone (default: today there). */
  end?: Date;
  onProgress?: (p: { phase: string; done: number; total: number }) => void;
  /** Keep PostgreSQL's row-by-row foreign-key checks even where they could be proven at the end. */
  perRowKeyChecks?: boolean;
  /** The business to draw (default: the fruit chain of the first-boot demo). */
  profile?: DemoProfile;
}

export interface SeedDemoResult {
  stores: number;
  staff: number;
  customers: number;
  identities: number;
  orders: number;
  orderItems: number;
  /** WeCom friends, store groups and group memberships. */
  contacts: number;
  groups: number;
  groupMembers: number;
  seconds: number;
  /** First day with data and the day the world ends (exclusive), both tenant-local dates. */
  from: string;
  to: string;
  /** Seconds PostgreSQL spent on each table's COPYs, and the generator's own time. */
  timings: { generate: number; stores: number; staff: number; customers: number; identities: number; orders: number; orderItems: number; keyCheck: number; commit: number; analyze: number };
  /** Whether foreign keys were proven set-wise at the end instead of row by row (see checkKeysAtTheEnd). */
  keysCheckedAtEnd: boolean;
}

export const MAX_DEMO_CUSTOMERS = 10_000_000;
export const MAX_DEMO_MONTHS = 120;
const CHUNK_CUSTOMERS = 5_000;

const COLUMNS = {
  stores: 'tenant_id, id, code, name, city, district, address, latitude, longitude, opens_at, closes_at, status, created_at',
  staff: 'tenant_id, id, store_id, name, wecom_user_id, phone, title, status, created_at',
  customers: 'tenant_id, id, name, gender, birthday, city, source_channel, store_id, guide_id, created_at, updated_at, first_order_at, last_order_at, order_count, order_days, total_spent_fen, first_day_spent_fen',
  customer_identities: 'tenant_id, kind, value, customer_id, created_at',
  orders: 'tenant_id, id, order_no, customer_id, store_id, staff_id, channel, status, total_fen, discount_fen, paid_fen, refunded_fen, ordered_at, created_at',
  order_items: 'tenant_id, order_id, line_no, sku, name, quantity, unit_price_fen, amount_fen',
  customer_groups: 'tenant_id, id, chat_id, name, owner_staff_id, store_id, created_at, kind, purpose, status, updated_at',
  customer_contacts: 'tenant_id, customer_id, staff_id, state, added_at, deleted_at',
  group_members: 'tenant_id, group_id, customer_id, joined_at, left_at',
} as const;

function validate(options: SeedDemoOptions): void {
  const { customers, months, seed, end } = options;
  if (!Number.isInteger(customers) || customers < 1 || customers > MAX_DEMO_CUSTOMERS) {
    throw invalid('customers', `must be a whole number from 1 to ${MAX_DEMO_CUSTOMERS.toLocaleString('en')}`);
  }
  if (!Number.isInteger(months) || months < 1 || months > MAX_DEMO_MONTHS) throw invalid('months', `must be a whole number from 1 to ${MAX_DEMO_MONTHS}`);
  if (!Number.isSafeInteger(seed) || seed < 0) throw invalid('seed', 'must be a whole number ≥ 0');
  if (end !== undefined && Number.isNaN(end.getTime())) throw invalid('end', 'is not a valid date');
}

/** `date` (YYYY-MM-DD) moved back by whole calendar months, the day clamped to the month's end. */
export function monthsBefore(date: string, months: number): string {
  const [y = 1970, m = 1, d = 1] = date.split('-').map(Number);
  const index = y * 12 + (m - 1) - months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(Math.min(d, lastDay)).padStart(2, '0')}`;
}

/** The window: from local midnight `months` months before the end date to the end date's local midnight. */
export function demoWindow(timeZone: string, end: Date, months: number): { clock: ZoneClock; startMs: number; endMs: number; from: string; to: string } {
  const endMs0 = end.getTime();
  const clock = new ZoneClock(timeZone, endMs0 - (months * 31 + 3) * 86_400_000, endMs0 + 3 * 86_400_000);
  const to = clock.dateOf(endMs0);
  const from = monthsBefore(to, months);
  return { clock, startMs: clock.midnight(from), endMs: clock.midnight(to), from, to };
}

/** An instant inside a tenant-local calendar date (its local noon), to pass as `end`. */
export function demoEndOf(date: string, timeZone: string): Date {
  const noon = Date.parse(`${date}T12:00:00Z`);
  return new Date(new ZoneClock(timeZone, noon, noon).utcOf(noon));
}

export async function seedDemo(handle: DatabaseHandle, options: SeedDemoOptions): Promise<SeedDemoResult> {
  const started = performance.now();
  validate(options);
  const tenant = await getTenant(handle.db, options.tenantId);
  const window = demoWindow(tenant.timezone, options.end ?? new Date(), options.months);
  const progress = options.onProgress ?? (() => {});
  const timings = { generate: 0, stores: 0, staff: 0, customers: 0, identities: 0, orders: 0, orderItems: 0, keyCheck: 0, commit: 0, analyze: 0 };
  let keysCheckedAtEnd = false;
  const counts = { stores: 0, staff: 0, customers: 0, identities: 0, orders: 0, orderItems: 0, contacts: 0, groups: 0, groupMembers: 0 };

  const client = await handle.pool.connect();
  let broken = false;
  try {
    await client.query('begin');
    await client.query('set local synchronous_commit = off');
    // The row lock makes two seeds of one tenant take turns; the second then finds customers.
    await client.query('select id from tenants where id = $1 for update', [tenant.id]);
    const existing = await client.query<{ what: string }>(
      `select 'customers' as what where exists (select 1 from customers where tenant_id = $1)
       union all select 'orders' where exists (select 1 from orders where tenant_id = $1)
       union all select 'stores' where exists (select 1 from stores where tenant_id = $1)
       union all select 'staff' where exists (select 1 from staff where tenant_id = $1)`,
      [tenant.id],
    );
    if (existing.rows.length > 0) {
      throw conflict('tenant', `tenant ${tenant.slug} already has ${existing.rows.map((r) => r.what).join(', ')}; the demo world is seeded only into an empty tenant`);
    }

    keysCheckedAtEnd = options.perRowKeyChecks ? false : await checkKeysAtTheEnd(client);
    const world = new DemoWorld({ tenantId: tenant.id, seed: options.seed, customers: options.customers, profile: options.profile, ...window });
    progress({ phase: 'stores', done: 0, total: options.customers });
    const fixtures = world.storesAndStaff();
    timings.stores += await copyRows(client, 'stores', COLUMNS.stores, Buffer.from(fixtures.stores));
    timings.staff += await copyRows(client, 'staff', COLUMNS.staff, Buffer.from(fixtures.staff));
    timings.staff += await copyRows(client, 'customer_groups', COLUMNS.customer_groups, Buffer.from(fixtures.groups));
    counts.stores = fixtures.storeCount;
    counts.staff = fixtures.staffCount;
    counts.groups = fixtures.groupCount;

    const load = async (chunk: ChunkRows): Promise<void> => {
      timings.customers += await copyRows(client, 'customers', COLUMNS.customers, chunk.customers.bytes);
      timings.identities += await copyRows(client, 'customer_identities', COLUMNS.customer_identities, chunk.identities.bytes);
      timings.orders += await copyRows(client, 'orders', COLUMNS.orders, chunk.orders.bytes);
      timings.orderItems += await copyRows(client, 'order_items', COLUMNS.order_items, chunk.items.bytes);
      timings.identities += await copyRows(client, 'customer_contacts', COLUMNS.customer_contacts, chunk.contacts.bytes);
      timings.identities += await copyRows(client, 'group_members', COLUMNS.group_members, chunk.members.bytes);
      counts.contacts += chunk.contactCount;
      counts.groupMembers += chunk.memberCount;
      counts.customers += chunk.customerCount;
      counts.identities += chunk.identityCount;
      counts.orders += chunk.orderCount;
      counts.orderItems += chunk.itemCount;
      progress({ phase: 'customers', done: counts.customers, total: options.customers });
    };
    let loading: Promise<void> = Promise.resolve();
    for (let from = 0; from < options.customers; from += CHUNK_CUSTOMERS) {
      const t0 = performance.now();
      const chunk = await world.chunk(from, Math.min(options.customers, from + CHUNK_CUSTOMERS));
      timings.generate += (performance.now() - t0) / 1000;
      await loading;
      loading = load(chunk);
      // Awaited on the next turn; this keeps a failure from being an unhandled rejection meanwhile.
      loading.catch(() => {});
    }
    await loading;

    if (keysCheckedAtEnd) {
      progress({ phase: 'check keys', done: counts.customers, total: options.customers });
      const t1 = performance.now();
      await proveForeignKeys(client, tenant.id);
      timings.keyCheck = (performance.now() - t1) / 1000;
    }
    progress({ phase: 'commit', done: counts.customers, total: options.customers });
    const t0 = performance.now();
    await client.query('commit');
    timings.commit = (performance.now() - t0) / 1000;
  } catch (err) {
    broken = !(err instanceof YuchiError);
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    // A connection that failed mid-COPY is not reused.
    client.release(broken);
  }
  // Statistics now rather than when autovacuum gets round to it: without them the first
  // queries on the new rows (the aggregate refresh, dashboards) get nested-loop plans.
  progress({ phase: 'analyze', done: counts.customers, total: options.customers });
  const t2 = performance.now();
  await handle.pool.query(`analyze ${[...SEEDED_TABLES, ...ROLLED_UP_TABLES].join(', ')}`);
  timings.analyze = (performance.now() - t2) / 1000;
  return { ...counts, seconds: (performance.now() - started) / 1000, from: window.from, to: window.to, timings, keysCheckedAtEnd };
}

const SEEDED_TABLES = ['stores', 'staff', 'customers', 'customer_identities', 'orders', 'order_items', 'customer_groups', 'customer_contacts', 'group_members'];
/**
 * Filled by the triggers on orders and group members (migrations 0034, 0037) as the seed writes:
 * analysed too, or the scoring run's read of a million customers' months is planned for a few
 * dozen rows (a hash of every month built once per parallel worker: 5 s instead of 2).
 */
const ROLLED_UP_TABLES = ['analytics_order_days', 'analytics_customer_months', 'group_member_weeks'];

/**
 * PostgreSQL checks each foreign key of each row with a query of its own: 4 of every 7 seconds of a
 * big seed went to them. When the role may set session_replication_role and the tables have no
 * triggers besides those checks (a trigger added later must fire, so then nothing changes), this
 * transaction turns the per-row checks off and proveForeignKeys checks the same keys set-wise
 * before commit. Every referenced row except the tenant is this transaction's own, invisible to
 * others, and the tenant row is locked, so no one can remove a referenced row meanwhile.
 */
async function checkKeysAtTheEnd(client: pg.PoolClient): Promise<boolean> {
  const triggers = await client.query<{ n: number }>(
    'select count(*)::int as n from pg_trigger where tgrelid = any($1::regclass[]) and not tgisinternal',
    [SEEDED_TABLES],
  );
  if ((triggers.rows[0]?.n ?? 1) > 0) return false;
  await client.query('savepoint key_checks');
  try {
    await client.query('set local session_replication_role = replica');
    await client.query('release savepoint key_checks');
    return true;
  } catch {
    await client.query('rollback to savepoint key_checks'); // not allowed to: keep the per-row checks
    return false;
  }
}

/** Each foreign key of the seeded rows, as anti-joins; any orphan fails the whole seed. */
async function proveForeignKeys(client: pg.PoolClient, tenantId: string): Promise<void> {
  // Whole-table anti-joins: hash or merge, never a nested loop over millions of rows.
  await client.query("set local work_mem = '256MB'");
  await client.query('set local enable_nestloop = off');
  const result = await client.query<Record<string, number>>(
    `select
       (select count(*)::int from staff x where x.tenant_id = $1 and x.store_id is not null
          and not exists (select 1 from stores s where s.tenant_id = $1 and s.id = x.store_id)) as "staff.store_id",
       (select count(*)::int from customers x where x.tenant_id = $1 and x.store_id is not null
          and not exists (select 1 from stores s where s.tenant_id = $1 and s.id = x.store_id)) as "customers.store_id",
       (select count(*)::int from customers x where x.tenant_id = $1 and x.guide_id is not null
          and not exists (select 1 from staff s where s.tenant_id = $1 and s.id = x.guide_id)) as "customers.guide_id",
       (select count(*)::int from customer_identities x where x.tenant_id = $1
          and not exists (select 1 from customers c where c.tenant_id = $1 and c.id = x.customer_id)) as "customer_identities.customer_id",
       (select count(*)::int from orders x where x.tenant_id = $1 and x.customer_id is not null
          and not exists (select 1 from customers c where c.tenant_id = $1 and c.id = x.customer_id)) as "orders.customer_id",
       (select count(*)::int from orders x where x.tenant_id = $1 and x.store_id is not null
          and not exists (select 1 from stores s where s.tenant_id = $1 and s.id = x.store_id)) as "orders.store_id",
       (select count(*)::int from orders x where x.tenant_id = $1 and x.staff_id is not null
          and not exists (select 1 from staff s where s.tenant_id = $1 and s.id = x.staff_id)) as "orders.staff_id",
       (select count(*)::int from order_items x where x.tenant_id = $1
          and not exists (select 1 from orders o where o.tenant_id = $1 and o.id = x.order_id)) as "order_items.order_id",
       (select count(*)::int from customer_groups x where x.tenant_id = $1
          and (not exists (select 1 from stores s where s.tenant_id = $1 and s.id = x.store_id)
               or not exists (select 1 from staff s where s.tenant_id = $1 and s.id = x.owner_staff_id))) as "customer_groups.store_or_owner",
       (select count(*)::int from customer_contacts x where x.tenant_id = $1
          and (not exists (select 1 from customers c where c.tenant_id = $1 and c.id = x.customer_id)
               or not exists (select 1 from staff s where s.tenant_id = $1 and s.id = x.staff_id))) as "customer_contacts.customer_or_staff",
       (select count(*)::int from group_members x where x.tenant_id = $1
          and (not exists (select 1 from customers c where c.tenant_id = $1 and c.id = x.customer_id)
               or not exists (select 1 from customer_groups g where g.tenant_id = $1 and g.id = x.group_id))) as "group_members.customer_or_group"`,
    [tenantId],
  );
  const orphans = Object.entries(result.rows[0] ?? {}).filter(([, n]) => n > 0);
  if (orphans.length > 0) {
    throw new Error(`demo seed broke foreign keys (${orphans.map(([key, n]) => `${key}: ${n}`).join(', ')}); nothing was written`);
  }
}

/** COPY rows (text format, already escaped) into a table; returns the seconds it took. */
async function copyRows(client: pg.PoolClient, table: string, columns: string, rows: Buffer): Promise<number> {
  if (rows.length === 0) return 0;
  const t0 = performance.now();
  const stream = client.query(copyStreams.from(`copy ${table} (${columns}) from stdin`));
  await pipeline(Readable.from([rows]), stream);
  return (performance.now() - t0) / 1000;
}
