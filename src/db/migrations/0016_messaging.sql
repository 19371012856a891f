-- Messaging: the restraint engine's settings and decisions, the send ledger on messages, templates,
-- mass sends (群发) with per-staff confirmation, and the sandbox phone inbox.

-- One row per tenant: quotas, caps, quiet hours, consent, priorities and holdouts as one validated
-- document (src/core/messaging/settings.rules.ts); a tenant without a row uses the defaults.
create table messaging_settings (
  tenant_id   uuid primary key references tenants (id) on delete cascade,
  settings    jsonb not null,
  updated_at  timestamptz not null default now(),
  updated_by  text
);

-- The send ledger lives on the message row itself. A send is claimed with a fresh attempt_id in a
-- short transaction (status 'sending'), handed to the channel with messages.id as the provider's
-- idempotency key, and its outcome is written only where the attempt_id still matches.
alter table messages
  add column attempt_id     uuid,
  add column attempts       integer not null default 0,
  add column claimed_at     timestamptz,
  add column provider_id    text,
  add column decided_at     timestamptz,
  add column mass_send_id   uuid;
-- The worker's pick-up: a tenant's due messages, oldest first, without reading sent ones.
create index messages_pending on messages (tenant_id, not_before)
  where status in ('requested', 'queued', 'deferred', 'retrying');
create index messages_stale_sending on messages (claimed_at) where status = 'sending';
create index messages_mass_send on messages (tenant_id, mass_send_id, status) where mass_send_id is not null;

-- Every decision of the engine with its reason: sent, deferred to a time, dropped. The latest is
-- also on the message (status, status_reason, decided_at).
create table message_decisions (
  tenant_id   uuid not null references tenants (id) on delete cascade,
  message_id  uuid not null,
  decided_at  timestamptz not null default now(),
  verdict     text not null check (verdict in ('send', 'defer', 'drop')),
  reason      text not null,
  defer_to    timestamptz
);
create index message_decisions_message on message_decisions (tenant_id, message_id, decided_at);

-- A customer's own time zone, for quiet hours; customers without a row use the tenant's zone.
create table customer_time_zones (
  tenant_id    uuid not null references tenants (id) on delete cascade,
  customer_id  uuid not null,
  timezone     text not null,
  primary key (tenant_id, customer_id)
);

create table message_templates (
  tenant_id   uuid not null references tenants (id) on delete cascade,
  id          uuid not null,
  name        text not null check (length(name) between 1 and 100),
  -- { wecom?: { text, attachments? }, email?: { subject, body }, sms?: { text }, sandbox?: { text } }
  content     jsonb not null,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, name)
);

create table mass_sends (
  tenant_id        uuid not null references tenants (id) on delete cascade,
  id               uuid not null,
  name             text not null check (length(name) between 1 and 100),
  channel          text not null check (channel in ('wecom', 'email', 'sms', 'sandbox')),
  template_id      uuid not null,
  -- { include: { kind: all|segment|tag|group, ids }, exclude?: { kind, ids } }
  audience         jsonb not null,
  -- { at } or { date, localTime } (each recipient at that local time)
  schedule         jsonb not null,
  priority         smallint not null default 40 check (priority between 0 and 100),
  holdout_percent  numeric(5,2) not null default 0 check (holdout_percent between 0 and 50),
  conversion_days  integer not null default 7 check (conversion_days between 1 and 90),
  status           text not null default 'planning' check (status in ('planning', 'planned', 'done', 'cancelled')),
  -- the plan's counts: { planned, excluded: { reason: n }, heldOut }
  counts           jsonb not null default '{}',
  send_at          timestamptz not null,
  created_by       text,
  created_at       timestamptz not null default now(),
  planned_at       timestamptz,
  primary key (tenant_id, id),
  foreign key (tenant_id, template_id) references message_templates (tenant_id, id)
);

-- WeCom mass sends: one request per staff member, confirmed on their phone.
create table mass_send_staff (
  tenant_id     uuid not null references tenants (id) on delete cascade,
  mass_send_id  uuid not null,
  staff_id      uuid not null,
  messages      integer not null,
  status        text not null default 'pending' check (status in ('pending', 'handed_over', 'confirmed', 'failed')),
  provider_id   text,
  reason        text,
  handed_at     timestamptz,
  confirmed_at  timestamptz,
  primary key (tenant_id, mass_send_id, staff_id),
  foreign key (tenant_id, mass_send_id) references mass_sends (tenant_id, id) on delete cascade
);

-- The sandbox channel's simulated phones: what each customer "received" and what they replied.
-- Keyed by the message id, so a re-sent message lands once; redeliveries counts the resends absorbed.
create table sandbox_inbox (
  tenant_id     uuid not null references tenants (id) on delete cascade,
  id            uuid not null,
  customer_id   uuid not null,
  direction     text not null check (direction in ('in', 'out')),
  content       jsonb not null,
  at            timestamptz not null default now(),
  redeliveries  integer not null default 0,
  primary key (tenant_id, id)
);
create index sandbox_inbox_customer on sandbox_inbox (tenant_id, customer_id, at);
