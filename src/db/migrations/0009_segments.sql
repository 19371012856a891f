-- Segments, continued: every saved version of a definition, the size of each segment per day, and
-- the durable queue of customers whose membership must be re-evaluated.

-- Each version a segment has had (the current one included), so an operator sees what changed.
create table segment_versions (
  tenant_id    uuid not null references tenants (id) on delete cascade,
  segment_id   uuid not null,
  version      integer not null,
  name         text not null,
  definition   jsonb not null,
  created_by   text not null default '',
  created_at   timestamptz not null default now(),
  primary key (tenant_id, segment_id, version),
  foreign key (tenant_id, segment_id) references segments (tenant_id, id) on delete cascade
);

-- A segment's size on each calendar day of the tenant's zone (the last count taken that day).
create table segment_sizes (
  tenant_id    uuid not null references tenants (id) on delete cascade,
  segment_id   uuid not null,
  day          date not null,
  size         integer not null,
  counted_at   timestamptz not null default now(),
  primary key (tenant_id, segment_id, day),
  foreign key (tenant_id, segment_id) references segments (tenant_id, id) on delete cascade
);

-- Customers changed by a committed write (event, order, tag, import, form), queued inside that
-- write's transaction so a crash after commit still gets them evaluated. The worker deletes the
-- rows it evaluates in the transaction that writes the result. No foreign key: a merged-away
-- customer's row is simply evaluated as "no such customer" (nothing matches, it leaves).
create table segment_queue (
  tenant_id    uuid not null references tenants (id) on delete cascade,
  id           bigint generated always as identity,
  customer_id  uuid not null,
  queued_at    timestamptz not null default now(),
  primary key (tenant_id, id)
);

-- Queues customers for segment evaluation and wakes the worker, in one call from the writing
-- transaction (graphile-worker sends its NOTIFY at commit). A tenant without an active segment
-- queues nothing. No job key: concurrent writers then never wait on one job row.
create function segments_enqueue(p_tenant uuid, p_customers uuid[]) returns integer
language plpgsql as $$
declare
  queued integer;
begin
  if coalesce(cardinality(p_customers), 0) = 0
     or not exists (select 1 from segments where tenant_id = p_tenant and status = 'active') then
    return 0;
  end if;
  insert into segment_queue (tenant_id, customer_id) select p_tenant, unnest(p_customers);
  get diagnostics queued = row_count;
  perform graphile_worker.add_job('evaluate_segments', json_build_object('tenantId', p_tenant), max_attempts => 25);
  return queued;
end
$$;
