// The orders-based computation of the analytics views and the home dashboard as they were before
// the rollups (migration 0037): the reference the rollup-based answers must equal
// (analytics-rollups.test.ts). Straight from orders and customers.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../src/db/connect.ts';
import type { Actor } from '../../src/core/access/access.rules.ts';
import {
  INTERACTION_EVENTS, MONTHS_AFTER, REPURCHASE_WINDOWS, averageFen, bucketsOf, monthReached, monthsOf, rate,
  type Breakdown, type DateRange, type Granularity,
} from '../../src/core/analytics/analytics.rules.ts';
import { countedOrdersInRange, customerFilter, firstOrderInRange, firstOrderOf, localDay, type Scope } from '../../src/core/analytics/filters.service.ts';

export interface TrendPoint {
  bucket: string;
  gmvFen: number;
  orders: number;
  averageTicketFen: number;
  buyers: number;
  newBuyers: number;
  activeCustomers: number;
}

/** The bucket key of an instant: 'YYYY-MM-DD' (day, or the Monday of a week) or 'YYYY-MM'. */
function bucketKey(s: Scope, column: RawBuilder<unknown>, granularity: Granularity): RawBuilder<unknown> {
  const local = sql`(${column} at time zone ${s.tz})`;
  if (granularity === 'month') return sql`to_char(${local}, 'YYYY-MM')`;
  if (granularity === 'week') return sql`to_char(date_trunc('week', ${local}), 'YYYY-MM-DD')`;
  return sql`to_char(${local}, 'YYYY-MM-DD')`;
}

export async function trends(db: Db, s: Scope, granularity: Granularity): Promise<TrendPoint[]> {
  // One pass over the range's orders and interaction events: order figures from the order rows,
  // active customers from both.
  const [figures, newBuyers] = await Promise.all([
    sql<{ bucket: string; gmv: string | null; orders: number; buyers: number; active: number }>`
      select bucket, sum(spent)::bigint as gmv, count(*) filter (where is_order)::int as orders,
             count(distinct customer_id) filter (where is_order)::int as buyers, count(distinct customer_id)::int as active
        from (
          select ${bucketKey(s, sql`o.ordered_at`, granularity)} as bucket, o.customer_id, o.paid_fen - o.refunded_fen as spent, true as is_order
            from orders o where ${countedOrdersInRange(s)}
          union all
          -- interactions of customers at the filtered home store
          select ${bucketKey(s, sql`e.occurred_at`, granularity)}, e.customer_id, null, false
            from events e ${s.storeId ? sql`join customers c on c.tenant_id = e.tenant_id and c.id = e.customer_id` : sql``}
           where e.tenant_id = ${s.tenantId} and e.type = any(${[...INTERACTION_EVENTS]}::text[]) and e.customer_id is not null
             and e.occurred_at >= ${s.start} and e.occurred_at < ${s.end} ${customerFilter(s, sql`e.customer_id`)}
        ) a group by bucket`.execute(db),
    sql<{ bucket: string; n: number }>`
      select ${bucketKey(s, sql`c.first_order_at`, granularity)} as bucket, count(*)::int as n
        from customers c where ${firstOrderInRange(s)} group by 1`.execute(db),
  ]);
  const byBucket = new Map(figures.rows.map((r) => [r.bucket, r]));
  const fresh = new Map(newBuyers.rows.map((r) => [r.bucket, r.n]));
  return bucketsOf(s.range, granularity).map((bucket) => {
    const r = byBucket.get(bucket);
    const gmv = Number(r?.gmv ?? 0);
    const count = r?.orders ?? 0;
    return {
      bucket, gmvFen: gmv, orders: count, averageTicketFen: averageFen(gmv, count), buyers: r?.buyers ?? 0,
      newBuyers: fresh.get(bucket) ?? 0, activeCustomers: r?.active ?? 0,
    };
  });
}

export interface BreakdownRow {
  /** Store or guide id, channel, or source channel; null for orders or customers without one. */
  key: string | null;
  name: string;
  gmvFen: number;
  orders: number;
  buyers: number;
  averageTicketFen: number;
  /** Of the group's new buyers (first order in the range, window elapsed), how many bought again within 30 days. */
  repurchase30: { eligible: number; repurchased: number; rate: number | null };
}

