-- Playbooks applied to a tenant, and every object each one made, so an application can be shown,
-- tracked against its KPI targets and undone. An object keeps the name it was given (a suffix
-- when the tenant already had one of that name) and, after an undo, what became of it.
create table playbook_applications (
  tenant_id   uuid not null references tenants (id) on delete cascade,
  id          uuid not null,
  model       text not null check (model in ('expert', 'advisor', 'shopping', 'interest')),
  status      text not null default 'applied' check (status in ('applied', 'undone')),
  targets     jsonb not null,
  applied_by  text not null,
  applied_at  timestamptz not null default now(),
  undone_by   text,
  undone_at   timestamptz,
  primary key (tenant_id, id)
);
create index playbook_applications_latest on playbook_applications (tenant_id, applied_at desc);

create table playbook_objects (
  tenant_id       uuid not null,
  application_id  uuid not null,
  seq             integer not null,
  kind            text not null,
  item_key        text not null,
  object_id       uuid not null,
  name            text not null,
  -- after an undo: removed, ended (kept for what it already did), kept (in use, with the reason), gone
  outcome         text,
  outcome_reason  text,
  primary key (tenant_id, application_id, seq),
  foreign key (tenant_id, application_id) references playbook_applications (tenant_id, id) on delete cascade
);
create index playbook_objects_object on playbook_objects (tenant_id, object_id);
