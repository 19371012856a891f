-- CLV predictions computed when read, from each buyer's purchase history and the tenant's fitted
-- models, instead of stored per customer.
--
-- P(alive), expected purchases and CLV move every night for nearly every buyer, only because
-- "today" moves; stored, they made the nightly run rewrite every buyer's row (about 10 µs a row).
-- What they are computed from changes only when the buyer orders: the first and last purchase
-- day, the purchase days and the spend after the first day. So:
-- - customer_score_rows keeps the scores and that history, written anew from customer_scores
--   here; the run writes only the rows whose scores or history changed;
-- - scoring_models keeps each tenant's latest run: its calibration end and both models' parameters
--   (null when the run left CLV empty);
-- - scoring_forecasts keeps, per (repeat purchases x, days T from the first purchase to the
--   calibration end), BG/NBD's expected purchases over the horizon per unit of P(alive), plain and
--   discounted (FHL 2005, eq. 10: t_x enters only through P(alive)); one row per distinct pair
--   among the tenant's buyers;
-- - customer_scores becomes a view with the columns it had, computing the predictions by the
--   formulas of src/core/clv (bgnbd.ts probabilityAlive, gammagamma.ts expectedSpend,
--   scores/clv-predict.ts); readers (segments, profile, workbench, CLV overview) are unchanged.
-- Existing rows get their history from the order aggregates here; their predictions read as null
-- until the next run writes the models, which is queued here for every tenant with scores (the
-- end of this file).
-- A few percent of the rows change a night now, not all (0036 left half of each page free for
-- that): a tenth free keeps their updates heap-only.
create table customer_score_rows (
  tenant_id         uuid not null references tenants (id) on delete cascade,
  customer_id       uuid not null,
  -- RFM over the tenant's window: orders (distinct purchase days) and spend in the window, each
  -- scored 1..5 by quintiles of the tenant's buyers, with recency.
  frequency         integer not null default 0,
  monetary_fen      bigint not null default 0,
  r_score           smallint check (r_score between 1 and 5),
  f_score           smallint check (f_score between 1 and 5),
  m_score           smallint check (m_score between 1 and 5),
  rfm_cell          text,
  -- prospect (never ordered), new, active, dormant, churned, returned (回流)
  lifecycle_stage   text not null,
  value_tier        text,
  -- The history CLV is predicted from (null for prospects): purchase days are calendar days in the
  -- tenant's zone; repeat spend is the spend after the first purchase day.
  first_order_day   date,
  last_order_day    date,
  purchase_days     integer,
  repeat_spend_fen  bigint,
  -- When the row's scores or history last changed (the run's time is scoring_models.scored_at).
  changed_at        timestamptz not null default now(),
  primary key (tenant_id, customer_id)
) with (fillfactor = 90);
-- The scores already kept, with the history of the buyers among them from their order aggregates
-- as the run reads them (buyers.ts: dates in the tenant's zone, the first day's spend apart), so
-- the first run after this finds most rows unchanged instead of rewriting every one.
insert into customer_score_rows (tenant_id, customer_id, frequency, monetary_fen, r_score, f_score, m_score, rfm_cell, lifecycle_stage, value_tier,
                                 first_order_day, last_order_day, purchase_days, repeat_spend_fen, changed_at)
select s.tenant_id, s.customer_id, s.frequency, s.monetary_fen, s.r_score, s.f_score, s.m_score, s.rfm_cell, s.lifecycle_stage, s.value_tier,
       case when b.buyer then (c.first_order_at at time zone t.timezone)::date end,
       case when b.buyer then (c.last_order_at at time zone t.timezone)::date end,
       case when b.buyer then c.order_days end,
       case when b.buyer then c.total_spent_fen - greatest(c.first_day_spent_fen, 0) end,
       s.computed_at
  from customer_scores s
  join customers c on c.tenant_id = s.tenant_id and c.id = s.customer_id
  join tenants t on t.id = s.tenant_id
  cross join lateral (select s.lifecycle_stage <> 'prospect' and c.first_order_at is not null and c.order_days > 0 as buyer) b
 order by s.tenant_id, s.customer_id;
