// What the scoring run knows of each buyer, read in one binary COPY into typed columns: days since
// the first and last purchase day, purchase days, net spend, the first day's spend (for the mean
// repeat-day spend of Gamma-Gamma), purchase days and spend in the RFM window, and the two days
// the "returned" stage looks at. Purchase days are calendar days in the tenant's zone; orders
// count unless fully refunded, net of refunds; orders after `today` are left out.
//
// readBuyers takes the lifetime figures from the order aggregates kept on the customer row
// (customers.first_order_at … first_day_spent_fen) and reads orders only where the row cannot
// answer: customers with an order after `today`, and customers with a purchase day on each side
// of the RFM window's start or of the "returned" boundary — and for those, only orders from the
// earliest day that can change a figure. readBuyersFromOrders is the plain pass over every order:
// the definition the fast path must match (the tests hold them side by side).
import type pg from 'pg';
import { UUID_PATTERN } from '../ids.ts';
import { addDays } from '../time.ts';
import { readBinaryCopy } from './binary-copy.ts';
import { EVERY_STORE } from '../analytics/rollups.service.ts';
import type { CustomerSummary } from '../clv/clv.rules.ts';
import type { ScoringSettings } from './scores.rules.ts';

/** Per buyer, columns side by side, ids as 16-byte uuids; −1 stands for "no such day". */
export interface Buyers {
  count: number;
  ids: Buffer;
  sinceFirst: Int32Array;
  sinceLast: Int32Array;
  days: Int32Array;
  total: Float64Array;
  firstAmount: Float64Array;
  windowDays: Int32Array;
  windowSpend: Float64Array;
  sinceFirstRecent: Int32Array;
  sinceLastBeforeRecent: Int32Array;
  /** The tenant's customers who are not buyers (never ordered, or no counted order up to today), as 16-byte uuids. */
  prospects: Prospects;
}

export interface Prospects { ids: Buffer; count: number }

export const NONE = -1;

function newBuyers(capacity: number): Buyers {
  return {
    count: 0, ids: Buffer.alloc(capacity * 16),
    sinceFirst: new Int32Array(capacity), sinceLast: new Int32Array(capacity), days: new Int32Array(capacity),
    total: new Float64Array(capacity), firstAmount: new Float64Array(capacity), windowDays: new Int32Array(capacity),
    windowSpend: new Float64Array(capacity), sinceFirstRecent: new Int32Array(capacity), sinceLastBeforeRecent: new Int32Array(capacity),
    prospects: { ids: Buffer.alloc(16 * 1024), count: 0 },
  };
}

function grown(b: Buyers, capacity: number): Buyers {
  const g = newBuyers(capacity);
  g.count = b.count;
  g.prospects = b.prospects;
  b.ids.copy(g.ids);
  for (const key of ['sinceFirst', 'sinceLast', 'days', 'windowDays', 'sinceFirstRecent', 'sinceLastBeforeRecent'] as const) g[key].set(b[key]);
  for (const key of ['total', 'firstAmount', 'windowSpend'] as const) g[key].set(b[key]);
  return g;
}

/**
 * Streams a query's 10 columns (uuid, int4 ×3, int8 ×2, int4, int8, int4 ×2) into Buyers; a row
 * whose second column is null is a customer who is not a buyer, kept among the prospects.
 */
async function copyBuyers(client: pg.PoolClient, query: string, expected: number): Promise<Buyers> {
  let capacity = Math.max(1024, expected);
  let b = newBuyers(capacity);
  await readBinaryCopy(client, query, 10, (buf, at) => {
    if ((at[1] ?? -1) < 0) {
      addProspect(b.prospects, buf, at[0] ?? 0);
      return;
    }
    if (b.count === capacity) {
      capacity *= 2;
      b = grown(b, capacity);
    }
    const i = b.count++;
    const id = at[0] ?? 0;
    buf.copy(b.ids, i * 16, id, id + 16);
    b.sinceFirst[i] = buf.readInt32BE(at[1] ?? 0);
    b.sinceLast[i] = buf.readInt32BE(at[2] ?? 0);
    b.days[i] = buf.readInt32BE(at[3] ?? 0);
    b.total[i] = Number(buf.readBigInt64BE(at[4] ?? 0));
    b.firstAmount[i] = Number(buf.readBigInt64BE(at[5] ?? 0));
    b.windowDays[i] = buf.readInt32BE(at[6] ?? 0);
    b.windowSpend[i] = Number(buf.readBigInt64BE(at[7] ?? 0));
    b.sinceFirstRecent[i] = buf.readInt32BE(at[8] ?? 0);
    b.sinceLastBeforeRecent[i] = buf.readInt32BE(at[9] ?? 0);
  });
  return b;
}

