-- Every batch of orders adds to the same few rows of analytics_order_days (today, per store and
-- channel), and a row a transaction has updated stays locked until it commits: concurrent
-- ingestion batches queued behind each other there, whatever customers they were about. The rows
-- are now spread over 8 slots, one per writing connection (its backend pid modulo 8), so two
-- batches on different connections rarely meet. Readers already sum over the rows of a day,
-- store and channel; a tenant's rebuild writes slot 0. Only the key and the triggers' upsert of
-- day rows change (0037, 0039): the customer-month rows are a customer's own.
alter table analytics_order_days add column slot smallint not null default 0;
drop index analytics_order_days_key;
create unique index analytics_order_days_key on analytics_order_days (tenant_id, day, store_id, channel, slot) nulls not distinct;

create function analytics_slot() returns smallint language sql stable parallel safe
  return (pg_backend_pid() % 8)::smallint;

create or replace function orders_to_analytics_insert() returns trigger language plpgsql as $$
begin
  with d as (
    select n.tenant_id, n.customer_id, n.store_id, n.channel, n.ordered_at at time zone t.timezone as local_at,
           1 as n, n.paid_fen - n.refunded_fen as spent
      from new_orders n join tenants t on t.id = n.tenant_id where n.status <> 'refunded'
  ), days as (
    insert into analytics_order_days as r (tenant_id, day, store_id, channel, slot, orders, gmv_fen)
    select tenant_id, local_at::date, store_id, channel, analytics_slot(), sum(n), sum(spent) from d
     group by 1, 2, 3, 4
    having sum(n) <> 0 or sum(spent) <> 0
     order by 1, 2, 3, 4
    on conflict (tenant_id, day, store_id, channel, slot) do update
       set orders = r.orders + excluded.orders, gmv_fen = r.gmv_fen + excluded.gmv_fen
  ), per_day as (
    select d.tenant_id, d.customer_id, date_trunc('month', d.local_at)::date as month, k.store_key,
           extract(day from d.local_at)::integer as dom, sum(d.n) as n, sum(d.spent) as spent
      from d cross join lateral (values ('00000000-0000-0000-0000-000000000000'::uuid), (coalesce(d.store_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid))) k(store_key)
     where d.customer_id is not null
     group by 1, 2, 3, 4, 5
  )
  insert into analytics_customer_months as r (tenant_id, customer_id, month, store_key, orders, spent_fen, day_orders, day_mask)
  select tenant_id, customer_id, month, store_key, sum(n), sum(spent), analytics_day_orders(dom, n), bit_or(1 << (dom - 1))
    from per_day
   group by 1, 2, 3, 4
  having bool_or(n <> 0) or sum(spent) <> 0
   order by 1, 2, 3, 4
  on conflict (tenant_id, customer_id, month, store_key) do update
     set orders = r.orders + excluded.orders, spent_fen = r.spent_fen + excluded.spent_fen,
         day_orders = analytics_add_days(r.day_orders, excluded.day_orders),
         day_mask = r.day_mask | excluded.day_mask;
  return null;
end $$;

create or replace function orders_to_analytics_update() returns trigger language plpgsql as $$
declare
  emptied boolean;
