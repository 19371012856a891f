-- Acquisition and the guide's day: channel and store codes (渠道活码 / 门店码) that bring customers
-- in as WeCom friends, the scans of their printed QR codes, and ownership transfers between
-- guides (WeCom allows a customer at most two transfers in 90 days; resignations hand everyone on).

-- One code: where it is printed (kind, store, campaign), the WeCom `state` that attributes every
-- friend it brings, who answers (a rotation of staff with daily caps, working hours and backups),
-- what a new friend gets (tags, a welcome message in the persona's voice, a welcome coupon).
-- rotation: [{ staffId, dailyCap, qrUrl, backup }] in the order the operator chose.
create table acquisition_codes (
  tenant_id      uuid not null references tenants (id) on delete cascade,
  id             uuid not null,
  -- the printed QR's landing page: /q/<tenant slug>/<code_key>
  code_key       text not null check (code_key ~ '^[a-z0-9]{6,16}$'),
  name           text not null check (length(name) between 1 and 100),
  kind           text not null check (kind in ('store_counter', 'order_card', 'poster', 'ad', 'store_routing', 'other')),
  store_id       uuid,
  campaign       text not null default '',
  state          text not null check (state ~ '^[A-Za-z0-9_.-]{1,30}$'),
  rotation       jsonb not null,
  -- local opening of the rotation (HH:MM in the tenant's zone); null: all day
  works_from     time,
  works_to       time,
  tag_ids        uuid[] not null default '{}',
  welcome_text   text not null default '',
  welcome_persona text not null default '',
  welcome_coupon_template_id uuid,
  -- store routing: how far a scanner may be from the store they are sent to
  routing_radius_km double precision not null default 10 check (routing_radius_km > 0 and routing_radius_km <= 500),
  status         text not null default 'active' check (status in ('active', 'paused')),
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, state),
  unique (tenant_id, code_key),
  foreign key (tenant_id, store_id) references stores (tenant_id, id),
  foreign key (tenant_id, welcome_coupon_template_id) references coupon_templates (tenant_id, id)
);
create index acquisition_codes_store on acquisition_codes (tenant_id, store_id, status);

-- A scan of a printed code: the landing page counts it and names the staff member it showed.
create table code_scans (
  tenant_id   uuid not null references tenants (id) on delete cascade,
  id          uuid not null,
  code_id     uuid not null,
  staff_id    uuid,
  scanned_at  timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id, code_id) references acquisition_codes (tenant_id, id) on delete cascade
);
create index code_scans_code_time on code_scans (tenant_id, code_id, scanned_at);

-- Friends brought by a code are found by their state; the statistics and the rotation's daily
-- caps read them by state and time.
create index customer_contacts_state on customer_contacts (tenant_id, state, added_at) where state is not null;

-- Every change of a customer's guide: a transfer (counted against WeCom's two in 90 days) or a
-- resigned guide's customers inherited by a successor. customer_id has no foreign key, like
-- coupons: a merge moves the rows to the surviving profile.
create table customer_transfers (
  tenant_id       uuid not null references tenants (id) on delete cascade,
  id              uuid not null,
  customer_id     uuid not null,
  from_staff_id   uuid,
  to_staff_id     uuid not null,
  kind            text not null check (kind in ('transfer', 'resignation')),
  reason          text not null default '',
  actor           text not null default '',
  transferred_at  timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id, to_staff_id) references staff (tenant_id, id)
);
create index customer_transfers_customer on customer_transfers (tenant_id, customer_id, transferred_at);

-- The till's prompt looks for the store's newest active group with room on every checkout.
create index if not exists customer_groups_store_active on customer_groups (tenant_id, store_id, created_at desc) where status = 'active';
