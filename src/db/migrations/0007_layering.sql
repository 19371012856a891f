-- Layering: every customer's scores (RFM, lifecycle stage, value tier, predicted CLV and churn) and
-- segments (人群) with their members. Scores are written by the scoring run (nightly and on demand);
-- segment membership by the real-time evaluator and the sweeps. Segments read scores; analytics
-- filters by segment members.

-- The latest scores of each customer, one row per customer, rewritten by each scoring run.
-- Nulls mean "not computable": no order in the RFM window, no CLV model fitted yet.
create table customer_scores (
  tenant_id           uuid not null references tenants (id) on delete cascade,
  customer_id         uuid not null,
  -- RFM over the tenant's window: days since the last order, orders (distinct purchase days) and
  -- spend in the window; each scored 1..5 by quintiles of the tenant's buyers.
  recency_days        integer,
  frequency           integer not null default 0,
  monetary_fen        bigint not null default 0,
  r_score             smallint check (r_score between 1 and 5),
  f_score             smallint check (f_score between 1 and 5),
  m_score             smallint check (m_score between 1 and 5),
  rfm_cell            text,
  -- prospect (never ordered), new, active, dormant, churned, returned (回流)
  lifecycle_stage     text not null,
  value_tier          text,
  -- BG/NBD and Gamma-Gamma predictions over the tenant's horizon; churn probability is 1 - p_alive.
  p_alive             double precision check (p_alive between 0 and 1),
  expected_purchases  double precision,
  expected_spend_fen  bigint,
  clv_fen             bigint,
  computed_at         timestamptz not null,
  primary key (tenant_id, customer_id),
  foreign key (tenant_id, customer_id) references customers (tenant_id, id) on delete cascade
);
create index customer_scores_rfm on customer_scores (tenant_id, rfm_cell);
create index customer_scores_lifecycle on customer_scores (tenant_id, lifecycle_stage);
create index customer_scores_clv on customer_scores (tenant_id, clv_fen desc nulls last);

-- Segments (人群): a stored, versioned definition; `definition` is the current version's.
create table segments (
  tenant_id    uuid not null references tenants (id) on delete cascade,
  id           uuid not null,
  name         text not null check (length(name) between 1 and 100),
  description  text not null default '',
  definition   jsonb not null,
  version      integer not null default 1,
  status       text not null default 'active' check (status in ('active', 'archived')),
  created_by   text not null default '',
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, name)
);

-- Who is in a segment now. Entries and exits are also events on the customer's timeline
-- (segment_entered, segment_exited), which journeys react to.
create table segment_members (
  tenant_id    uuid not null references tenants (id) on delete cascade,
  segment_id   uuid not null,
  customer_id  uuid not null,
  entered_at   timestamptz not null default now(),
  primary key (tenant_id, segment_id, customer_id),
  foreign key (tenant_id, segment_id) references segments (tenant_id, id) on delete cascade,
  foreign key (tenant_id, customer_id) references customers (tenant_id, id) on delete cascade
);
create index segment_members_customer on segment_members (tenant_id, customer_id);
