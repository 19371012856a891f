-- Membership: a points ledger (earn on orders, redeem for coupons or goods, expire, adjust,
-- reverse on refund), tiers by rolling spend or points, and a weekly member day.
--
-- The ledger is append-only and is the truth: a balance is the sum of a customer's entries.
-- `points_balances` and `points_lots` are kept in the same transaction as each entry so that a
-- redemption can be one conditional update (never overspent) and expiry can be FIFO by lot;
-- both can be rebuilt from the ledger (bench/points.ts does, and a test compares).

-- One row per tenant that uses membership. Multipliers are percentages (150 = ×1.5) so the
-- arithmetic stays in integers; maps are {channel: pct}, {storeId: pct}, {sku: pct}.
create table membership_settings (
  tenant_id               uuid not null references tenants (id) on delete cascade,
  points_enabled          boolean not null default true,
  -- points for each ¥1 (100 fen) paid
  points_per_yuan         integer not null default 1 check (points_per_yuan between 0 and 1000),
  channel_multipliers     jsonb not null default '{}',
  store_multipliers       jsonb not null default '{}',
  sku_multipliers         jsonb not null default '{}',
  member_day_multiplier   integer not null default 100 check (member_day_multiplier between 100 and 1000),
  -- points expire at the end of the Nth calendar month after the one they were earned in; null: never
  expiry_months           integer check (expiry_months between 1 and 120),
  tier_basis              text not null default 'spend' check (tier_basis in ('spend', 'points')),
  tier_window_months      integer not null default 12 check (tier_window_months between 1 and 60),
  -- ISO weekdays, 1 = Monday .. 7 = Sunday
  member_day_weekdays     smallint[] not null default '{}',
  member_day_template_id  uuid,
  updated_at              timestamptz not null default now(),
  primary key (tenant_id),
  foreign key (tenant_id, member_day_template_id) references coupon_templates (tenant_id, id)
);

-- Every change of a customer's points. `points` is signed: earn and positive adjust add; redeem,
-- expire, reverse and negative adjust take away. entry_key makes each cause write once
-- ('earn:<order id>', 'redeem:<request key>', 'expire:<lot id>' ...). No foreign key to customers:
-- a merge moves the entries to the survivor.
create table points_ledger (
  tenant_id     uuid not null references tenants (id) on delete cascade,
  id            uuid not null,
  customer_id   uuid not null,
  kind          text not null check (kind in ('earn', 'redeem', 'expire', 'adjust', 'reverse')),
  points        integer not null check (points <> 0),
  entry_key     text not null,
  order_id      uuid,
  reward_id     uuid,
  quantity      integer,
  reason        text not null default '',
  actor         text not null default '',
  created_at    timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, entry_key),
  check (kind <> 'earn' or points > 0),
  check (kind not in ('redeem', 'expire', 'reverse') or points < 0),
  check (kind <> 'adjust' or length(reason) > 0)
);
create index points_ledger_customer on points_ledger (tenant_id, customer_id, created_at desc, id desc);
create index points_ledger_order on points_ledger (tenant_id, order_id) where order_id is not null;

-- What is left of each positive entry, spent first-expiring first. remaining sums to the balance.
create table points_lots (
  tenant_id     uuid not null references tenants (id) on delete cascade,
  entry_id      uuid not null,
  customer_id   uuid not null,
  earned_at     timestamptz not null,
  expires_at    timestamptz,
  remaining     integer not null check (remaining >= 0),
  primary key (tenant_id, entry_id)
);
create index points_lots_open on points_lots (tenant_id, customer_id, expires_at, earned_at) where remaining > 0;
create index points_lots_expiring on points_lots (tenant_id, expires_at) where remaining > 0 and expires_at is not null;

-- The sum of each customer's ledger, locked by every write so redemptions never overspend.
create table points_balances (
  tenant_id     uuid not null references tenants (id) on delete cascade,
  customer_id   uuid not null,
  balance       integer not null check (balance >= 0),
  updated_at    timestamptz not null default now(),
  primary key (tenant_id, customer_id)
);

-- What points can buy: a coupon (issued from a template) or goods with a stock.
create table points_rewards (
  tenant_id           uuid not null references tenants (id) on delete cascade,
  id                  uuid not null,
  name                text not null check (length(name) between 1 and 100),
  kind                text not null check (kind in ('coupon', 'goods')),
  coupon_template_id  uuid,
  sku                 text,
  points_price        integer not null check (points_price > 0),
  -- null: no cap
  stock               integer check (stock >= 0),
  redeemed            integer not null default 0 check (redeemed >= 0),
  status              text not null default 'active' check (status in ('active', 'paused')),
  created_at          timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id, coupon_template_id) references coupon_templates (tenant_id, id),
  check (stock is null or redeemed <= stock),
  check ((kind = 'coupon') = (coupon_template_id is not null))
);

-- Tiers cover the qualifying value (fen of rolling spend, or points earned in the window) without
-- gap or overlap: [min_value, max_value), the top tier open-ended.
create table membership_tiers (
  tenant_id             uuid not null references tenants (id) on delete cascade,
  id                    uuid not null,
  level                 smallint not null check (level >= 0),
  name                  text not null check (length(name) between 1 and 50),
  min_value             bigint not null check (min_value >= 0),
  max_value             bigint,
  benefits              text not null default '',
  member_price_percent  smallint check (member_price_percent between 1 and 100),
  coupon_template_ids   uuid[] not null default '{}',
  primary key (tenant_id, id),
  unique (tenant_id, level),
  check (max_value is null or max_value > min_value)
);

-- Each customer's tier; a customer without a row is in the lowest tier.
create table customer_tiers (
  tenant_id         uuid not null references tenants (id) on delete cascade,
  customer_id       uuid not null,
  tier_id           uuid not null,
  qualifying_value  bigint not null,
  since             timestamptz not null default now(),
  primary key (tenant_id, customer_id)
);
create index customer_tiers_tier on customer_tiers (tenant_id, tier_id);

-- Every tier change (also written as a tier_changed event on the timeline).
create table tier_changes (
  tenant_id         uuid not null references tenants (id) on delete cascade,
  id                uuid not null,
  customer_id       uuid not null,
  from_tier_id      uuid,
  to_tier_id        uuid not null,
  qualifying_value  bigint not null,
  cause             text not null check (cause in ('order', 'recompute')),
  changed_at        timestamptz not null default now(),
  primary key (tenant_id, id)
);
create index tier_changes_customer on tier_changes (tenant_id, customer_id, changed_at desc);

-- One row per member day issued (the worker's idempotency record and its figures).
create table member_day_runs (
  tenant_id     uuid not null references tenants (id) on delete cascade,
  day           date not null,
  template_id   uuid not null,
  issued        integer not null,
  skipped       integer not null,
  ran_at        timestamptz not null default now(),
  primary key (tenant_id, day)
);
