-- The first purchase day's spend (paid − refunded of the orders not fully refunded on the
-- customer's first purchase day in the tenant's zone), kept beside the other order aggregates so
-- the scoring run can take Gamma-Gamma's mean repeat-day spend, (total − first day) / repeat days,
-- from the customer row instead of scanning every order.
alter table customers add column first_day_spent_fen bigint not null default 0;

update customers c
   set first_day_spent_fen = f.spent
  from (
    select o.tenant_id, o.customer_id, sum(o.paid_fen - o.refunded_fen)::bigint as spent
      from orders o
      join customers b on b.tenant_id = o.tenant_id and b.id = o.customer_id
      join tenants t on t.id = o.tenant_id
     where o.status <> 'refunded' and b.first_order_at is not null
       and (o.ordered_at at time zone t.timezone)::date = (b.first_order_at at time zone t.timezone)::date
     group by o.tenant_id, o.customer_id
  ) f
 where c.tenant_id = f.tenant_id and c.id = f.customer_id and f.spent <> 0;
