-- A customer waits in the segment queue once. An ingested batch queued a customer and then, when a
-- rule tag changed in the same transaction, queued them again, and each call added a worker job.
-- Now a second request for a customer already waiting changes nothing and adds no job: the job
-- that will take the waiting row evaluates the customer's state as of then, which includes this
-- write. A row a worker has taken but not yet committed blocks the insert until that worker
-- commits its delete, so a change made during an evaluation is queued again, never lost.
delete from segment_queue q
 using segment_queue older
 where older.tenant_id = q.tenant_id and older.customer_id = q.customer_id and older.id < q.id;
create unique index segment_queue_customer on segment_queue (tenant_id, customer_id);

create or replace function segments_enqueue(p_tenant uuid, p_customers uuid[]) returns integer
language plpgsql as $$
declare
  queued integer;
begin
  if coalesce(cardinality(p_customers), 0) = 0
     or not exists (select 1 from segments where tenant_id = p_tenant and status = 'active') then
    return 0;
  end if;
  insert into segment_queue (tenant_id, customer_id) select p_tenant, unnest(p_customers)
  on conflict (tenant_id, customer_id) do nothing;
  get diagnostics queued = row_count;
  if queued > 0 then
    perform graphile_worker.add_job('evaluate_segments', json_build_object('tenantId', p_tenant), max_attempts => 25);
  end if;
  return queued;
end
$$;
