-- Community operations (社群): group capacity and roll-over series, member join/leave history,
-- group messages kept compactly for analysis, weekly health with a classification, auto-invite
-- rules, keyword auto-reply and moderation rules with their log.

-- WeCom customer groups hold at most 500 people. A full group rolls over to the next of its series
-- ("福田鲜果 2 群"); a group Yuchi plans before WeCom has made it carries a pending chat id.
alter table customer_groups
  add column capacity integer not null default 500 check (capacity between 2 and 500),
  add column series_of uuid,
  add column updated_at timestamptz not null default now();
create index customer_groups_store on customer_groups (tenant_id, store_id, kind);

-- Every join and leave (group_members holds only the present state). Written by ingestion from
-- group_joined / group_left events. customer_id has no foreign key: a merge moves the rows.
create table group_member_changes (
  tenant_id    uuid not null references tenants (id) on delete cascade,
  group_id     uuid not null,
  customer_id  uuid not null,
  at           timestamptz not null,
  action       text not null check (action in ('joined', 'left')),
  foreign key (tenant_id, group_id) references customer_groups (tenant_id, id) on delete cascade
);
create index group_member_changes_group on group_member_changes (tenant_id, group_id, at);
create index group_member_changes_customer on group_member_changes (tenant_id, customer_id);

-- One row per message said in a group, narrow on purpose: health reads tens of millions of them.
-- The text stays on the timeline (events, same id). Sender is a customer or a staff member; a reply
-- names whom it answers. No primary key: ingestion stores each event once, so rows are unique by it;
-- no foreign keys either, for write volume (reads join customer_groups).
create table group_messages (
  tenant_id             uuid not null,
  group_id              uuid not null,
  sent_at               timestamptz not null,
  event_id              uuid not null,
  sender_customer_id    uuid,
  sender_staff_id       uuid,
  reply_to_customer_id  uuid,
  reply_to_staff_id     uuid,
  text_length           integer not null default 0,
  has_link              boolean not null default false,
  flagged               boolean not null default false,
  check (sender_customer_id is not null or sender_staff_id is not null)
);
create index group_messages_group on group_messages (tenant_id, group_id, sent_at);
create index group_messages_sender on group_messages (tenant_id, sender_customer_id) where sender_customer_id is not null;

-- Weekly figures per group (ISO weeks, Monday in the tenant's zone), recomputed set-wise.
create table group_health_weeks (
  tenant_id          uuid not null references tenants (id) on delete cascade,
  group_id           uuid not null,
  week               date not null,
  members            integer not null,
  joins              integer not null,
  leaves             integer not null,
  messages           integer not null,
  staff_messages     integer not null,
  owner_messages     integer not null,
  active_members     integer not null,
  replies            integer not null,
  member_replies     integer not null,   -- a member answering a member
  staff_replies      integer not null,   -- replies to or from staff
  member_links       integer not null,   -- links posted by members
  flagged_messages   integer not null,
  primary key (tenant_id, group_id, week),
  foreign key (tenant_id, group_id) references customer_groups (tenant_id, id) on delete cascade
);

-- The present classification of each group (seed 003), with its reasons and recommended actions.
create table group_health (
  tenant_id    uuid not null references tenants (id) on delete cascade,
  group_id     uuid not null,
  week         date not null,
  class        text not null check (class in ('value', 'chicken_rib', 'dead', 'spam')),
  shape        text not null check (shape in ('mesh', 'hub_and_spoke', 'unknown')),
  reasons      jsonb not null default '[]',
  actions      jsonb not null default '[]',
  computed_at  timestamptz not null default now(),
  primary key (tenant_id, group_id),
  foreign key (tenant_id, group_id) references customer_groups (tenant_id, id) on delete cascade
);
create index group_health_class on group_health (tenant_id, class);

-- Customers of a tag or segment are invited into a group of a kind (at their store).
create table group_invite_rules (
  tenant_id    uuid not null references tenants (id) on delete cascade,
  id           uuid not null,
  name         text not null check (length(name) between 1 and 100),
  tag_id       uuid,
  segment_id   uuid,
  kind         text not null check (kind in ('value', 'interest', 'group_buy', 'vip', 'service', 'other')),
  store_id     uuid,
  active       boolean not null default true,
  created_at   timestamptz not null default now(),
  last_run_at  timestamptz,
  primary key (tenant_id, id),
  check ((tag_id is null) <> (segment_id is null)),
  foreign key (tenant_id, store_id) references stores (tenant_id, id)
);

-- Keyword auto-reply and moderation, for one group or (group_id null) every group of the tenant.
create table group_rules (
  tenant_id       uuid not null references tenants (id) on delete cascade,
  id              uuid not null,
  group_id        uuid,
  name            text not null check (length(name) between 1 and 100),
  kind            text not null check (kind in ('auto_reply', 'banned_word', 'link')),
  match           text not null check (match in ('keyword', 'regex', 'any_link')),
  pattern         text not null default '' check (length(pattern) <= 200),
  reply_template  text not null default '' check (length(reply_template) <= 1000),
  action          text not null check (action in ('reply', 'flag', 'remove')),
  active          boolean not null default true,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id, group_id) references customer_groups (tenant_id, id) on delete cascade
);

-- What moderation and auto-reply did: flagged, asked the owner to remove, replied.
create table group_moderation_log (
  tenant_id    uuid not null references tenants (id) on delete cascade,
  id           uuid not null,
  group_id     uuid not null,
  rule_id      uuid,
  customer_id  uuid,
  event_id     uuid,
  action       text not null check (action in ('reply', 'flag', 'remove')),
  detail       jsonb not null default '{}',
  at           timestamptz not null default now(),
  primary key (tenant_id, id)
);
create index group_moderation_log_group on group_moderation_log (tenant_id, group_id, at desc);
create index group_moderation_log_customer on group_moderation_log (tenant_id, customer_id);