/**
 * Groups: store and channel of the order (for repurchase: of the first order); guide is the
 * customer's own guide (customers.guide_id, 专属导购), source the customer's acquisition source
 * (customers.source_channel) — orders count for the guide and source of their buyer.
 */
export async function breakdown(db: Db, s: Scope, by: Breakdown): Promise<BreakdownRow[]> {
  const orderKey = { store: sql`o.store_id::text`, channel: sql`o.channel`, guide: sql`c.guide_id::text`, source: sql`nullif(c.source_channel, '')` }[by];
  const firstKey = { store: sql`${firstOrderOf(s, 'store_id')}::text`, channel: firstOrderOf(s, 'channel'), guide: sql`c.guide_id::text`, source: sql`nullif(c.source_channel, '')` }[by];
  const joinCustomers = by === 'guide' || by === 'source' ? sql`left join customers c on c.tenant_id = o.tenant_id and c.id = o.customer_id` : sql``;
  const [figures, repurchase, names] = await Promise.all([
    sql<{ key: string | null; gmv: string; orders: number; buyers: number }>`
      select ${orderKey} as key, sum(o.paid_fen - o.refunded_fen)::bigint as gmv, count(*)::int as orders,
             count(distinct o.customer_id)::int as buyers
        from orders o ${joinCustomers} where ${countedOrdersInRange(s)} group by 1`.execute(db),
    sql<{ key: string | null; eligible: number; repurchased: number }>`
      select key, count(*)::int as eligible, count(*) filter (where again)::int as repurchased from (
        -- current first-order facts answer without reading orders (facts.service.ts)
        select ${firstKey} as key, case when f.customer_id is not null then coalesce(f.next_gap <= 30, false) else exists (
                 select 1 from orders y
                  where y.tenant_id = ${s.tenantId} and y.customer_id = c.id and y.status <> 'refunded'
                    and y.ordered_at >= ((${localDay(s, sql`c.first_order_at`)} + 1)::timestamp at time zone ${s.tz})
                    and y.ordered_at < ((${localDay(s, sql`c.first_order_at`)} + 31)::timestamp at time zone ${s.tz})) end as again
          from customers c
          left join analytics_first_orders f on f.tenant_id = c.tenant_id and f.customer_id = c.id and f.customer_updated_at = c.updated_at
         where ${firstOrderInRange(s)} and ${localDay(s, sql`c.first_order_at`)} + 30 < ${s.today}::date
      ) f group by key`.execute(db),
    namesOf(db, s, by),
  ]);
  const again = new Map(repurchase.rows.map((r) => [r.key, r]));
  return figures.rows
    .map((r): BreakdownRow => {
      const gmv = Number(r.gmv);
      const rp = again.get(r.key);
      return {
        key: r.key, name: r.key === null ? '' : names.get(r.key) ?? r.key,
        gmvFen: gmv, orders: r.orders, buyers: r.buyers, averageTicketFen: averageFen(gmv, r.orders),
        repurchase30: { eligible: rp?.eligible ?? 0, repurchased: rp?.repurchased ?? 0, rate: rate(rp?.repurchased ?? 0, rp?.eligible ?? 0) },
      };
    })
    .sort((a, b) => b.gmvFen - a.gmvFen || a.name.localeCompare(b.name));
}

async function namesOf(db: Db, s: Scope, by: Breakdown): Promise<Map<string, string>> {
  if (by === 'store') {
    const r = await sql<{ id: string; name: string }>`select id::text, name from stores where tenant_id = ${s.tenantId}`.execute(db);
    return new Map(r.rows.map((x) => [x.id, x.name]));
  }
  if (by === 'guide') {
    const r = await sql<{ id: string; name: string }>`select id::text, name from staff where tenant_id = ${s.tenantId}`.execute(db);
    return new Map(r.rows.map((x) => [x.id, x.name]));
  }
  return new Map();
}

export interface RepurchaseWindow {
  days: number;
  /** First-time buyers whose window has fully elapsed (first day + N days is before today). */
  eligible: number;
  repurchased: number;
  rate: number | null;
}

