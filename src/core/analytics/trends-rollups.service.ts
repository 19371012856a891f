// Trends by day and month from the analytics rollups (rollups.service.ts): GMV and orders from
// analytics_order_days; buyers from analytics_customer_months (a row per customer, month and store
// whose day_mask marks the days with a counted order); active customers are the buyers plus the
// customers who interacted in the bucket without buying in it; new buyers from customers'
// first-order index. Same figures as the orders-based path in trends.service.ts.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { INTERACTION_EVENTS, averageFen, bucketsOf, type Granularity } from './analytics.rules.ts';
import { customerFilter, firstOrderInRange, type Scope } from './filters.service.ts';
import { EVERY_STORE, buyersByMonth, customerMonthsInRange, orderDaysInRange, rangeDays } from './rollups.service.ts';
import type { TrendPoint } from './trends.service.ts';

const DAYS = Array.from({ length: 31 }, (_, i) => i + 1);

function bucketOfInstant(s: Scope, column: RawBuilder<unknown>, granularity: 'day' | 'month'): RawBuilder<unknown> {
  return sql`to_char(${column} at time zone ${s.tz}, ${granularity === 'month' ? 'YYYY-MM' : 'YYYY-MM-DD'})`;
}

export async function trendsFromRollups(db: Db, s: Scope, granularity: Exclude<Granularity, 'week'>): Promise<TrendPoint[]> {
  const storeKey = s.storeId ?? EVERY_STORE;
  const [figures, buyerRows, others, newBuyers] = await Promise.all([
    sql<{ bucket: string; gmv: number; orders: number }>`
      select to_char(d.day, ${granularity === 'month' ? 'YYYY-MM' : 'YYYY-MM-DD'}) as bucket, sum(d.gmv_fen)::bigint as gmv, sum(d.orders)::int as orders
        from analytics_order_days d where ${orderDaysInRange(s)} group by 1`.execute(db),
    granularity === 'month'
      ? buyersByMonth(db, s)
      // one pass over the months' rows: buyers of each day of the month
      : sql<Record<string, number | string>>`
          select to_char(m.month, 'YYYY-MM') as month,
                 ${sql.join(DAYS.map((d) => sql`count(*) filter (where m.day_mask & ${2 ** (d - 1)}::int <> 0)::int as ${sql.ref(`d${d}`)}`))}
            from analytics_customer_months m where ${customerMonthsInRange(s)} group by 1`.execute(db),
    // interactions of customers at the filtered home store who bought nothing (at the store) in that bucket
    sql<{ bucket: string; n: number }>`
      select bucket, count(distinct customer_id)::int as n from (
        select ${bucketOfInstant(s, sql`e.occurred_at`, granularity)} as bucket, e.customer_id,
               (e.occurred_at at time zone ${s.tz})::date as day
          from events e ${s.storeId ? sql`join customers c on c.tenant_id = e.tenant_id and c.id = e.customer_id` : sql``}
         where e.tenant_id = ${s.tenantId} and e.type = any(${[...INTERACTION_EVENTS]}::text[]) and e.customer_id is not null
           and e.occurred_at >= ${s.start} and e.occurred_at < ${s.end} ${customerFilter(s, sql`e.customer_id`)}
      ) e
       where not exists (
         select 1 from analytics_customer_months m
          where m.tenant_id = ${s.tenantId} and m.customer_id = e.customer_id and m.store_key = ${storeKey}::uuid
            and m.month = date_trunc('month', e.day)::date
            and ${granularity === 'month' ? sql`${rangeDays(s)} <> 0` : sql`m.day_mask & (1 << (extract(day from e.day)::int - 1)) <> 0`})
       group by bucket`.execute(db),
    sql<{ bucket: string; n: number }>`
      select ${bucketOfInstant(s, sql`c.first_order_at`, granularity)} as bucket, count(*)::int as n
        from customers c where ${firstOrderInRange(s)} group by 1`.execute(db),
  ]);
  let buyers: Map<string, number>;
  if (buyerRows instanceof Map) buyers = buyerRows;
  else {
    buyers = new Map();
    for (const r of buyerRows.rows) {
      for (const d of DAYS) buyers.set(`${String(r.month)}-${String(d).padStart(2, '0')}`, Number(r[`d${d}`] ?? 0));
    }
  }
  const byBucket = new Map(figures.rows.map((r) => [r.bucket, r]));
  const extra = new Map(others.rows.map((r) => [r.bucket, r.n]));
  const fresh = new Map(newBuyers.rows.map((r) => [r.bucket, r.n]));
  return bucketsOf(s.range, granularity).map((bucket) => {
    const r = byBucket.get(bucket);
    const gmv = Number(r?.gmv ?? 0);
    const count = r?.orders ?? 0;
    const b = buyers.get(bucket) ?? 0;
    return {
      bucket, gmvFen: gmv, orders: count, averageTicketFen: averageFen(gmv, count), buyers: b,
      newBuyers: fresh.get(bucket) ?? 0, activeCustomers: b + (extra.get(bucket) ?? 0),
    };
  });
}