function checkArguments(tenantId: string, today: string): void {
  // COPY takes no parameters, so the values are checked and written in.
  if (!UUID_PATTERN.test(tenantId) || !/^\d{4}-\d{2}-\d{2}$/.test(today)) throw new Error('readBuyers: bad tenant id or date');
}

/**
 * The reference: one pass over the tenant's orders, per purchase day, then per customer. The first
 * day's amount rides in the low 40 bits of day·2^40 + amount, whose minimum is the first day's.
 */
export async function readBuyersFromOrders(client: pg.PoolClient, tenantId: string, today: string, settings: ScoringSettings): Promise<Buyers> {
  checkArguments(tenantId, today);
  const windowStart = addDays(today, -(settings.rfm.windowDays - 1));
  const recentStart = addDays(today, -settings.lifecycle.returnedDays);
  const query = `
    with tenant as (select timezone from tenants where id = '${tenantId}'),
    days as (
      select o.customer_id, (o.ordered_at at time zone t.timezone)::date as d, sum(o.paid_fen - o.refunded_fen)::int8 as amount
        from orders o cross join tenant t
       where o.tenant_id = '${tenantId}' and o.customer_id is not null and o.status <> 'refunded'
       group by 1, 2
    )
    select customer_id,
           (date '${today}' - min(d))::int4,
           (date '${today}' - max(d))::int4,
           count(*)::int4,
           sum(amount)::int8,
           (min((d - date '1970-01-01')::int8 * 1099511627776 + greatest(amount, 0)) % 1099511627776)::int8,
           (count(*) filter (where d >= date '${windowStart}'))::int4,
           coalesce(sum(amount) filter (where d >= date '${windowStart}'), 0)::int8,
           coalesce(date '${today}' - min(d) filter (where d >= date '${recentStart}'), -1)::int4,
           coalesce(date '${today}' - max(d) filter (where d < date '${recentStart}'), -1)::int4
      from days where d <= date '${today}'
     group by customer_id
     order by customer_id`;
  const b = await copyBuyers(client, query, 1024);
  b.prospects = await readProspects(client, tenantId, b);
  return b;
}

/**
 * The fast path. Which customers need more than their row, and what:
 * - first purchase day before the RFM window and last one in it: the window's days and spend;
 * - "returned" possible (not new, a purchase day on each side of the recent boundary, and first
 *   and last more than activeDays apart): the first recent day and the last before it. Only days
 *   from recentStart − activeDays matter: with none there, the gap is wider than activeDays.
 * Their purchase days come from the customer-month rollup of migration 0037
 * (analytics_customer_months at EVERY_STORE: per tenant-local month, the days holding a counted
 * order as day_mask bits, and the month's spend), which the order triggers keep in step with
 * orders, refunds, merges and zone changes. The one figure a month row cannot split is the spend
 * of the window's first month from its first day on: that comes from the orders of those few days
 * alone (at most a month of the tenant's orders, by the orders_time index).
 * Everyone else is answered by the row alone: no window boundary inside their history, and a
 * stage that cannot be "returned". A tenant with an order after today (a back-dated run, or a
 * till whose clock runs ahead) is read from every order instead, as the rows include that order.
 * Rows come in customer id order, as from the reference: the fit sums over customers in that
 * order, so both give the same models to the last bit, and a run does not drift with the rows'
 * physical order.
 */
