-- Group welcome messages (入群欢迎语): one per group, or one for every group of a kind (a group's own
-- welcome wins), with variables; and the record of who was welcomed, so each member is welcomed
-- once per group however often they rejoin or the join event is replayed.

create table group_welcomes (
  tenant_id          uuid not null references tenants (id) on delete cascade,
  id                 uuid not null,
  group_id           uuid,
  group_kind         text check (group_kind in ('value', 'interest', 'group_buy', 'vip', 'service', 'other')),
  text               text not null check (length(text) between 1 and 1000),
  enabled            boolean not null default true,
  -- WeCom's 入群欢迎语素材 (group_welcome_template) made from this welcome, which the owner applies
  -- to the group in WeCom and WeCom then sends to each joiner itself
  wecom_template_id  text,
  wecom_detail       text,
  updated_at         timestamptz not null default now(),
  updated_by         text,
  primary key (tenant_id, id),
  check ((group_id is null) <> (group_kind is null)),
  foreign key (tenant_id, group_id) references customer_groups (tenant_id, id) on delete cascade
);
create unique index group_welcomes_group on group_welcomes (tenant_id, group_id) where group_id is not null;
create unique index group_welcomes_kind on group_welcomes (tenant_id, group_kind) where group_kind is not null;

-- One row per member welcomed in a group: 'message' when Yuchi asked for the message itself
-- (requestMessages), 'wecom' when WeCom's own group welcome greets them.
create table group_welcomes_sent (
  tenant_id    uuid not null references tenants (id) on delete cascade,
  group_id     uuid not null,
  customer_id  uuid not null,
  welcome_id   uuid not null,
  via          text not null check (via in ('message', 'wecom')),
  message_id   uuid,
  at           timestamptz not null default now(),
  primary key (tenant_id, group_id, customer_id)
);
create index group_welcomes_sent_customer on group_welcomes_sent (tenant_id, customer_id);