export interface RepurchaseFigures {
  /** Customers whose first order falls in the range. */
  firstTimeBuyers: number;
  windows: RepurchaseWindow[];
  byMonth: { month: string; firstTimeBuyers: number; windows: RepurchaseWindow[] }[];
}

/** Of customers whose first order is in the range: who bought again on a later calendar day
 *  within 7 / 30 / 90 days, counting only those whose window has fully elapsed. */
export async function repurchase(db: Db, s: Scope): Promise<RepurchaseFigures> {
  const firstDay = localDay(s, sql`c.first_order_at`);
  const rows = await sql<{ month: string; buyers: number; e7: number; r7: number; e30: number; r30: number; e90: number; r90: number }>`
    with base as materialized (
      select c.id, c.updated_at, ${firstDay} as first_day from customers c where ${firstOrderInRange(s)}
    ), nxt as (
      -- the gap to the next purchase day from the facts where they are current (facts.service.ts) …
      select b.first_day, f.next_gap as gap from base b
        join analytics_first_orders f on f.tenant_id = ${s.tenantId} and f.customer_id = b.id and f.customer_updated_at = b.updated_at
      union all
      -- … and from orders for the others (within 90 days: the longest window)
      select b.first_day,
             (select min((o.ordered_at at time zone ${s.tz})::date) from orders o
               where o.tenant_id = ${s.tenantId} and o.customer_id = b.id and o.status <> 'refunded'
                 and o.ordered_at >= ((b.first_day + 1)::timestamp at time zone ${s.tz})
                 and o.ordered_at < ((b.first_day + 91)::timestamp at time zone ${s.tz})) - b.first_day
        from base b
       where not exists (select 1 from analytics_first_orders f
                          where f.tenant_id = ${s.tenantId} and f.customer_id = b.id and f.customer_updated_at = b.updated_at)
    )
    select to_char(first_day, 'YYYY-MM') as month, count(*)::int as buyers,
           count(*) filter (where first_day + 7 < ${s.today}::date)::int as e7,
           count(*) filter (where first_day + 7 < ${s.today}::date and gap <= 7)::int as r7,
           count(*) filter (where first_day + 30 < ${s.today}::date)::int as e30,
           count(*) filter (where first_day + 30 < ${s.today}::date and gap <= 30)::int as r30,
           count(*) filter (where first_day + 90 < ${s.today}::date)::int as e90,
           count(*) filter (where first_day + 90 < ${s.today}::date and gap <= 90)::int as r90
      from nxt group by 1`.execute(db);
  const windowsOf = (r: { e7: number; r7: number; e30: number; r30: number; e90: number; r90: number }): RepurchaseWindow[] =>
    REPURCHASE_WINDOWS.map((days) => {
      const [eligible, repurchased] = days === 7 ? [r.e7, r.r7] : days === 30 ? [r.e30, r.r30] : [r.e90, r.r90];
      return { days, eligible, repurchased, rate: rate(repurchased, eligible) };
    });
  const byMonth = new Map(rows.rows.map((r) => [r.month, r]));
  const zero = { buyers: 0, e7: 0, r7: 0, e30: 0, r30: 0, e90: 0, r90: 0 };
  const total = { ...zero };
  for (const r of rows.rows) for (const k of Object.keys(zero) as (keyof typeof zero)[]) total[k] += r[k];
  return {
    firstTimeBuyers: total.buyers,
    windows: windowsOf(total),
    byMonth: monthsOf(s.range).map((month) => {
      const r = byMonth.get(month) ?? zero;
      return { month, firstTimeBuyers: r.buyers, windows: windowsOf(r) };
    }),
  };
}

export interface CohortRow {
  month: string;
  size: number;
  /** k = 0..11 months after the cohort month; null for months not begun yet. */
  cells: ({ customers: number; rate: number | null } | null)[];
}

/** Cohort = month of first order (in the range); cell k = cohort members with a counted order in
 *  the k-th calendar month after. Month 0 is everyone by definition. */
