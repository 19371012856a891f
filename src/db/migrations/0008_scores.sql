-- Scoring: each tenant's settings, the record of every scoring run (with the fitted CLV models),
-- and monthly snapshots of each customer's RFM cell, lifecycle stage and value tier, from which
-- movement between cells and stages month over month is counted. customer_scores (0007) holds
-- the latest scores themselves.

-- Settings as one validated document (src/core/scores/scores.rules.ts: ScoringSettings); a tenant
-- without a row uses the defaults.
create table scoring_settings (
  tenant_id   uuid primary key references tenants (id) on delete cascade,
  settings    jsonb not null,
  updated_by  text not null default '',
  updated_at  timestamptz not null default now()
);

-- One row per run, nightly or on demand. clv_reason says why the CLV columns were left null
-- (too few repeat buyers, a spend model without a finite mean) instead of writing NaN.
create table scoring_runs (
  tenant_id         uuid not null references tenants (id) on delete cascade,
  id                uuid not null,
  trigger           text not null check (trigger in ('nightly', 'manual')),
  status            text not null default 'queued' check (status in ('queued', 'running', 'done', 'failed')),
  requested_by      text not null default '',
  created_at        timestamptz not null default now(),
  started_at        timestamptz,
  finished_at       timestamptz,
  -- Today in the tenant's zone when the run started: the RFM and lifecycle "now" and the CLV calibration end.
  calibration_end   date,
  settings          jsonb,
  customers         integer,
  buyers            integer,
  repeaters         integer,
  rows_written      integer,
  bgnbd             jsonb,
  gamma_gamma       jsonb,
  fitted_at         timestamptz,
  fit_ms            integer,
  clv_reason        text,
  -- Milliseconds per phase: read, fit, predict, write, snapshot.
  phases            jsonb,
  error             text,
  primary key (tenant_id, id)
);
create index scoring_runs_recent on scoring_runs (tenant_id, created_at desc);

-- The state of each customer as of the last run in a month (month = its first day, tenant calendar).
create table customer_score_snapshots (
  tenant_id        uuid not null references tenants (id) on delete cascade,
  month            date not null,
  customer_id      uuid not null,
  rfm_cell         text,
  lifecycle_stage  text not null,
  value_tier       text,
  primary key (tenant_id, month, customer_id),
  foreign key (tenant_id, customer_id) references customers (tenant_id, id) on delete cascade
);
