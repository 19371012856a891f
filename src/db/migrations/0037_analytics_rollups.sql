-- Analytics rollups: the order figures of the analytics views and the home dashboard from two
-- small tables instead of a year of a large tenant's orders.
--
-- analytics_order_days: per tenant-local day, store and channel, the counted orders (status <>
-- 'refunded') and their GMV (paid − refunded). Additive: any range or bucket is a sum of days.
--
-- analytics_customer_months: per customer, tenant-local month and store, the customer's counted
-- orders, spend, and counted orders per day of the month (day_orders[1..31], and as bits in
-- day_mask for range tests). store_key is the
-- store of the orders (NO_STORE, all f's, for orders without one), or the nil uuid for the
-- customer's orders at every store, so distinct buyers of a month (at a store or anywhere) are rows, and buyers of any
-- date range are the customers with a row whose days in the range hold an order. A row exists only
-- while it holds a counted order.
--
-- orders are written by ingestion, CSV import, refunds, merges (which move orders to the survivor),
-- erasure (which keeps them), demo seeding (COPY) and cascades from tenants; statement triggers with
-- transition tables keep both rollups in step with all of them, set-wise, in the writing
-- transaction, as 0034 does for group members. Only net changes are written (a merge leaves the
-- day rollup alone). Days and months are taken in the tenant's zone when written; a zone change
-- rebuilds the tenant's rollups (analytics_rebuild_rollups, from the tenants trigger below).
-- Rows are upserted in key order, so concurrent writers wait, never deadlock. No foreign keys:
-- the cascade from a deleted tenant runs the orders trigger after the tenant row is gone (the join
-- to tenants then writes nothing) and the tenants trigger below removes the tenant's rows.
-- day_orders of a month from (day of month, orders) pairs: an aggregate, one call per pair.
create function analytics_day_orders_step(v integer[], dom integer, n bigint) returns integer[] language plpgsql immutable parallel safe as $$
begin
  v[dom] := v[dom] + n;
  return v;
end $$;
create aggregate analytics_day_orders(integer, bigint) (
  sfunc = analytics_day_orders_step, stype = integer[], initcond = '{0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0}'
);
-- Element-wise sum of two day_orders.
create function analytics_add_days(a integer[], b integer[]) returns integer[] language plpgsql immutable parallel safe as $$
declare
  v integer[] := a;
begin
  for i in 1 .. 31 loop
    v[i] := v[i] + b[i];
  end loop;
  return v;
end $$;
-- The days of day_orders that hold an order, as bits (day d: bit d − 1), for cheap range tests.
create function analytics_day_mask(day_orders integer[]) returns integer language plpgsql immutable parallel safe as $$
declare
  m integer := 0;
begin
  for i in 1 .. 31 loop
    if day_orders[i] > 0 then m := m | (1 << (i - 1)); end if;
  end loop;
  return m;
end $$;

create table analytics_order_days (
  tenant_id  uuid not null,
  day        date not null,
  store_id   uuid,
  channel    text not null,
  orders     integer not null default 0,
  gmv_fen    bigint not null default 0
) with (fillfactor = 85);
create unique index analytics_order_days_key on analytics_order_days (tenant_id, day, store_id, channel) nulls not distinct;

create table analytics_customer_months (
  tenant_id    uuid not null,
  customer_id  uuid not null,
  month        date not null,  -- first day of the tenant-local month
  store_key    uuid not null,  -- the store, or the nil uuid: every store
  orders       integer not null,
  spent_fen    bigint not null,
  day_orders   integer[] not null,  -- counted orders on day 1..31 of the month
  day_mask     integer not null     -- analytics_day_mask(day_orders)
) with (fillfactor = 85);
-- (keys and indexes are built after the backfill, at the end)

create function orders_to_analytics_insert() returns trigger language plpgsql as $$
begin
  with d as (
    select n.tenant_id, n.customer_id, n.store_id, n.channel, n.ordered_at at time zone t.timezone as local_at,
           1 as n, n.paid_fen - n.refunded_fen as spent
      from new_orders n join tenants t on t.id = n.tenant_id where n.status <> 'refunded'
  ), days as (
    insert into analytics_order_days as r (tenant_id, day, store_id, channel, orders, gmv_fen)
    select tenant_id, local_at::date, store_id, channel, sum(n), sum(spent) from d
     group by 1, 2, 3, 4
    having sum(n) <> 0 or sum(spent) <> 0
     order by 1, 2, 3, 4
    on conflict (tenant_id, day, store_id, channel) do update
       set orders = r.orders + excluded.orders, gmv_fen = r.gmv_fen + excluded.gmv_fen
  ), per_day as (
    select d.tenant_id, d.customer_id, date_trunc('month', d.local_at)::date as month, k.store_key,
           extract(day from d.local_at)::integer as dom, sum(d.n) as n, sum(d.spent) as spent
      from d cross join lateral (values ('00000000-0000-0000-0000-000000000000'::uuid), (coalesce(d.store_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid))) k(store_key)
     where d.customer_id is not null
     group by 1, 2, 3, 4, 5
  )
  insert into analytics_customer_months as r (tenant_id, customer_id, month, store_key, orders, spent_fen, day_orders, day_mask)
  select tenant_id, customer_id, month, store_key, sum(n), sum(spent), analytics_day_orders(dom, n), analytics_day_mask(analytics_day_orders(dom, n))
    from per_day
   group by 1, 2, 3, 4
  having bool_or(n <> 0) or sum(spent) <> 0
   order by 1, 2, 3, 4
  on conflict (tenant_id, customer_id, month, store_key) do update
     set orders = r.orders + excluded.orders, spent_fen = r.spent_fen + excluded.spent_fen,
         day_orders = analytics_add_days(r.day_orders, excluded.day_orders),
         day_mask = analytics_day_mask(analytics_add_days(r.day_orders, excluded.day_orders));
  return null;
end $$;

create function orders_to_analytics_update() returns trigger language plpgsql as $$
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
    insert into analytics_order_days as r (tenant_id, day, store_id, channel, orders, gmv_fen)
    select tenant_id, local_at::date, store_id, channel, sum(n), sum(spent) from d
     group by 1, 2, 3, 4
    having sum(n) <> 0 or sum(spent) <> 0
     order by 1, 2, 3, 4
    on conflict (tenant_id, day, store_id, channel) do update
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

create function orders_to_analytics_delete() returns trigger language plpgsql as $$
declare
  emptied boolean;
begin
  with d as (
    select o.tenant_id, o.customer_id, o.store_id, o.channel, o.ordered_at at time zone t.timezone as local_at,
           -1 as n, -(o.paid_fen - o.refunded_fen) as spent
      from old_orders o join tenants t on t.id = o.tenant_id where o.status <> 'refunded'
  ), days as (
    insert into analytics_order_days as r (tenant_id, day, store_id, channel, orders, gmv_fen)
    select tenant_id, local_at::date, store_id, channel, sum(n), sum(spent) from d
     group by 1, 2, 3, 4
    having sum(n) <> 0 or sum(spent) <> 0
     order by 1, 2, 3, 4
    on conflict (tenant_id, day, store_id, channel) do update
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

create trigger orders_analytics_insert after insert on orders
  referencing new table as new_orders for each statement execute function orders_to_analytics_insert();
create trigger orders_analytics_update after update on orders
  referencing old table as old_orders new table as new_orders for each statement execute function orders_to_analytics_update();
create trigger orders_analytics_delete after delete on orders
  referencing old table as old_orders for each statement execute function orders_to_analytics_delete();

-- The tenant's rollups recounted from its orders in its present zone.
create function analytics_rebuild_rollups(p_tenant uuid) returns void language plpgsql as $$
begin
  delete from analytics_order_days where tenant_id = p_tenant;
  delete from analytics_customer_months where tenant_id = p_tenant;
  insert into analytics_order_days (tenant_id, day, store_id, channel, orders, gmv_fen)
  select o.tenant_id, (o.ordered_at at time zone t.timezone)::date, o.store_id, o.channel, count(*), sum(o.paid_fen - o.refunded_fen)
    from orders o join tenants t on t.id = o.tenant_id
   where o.tenant_id = p_tenant and o.status <> 'refunded'
   group by 1, 2, 3, 4;
  insert into analytics_customer_months (tenant_id, customer_id, month, store_key, orders, spent_fen, day_orders, day_mask)
  select tenant_id, customer_id, month, store_key, sum(n), sum(spent), analytics_day_orders(dom, n), bit_or(1 << (dom - 1))
    from (select o.tenant_id, o.customer_id, date_trunc('month', o.ordered_at at time zone t.timezone)::date as month, k.store_key,
                 extract(day from o.ordered_at at time zone t.timezone)::integer as dom, count(*) as n, sum(o.paid_fen - o.refunded_fen) as spent
            from orders o join tenants t on t.id = o.tenant_id
            cross join lateral (values ('00000000-0000-0000-0000-000000000000'::uuid), (coalesce(o.store_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid))) k(store_key)
           where o.tenant_id = p_tenant and o.status <> 'refunded' and o.customer_id is not null
           group by 1, 2, 3, 4, 5) x
   group by 1, 2, 3, 4;
end $$;

-- Calendar days move with the zone: whatever changes a tenant's zone gets its rollups rebuilt in
-- the same transaction. A deleted tenant's rollups go with it.
create function tenants_zone_to_analytics() returns trigger language plpgsql as $$
begin
  perform analytics_rebuild_rollups(new.id);
  return null;
end $$;
create trigger tenants_analytics_zone after update of timezone on tenants
  for each row when (old.timezone is distinct from new.timezone) execute function tenants_zone_to_analytics();

create function tenants_delete_analytics() returns trigger language plpgsql as $$
begin
  delete from analytics_order_days r using gone g where r.tenant_id = g.id;
  delete from analytics_customer_months r using gone g where r.tenant_id = g.id;
  return null;
end $$;
create trigger tenants_analytics_delete after delete on tenants
  referencing old table as gone for each statement execute function tenants_delete_analytics();

-- What is already there, counted once.
set local work_mem = '256MB';
insert into analytics_order_days (tenant_id, day, store_id, channel, orders, gmv_fen)
select o.tenant_id, (o.ordered_at at time zone t.timezone)::date, o.store_id, o.channel, count(*), sum(o.paid_fen - o.refunded_fen)
  from orders o join tenants t on t.id = o.tenant_id
 where o.status <> 'refunded'
 group by 1, 2, 3, 4;
insert into analytics_customer_months (tenant_id, customer_id, month, store_key, orders, spent_fen, day_orders, day_mask)
select tenant_id, customer_id, month, store_key, sum(n), sum(spent), analytics_day_orders(dom, n), bit_or(1 << (dom - 1))
  from (select o.tenant_id, o.customer_id, date_trunc('month', o.ordered_at at time zone t.timezone)::date as month, k.store_key,
               extract(day from o.ordered_at at time zone t.timezone)::integer as dom, count(*) as n, sum(o.paid_fen - o.refunded_fen) as spent
          from orders o join tenants t on t.id = o.tenant_id
          cross join lateral (values ('00000000-0000-0000-0000-000000000000'::uuid), (coalesce(o.store_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid))) k(store_key)
         where o.status <> 'refunded' and o.customer_id is not null
         group by 1, 2, 3, 4, 5) x
 group by 1, 2, 3, 4;
alter table analytics_customer_months add primary key (tenant_id, customer_id, month, store_key);
-- Buyers of a month (anywhere or at a store) without reading every customer's rows.
create index analytics_customer_months_month on analytics_customer_months (tenant_id, store_key, month, customer_id) include (day_mask, orders, spent_fen);
analyze analytics_order_days;
analyze analytics_customer_months;
