// Who is in which segment. One statement evaluates a set of segments for a set of customers (or a
// whole tenant), adds the customers who now match, removes those who no longer do, and writes each
// change as a segment_entered / segment_exited event on the customer's timeline. The real-time
// path, the scheduled sweep and an operator's recompute differ only in which customers they pass.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { inTransaction } from '../../db/transaction.ts';
import { newEventId } from '../tags/tag-changes.ts';
import { checkDefinition, needsSweep, type SegmentNode } from './segments.rules.ts';
import { segmentPredicate, type CompileContext } from './segments.sql.ts';

export interface LiveSegment {
  id: string;
  name: string;
  version: number;
  definition: SegmentNode;
}

export interface MembershipChange {
  segmentId: string;
  entered: number;
  exited: number;
}

export interface TenantSegments {
  timeZone: string;
  /** Active segments, to evaluate. */
  active: LiveSegment[];
  /** Every segment's definition (archived too), for references. */
  definitions: Map<string, SegmentNode>;
}

/** A stored definition was checked when saved; one that no longer reads is treated as matching nobody. */
export function storedDefinition(raw: unknown): SegmentNode {
  const checked = checkDefinition(raw);
  return checked.ok ? checked.definition : { all: [{ field: 'random_bucket', op: 'between', value: [0, -1], salt: 'unreadable' }] };
}

export async function loadTenantSegments(db: Db, tenantId: string): Promise<TenantSegments> {
  const [tenant, rows] = await Promise.all([
    db.selectFrom('tenants').select('timezone').where('id', '=', tenantId).executeTakeFirst(),
    db.selectFrom('segments').select(['id', 'name', 'version', 'definition', 'status']).where('tenant_id', '=', tenantId).orderBy('id').execute(),
  ]);
  const definitions = new Map<string, SegmentNode>();
  const active: LiveSegment[] = [];
  for (const r of rows) {
    const definition = storedDefinition(r.definition);
    definitions.set(r.id, definition);
    if (r.status === 'active') active.push({ id: r.id, name: r.name, version: r.version, definition });
  }
  return { timeZone: tenant?.timezone ?? 'Asia/Shanghai', active, definitions };
}

export function segmentsNeedingSweep(segments: TenantSegments): LiveSegment[] {
  return segments.active.filter((s) => needsSweep(s.definition, segments.definitions));
}

/**
 * Re-evaluates `segments` for `customerIds` (all of the tenant's customers when undefined) in one
 * statement. Entries insert on conflict do nothing and exits delete what is there, so two
 * evaluations of the same customer at once record each change once.
 */
export async function evaluateMembership(
  db: Db, tenantId: string, context: { timeZone: string; now: Date; definitions: ReadonlyMap<string, SegmentNode> },
  segments: LiveSegment[], customerIds: string[] | undefined,
): Promise<MembershipChange[]> {
  if (segments.length === 0 || customerIds?.length === 0) return [];
  const ctx: CompileContext = { timeZone: context.timeZone, now: context.now, segments: context.definitions };
  const ids = customerIds ? [...new Set(customerIds)].sort() : undefined;
  const onlyThese = (column: RawBuilder<unknown>) => (ids ? sql`and ${column} = any(${ids}::uuid[])` : sql``);
  const should = sql.join(segments.map((s) => sql`
    select ${s.id}::uuid as segment_id, c.id as customer_id
      from customers c
     where c.tenant_id = ${tenantId} ${onlyThese(sql`c.id`)} and c.erased_at is null and ${segmentPredicate(s.definition, ctx)}`), sql` union all `);
  const segmentRows = sql.join(segments.map((s) => sql`(${s.id}::uuid, ${s.name}::text, ${s.version}::int)`));
  const result = await sql<{ segment_id: string; entered: number; exited: number }>`
    with should as (${should}),
    entered as (
      insert into segment_members (tenant_id, segment_id, customer_id, entered_at)
      select ${tenantId}::uuid, segment_id, customer_id, clock_timestamp() from should
      on conflict do nothing
      returning segment_id, customer_id
    ),
    exited as (
      delete from segment_members m
       where m.tenant_id = ${tenantId} and m.segment_id = any(${segments.map((s) => s.id)}::uuid[]) ${onlyThese(sql`m.customer_id`)}
         and not exists (select 1 from should s where s.segment_id = m.segment_id and s.customer_id = m.customer_id)
      returning m.segment_id, m.customer_id
    ),
    changes as (
      select segment_id, customer_id, 'segment_entered' as type from entered
      union all select segment_id, customer_id, 'segment_exited' from exited
    ),
    segs (id, name, version) as (values ${segmentRows}),
    logged as (
      insert into events (tenant_id, id, event_key, type, customer_id, occurred_at, source, actor, properties)
      select ${tenantId}::uuid, e.id, 'yuchi:' || e.id, e.type, e.customer_id, clock_timestamp(), 'yuchi', 'segment:' || e.segment_id,
             jsonb_build_object('segmentId', e.segment_id, 'segmentName', g.name, 'version', g.version)
        from (select ${newEventId} as id, ch.* from changes ch) e
        join segs g on g.id = e.segment_id
    )
    select segment_id, (count(*) filter (where type = 'segment_entered'))::int as entered, (count(*) filter (where type = 'segment_exited'))::int as exited
      from changes group by segment_id`.execute(db);
  const bySegment = new Map(result.rows.map((r) => [r.segment_id, r]));
  return segments.map((s) => ({ segmentId: s.id, entered: bySegment.get(s.id)?.entered ?? 0, exited: bySegment.get(s.id)?.exited ?? 0 }));
}