begin
  with d as (
    select n.tenant_id, n.customer_id, n.store_id, n.channel, n.ordered_at at time zone t.timezone as local_at,
           1 as n, n.paid_fen - n.refunded_fen as spent
      from new_orders n join tenants t on t.id = n.tenant_id where n.status <> 'refunded'
    union all
    select o.tenant_id, o.customer_id, o.store_id, o.channel, o.ordered_at at time zone t.timezone as local_at,
           -1 as n, -(o.paid_fen - o.refunded_fen) as spent
      from old_orders o join tenants t on t.id = o.tenant_id where o.status <> 'refunded'
  ), days as (
    insert into analytics_order_days as r (tenant_id, day, store_id, channel, slot, orders, gmv_fen)
    select tenant_id, local_at::date, store_id, channel, analytics_slot(), sum(n), sum(spent) from d
     group by 1, 2, 3, 4
    having sum(n) <> 0 or sum(spent) <> 0
     order by 1, 2, 3, 4
    on conflict (tenant_id, day, store_id, channel, slot) do update
       set orders = r.orders + excluded.orders, gmv_fen = r.gmv_fen + excluded.gmv_fen
  ), per_day as (
    select d.tenant_id, d.customer_id, date_trunc('month', d.local_at)::date as month, k.store_key,
           extract(day from d.local_at)::integer as dom, sum(d.n) as n, sum(d.spent) as spent
      from d cross join lateral (values ('00000000-0000-0000-0000-000000000000'::uuid), (coalesce(d.store_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid))) k(store_key)
     where d.customer_id is not null
     group by 1, 2, 3, 4, 5
  ), months as (
  insert into analytics_customer_months as r (tenant_id, customer_id, month, store_key, orders, spent_fen, day_orders, day_mask)
  select tenant_id, customer_id, month, store_key, sum(n), sum(spent), analytics_day_orders(dom, n), analytics_day_mask(analytics_day_orders(dom, n))
    from per_day
   group by 1, 2, 3, 4
  having bool_or(n <> 0) or sum(spent) <> 0
   order by 1, 2, 3, 4
  on conflict (tenant_id, customer_id, month, store_key) do update
     set orders = r.orders + excluded.orders, spent_fen = r.spent_fen + excluded.spent_fen,
         day_orders = analytics_add_days(r.day_orders, excluded.day_orders),
         day_mask = analytics_day_mask(analytics_add_days(r.day_orders, excluded.day_orders))
  returning r.orders = 0 as emptied
  )
  select coalesce(bool_or(months.emptied), false) into emptied from months;
  -- A month without a counted order left is no month of activity (only rows leaving can empty one).
  if emptied then
  delete from analytics_customer_months m
   using (select distinct o.tenant_id, o.customer_id, date_trunc('month', o.ordered_at at time zone t.timezone)::date as month
            from old_orders o join tenants t on t.id = o.tenant_id where o.customer_id is not null) k
   where m.tenant_id = k.tenant_id and m.customer_id = k.customer_id and m.month = k.month and m.orders = 0;
  end if;
  return null;
end $$;

create or replace function orders_to_analytics_delete() returns trigger language plpgsql as $$
declare
  emptied boolean;
begin
  with d as (
    select o.tenant_id, o.customer_id, o.store_id, o.channel, o.ordered_at at time zone t.timezone as local_at,
           -1 as n, -(o.paid_fen - o.refunded_fen) as spent
      from old_orders o join tenants t on t.id = o.tenant_id where o.status <> 'refunded'
  ), days as (
    insert into analytics_order_days as r (tenant_id, day, store_id, channel, slot, orders, gmv_fen)
    select tenant_id, local_at::date, store_id, channel, analytics_slot(), sum(n), sum(spent) from d
     group by 1, 2, 3, 4
    having sum(n) <> 0 or sum(spent) <> 0
     order by 1, 2, 3, 4
    on conflict (tenant_id, day, store_id, channel, slot) do update
       set orders = r.orders + excluded.orders, gmv_fen = r.gmv_fen + excluded.gmv_fen
  ), per_day as (
    select d.tenant_id, d.customer_id, date_trunc('month', d.local_at)::date as month, k.store_key,
           extract(day from d.local_at)::integer as dom, sum(d.n) as n, sum(d.spent) as spent
      from d cross join lateral (values ('00000000-0000-0000-0000-000000000000'::uuid), (coalesce(d.store_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid))) k(store_key)
     where d.customer_id is not null
     group by 1, 2, 3, 4, 5
  ), months as (
  insert into analytics_customer_months as r (tenant_id, customer_id, month, store_key, orders, spent_fen, day_orders, day_mask)
  select tenant_id, customer_id, month, store_key, sum(n), sum(spent), analytics_day_orders(dom, n), analytics_day_mask(analytics_day_orders(dom, n))
    from per_day
   group by 1, 2, 3, 4
  having bool_or(n <> 0) or sum(spent) <> 0
   order by 1, 2, 3, 4
  on conflict (tenant_id, customer_id, month, store_key) do update
     set orders = r.orders + excluded.orders, spent_fen = r.spent_fen + excluded.spent_fen,
         day_orders = analytics_add_days(r.day_orders, excluded.day_orders),
         day_mask = analytics_day_mask(analytics_add_days(r.day_orders, excluded.day_orders))
  returning r.orders = 0 as emptied
  )
  select coalesce(bool_or(months.emptied), false) into emptied from months;
  -- A month without a counted order left is no month of activity (only rows leaving can empty one).
  if emptied then
  delete from analytics_customer_months m
   using (select distinct o.tenant_id, o.customer_id, date_trunc('month', o.ordered_at at time zone t.timezone)::date as month
            from old_orders o join tenants t on t.id = o.tenant_id where o.customer_id is not null) k
   where m.tenant_id = k.tenant_id and m.customer_id = k.customer_id and m.month = k.month and m.orders = 0;
  end if;
  return null;
end $$;
