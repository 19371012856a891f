-- Foundation: tenants, people who log in, the brand's stores and staff, customers with their
-- identities, and orders. Every tenant-owned key starts with tenant_id, so the tables can be
-- distributed by tenant (Citus) without changing a key. Money is integer fen; times are UTC.

create table tenants (
  id          uuid primary key,
  slug        text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,39}$'),
  name        text not null check (length(name) between 1 and 100),
  timezone    text not null default 'Asia/Shanghai',
  created_at  timestamptz not null default now()
);

create table users (
  tenant_id      uuid not null references tenants (id) on delete cascade,
  id             uuid not null,
  email          text not null check (email = lower(email)),
  name           text not null,
  password_hash  text not null,
  role           text not null check (role in ('admin', 'operator', 'guide')),
  staff_id       uuid,
  locale         text not null default 'zh-CN',
  created_at     timestamptz not null default now(),
  disabled_at    timestamptz,
  primary key (tenant_id, id),
  unique (tenant_id, email)
);

-- Console sessions. Only a SHA-256 of the cookie's secret is stored.
create table sessions (
  tenant_id    uuid not null references tenants (id) on delete cascade,
  token_hash   bytea not null,
  user_id      uuid not null,
  created_at   timestamptz not null default now(),
  expires_at   timestamptz not null,
  primary key (tenant_id, token_hash),
  foreign key (tenant_id, user_id) references users (tenant_id, id) on delete cascade
);

-- API keys for integrators. The key is shown once; only its SHA-256 is kept.
create table api_keys (
  tenant_id     uuid not null references tenants (id) on delete cascade,
  id            uuid not null,
  name          text not null default '',
  role          text not null check (role in ('admin', 'operator', 'guide')),
  staff_id      uuid,
  key_hash      bytea not null,
  key_prefix    text not null,
  created_at    timestamptz not null default now(),
  last_used_at  timestamptz,
  revoked_at    timestamptz,
  primary key (tenant_id, id),
  unique (tenant_id, key_hash)
);

create table stores (
  tenant_id   uuid not null references tenants (id) on delete cascade,
  id          uuid not null,
  code        text not null,
  name        text not null,
  city        text not null default '',
  district    text not null default '',
  address     text not null default '',
  latitude    double precision check (latitude between -90 and 90),
  longitude   double precision check (longitude between -180 and 180),
  opens_at    time,
  closes_at   time,
  status      text not null default 'open' check (status in ('open', 'closed')),
  created_at  timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, code)
);

-- Staff are the people customers are served by: store guides (导购), advisors, managers.
create table staff (
  tenant_id      uuid not null references tenants (id) on delete cascade,
  id             uuid not null,
  store_id       uuid,
  name           text not null,
  wecom_user_id  text,
  phone          text,
  title          text not null default 'guide' check (title in ('guide', 'manager', 'advisor')),
  status         text not null default 'active' check (status in ('active', 'resigned')),
  created_at     timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, wecom_user_id),
  foreign key (tenant_id, store_id) references stores (tenant_id, id)
);
create index staff_store on staff (tenant_id, store_id);

alter table users add foreign key (tenant_id, staff_id) references staff (tenant_id, id);
alter table api_keys add foreign key (tenant_id, staff_id) references staff (tenant_id, id);

-- One row per person. Order aggregates are denormalised here for fast reads; the worker's
-- nightly task recomputes them from orders.
create table customers (
  tenant_id         uuid not null references tenants (id) on delete cascade,
  id                uuid not null,
  name              text not null default '',
  gender            text not null default 'unknown' check (gender in ('male', 'female', 'unknown')),
  birthday          date,
  city              text not null default '',
  source_channel    text not null default '',
  store_id          uuid,
  guide_id          uuid,
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now(),
  first_order_at    timestamptz,
  last_order_at     timestamptz,
  order_count       integer not null default 0,
  order_days        integer not null default 0,
  total_spent_fen   bigint not null default 0,
  primary key (tenant_id, id),
  foreign key (tenant_id, store_id) references stores (tenant_id, id),
  foreign key (tenant_id, guide_id) references staff (tenant_id, id)
);
create index customers_recent on customers (tenant_id, created_at desc, id desc);
create index customers_guide on customers (tenant_id, guide_id);
create index customers_store on customers (tenant_id, store_id);
create index customers_name on customers (tenant_id, name text_pattern_ops);

-- Every way we know a person: WeChat unionid/openid, WeCom external_userid, phone, member number.
-- One value of one kind belongs to at most one customer in a tenant.
create table customer_identities (
  tenant_id    uuid not null references tenants (id) on delete cascade,
  kind         text not null check (kind in ('unionid', 'openid', 'external_userid', 'phone', 'member_no')),
  value        text not null check (length(value) between 1 and 128),
  customer_id  uuid not null,
  created_at   timestamptz not null default now(),
  primary key (tenant_id, kind, value),
  foreign key (tenant_id, customer_id) references customers (tenant_id, id) on delete cascade
);
create index customer_identities_customer on customer_identities (tenant_id, customer_id);

create table orders (
  tenant_id      uuid not null references tenants (id) on delete cascade,
  id             uuid not null,
  order_no       text not null,
  customer_id    uuid,
  store_id       uuid,
  staff_id       uuid,
  channel        text not null check (channel in ('pos', 'miniprogram', 'ecommerce', 'group_buy', 'other')),
  status         text not null default 'paid' check (status in ('paid', 'refunded', 'partially_refunded')),
  total_fen      bigint not null check (total_fen >= 0),
  discount_fen   bigint not null default 0 check (discount_fen >= 0),
  paid_fen       bigint not null check (paid_fen >= 0),
  refunded_fen   bigint not null default 0 check (refunded_fen >= 0),
  ordered_at     timestamptz not null,
  created_at     timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, order_no),
  foreign key (tenant_id, customer_id) references customers (tenant_id, id),
  foreign key (tenant_id, store_id) references stores (tenant_id, id),
  foreign key (tenant_id, staff_id) references staff (tenant_id, id)
);
create index orders_customer on orders (tenant_id, customer_id, ordered_at desc);
create index orders_time on orders (tenant_id, ordered_at desc);

create table order_items (
  tenant_id       uuid not null,
  order_id        uuid not null,
  line_no         smallint not null,
  sku             text not null,
  name            text not null,
  quantity        integer not null check (quantity > 0),
  unit_price_fen  bigint not null check (unit_price_fen >= 0),
  amount_fen      bigint not null check (amount_fen >= 0),
  primary key (tenant_id, order_id, line_no),
  foreign key (tenant_id, order_id) references orders (tenant_id, id) on delete cascade
);