export async function cohorts(db: Db, s: Scope): Promise<CohortRow[]> {
  const rows = await sql<{ month: string; k: number; n: number }>`
    with base as materialized (
      select c.id, date_trunc('month', c.first_order_at at time zone ${s.tz})::date as m0 from customers c where ${firstOrderInRange(s)}
    )
    select to_char(b.m0, 'YYYY-MM') as month, k, count(distinct b.id)::int as n from base b
      join lateral (
        select distinct ((extract(year from o.ordered_at at time zone ${s.tz}) * 12 + extract(month from o.ordered_at at time zone ${s.tz}))
                       - (extract(year from b.m0) * 12 + extract(month from b.m0)))::int as k
          from orders o
         where o.tenant_id = ${s.tenantId} and o.customer_id = b.id and o.status <> 'refunded'
           and o.ordered_at >= (b.m0::timestamp at time zone ${s.tz})
           and o.ordered_at < ((b.m0 + interval '${sql.raw(String(MONTHS_AFTER))} months')::timestamp at time zone ${s.tz})
      ) m on true
     group by 1, 2`.execute(db);
  const counts = new Map(rows.rows.map((r) => [`${r.month}|${r.k}`, r.n]));
  return monthsOf(s.range).map((month) => {
    const size = counts.get(`${month}|0`) ?? 0;
    const cells = Array.from({ length: MONTHS_AFTER }, (_, k) => {
      if (!monthReached(month, k, s.today)) return null;
      const n = counts.get(`${month}|${k}`) ?? 0;
      return { customers: n, rate: rate(n, size) };
    });
    return { month, size, cells };
  });
}

export interface LtvRow {
  month: string;
  customers: number;
  /** Average cumulative spend per acquired customer by the end of month k (0..11); null before it begins. */
  cumulativeFen: (number | null)[];
}

/**
 * Acquisition month = month the customer profile was created (customers.created_at: the first
 * contact, order or import that made them known). Spend is GMV of counted orders; orders placed
 * before the acquisition month (imported history) count in month 0. Averages are over every
 * acquired customer, buyers or not, in whole fen.
 */
export async function ltv(db: Db, s: Scope): Promise<LtvRow[]> {
  const rows = await sql<{ month: string; k: number | null; spent: string | null; customers: number }>`
    with base as materialized (
      select c.id, date_trunc('month', c.created_at at time zone ${s.tz})::date as a0 from customers c
       where c.tenant_id = ${s.tenantId} and c.created_at >= ${s.start} and c.created_at < ${s.end} ${customerFilter(s)}
    ), spend as (
      select b.a0, greatest(0, ((extract(year from o.ordered_at at time zone ${s.tz}) * 12 + extract(month from o.ordered_at at time zone ${s.tz}))
                        - (extract(year from b.a0) * 12 + extract(month from b.a0)))::int) as k,
             o.paid_fen - o.refunded_fen as spent
        from base b join orders o on o.tenant_id = ${s.tenantId} and o.customer_id = b.id and o.status <> 'refunded'
       where o.ordered_at < ((b.a0 + interval '${sql.raw(String(MONTHS_AFTER))} months')::timestamp at time zone ${s.tz})
    )
    select to_char(a0, 'YYYY-MM') as month, null::int as k, null::bigint as spent, count(*)::int as customers from base group by 1
    union all
    select to_char(a0, 'YYYY-MM'), k, sum(spent)::bigint, 0 from spend group by 1, 2`.execute(db);
  const sizes = new Map<string, number>();
  const spent = new Map<string, number>();
  for (const r of rows.rows) {
    if (r.k === null) sizes.set(r.month, r.customers);
    else spent.set(`${r.month}|${r.k}`, Number(r.spent ?? 0));
  }
  return monthsOf(s.range).map((month) => {
    const customers = sizes.get(month) ?? 0;
    let cumulative = 0;
    const cumulativeFen = Array.from({ length: MONTHS_AFTER }, (_, k) => {
      cumulative += spent.get(`${month}|${k}`) ?? 0;
      if (!monthReached(month, k, s.today)) return null;
      return customers > 0 ? Math.round(cumulative / customers) : 0;
    });
    return { month, customers, cumulativeFen };
  });
}

export interface DashboardSummary {
  range: DateRange;
  customers: { total: number; withOrders: number; newInRange: number };
  orders: { count: number; gmvFen: number; averageTicketFen: number; buyers: number; repeatBuyers: number };
  gmvByMonth: { month: string; gmvFen: number; orders: number; buyers: number }[];
  topStores: { storeId: string; name: string; gmvFen: number; orders: number; buyers: number }[];
  channels: { channel: string; gmvFen: number; orders: number }[];
}

