-- Social selling: 接龙 (group solitaire orders), 拼团 (group buys), 拼单 (shared carts), and fission
-- (referral codes, two-level attribution, rewards with clawback, refused attributions).
-- Orders these make are real orders in `orders` (channel 'group_buy'), recorded through the orders path.

-- 接龙: one item posted in a customer group; members put their names down with a quantity.
-- `taken` is the sum of the entries' quantities: a join is one conditional update of it.
create table solitaires (
  tenant_id        uuid not null references tenants (id) on delete cascade,
  id               uuid not null,
  group_id         uuid not null,
  title            text not null check (length(title) between 1 and 100),
  sku              text not null check (length(sku) between 1 and 64),
  item_name        text not null check (length(item_name) between 1 and 100),
  price_fen        bigint not null check (price_fen >= 0),
  stock            integer not null check (stock > 0),
  taken            integer not null default 0,
  per_customer_limit integer not null default 99 check (per_customer_limit >= 1),
  store_id         uuid not null,
  deadline_at      timestamptz not null,
  status           text not null default 'open' check (status in ('open', 'closed', 'cancelled')),
  closed_at        timestamptz,
  posted_by_staff_id uuid,
  created_by       text not null default '',
  created_at       timestamptz not null default now(),
  primary key (tenant_id, id),
  check (taken between 0 and stock),
  foreign key (tenant_id, group_id) references customer_groups (tenant_id, id),
  foreign key (tenant_id, store_id) references stores (tenant_id, id)
);
create index solitaires_due on solitaires (deadline_at) where status = 'open';
create index solitaires_group on solitaires (tenant_id, group_id, created_at desc);

-- One line of a 接龙 per customer; `seq` is the order people joined in (the number in the text).
create table solitaire_entries (
  tenant_id      uuid not null references tenants (id) on delete cascade,
  solitaire_id   uuid not null,
  customer_id    uuid not null,
  seq            integer not null,
  nickname       text not null,
  quantity       integer not null check (quantity > 0),
  order_no       text,
  joined_at      timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  primary key (tenant_id, solitaire_id, customer_id),
  unique (tenant_id, solitaire_id, seq),
  foreign key (tenant_id, solitaire_id) references solitaires (tenant_id, id) on delete cascade,
  foreign key (tenant_id, customer_id) references customers (tenant_id, id) on delete cascade
);
create index solitaire_entries_customer on solitaire_entries (tenant_id, customer_id);

-- 拼团: a leader opens a group-buy of one SKU for a target size; others join through the share token.
-- `joined` counts seats: the last seat is one conditional update of it.
create table group_buys (
  tenant_id          uuid not null references tenants (id) on delete cascade,
  id                 uuid not null,
  share_token        text not null,
  leader_customer_id uuid not null,
  sku                text not null check (length(sku) between 1 and 64),
  item_name          text not null check (length(item_name) between 1 and 100),
  price_fen          bigint not null check (price_fen >= 0),
  original_price_fen bigint not null check (original_price_fen >= price_fen),
  target_size        integer not null check (target_size between 2 and 100),
  joined             integer not null default 0,
  store_id           uuid,
  expires_at         timestamptz not null,
  status             text not null default 'open' check (status in ('open', 'succeeded', 'cancelled')),
  finished_at        timestamptz,
  created_by         text not null default '',
  created_at         timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (share_token),
  check (joined between 0 and target_size),
  foreign key (tenant_id, leader_customer_id) references customers (tenant_id, id),
  foreign key (tenant_id, store_id) references stores (tenant_id, id)
);
create index group_buys_due on group_buys (expires_at) where status = 'open';

create table group_buy_members (
  tenant_id      uuid not null references tenants (id) on delete cascade,
  group_buy_id   uuid not null,
  customer_id    uuid not null,
  seat           integer not null,
  paid_fen       bigint not null default 0 check (paid_fen >= 0),
  order_no       text,
  refunded_fen   bigint not null default 0,
  joined_at      timestamptz not null default now(),
  primary key (tenant_id, group_buy_id, customer_id),
  unique (tenant_id, group_buy_id, seat),
  foreign key (tenant_id, group_buy_id) references group_buys (tenant_id, id) on delete cascade,
  foreign key (tenant_id, customer_id) references customers (tenant_id, id) on delete cascade
);
create index group_buy_members_customer on group_buy_members (tenant_id, customer_id);

-- 拼单 (Tim Hortons): several people's items in one cart; the initiator pays one order.
create table shared_carts (
  tenant_id              uuid not null references tenants (id) on delete cascade,
  id                     uuid not null,
  share_token            text not null,
  initiator_customer_id  uuid not null,
  store_id               uuid,
  status                 text not null default 'open' check (status in ('open', 'paid', 'cancelled')),
  order_no               text,
  created_at             timestamptz not null default now(),
  paid_at                timestamptz,
  primary key (tenant_id, id),
  unique (share_token),
  foreign key (tenant_id, initiator_customer_id) references customers (tenant_id, id),
  foreign key (tenant_id, store_id) references stores (tenant_id, id)
);

