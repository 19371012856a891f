-- Promotions: coupon templates and the coupons issued from them, price rules (满减, bundle price,
-- member price, discount ladders) and flash sales (秒杀). Later promotions (拼团, 接龙, member day,
-- points, referral) reference these: a coupon's `source` says what issued it, and orders stay in
-- `orders` (a flash sale records a real order through the orders path).

-- What a coupon gives and where it holds. Empty store/SKU/channel arrays mean "everywhere".
-- Validity: absolute (valid_from .. valid_to) or relative (valid_days from issue); a coupon copies
-- its own window when issued, so editing the template never changes coupons already held.
create table coupon_templates (
  tenant_id            uuid not null references tenants (id) on delete cascade,
  id                   uuid not null,
  name                 text not null check (length(name) between 1 and 100),
  description          text not null default '',
  -- amount 立减, percent 折扣, threshold 满减, free_item 赠品
  kind                 text not null check (kind in ('amount', 'percent', 'threshold', 'free_item')),
  amount_off_fen       bigint check (amount_off_fen > 0),
  -- the share paid: 90 is 9折
  percent              smallint check (percent between 1 and 99),
  max_discount_fen     bigint check (max_discount_fen > 0),
  threshold_fen        bigint not null default 0 check (threshold_fen >= 0),
  free_sku             text,
  free_item_name       text,
  free_item_value_fen  bigint check (free_item_value_fen >= 0),
  valid_from           timestamptz,
  valid_to             timestamptz,
  valid_days           integer check (valid_days between 1 and 3650),
  store_ids            uuid[] not null default '{}',
  skus                 text[] not null default '{}',
  channels             text[] not null default '{}',
  stack_with_price_rules boolean not null default true,
  stack_with_coupons   boolean not null default false,
  per_customer_limit   integer not null default 1 check (per_customer_limit between 1 and 1000),
  -- null: no cap on how many may be issued
  total_stock          integer check (total_stock >= 0),
  issued_count         integer not null default 0 check (issued_count >= 0),
  status               text not null default 'active' check (status in ('draft', 'active', 'paused', 'ended')),
  created_by           text not null default '',
  created_at           timestamptz not null default now(),
  updated_at           timestamptz not null default now(),
  primary key (tenant_id, id),
  check (total_stock is null or issued_count <= total_stock),
  check ((valid_days is not null) <> (valid_to is not null)),
  check (valid_from is null or valid_to is null or valid_from < valid_to),
  check (kind <> 'amount' or amount_off_fen is not null),
  check (kind <> 'percent' or percent is not null),
  check (kind <> 'threshold' or (amount_off_fen is not null and amount_off_fen <= threshold_fen)),
  check (kind <> 'free_item' or free_sku is not null)
);

-- One coupon held by one customer, with a short code the till types or scans (unique per tenant).
-- issue_key makes issuance idempotent: '<request key>:<customer id>'. customer_id has no foreign
-- key on purpose: when profiles merge, the merged-away customer row is deleted, and the coupon
-- must survive; its holder is then read through customer_merges (merged → survivor).
create table coupons (
  tenant_id      uuid not null references tenants (id) on delete cascade,
  id             uuid not null,
  template_id    uuid not null,
  code           text not null check (code ~ '^[0-9A-Z]{4,16}$'),
  customer_id    uuid not null,
  status         text not null default 'issued' check (status in ('issued', 'redeemed', 'void')),
  -- api, bulk, welcome, member_day, journey ...
  source         text not null default 'api',
  issue_key      text not null,
  issued_at      timestamptz not null default now(),
  valid_from     timestamptz not null,
  valid_to       timestamptz not null,
  redeemed_at    timestamptz,
  order_no       text,
  store_id       uuid,
  channel        text,
  discount_fen   bigint check (discount_fen >= 0),
  reversed_at    timestamptz,
  primary key (tenant_id, id),
  unique (tenant_id, code),
  unique (tenant_id, template_id, issue_key),
  foreign key (tenant_id, template_id) references coupon_templates (tenant_id, id) on delete cascade,
  check ((status = 'redeemed') = (redeemed_at is not null and order_no is not null))
);
create index coupons_customer on coupons (tenant_id, customer_id, template_id);
create index coupons_order on coupons (tenant_id, order_no) where order_no is not null;
create index coupons_template_status on coupons (tenant_id, template_id, status);