alter table customer_score_rows add foreign key (tenant_id, customer_id) references customers (tenant_id, id) on delete cascade;
drop table customer_scores;

create table scoring_models (
  tenant_id        uuid primary key references tenants (id) on delete cascade,
  run_id           uuid not null,
  calibration_end  date not null,
  scored_at        timestamptz not null,
  r                double precision,
  alpha            double precision,
  a                double precision,
  b                double precision,
  p                double precision,
  q                double precision,
  gamma            double precision
);

-- Rewritten whole each run: about 120,000 rows for a million buyers over eight years of orders.
-- With a key to tenants, each row's referential check cost as much again as its insert; the
-- tenant's deletion takes them by a trigger instead, as for events (0039).
create table scoring_forecasts (
  tenant_id   uuid not null,
  x           integer not null,
  t_days      integer not null,
  purchases   double precision not null,
  discounted  double precision not null,
  primary key (tenant_id, x, t_days)
);
create function tenants_delete_scoring_forecasts() returns trigger language plpgsql as $$
begin
  delete from scoring_forecasts where tenant_id = old.id;
  return null;
end $$;
create trigger tenants_delete_scoring_forecasts after delete on tenants
  for each row execute function tenants_delete_scoring_forecasts();

-- x = purchase days − 1; T and t_x in weeks. P(alive) is 1 without a repeat purchase; exp() is kept
-- within float range, where PostgreSQL raises an error rather than return 0 or infinity. Fen are
-- rounded half up, as Math.round.
create view customer_scores as
select s.tenant_id, s.customer_id,
       m.calibration_end - s.last_order_day as recency_days,
       s.frequency, s.monetary_fen, s.r_score, s.f_score, s.m_score, s.rfm_cell, s.lifecycle_stage, s.value_tier,
       s.first_order_day, s.last_order_day, s.purchase_days, s.repeat_spend_fen,
       k.p_alive,
       k.p_alive * f.purchases as expected_purchases,
       floor(k.spend + 0.5)::bigint as expected_spend_fen,
       floor(k.p_alive * f.discounted * k.spend + 0.5)::bigint as clv_fen,
       coalesce(m.scored_at, s.changed_at) as computed_at
  from customer_score_rows s
  left join scoring_models m on m.tenant_id = s.tenant_id
  left join scoring_forecasts f on f.tenant_id = s.tenant_id and f.x = s.purchase_days - 1 and f.t_days = m.calibration_end - s.first_order_day
  cross join lateral (
    select case when m.r is null or s.purchase_days is null then null
                when s.purchase_days = 1 then 1::double precision
                else 1 / (1 + exp(greatest(-700, least(700,
                       ln(m.a / (m.b + s.purchase_days - 2))
                       + (m.r + s.purchase_days - 1) * (ln(m.alpha + (m.calibration_end - s.first_order_day) / 7.0::double precision)
                                                        - ln(m.alpha + (s.last_order_day - s.first_order_day) / 7.0::double precision))))))
           end as p_alive,
           case when m.p is null or s.purchase_days is null then null
                when s.purchase_days = 1 then m.p * m.gamma / (m.q - 1)
                else m.p * (m.gamma + s.repeat_spend_fen) / (m.p * (s.purchase_days - 1) + m.q - 1)
           end as spend
  ) k;

-- A run per tenant with scores, queued for the worker (as POST /api/v1/scoring/runs does), so the
-- predictions come back without waiting for the night. A new database has no worker schema yet,
-- and no scores.
do $$
declare
  t record;
  run uuid;
begin
  if exists (select 1 from pg_namespace where nspname = 'graphile_worker') then
    for t in select distinct tenant_id from customer_score_rows loop
      run := gen_random_uuid();
      insert into scoring_runs (tenant_id, id, trigger, requested_by) values (t.tenant_id, run, 'manual', 'migration 0044');
      perform graphile_worker.add_job('recompute_scores', json_build_object('tenantId', t.tenant_id::text, 'runId', run::text),
        queue_name => 'scores:' || t.tenant_id::text, max_attempts => 1);
    end loop;
  end if;
end $$;