export async function readBuyers(client: pg.PoolClient, tenantId: string, today: string, settings: ScoringSettings): Promise<Buyers> {
  checkArguments(tenantId, today);
  const { newDays, activeDays, returnedDays } = settings.lifecycle;
  const windowStart = addDays(today, -(settings.rfm.windowDays - 1));
  const recentStart = addDays(today, -returnedDays);
  const scanStart = addDays(today, -Math.max(settings.rfm.windowDays - 1, returnedDays + activeDays));
  const newSince = addDays(today, -newDays);
  const windowNextMonth = nextMonth(windowStart);
  // Day boundaries as instants of the tenant's zone, so rows are filtered on the timestamps themselves.
  const instant = (date: string) => `(date '${date}')::timestamp at time zone t.timezone`;
  // An order after today (the tenant's latest order, one step down the orders' time index, not a
  // scan of the customers) sends the run to the reference; refunded ones too, which is only more
  // careful. The latest order is asked for as max(), not as exists(… ordered_at >= instant): the
  // planner cannot estimate an instant computed from the tenant's zone and answered exists() with
  // a scan of every order (8 s on ten million).
  const bounds = await client.query<{ timezone: string; window_from: Date; window_month_end: Date; recent_from: Date; new_from: Date; future: boolean }>(
    `with b as (select t.id, t.timezone, ${instant(windowStart)} as window_from, ${instant(windowNextMonth)} as window_month_end,
                       ${instant(recentStart)} as recent_from, ${instant(newSince)} as new_from, ${instant(addDays(today, 1))} as after_today
                  from tenants t where t.id = $1)
     select b.*, coalesce((select max(o.ordered_at) from orders o where o.tenant_id = $1) >= b.after_today, false) as future from b`, [tenantId]);
  const b = bounds.rows[0];
  if (!b) throw new Error('readBuyers: no such tenant');
  if (b.future) return readBuyersFromOrders(client, tenantId, today, settings);
  if (!/^[A-Za-z0-9_/+-]+$/.test(b.timezone)) throw new Error('readBuyers: unexpected time zone name');
  const at = (d: Date) => `timestamptz '${d.toISOString()}'`;
  const T = `'${tenantId}'`;
  const TODAY = `date '${today}'`;
  const month = (date: string) => `date '${monthOf(date)}'`;
  const dom = (date: string) => Number(date.slice(8));
  // day_mask bits of the days of row m from `date` on (in its month; all of later months), and before it.
  const fromDay = (date: string) => `case when m.month > ${month(date)} then ${ALL_DAYS} when m.month = ${month(date)} then ${daysFrom(dom(date))} else 0 end`;
  const beforeDay = (date: string) => `case when m.month < ${month(date)} then ${ALL_DAYS} when m.month = ${month(date)} then ${ALL_DAYS & ~daysFrom(dom(date))} else 0 end`;
  const windowBits = `(m.day_mask & ${fromDay(windowStart)})`;
  const recentBits = `(m.day_mask & ${fromDay(recentStart)})`;
  const beforeRecentBits = `(m.day_mask & ${fromDay(scanStart)} & ${beforeDay(recentStart)})`;
  // Lowest and highest day of the month with a bit set in a non-zero mask, as a date (bit(32) text runs from bit 31 down).
  const lowestDay = (bits: string) => `(m.month + position('1' in reverse(${bits}::bit(32)::text)) - 1)`;
  const highestDay = (bits: string) => `(m.month + 32 - position('1' in ${bits}::bit(32)::text))`;
  const straddles = (n: string) => `((${n}.first_order_at < ${at(b.window_from)} and ${n}.last_order_at >= ${at(b.window_from)})
                 or (${n}.first_order_at < ${at(b.recent_from)} and ${n}.last_order_at >= ${at(b.recent_from)} and ${n}.first_order_at < ${at(b.new_from)}
                     and ${n}.last_order_at::date - ${n}.first_order_at::date > ${activeDays}))`;
  const query = `
    select c.id,
           (${TODAY} - c.first_order_at::date)::int4,
           (${TODAY} - c.last_order_at::date)::int4,
           c.order_days,
           c.total_spent_fen,
           greatest(c.first_day_spent_fen, 0),
           case when s.customer_id is not null then s.window_days
                when c.first_order_at >= ${at(b.window_from)} then c.order_days else 0 end,
           case when s.customer_id is not null then s.later_months_spend + coalesce(w.spend, 0)
                when c.first_order_at >= ${at(b.window_from)} then c.total_spent_fen else 0 end,
           case when c.last_order_at < ${at(b.recent_from)} then -1
                when c.first_order_at >= ${at(b.recent_from)} then (${TODAY} - c.first_order_at::date)::int4
                else coalesce(s.since_first_recent, -1) end,
           case when c.first_order_at >= ${at(b.recent_from)} or s.customer_id is null then -1
                else coalesce(s.since_last_before_recent, (${TODAY} - date '${scanStart}' + 1)::int4) end
      from customers c
      left join (
        select m.customer_id,
               sum(bit_count(${windowBits}::bit(32)))::int4 as window_days,
               coalesce(sum(m.spent_fen) filter (where m.month > ${month(windowStart)}), 0)::int8 as later_months_spend,
               (${TODAY} - min(${lowestDay(recentBits)}) filter (where ${recentBits} <> 0))::int4 as since_first_recent,
               (${TODAY} - max(${highestDay(beforeRecentBits)}) filter (where ${beforeRecentBits} <> 0))::int4 as since_last_before_recent
          from analytics_customer_months m
          join customers n on n.tenant_id = ${T} and n.id = m.customer_id
         where m.tenant_id = ${T} and m.store_key = '${EVERY_STORE}' and m.month >= ${month(scanStart)} and ${straddles('n')}
         group by m.customer_id
      ) s on s.customer_id = c.id
      left join (
        select o.customer_id, sum(o.paid_fen - o.refunded_fen)::int8 as spend
          from orders o
         where o.tenant_id = ${T} and o.status <> 'refunded' and o.customer_id is not null
           and o.ordered_at >= ${at(b.window_from)} and o.ordered_at < ${at(b.window_month_end)}
         group by 1
      ) w on s.customer_id is not null and w.customer_id = c.id
     where c.tenant_id = ${T}
     order by c.id`;
  // Local dates as timestamptz::date in the session's zone: the same dates as "at time zone",
  // at a third of the cost (no zone looked up by name per value), over two million values.
  const previous = await client.query<{ TimeZone: string }>('show timezone');
  await client.query(`set timezone = '${b.timezone}'`);
  try {
    return await copyBuyers(client, query, 1 << 16);
  } finally {
    // In an aborted transaction the rollback undoes the SET instead.
    await client.query(`set timezone = '${(previous.rows[0]?.TimeZone ?? 'UTC').replace(/'/g, "''")}'`).catch(() => undefined);
  }
}

