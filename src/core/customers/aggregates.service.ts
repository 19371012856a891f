// Order aggregates on each customer row (first/last order, order count, distinct purchase days
// in the tenant's zone, total spend, the first purchase day's spend). Recomputed set-wise from orders — for a whole tenant (the
// nightly task) or for some customers (after refunds and merges); only rows whose values changed
// are written, so a run over unchanged customers writes nothing. This is the one definition:
// incremental maintenance (orders/order-aggregates.service.ts) and the demo loader match it.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';

export interface AggregateRefresh {
  customersUpdated: number;
}

/**
 * `excludingOrders`: orders the caller has inserted and will add incrementally itself (a batch that
 * merges profiles after inserting its new orders), left out here so that they count once.
 */
export async function refreshOrderAggregates(db: Db, tenantId: string, customerIds?: string[], options: { excludingOrders?: string[] } = {}): Promise<AggregateRefresh> {
  if (customerIds?.length === 0) return { customersUpdated: 0 };
  const excluded = options.excludingOrders ?? [];
  const ordersOf = sql`${customerIds ? sql`and o.customer_id = any(${customerIds}::uuid[])` : sql``} ${excluded.length > 0 ? sql`and o.id <> all(${excluded}::uuid[])` : sql``}`;
  const customersIn = customerIds ? sql`and c.id = any(${customerIds}::uuid[])` : sql``;
  const result = await sql<never>`
    with tenant as (select timezone from tenants where id = ${tenantId}),
    -- materialized: computed once, not once per customer row of the update
    -- per purchase day first, so the first day's spend comes with the rest in one pass
    days as (
      select o.customer_id, (o.ordered_at at time zone t.timezone)::date as day,
             min(o.ordered_at) as first_at, max(o.ordered_at) as last_at, count(*)::int as n,
             sum(o.paid_fen - o.refunded_fen)::bigint as spent
        from orders o cross join tenant t
       where o.tenant_id = ${tenantId} and o.customer_id is not null and o.status <> 'refunded' ${ordersOf}
       group by 1, 2
    ),
    -- materialized: computed once, not once per customer row of the update
    stats as materialized (
      select customer_id,
             min(first_at) as first_order_at,
             max(last_at) as last_order_at,
             sum(n)::int as order_count,
             count(*)::int as order_days,
             sum(spent)::bigint as total_spent_fen,
             -- the first day's spend rides in the low bits of day·2^42 + spend + 2^41
             (min((day - date '1970-01-01')::int8 * 4398046511104 + spent + 2199023255552) % 4398046511104 - 2199023255552)::bigint as first_day_spent_fen
        from days
       group by customer_id
    ),
    target as (
      select c.id,
             s.first_order_at, s.last_order_at,
             coalesce(s.order_count, 0) as order_count,
             coalesce(s.order_days, 0) as order_days,
             coalesce(s.total_spent_fen, 0) as total_spent_fen,
             coalesce(s.first_day_spent_fen, 0) as first_day_spent_fen
        from customers c left join stats s on s.customer_id = c.id
       where c.tenant_id = ${tenantId} ${customersIn}
    )
    update customers c
       set first_order_at = t.first_order_at,
           last_order_at = t.last_order_at,
           order_count = t.order_count,
           order_days = t.order_days,
           total_spent_fen = t.total_spent_fen,
           first_day_spent_fen = t.first_day_spent_fen,
           updated_at = now()
      from target t
     where c.tenant_id = ${tenantId} and c.id = t.id ${customersIn}
       and (c.first_order_at is distinct from t.first_order_at
         or c.last_order_at is distinct from t.last_order_at
         or c.order_count <> t.order_count
         or c.order_days <> t.order_days
         or c.total_spent_fen <> t.total_spent_fen
         or c.first_day_spent_fen <> t.first_day_spent_fen)`.execute(db);
  return { customersUpdated: Number(result.numAffectedRows ?? 0) };
}
