-- Outreach: what Yuchi asks to send to a customer, and what it asks a guide to do. Welcome
-- messages, mass sends, journeys, SOP posts and auto-replies all write here, so one engine applies
-- quotas, caps, quiet hours, consent and priorities to every send, and one workbench shows a
-- guide every task whatever made it.

-- One message for one customer. dedupe_key makes a request idempotent: a retried journey step or
-- a re-planned mass send asks again with the same key and gets the first row. customer_id has no
-- foreign key, like coupons: when profiles merge, the merge moves the row to the survivor.
create table messages (
  tenant_id      uuid not null references tenants (id) on delete cascade,
  id             uuid not null,
  customer_id    uuid not null,
  channel        text not null check (channel in ('wecom', 'email', 'sms', 'webhook', 'sandbox')),
  -- service messages (a welcome, an answer) are not marketing and skip the marketing caps
  purpose        text not null check (purpose in ('service', 'marketing')),
  -- higher wins when a cap is reached
  priority       smallint not null default 50 check (priority between 0 and 100),
  -- what asked for it: welcome | mass_send | journey | sop | auto_reply | coupon | manual
  source_kind    text not null check (source_kind ~ '^[a-z][a-z_]{0,31}$'),
  source_id      text not null,
  dedupe_key     text not null check (length(dedupe_key) between 1 and 300),
  -- the guide it goes out as (WeCom sends are made per staff member)
  staff_id       uuid,
  -- { text, subject?, attachments?, welcomeCode? } after variables are filled in
  content        jsonb not null,
  -- not sent before this time (a schedule or a journey's wait)
  not_before     timestamptz not null default now(),
  status         text not null default 'requested',
  status_reason  text,
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  sent_at        timestamptz,
  primary key (tenant_id, id),
  unique (tenant_id, dedupe_key)
);
create index messages_customer on messages (tenant_id, customer_id, created_at desc);
create index messages_due on messages (tenant_id, status, not_before);

-- Something a guide (or, with no staff_id, anyone at the store) should do: post the SOP's 08:30
-- new-arrivals photo, confirm a WeCom mass send, welcome a new friend, follow up a customer at
-- risk. dedupe_key keeps a re-run generator from making the same task twice.
create table guide_tasks (
  tenant_id     uuid not null references tenants (id) on delete cascade,
  id            uuid not null,
  staff_id      uuid,
  store_id      uuid,
  customer_id   uuid,
  group_id      uuid,
  kind          text not null check (kind ~ '^[a-z][a-z_]{0,31}$'),
  title         text not null check (length(title) between 1 and 200),
  -- what the guide needs to do it: content to post, a script, the coupon to offer
  detail        jsonb not null default '{}',
  due_at        timestamptz not null,
  status        text not null default 'open' check (status in ('open', 'done', 'skipped', 'expired')),
  done_at       timestamptz,
  done_by       text,
  source_kind   text not null check (source_kind ~ '^[a-z][a-z_]{0,31}$'),
  source_id     text not null,
  dedupe_key    text not null check (length(dedupe_key) between 1 and 300),
  created_at    timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, dedupe_key),
  foreign key (tenant_id, staff_id) references staff (tenant_id, id),
  foreign key (tenant_id, store_id) references stores (tenant_id, id)
);
create index guide_tasks_staff_due on guide_tasks (tenant_id, staff_id, status, due_at);
create index guide_tasks_store_due on guide_tasks (tenant_id, store_id, status, due_at);

-- A group is not a 社群 until it has a purpose (seed 003): what kind of group it is decides its SOP,
-- its health targets and whether it should be dissolved once its job is done.
alter table customer_groups
  add column kind text not null default 'value' check (kind in ('value', 'interest', 'group_buy', 'vip', 'service', 'other')),
  add column purpose text not null default '',
  add column status text not null default 'active' check (status in ('active', 'dissolved')),
  add column dissolved_at timestamptz;
create index customer_groups_kind on customer_groups (tenant_id, kind, status);
