-- CLV predictions computed when read, from each buyer's purchase history and the tenant's fitted
-- models, instead of stored per customer.
--
-- P(alive), expected purchases and CLV move every night for nearly every buyer, only because
-- "today" moves; stored, they made the nightly run rewrite every buyer's row (about 10 µs a row).
-- What they are computed from changes only when the buyer orders: the first and last purchase
-- day, the purchase days and the spend after the first day. So:
-- - customer_score_rows (the former table) keeps the scores and that history; the run writes only
--   the rows whose scores or history changed;
-- - scoring_models keeps each tenant's latest run: its calibration end and both models' parameters
--   (null when the run left CLV empty);
-- - scoring_forecasts keeps, per (repeat purchases x, days T from the first purchase to the
--   calibration end), BG/NBD's expected purchases over the horizon per unit of P(alive), plain and
--   discounted (FHL 2005, eq. 10: t_x enters only through P(alive)); a tenant has a few thousand;
-- - customer_scores becomes a view with the columns it had, computing the predictions by the
--   formulas of src/core/clv (bgnbd.ts probabilityAlive, gammagamma.ts expectedSpend,
--   scores/clv-predict.ts); readers (segments, profile, workbench, CLV overview) are unchanged.
-- Existing rows have no history yet: their predictions read as null until the next run, which is
-- queued here for every tenant with scores (the end of this file).
alter table customer_scores rename to customer_score_rows;
alter table customer_score_rows rename constraint customer_scores_pkey to customer_score_rows_pkey;
alter table customer_score_rows
  drop column recency_days,
  drop column p_alive,
  drop column expected_purchases,
  drop column expected_spend_fen,
  drop column clv_fen,
  add column first_order_day date,
  add column last_order_day date,
  add column purchase_days integer,
  add column repeat_spend_fen bigint;
-- When the row's scores or history last changed (the run's time is scoring_models.scored_at).
alter table customer_score_rows rename column computed_at to changed_at;
alter table customer_score_rows alter column changed_at set default now();
-- A few percent of the rows change a night now, not all (0036 left half of each page free for
-- that): a tenth free keeps their updates heap-only; the rewrite also drops the removed columns.
alter table customer_score_rows set (fillfactor = 90);
cluster customer_score_rows using customer_score_rows_pkey;

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

create table scoring_forecasts (
  tenant_id   uuid not null references tenants (id) on delete cascade,
  x           integer not null,
  t_days      integer not null,
  purchases   double precision not null,
  discounted  double precision not null,
  primary key (tenant_id, x, t_days)
);

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