-- Bulk issuance to a tag's or a segment's members, run by the worker; one per request key.
create table coupon_issue_jobs (
  tenant_id     uuid not null references tenants (id) on delete cascade,
  id            uuid not null,
  template_id   uuid not null,
  target_kind   text not null check (target_kind in ('tag', 'segment')),
  target_id     uuid not null,
  request_key   text not null check (length(request_key) between 1 and 100),
  status        text not null default 'queued' check (status in ('queued', 'running', 'done', 'failed')),
  issued        integer not null default 0,
  skipped       integer not null default 0,
  error         text,
  created_by    text not null default '',
  created_at    timestamptz not null default now(),
  finished_at   timestamptz,
  primary key (tenant_id, id),
  unique (tenant_id, template_id, request_key),
  foreign key (tenant_id, template_id) references coupon_templates (tenant_id, id) on delete cascade
);

-- Order-level price rules. `params` holds the kind's numbers (checked by pricing.rules.ts):
-- threshold {thresholdFen, amountOffFen, repeat}, bundle {quantity, priceFen}, member_price
-- {prices: {sku: fen}}, ladder {steps: [{minQuantity, percent}]}. Stackable rules apply together;
-- an exclusive one only alone.
create table price_rules (
  tenant_id     uuid not null references tenants (id) on delete cascade,
  id            uuid not null,
  name          text not null check (length(name) between 1 and 100),
  kind          text not null check (kind in ('threshold', 'bundle', 'member_price', 'ladder')),
  params        jsonb not null,
  skus          text[] not null default '{}',
  store_ids     uuid[] not null default '{}',
  channels      text[] not null default '{}',
  stackable     boolean not null default true,
  valid_from    timestamptz,
  valid_to      timestamptz,
  status        text not null default 'active' check (status in ('active', 'paused')),
  created_by    text not null default '',
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  primary key (tenant_id, id),
  check (valid_from is null or valid_to is null or valid_from < valid_to)
);

-- A flash sale (秒杀): one SKU at a price, a fixed stock sold first come first served.
create table flash_sales (
  tenant_id           uuid not null references tenants (id) on delete cascade,
  id                  uuid not null,
  name                text not null check (length(name) between 1 and 100),
  sku                 text not null,
  item_name           text not null,
  price_fen           bigint not null check (price_fen >= 0),
  original_price_fen  bigint not null check (original_price_fen >= 0),
  stock               integer not null check (stock > 0),
  remaining           integer not null,
  per_customer_limit  integer not null default 1 check (per_customer_limit >= 1),
  store_id            uuid,
  starts_at           timestamptz not null,
  ends_at             timestamptz not null,
  status              text not null default 'active' check (status in ('active', 'cancelled')),
  created_by          text not null default '',
  created_at          timestamptz not null default now(),
  primary key (tenant_id, id),
  check (remaining between 0 and stock),
  check (starts_at < ends_at),
  foreign key (tenant_id, store_id) references stores (tenant_id, id)
);

-- How many each customer bought in a sale: the per-customer limit is a conditional upsert here.
create table flash_sale_buyers (
  tenant_id    uuid not null references tenants (id) on delete cascade,
  sale_id      uuid not null,
  customer_id  uuid not null,
  quantity     integer not null check (quantity > 0),
  primary key (tenant_id, sale_id, customer_id),
  foreign key (tenant_id, sale_id) references flash_sales (tenant_id, id) on delete cascade
);

-- The orders a sale made (the order itself is in `orders`).
create table flash_sale_orders (
  tenant_id    uuid not null references tenants (id) on delete cascade,
  sale_id      uuid not null,
  order_id     uuid not null,
  customer_id  uuid not null,
  quantity     integer not null check (quantity > 0),
  created_at   timestamptz not null default now(),
  primary key (tenant_id, sale_id, order_id),
  foreign key (tenant_id, sale_id) references flash_sales (tenant_id, id) on delete cascade
);
