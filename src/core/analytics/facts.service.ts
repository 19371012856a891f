// Per-customer first-order facts (analytics_first_orders) that let repurchase figures skip the
// orders table. A fact is valid while its customer row is unchanged (customer_updated_at);
// readers fall back to orders for the others, so a stale or missing fact costs time, never
// correctness. Refreshed nightly per tenant and on demand; only missing or stale rows are written.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';

export async function refreshFirstOrderFacts(db: Db, tenantId: string): Promise<{ customersWritten: number }> {
  const result = await sql`
    with zone as (select timezone as tz from tenants where id = ${tenantId}),
    stale as (
      select c.id, c.updated_at, (c.first_order_at at time zone z.tz)::date as first_day, z.tz
        from customers c cross join zone z
        left join analytics_first_orders f on f.tenant_id = c.tenant_id and f.customer_id = c.id
       where c.tenant_id = ${tenantId} and c.first_order_at is not null
         and (f.customer_id is null or f.customer_updated_at <> c.updated_at)
    )
    insert into analytics_first_orders (tenant_id, customer_id, customer_updated_at, first_day, next_gap, computed_at)
    select ${tenantId}, s.id, s.updated_at, s.first_day,
           (select min((o.ordered_at at time zone s.tz)::date) from orders o
             where o.tenant_id = ${tenantId} and o.customer_id = s.id and o.status <> 'refunded'
               and o.ordered_at >= ((s.first_day + 1)::timestamp at time zone s.tz)) - s.first_day,
           now()
      from stale s
    on conflict (tenant_id, customer_id) do update
       set customer_updated_at = excluded.customer_updated_at, first_day = excluded.first_day,
           next_gap = excluded.next_gap, computed_at = excluded.computed_at`.execute(db);
  return { customersWritten: Number(result.numAffectedRows ?? 0) };
}