create table shared_cart_items (
  tenant_id       uuid not null references tenants (id) on delete cascade,
  cart_id         uuid not null,
  id              uuid not null,
  customer_id     uuid not null,
  sku             text not null,
  name            text not null default '',
  quantity        integer not null check (quantity > 0),
  unit_price_fen  bigint not null check (unit_price_fen >= 0),
  line_no         integer,
  added_at        timestamptz not null default now(),
  primary key (tenant_id, cart_id, id),
  foreign key (tenant_id, cart_id) references shared_carts (tenant_id, id) on delete cascade,
  foreign key (tenant_id, customer_id) references customers (tenant_id, id) on delete cascade
);
create index shared_cart_items_customer on shared_cart_items (tenant_id, customer_id);

-- Fission. A referrer is a partner: a customer (who shares their own code) or an external distributor.
create table referral_partners (
  tenant_id    uuid not null references tenants (id) on delete cascade,
  id           uuid not null,
  kind         text not null check (kind in ('customer', 'external')),
  customer_id  uuid,
  name         text not null default '',
  phone        text,
  created_at   timestamptz not null default now(),
  primary key (tenant_id, id),
  check ((kind = 'customer') = (customer_id is not null)),
  foreign key (tenant_id, customer_id) references customers (tenant_id, id) on delete cascade
);
create unique index referral_partners_customer on referral_partners (tenant_id, customer_id) where customer_id is not null;

create table referral_codes (
  tenant_id    uuid not null references tenants (id) on delete cascade,
  code         text not null check (code ~ '^[A-Za-z0-9_-]{4,32}$'),
  partner_id   uuid not null,
  created_at   timestamptz not null default now(),
  disabled_at  timestamptz,
  primary key (tenant_id, code),
  foreign key (tenant_id, partner_id) references referral_partners (tenant_id, id) on delete cascade
);
create index referral_codes_partner on referral_codes (tenant_id, partner_id);

-- Who brought whom: one row per referred customer (the first accepted attribution wins).
-- level2 is level1's own referrer at the time of attribution (二级分销).
create table referrals (
  tenant_id          uuid not null references tenants (id) on delete cascade,
  customer_id        uuid not null,
  code               text not null,
  level1_partner_id  uuid not null,
  level2_partner_id  uuid,
  event_id           uuid,
  device_id          text,
  attributed_at      timestamptz not null,
  created_at         timestamptz not null default now(),
  primary key (tenant_id, customer_id),
  foreign key (tenant_id, customer_id) references customers (tenant_id, id) on delete cascade,
  foreign key (tenant_id, level1_partner_id) references referral_partners (tenant_id, id),
  foreign key (tenant_id, level2_partner_id) references referral_partners (tenant_id, id)
);
create index referrals_level1 on referrals (tenant_id, level1_partner_id);
create index referrals_level2 on referrals (tenant_id, level2_partner_id);
create index referrals_event on referrals (tenant_id, event_id);
create index referrals_device on referrals (tenant_id, level1_partner_id, device_id) where device_id is not null;

-- Attributions refused for abuse (self-referral, same phone or device, cycle ...), with the reason.
create table referral_refusals (
  tenant_id    uuid not null references tenants (id) on delete cascade,
  id           uuid not null,
  event_id     uuid not null,
  customer_id  uuid,
  code         text not null,
  reason       text not null,
  message      text not null,
  at           timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, event_id)
);

-- What a level earns. kind: percent_first_order (percent of the referred customer's first order),
-- percent_window (percent of every order within window_days of the attribution), points, coupon.
create table referral_rules (
  tenant_id           uuid not null references tenants (id) on delete cascade,
  level               smallint not null check (level in (1, 2)),
  kind                text not null check (kind in ('percent_first_order', 'percent_window', 'points', 'coupon')),
  -- basis points of the order's paid amount: 500 is 5%
  percent_bp          integer check (percent_bp between 1 and 10000),
  window_days         integer check (window_days between 1 and 3650),
  points              integer check (points > 0),
  coupon_template_id  uuid,
  updated_at          timestamptz not null default now(),
  primary key (tenant_id, level)
);

-- Rewards earned, one per (order, level); refunds claw back in proportion.
create table referral_rewards (
  tenant_id           uuid not null references tenants (id) on delete cascade,
  id                  uuid not null,
  partner_id          uuid not null,
  level               smallint not null check (level in (1, 2)),
  referred_customer_id uuid not null,
  order_id            uuid,
  order_no            text,
  kind                text not null,
  base_fen            bigint not null default 0,
  reward_fen          bigint not null default 0 check (reward_fen >= 0),
  points              integer not null default 0,
  coupon_code         text,
  clawback_fen        bigint not null default 0,
  clawback_points     integer not null default 0,
  status              text not null default 'earned' check (status in ('earned', 'partially_clawed_back', 'clawed_back')),
  earned_at           timestamptz not null default now(),
  clawed_back_at      timestamptz,
  primary key (tenant_id, id),
  unique (tenant_id, referred_customer_id, order_id, level),
  foreign key (tenant_id, partner_id) references referral_partners (tenant_id, id)
);
create index referral_rewards_partner on referral_rewards (tenant_id, partner_id, earned_at);

-- How far attribution has read the tenant's contact_added events (received_at).
create table referral_cursors (
  tenant_id   uuid primary key references tenants (id) on delete cascade,
  events_read_to timestamptz not null
);

-- Finds contact_added events naming a code without scanning every event; a partial index costs
-- ingestion only for the events it holds.
create index events_referral_contacts on events (tenant_id, received_at)
  where type = 'contact_added' and (properties ? 'referralCode' or properties ? 'state');
