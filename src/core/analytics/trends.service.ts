// Trends and breakdowns: figures over orders in the range, by calendar bucket or by store, guide,
// channel or acquisition source.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/connect.ts';
import {
  INTERACTION_EVENTS, averageFen, bucketsOf, rate,
  type Breakdown, type Granularity,
} from './analytics.rules.ts';
import { countedOrdersInRange, customerFilter, firstOrderInRange, firstOrderOf, localDay, type Scope } from './filters.service.ts';
import { trendsFromRollups } from './trends-rollups.service.ts';
import { NO_STORE, buyersByStore, orderDaysInRange, rollupsAnswer } from './rollups.service.ts';

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
  if (rollupsAnswer(s) && granularity !== 'week') return trendsFromRollups(db, s, granularity);
  // Weeks (a customer's week may span two months of the rollup) and segments: one pass over the range's orders and interaction events: order figures from the order rows,
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
    by === 'store' && rollupsAnswer(s) ? storeFigures(db, s) : sql<{ key: string | null; gmv: string; orders: number; buyers: number }>`
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

/**
 * Store groups from the rollups: GMV and orders from analytics_order_days, buyers from the
 * customer-month rows of each store. Channel, guide and source groups stay on orders: their buyers
 * are no key of the rollups (guide and source are the customer's today).
 */
async function storeFigures(db: Db, s: Scope): Promise<{ rows: { key: string | null; gmv: string; orders: number; buyers: number }[] }> {
  const [figures, byStore] = await Promise.all([
    sql<{ key: string | null; gmv: string; orders: number }>`
      select d.store_id::text as key, sum(d.gmv_fen)::bigint as gmv, sum(d.orders)::int as orders
        from analytics_order_days d where ${orderDaysInRange(s)} group by 1 having sum(d.orders) > 0`.execute(db),
    buyersByStore(db, s, s.storeId ? sql`${s.storeId}::uuid` : sql`any(array(select id from stores where tenant_id = ${s.tenantId}) || ${NO_STORE}::uuid)`),
  ]);
  return { rows: figures.rows.map((r) => ({ ...r, buyers: byStore.get(r.key ?? NO_STORE) ?? 0 })) };
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
