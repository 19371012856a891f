-- Customer data: everything that happens to a customer (events), how profiles merge, WeCom contact
-- relations and group memberships, tags (manual, rule, coded by questionnaires, pre-tags),
-- questionnaires, consent and an audit log.

-- Everything that happened to a customer, newest first on the 360 timeline. Ingested events keep
-- the sender's id as event_key (the idempotency key); events Yuchi records itself (tag changes,
-- merges, consent) get 'yuchi:<uuid>'.
create table events (
  tenant_id    uuid not null references tenants (id) on delete cascade,
  id           uuid not null,
  event_key    text not null check (length(event_key) between 1 and 200),
  type         text not null check (type ~ '^[a-z][a-z0-9_.]{0,63}$'),
  customer_id  uuid,
  occurred_at  timestamptz not null,
  received_at  timestamptz not null default now(),
  source       text not null default 'api',
  actor        text,
  properties   jsonb not null default '{}',
  primary key (tenant_id, id),
  unique (tenant_id, event_key)
);
create index events_customer_time on events (tenant_id, customer_id, occurred_at desc, id desc);
create index events_type_time on events (tenant_id, type, occurred_at);

-- A merged-away profile keeps pointing at its survivor, so old ids still resolve.
create table customer_merges (
  tenant_id    uuid not null references tenants (id) on delete cascade,
  merged_id    uuid not null,
  survivor_id  uuid not null,
  merged_at    timestamptz not null default now(),
  reason       jsonb not null default '{}',
  primary key (tenant_id, merged_id)
);
create index customer_merges_survivor on customer_merges (tenant_id, survivor_id);

-- Which source last set each attribute, for "most recent trusted source wins".
alter table customers add column attribute_sources jsonb not null default '{}';
alter table customers add column last_active_at timestamptz;
alter table customers add column erased_at timestamptz;

-- WeCom friendship between a customer and a staff member (follow_user), with the state code of
-- the acquisition code that brought them.
create table customer_contacts (
  tenant_id    uuid not null references tenants (id) on delete cascade,
  customer_id  uuid not null,
  staff_id     uuid not null,
  state        text,
  added_at     timestamptz not null,
  deleted_at   timestamptz,
  primary key (tenant_id, customer_id, staff_id),
  foreign key (tenant_id, customer_id) references customers (tenant_id, id) on delete cascade,
  foreign key (tenant_id, staff_id) references staff (tenant_id, id)
);
create index customer_contacts_staff on customer_contacts (tenant_id, staff_id);

-- Customer groups (WeCom 客户群). The community issue adds purpose, SOP and health.
create table customer_groups (
  tenant_id       uuid not null references tenants (id) on delete cascade,
  id              uuid not null,
  chat_id         text not null,
  name            text not null default '',
  owner_staff_id  uuid,
  store_id        uuid,
  created_at      timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, chat_id),
  foreign key (tenant_id, owner_staff_id) references staff (tenant_id, id),
  foreign key (tenant_id, store_id) references stores (tenant_id, id)
);

create table group_members (
  tenant_id    uuid not null references tenants (id) on delete cascade,
  group_id     uuid not null,
  customer_id  uuid not null,
  joined_at    timestamptz not null,
  left_at      timestamptz,
  primary key (tenant_id, group_id, customer_id),
  foreign key (tenant_id, group_id) references customer_groups (tenant_id, id) on delete cascade,
  foreign key (tenant_id, customer_id) references customers (tenant_id, id) on delete cascade
);
create index group_members_customer on group_members (tenant_id, customer_id);

-- Tags live in groups (来源 source, 消费频次 frequency, 肤质 skin type ...). An exclusive group holds
-- at most one of its tags per customer. A tag may carry a codebook code (高姿's "3", "D") and,
-- for a rule tag, the rule that adds and removes it.
create table tag_groups (
  tenant_id    uuid not null references tenants (id) on delete cascade,
  id           uuid not null,
  name         text not null check (length(name) between 1 and 50),
  description  text not null default '',
  exclusive    boolean not null default false,
  sort         integer not null default 0,
  created_at   timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, name)
);

