-- SOP calendars (社群 SOP): a plan gives groups a daily and weekly rhythm (百果园: 08:30 new-arrivals
-- photo, 15:00 爆品接龙, 21:30 good night, Tuesday member day). The worker turns each slot into a
-- guide task or an automatic group send at the slot's local time and records what it did in sop_runs,
-- so the console can show which posts were done and which were missed.

create table sop_plans (
  tenant_id    uuid not null references tenants (id) on delete cascade,
  id           uuid not null,
  name         text not null check (length(name) between 1 and 100),
  description  text not null default '',
  -- 'groups': the listed groups; 'group_kind': every active group of that kind, now and later
  target_kind  text not null check (target_kind in ('groups', 'group_kind')),
  group_ids    uuid[] not null default '{}',
  group_kind   text check (group_kind in ('value', 'interest', 'group_buy', 'vip', 'service', 'other')),
  status       text not null default 'active' check (status in ('active', 'paused')),
  -- the ready-made template it was made from, if any
  template_key text,
  created_by   text,
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, name),
  check ((target_kind = 'groups') = (group_kind is null))
);

-- One time slot of a plan: every day (weekday null) or one day of the week (1 = Monday … 7 = Sunday),
-- at a local time, for duration_minutes (two slots of one group may not overlap).
create table sop_slots (
  tenant_id        uuid not null,
  id               uuid not null,
  plan_id          uuid not null,
  weekday          smallint check (weekday between 1 and 7),
  start_minute     smallint not null check (start_minute between 0 and 1439),
  duration_minutes smallint not null default 30 check (duration_minutes between 5 and 720),
  title            text not null check (length(title) between 1 and 100),
  -- { text, images: [url], links: [{title, url}], couponTemplateId? }
  content          jsonb not null,
  -- null: the group's owner
  owner_staff_id   uuid,
  -- 'task': handed to the guide to post and confirm; 'auto': sent through the channel
  mode             text not null check (mode in ('task', 'auto')),
  position         smallint not null default 0,
  primary key (tenant_id, id),
  foreign key (tenant_id, plan_id) references sop_plans (tenant_id, id) on delete cascade,
  foreign key (tenant_id, owner_staff_id) references staff (tenant_id, id),
  check (start_minute + duration_minutes <= 1440)
);
create index sop_slots_plan on sop_slots (tenant_id, plan_id);

-- What the generator did for one slot, group and local date: the key makes a re-run a no-op.
create table sop_runs (
  tenant_id    uuid not null references tenants (id) on delete cascade,
  id           uuid not null,
  plan_id      uuid not null,
  slot_id      uuid not null,
  group_id     uuid not null,
  local_date   date not null,
  due_at       timestamptz not null,
  mode         text not null check (mode in ('task', 'auto')),
  -- task: a guide task was made; sent: the channel took it; fallback_task: auto was asked but a task
  -- was made instead (reason says why); pending: claimed, send not answered yet
  outcome      text not null check (outcome in ('task', 'sent', 'fallback_task', 'pending')),
  reason       text,
  staff_id     uuid,
  task_key     text,
  created_at   timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, slot_id, group_id, local_date),
  foreign key (tenant_id, plan_id) references sop_plans (tenant_id, id) on delete cascade,
  foreign key (tenant_id, group_id) references customer_groups (tenant_id, id) on delete cascade
);
create index sop_runs_due on sop_runs (tenant_id, due_at desc);

-- 话术库: scripts by scenario and by the tags they answer (高姿: the tag from the questionnaire
-- picks the script).
create table sop_scripts (
  tenant_id    uuid not null references tenants (id) on delete cascade,
  id           uuid not null,
  title        text not null check (length(title) between 1 and 100),
  scenario     text not null check (length(scenario) between 1 and 30),
  body         text not null check (length(body) between 1 and 2000),
  tag_ids      uuid[] not null default '{}',
  use_count    integer not null default 0,
  created_by   text,
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now(),
  primary key (tenant_id, id)
);
create index sop_scripts_tags on sop_scripts using gin (tag_ids);

-- Copies per guide (or console user): who leans on which script.
create table sop_script_uses (
  tenant_id    uuid not null,
  script_id    uuid not null,
  used_by      text not null,
  staff_id     uuid,
  uses         integer not null default 0,
  last_used_at timestamptz not null default now(),
  primary key (tenant_id, script_id, used_by),
  foreign key (tenant_id, script_id) references sop_scripts (tenant_id, id) on delete cascade
);