export async function dashboardSummary(db: Db, actor: Actor, range: DateRange, filter: { storeId?: string | undefined } = {}): Promise<DashboardSummary> {
  const tz = actor.timezone;
  const start = sql`(${range.from}::date)::timestamp at time zone ${tz}`;
  const end = sql`(${range.to}::date + 1)::timestamp at time zone ${tz}`;
  const store = filter.storeId ? sql`and o.store_id = ${filter.storeId}` : sql``;
  const customerStore = filter.storeId ? sql`and c.store_id = ${filter.storeId}` : sql``;
  const inRange = sql`o.tenant_id = ${actor.tenantId} and o.ordered_at >= ${start} and o.ordered_at < ${end} and o.status <> 'refunded' ${store}`;

  const [customers, totals, months, stores, channels] = await Promise.all([
    sql<{ total: number; with_orders: number; new_in_range: number }>`
      select count(*)::int as total,
             count(*) filter (where c.order_count > 0)::int as with_orders,
             count(*) filter (where c.created_at >= ${start} and c.created_at < ${end})::int as new_in_range
        from customers c where c.tenant_id = ${actor.tenantId} ${customerStore}`.execute(db),
    sql<{ orders: number; gmv: number; buyers: number; repeat_buyers: number }>`
      with per_buyer as (
        select o.customer_id, count(*) as orders, sum(o.paid_fen - o.refunded_fen) as gmv,
               count(distinct (o.ordered_at at time zone ${tz})::date) as days
          from orders o where ${inRange} group by o.customer_id)
      select coalesce(sum(orders), 0)::int as orders, coalesce(sum(gmv), 0)::bigint as gmv,
             count(customer_id)::int as buyers, count(customer_id) filter (where days >= 2)::int as repeat_buyers
        from per_buyer`.execute(db),
    sql<{ month: string; gmv: number; orders: number; buyers: number }>`
      select to_char(o.ordered_at at time zone ${tz}, 'YYYY-MM') as month, sum(o.paid_fen - o.refunded_fen)::bigint as gmv,
             count(*)::int as orders, count(distinct o.customer_id)::int as buyers
        from orders o where ${inRange} group by 1 order by 1`.execute(db),
    sql<{ store_id: string; name: string; gmv: number; orders: number; buyers: number }>`
      select o.store_id, s.name, sum(o.paid_fen - o.refunded_fen)::bigint as gmv, count(*)::int as orders,
             count(distinct o.customer_id)::int as buyers
        from orders o join stores s on s.tenant_id = o.tenant_id and s.id = o.store_id
       where ${inRange} group by o.store_id, s.name order by gmv desc, s.name limit 10`.execute(db),
    sql<{ channel: string; gmv: number; orders: number }>`
      select o.channel, sum(o.paid_fen - o.refunded_fen)::bigint as gmv, count(*)::int as orders
        from orders o where ${inRange} group by o.channel order by gmv desc`.execute(db),
  ]);

  const c = customers.rows[0] ?? { total: 0, with_orders: 0, new_in_range: 0 };
  const t = totals.rows[0] ?? { orders: 0, gmv: 0, buyers: 0, repeat_buyers: 0 };
  const byMonth = new Map(months.rows.map((r) => [r.month, r]));
  return {
    range,
    customers: { total: c.total, withOrders: c.with_orders, newInRange: c.new_in_range },
    orders: {
      count: t.orders, gmvFen: t.gmv, averageTicketFen: t.orders > 0 ? Math.round(t.gmv / t.orders) : 0,
      buyers: t.buyers, repeatBuyers: t.repeat_buyers,
    },
    gmvByMonth: monthsOf(range).map((month) => {
      const r = byMonth.get(month);
      return { month, gmvFen: r?.gmv ?? 0, orders: r?.orders ?? 0, buyers: r?.buyers ?? 0 };
    }),
    topStores: stores.rows.map((r) => ({ storeId: r.store_id, name: r.name, gmvFen: r.gmv, orders: r.orders, buyers: r.buyers })),
    channels: channels.rows.map((r) => ({ channel: r.channel, gmvFen: r.gmv, orders: r.orders })),
  };
}