create table tags (
  tenant_id   uuid not null references tenants (id) on delete cascade,
  id          uuid not null,
  group_id    uuid not null,
  name        text not null check (length(name) between 1 and 50),
  code        text,
  color       text not null default 'blue',
  kind        text not null default 'manual' check (kind in ('manual', 'rule')),
  rule        jsonb,
  created_at  timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, group_id, name),
  foreign key (tenant_id, group_id) references tag_groups (tenant_id, id) on delete cascade,
  check ((kind = 'rule') = (rule is not null))
);

create table customer_tags (
  tenant_id    uuid not null references tenants (id) on delete cascade,
  customer_id  uuid not null,
  tag_id       uuid not null,
  source       text not null check (source in ('manual', 'rule', 'form', 'pretag', 'import', 'api', 'event')),
  added_by     text,
  added_at     timestamptz not null default now(),
  primary key (tenant_id, customer_id, tag_id),
  foreign key (tenant_id, customer_id) references customers (tenant_id, id) on delete cascade,
  foreign key (tenant_id, tag_id) references tags (tenant_id, id) on delete cascade
);
create index customer_tags_tag on customer_tags (tenant_id, tag_id);

-- Tags waiting for a person not seen yet, by phone or unionid; applied when they appear.
create table pre_tags (
  tenant_id            uuid not null references tenants (id) on delete cascade,
  kind                 text not null check (kind in ('unionid', 'openid', 'external_userid', 'phone', 'member_no')),
  value                text not null,
  tag_id               uuid not null,
  created_by           text,
  created_at           timestamptz not null default now(),
  applied_at           timestamptz,
  applied_customer_id  uuid,
  primary key (tenant_id, kind, value, tag_id),
  foreign key (tenant_id, tag_id) references tags (tenant_id, id) on delete cascade
);

-- Questionnaires: questions with options, each option may code a tag (the codebook).
create table forms (
  tenant_id    uuid not null references tenants (id) on delete cascade,
  id           uuid not null,
  name         text not null check (length(name) between 1 and 100),
  description  text not null default '',
  questions    jsonb not null,
  status       text not null default 'published' check (status in ('draft', 'published', 'closed')),
  created_at   timestamptz not null default now(),
  primary key (tenant_id, id)
);

create table form_submissions (
  tenant_id     uuid not null references tenants (id) on delete cascade,
  id            uuid not null,
  form_id       uuid not null,
  customer_id   uuid,
  answers       jsonb not null,
  submitted_at  timestamptz not null,
  event_key     text not null,
  primary key (tenant_id, id),
  unique (tenant_id, event_key),
  foreign key (tenant_id, form_id) references forms (tenant_id, id) on delete cascade
);
create index form_submissions_form on form_submissions (tenant_id, form_id, submitted_at desc);

-- Marketing consent per channel (PIPL); the history is on the timeline.
create table customer_consents (
  tenant_id    uuid not null references tenants (id) on delete cascade,
  customer_id  uuid not null,
  channel      text not null check (channel in ('wecom', 'sms', 'email', 'phone', 'miniprogram')),
  granted      boolean not null,
  source       text not null,
  updated_at   timestamptz not null,
  primary key (tenant_id, customer_id, channel),
  foreign key (tenant_id, customer_id) references customers (tenant_id, id) on delete cascade
);

-- Who did what to personal data: exports, erasures, merges, bulk tagging.
create table audit_log (
  tenant_id    uuid not null references tenants (id) on delete cascade,
  id           uuid not null,
  at           timestamptz not null default now(),
  actor        text not null,
  action       text not null,
  target_type  text not null,
  target_id    text,
  details      jsonb not null default '{}',
  primary key (tenant_id, id)
);
create index audit_log_time on audit_log (tenant_id, at desc);
