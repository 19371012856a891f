// Keeps the order aggregates on customer rows right as orders arrive, inside the writing
// transaction, with the same definitions as refreshOrderAggregates (customers/aggregates.service.ts):
// orders not fully refunded count; spend is paid − refunded; purchase days are distinct calendar
// days in the tenant's zone; the first purchase day's spend moves when an order lands on or before it.
//
// New orders are added as deltas (count, spend, first/last, and a day only when the customer had
// no other counted order that local day), so a customer with a long history costs the same as a
// new one. Refunds and merges, which can remove a day or move first/last, recompute the affected
// customers from their orders. Callers lock the customers (lockCustomers) in a statement before
// calling, so the "other orders that day" check sees every committed order.
import { sql } from 'kysely';
import { PREPARED, type Db } from '../../db/connect.ts';
import { refreshOrderAggregates } from '../customers/aggregates.service.ts';

/** Adds just-inserted orders (by id) of some customers to those customers' aggregates. */
export async function addOrdersToAggregates(db: Db, tenantId: string, orderIds: string[], customerIds: string[]): Promise<void> {
  if (orderIds.length === 0 || customerIds.length === 0) return;
  await sql`${PREPARED}
    with zone as (select timezone as tz from tenants where id = ${tenantId}),
    fresh as (
      select o.customer_id, o.ordered_at, o.paid_fen - o.refunded_fen as spent,
             (o.ordered_at at time zone z.tz)::date as day, z.tz
        from orders o cross join zone z
       where o.tenant_id = ${tenantId} and o.id = any(${orderIds}::uuid[])
         and o.customer_id is not null and o.status <> 'refunded'
    ),
    per_day as (
      select customer_id, day, tz, count(*)::int as n, sum(spent)::bigint as spent,
             min(ordered_at) as first_at, max(ordered_at) as last_at
        from fresh group by customer_id, day, tz
    ),
    per_customer as (
      select d.customer_id, sum(d.n)::int as n, sum(d.spent)::bigint as spent,
             min(d.first_at) as first_at, max(d.last_at) as last_at,
             -- the earliest of these days and its spend (riding in the low bits of day·2^42 + spend + 2^41)
             min(d.day) as first_day, min(d.tz) as tz,
             (min((d.day - date '1970-01-01')::int8 * 4398046511104 + d.spent + 2199023255552) % 4398046511104 - 2199023255552)::bigint as first_day_spent,
             -- The day is compared as an expression on purpose: a time range here lets the planner
             -- pick orders_time and scan every order of the tenant that day for each customer (a POS
             -- day export: minutes). Through orders_customer it reads only this customer's orders.
             count(*) filter (where not exists (
               select 1 from orders x
                where x.tenant_id = ${tenantId} and x.customer_id = d.customer_id and x.status <> 'refunded'
                  and (x.ordered_at at time zone d.tz)::date = d.day
                  and not (x.id = any(${orderIds}::uuid[]))
             ))::int as new_days
        from per_day d group by d.customer_id
    )
    update customers c
       set order_count = c.order_count + p.n,
           order_days = c.order_days + p.new_days,
           total_spent_fen = c.total_spent_fen + p.spent,
           first_order_at = least(c.first_order_at, p.first_at),
           first_day_spent_fen = case
             when c.first_order_at is null or p.first_day < (c.first_order_at at time zone p.tz)::date then p.first_day_spent
             when p.first_day = (c.first_order_at at time zone p.tz)::date then c.first_day_spent_fen + p.first_day_spent
             else c.first_day_spent_fen end,
           last_order_at = greatest(c.last_order_at, p.last_at),
           last_active_at = greatest(c.last_active_at, p.last_at),
           updated_at = now()
      from per_customer p
     where c.tenant_id = ${tenantId} and c.id = any(${customerIds}::uuid[]) and c.id = p.customer_id`.execute(db);
}

/** Recomputes the aggregates of some customers from their orders (refunds and merges), but the orders excluded. */
export async function recomputeAggregates(db: Db, tenantId: string, customerIds: string[], options: { excludingOrders?: string[] } = {}): Promise<void> {
  await refreshOrderAggregates(db, tenantId, customerIds, options);
}