/** Writes today's size (tenant zone) of the given segments from their members. */
export async function recordSizes(db: Db, tenantId: string, timeZone: string, segmentIds: string[], now = new Date()): Promise<void> {
  if (segmentIds.length === 0) return;
  await sql`
    insert into segment_sizes (tenant_id, segment_id, day, size, counted_at)
    select ${tenantId}::uuid, s.id, (${now}::timestamptz at time zone ${timeZone}::text)::date, coalesce(m.n, 0), now()
      from unnest(${segmentIds}::uuid[]) s (id)
      left join (select segment_id, count(*)::int as n from segment_members where tenant_id = ${tenantId} and segment_id = any(${segmentIds}::uuid[]) group by segment_id) m
        on m.segment_id = s.id
    on conflict (tenant_id, segment_id, day) do update set size = excluded.size, counted_at = excluded.counted_at`.execute(db);
}

/** A full evaluation of some of a tenant's segments over all its customers, then their sizes. */
export async function recomputeSegments(db: Db, tenantId: string, segments: TenantSegments, which: LiveSegment[], now = new Date()): Promise<MembershipChange[]> {
  const changes: MembershipChange[] = [];
  // One segment per transaction: a large tenant's recompute does not hold every segment's locks at once.
  for (const segment of which) {
    const [change] = await inTransaction(db, (trx) => evaluateMembership(trx, tenantId, { ...segments, now }, [segment], undefined));
    if (change) changes.push(change);
  }
  await recordSizes(db, tenantId, segments.timeZone, which.map((s) => s.id), now);
  return changes;
}

/**
 * Queues customers for re-evaluation inside the caller's write transaction, and wakes the worker
 * (graphile-worker's NOTIFY is sent at commit). One statement; nothing is queued for a tenant
 * without active segments.
 */
export async function queueSegmentEvaluation(db: Db, tenantId: string, customerIds: string[]): Promise<void> {
  if (customerIds.length === 0) return;
  await sql`select segments_enqueue(${tenantId}::uuid, ${customerIds}::uuid[])`.execute(db);
}

export const EVALUATE_TASK = 'evaluate_segments';
export const DRAIN_BATCH = 1000;

/**
 * Takes up to `batch` queued customers (skipping rows another worker holds), evaluates every active
 * segment for them and deletes their queue rows, all in one transaction: a crash leaves them queued.
 * Returns how many queue rows were taken (0 when the queue is empty).
 */
export async function drainSegmentQueue(db: Db, tenantId: string, batch = DRAIN_BATCH, now?: Date): Promise<{ taken: number; changes: MembershipChange[] }> {
  return inTransaction(db, async (trx) => {
    // The locking pick runs once, as its own step (a subquery could be re-run per row of a nested loop).
    const taken = await sql<{ customer_id: string }>`
      with picked as materialized (
        select id from segment_queue where tenant_id = ${tenantId} order by id limit ${batch}::int for update skip locked
      )
      delete from segment_queue q using picked p
       where q.tenant_id = ${tenantId} and q.id = p.id
      returning q.customer_id`.execute(trx);
    if (taken.rows.length === 0) return { taken: 0, changes: [] };
    const segments = await loadTenantSegments(trx, tenantId);
    const changes = await evaluateMembership(trx, tenantId, { ...segments, now: now ?? new Date() }, segments.active, taken.rows.map((r) => r.customer_id));
    return { taken: taken.rows.length, changes };
  });
}

/** Drains a tenant's queue until it is empty. */
export async function drainAll(db: Db, tenantId: string, now?: Date): Promise<{ customers: number; entered: number; exited: number }> {
  let customers = 0, entered = 0, exited = 0;
  for (;;) {
    const { taken, changes } = await drainSegmentQueue(db, tenantId, DRAIN_BATCH, now);
    customers += taken;
    for (const c of changes) { entered += c.entered; exited += c.exited; }
    if (taken < DRAIN_BATCH) return { customers, entered, exited };
  }
}

/** The scheduled sweep of one tenant: what is left in the queue, a full recompute of the time- and score-dependent segments, and today's sizes of all. */
export async function sweepSegments(db: Db, tenantId: string, now = new Date()): Promise<{ segments: number; entered: number; exited: number }> {
  // Whatever a failed evaluation job left queued is taken here too.
  await drainAll(db, tenantId, now);
  const segments = await loadTenantSegments(db, tenantId);
  const changes = await recomputeSegments(db, tenantId, segments, segmentsNeedingSweep(segments), now);
  await recordSizes(db, tenantId, segments.timeZone, segments.active.map((s) => s.id), now);
  return {
    segments: changes.length,
    entered: changes.reduce((n, c) => n + c.entered, 0),
    exited: changes.reduce((n, c) => n + c.exited, 0),
  };
}