/**
 * For the reference pass, the customers who are not buyers: every customer id in id order (the
 * primary key's order, no sort) less the buyers, which come in the same order. (The fast path has
 * them from its own scan of the customers.) Read in the buyers' transaction (repeatable read), so
 * both lists see the same customers.
 */
async function readProspects(client: pg.PoolClient, tenantId: string, b: Buyers): Promise<Prospects> {
  const prospects: Prospects = { ids: Buffer.alloc(16 * 1024), count: 0 };
  // Buyers are a subset of the customers, both ascending: a customer who is not among them is a prospect.
  const buyerOf = idCursor(b.ids, b.count);
  await readBinaryCopy(client, `select id from customers where tenant_id = '${tenantId}' order by id`, 1, (buf, at) => {
    const id = at[0] ?? 0;
    if (buyerOf(buf, id) < 0) addProspect(prospects, buf, id);
  });
  return prospects;
}

/**
 * Looks ids up in an ascending list of `count` 16-byte ids (`within`), walking it once: each call
 * gives the place in `within` of the id at byte `at` of `ids`, or −1. Ids must be asked for in
 * ascending order.
 */
export function idCursor(within: Buffer, count: number): (ids: Buffer, at: number) => number {
  let j = 0;
  return (ids, at) => {
    while (j < count && within.compare(ids, at, at + 16, j * 16, j * 16 + 16) < 0) j++;
    return j < count && within.compare(ids, at, at + 16, j * 16, j * 16 + 16) === 0 ? j : -1;
  };
}

function addProspect(p: Prospects, buf: Buffer, at: number): void {
  if ((p.count + 1) * 16 > p.ids.length) {
    const more = Buffer.alloc(p.ids.length * 2);
    p.ids.copy(more);
    p.ids = more;
  }
  buf.copy(p.ids, p.count * 16, at, at + 16);
  p.count++;
}

/** day_mask bits of every day of a month, and of day `first` onwards. */
const ALL_DAYS = 0x7fffffff;
const daysFrom = (first: number): number => ALL_DAYS & ~((1 << (first - 1)) - 1);

function monthOf(date: string): string {
  return `${date.slice(0, 7)}-01`;
}

function nextMonth(date: string): string {
  const [y, m] = [Number(date.slice(0, 4)), Number(date.slice(5, 7))];
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
}

/** BG/NBD histories in weeks, calibration end = today: x = purchase days after the first, spend = mean repeat-day total. */
export function clvSummaries(b: Buyers): CustomerSummary[] {
  const out = new Array<CustomerSummary>(b.count);
  for (let i = 0; i < b.count; i++) {
    const x = (b.days[i] ?? 1) - 1;
    const first = b.sinceFirst[i] ?? 0;
    const last = b.sinceLast[i] ?? 0;
    out[i] = { customerId: '', x, tx: (first - last) / 7, T: first / 7, spend: x > 0 ? ((b.total[i] ?? 0) - (b.firstAmount[i] ?? 0)) / x : null };
  }
  return out;
}
