-- Journeys (自动化旅程): a graph of entry, wait, branch and action nodes that customers walk one
-- at a time. Publishing freezes the graph as a numbered version; an instance stays on the version
-- it entered, so editing a live journey never moves a customer who is half-way through it.

create table journeys (
  tenant_id      uuid not null references tenants (id) on delete cascade,
  id             uuid not null,
  name           text not null check (length(name) between 1 and 100),
  description    text not null default '',
  -- draft: never published; live: new customers enter; paused: nobody enters or moves on;
  -- archived: nobody enters, running instances finish
  status         text not null default 'draft' check (status in ('draft', 'live', 'paused', 'archived')),
  -- the graph being edited; published versions are copies in journey_versions
  draft          jsonb not null,
  live_version   integer,
  created_by     text not null,
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  primary key (tenant_id, id)
);

create table journey_versions (
  tenant_id      uuid not null,
  journey_id     uuid not null,
  version        integer not null,
  graph          jsonb not null,
  published_by   text not null,
  published_at   timestamptz not null default now(),
  primary key (tenant_id, journey_id, version),
  foreign key (tenant_id, journey_id) references journeys (tenant_id, id) on delete cascade
);

-- One customer's walk through one version. node_id is where the customer is; phase 'arrive'
-- means the node is still to be carried out, 'wait' that the customer is parked at a wait node
-- until wake_at or until an event of wait_event_type whose properties contain wait_match.
create table journey_instances (
  tenant_id        uuid not null,
  id               uuid not null,
  journey_id       uuid not null,
  version          integer not null,
  customer_id      uuid not null,
  -- what let the customer in, unique per journey and customer: an event id, 'birthday:2026', a
  -- scheduled day, so a retried enrolment makes no second instance
  entry_key        text not null,
  status           text not null default 'active' check (status in ('active', 'completed', 'exited', 'held_out', 'failed')),
  node_id          text not null,
  phase            text not null default 'arrive' check (phase in ('arrive', 'wait')),
  wake_at          timestamptz,
  wait_event_type  text,
  wait_match       jsonb,
  -- set when the awaited event came: the wait leaves by this port instead of the timeout
  resume_port      text,
  -- steps taken so far: the next step's seq, and part of each message's dedupe key
  step_count       integer not null default 0,
  -- the entry event's properties (template variables, "same key" matching) and per-instance notes
  context          jsonb not null default '{}',
  entered_at       timestamptz not null,
  updated_at       timestamptz not null default now(),
  finished_at      timestamptz,
  converted_at     timestamptz,
  primary key (tenant_id, id),
  foreign key (tenant_id, journey_id, version) references journey_versions (tenant_id, journey_id, version),
  unique (tenant_id, journey_id, customer_id, entry_key)
);
-- at most one running instance per customer and journey
create unique index journey_instances_one_active on journey_instances (tenant_id, journey_id, customer_id) where status = 'active';
-- the timer queue: due instances of a tenant, oldest first
create index journey_instances_due on journey_instances (tenant_id, wake_at) where status = 'active';
-- events resume the waiting instances of their customer; the customer's journeys page
create index journey_instances_customer on journey_instances (tenant_id, customer_id) where status = 'active';
create index journey_instances_customer_all on journey_instances (tenant_id, customer_id, entered_at desc);
create index journey_instances_journey on journey_instances (tenant_id, journey_id, version, node_id, status);

-- Every node an instance went through, with the port it left by: the per-node statistics and the
-- path shown to an operator.
create table journey_steps (
  tenant_id    uuid not null,
  instance_id  uuid not null,
  seq          integer not null,
  journey_id   uuid not null,
  version      integer not null,
  node_id      text not null,
  -- the port the instance left by (next, yes, no, a branch key, event, timeout), or waiting,
  -- exited, held_out, failed
  outcome      text not null,
  detail       jsonb not null default '{}',
  at           timestamptz not null,
  primary key (tenant_id, instance_id, seq)
);
create index journey_steps_node on journey_steps (tenant_id, journey_id, node_id);

-- The event types some live journey listens to (entry, wait-for-event, goal), per tenant. The
-- trigger on events looks here so ingestion pays almost nothing for the events no journey wants.
create table journey_listens (
  tenant_id  uuid not null,
  type       text not null,
  primary key (tenant_id, type)
);

-- Events a journey may want, copied by the trigger and drained by the journey_events job.
create table journey_inbox (
  tenant_id    uuid not null,
  seq          bigint generated always as identity,
  event_id     uuid not null,
  customer_id  uuid not null,
  type         text not null,
  occurred_at  timestamptz not null,
  properties   jsonb not null,
  primary key (tenant_id, seq)
);

-- One statement-level trigger per insert into events (a batch of 1,000 is one call): it keeps the
-- rows of listened types and asks the worker, once per statement, to look at them. Every path that
-- writes events (ingestion, orders, imports, segment entries and exits, tag changes) is covered.
create function journey_events_listen() returns trigger
language plpgsql as $$
declare
  kept integer;
  tenant uuid;
begin
  if not exists (select 1 from journey_listens) then
    return null;
  end if;
  insert into journey_inbox (tenant_id, event_id, customer_id, type, occurred_at, properties)
  select n.tenant_id, n.id, n.customer_id, n.type, n.occurred_at, n.properties
    from journey_new_events n
    join journey_listens l on l.tenant_id = n.tenant_id and l.type = n.type
   where n.customer_id is not null;
  get diagnostics kept = row_count;
  if kept > 0 then
    for tenant in select distinct n.tenant_id from journey_new_events n loop
      perform graphile_worker.add_job('journey_events', json_build_object('tenantId', tenant),
                                      job_key => 'journey_events:' || tenant, max_attempts => 25);
    end loop;
  end if;
  return null;
end
$$;

create trigger journey_events_listen after insert on events
  referencing new table as journey_new_events
  for each statement execute function journey_events_listen();
