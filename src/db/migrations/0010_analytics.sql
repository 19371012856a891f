-- Analytics: first-order figures (new buyers, repurchase, cohorts) select customers by when their
-- first order was; without this index every analysis reads every customer of the tenant.
create index customers_first_order on customers (tenant_id, first_order_at) where first_order_at is not null;

-- Per-customer first-order facts for repurchase: the first purchase day and the gap in days to the
-- next purchase day. Rebuilt nightly and on demand; a row is used only while the customer row is
-- unchanged since (customer_updated_at = customers.updated_at: every order, refund or merge of the
-- customer moves updated_at), otherwise the figures are computed from orders, so answers are
-- always exact and the facts only make them fast.
create table analytics_first_orders (
  tenant_id            uuid not null references tenants (id) on delete cascade,
  customer_id          uuid not null,
  customer_updated_at  timestamptz not null,
  first_day            date not null,
  -- days from first_day to the next calendar day with a counted order; null: none yet
  next_gap             integer,
  computed_at          timestamptz not null default now(),
  primary key (tenant_id, customer_id),
  foreign key (tenant_id, customer_id) references customers (tenant_id, id) on delete cascade
);
