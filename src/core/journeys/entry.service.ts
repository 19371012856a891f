// How customers come into journeys and how events reach the instances waiting for them. Events of
// the types live journeys listen to are copied by a trigger on `events` into journey_inbox (every
// writer of events is covered: ingestion, orders, segment entries and exits, tag changes); the
// journey_events job drains it here: enrolments, resumed event waits and goal conversions. Birthday
// and scheduled entries come from the sweep.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { inTransaction } from '../../db/transaction.ts';
import { newId } from '../ids.ts';
import { entryOf, type EntryTrigger, type JourneyGraph } from './journeys.graph.ts';
import { propertiesMatch } from './journeys.rules.ts';
import { runDue, versionGraph, type RunResult } from './runner.service.ts';

export interface InboxEvent {
  eventId: string;
  customerId: string;
  type: string;
  occurredAt: Date;
  properties: Record<string, unknown>;
}

export interface Enrolment {
  journeyId: string;
  version: number;
  customerId: string;
  entryKey: string;
  entryNodeId: string;
  /** When the entry is carried out (the entry event's time, or a birthday's local hour). */
  at: Date;
  event?: Record<string, unknown>;
  reEntry: JourneyGraph['reEntry'];
}

interface LiveJourney {
  id: string;
  version: number;
  graph: JourneyGraph;
}

export async function liveJourneys(db: Db, tenantId: string): Promise<LiveJourney[]> {
  const rows = await db.selectFrom('journeys').select(['id', 'live_version']).where('tenant_id', '=', tenantId)
    .where('status', '=', 'live').where('live_version', 'is not', null).execute();
  const out: LiveJourney[] = [];
  for (const r of rows) {
    if (r.live_version === null) continue;
    out.push({ id: r.id, version: r.live_version, graph: (await versionGraph(db, tenantId, r.id, r.live_version)).graph });
  }
  return out;
}

/** Whether an event lets a customer into a journey with this trigger. */
export function eventEnters(trigger: EntryTrigger, e: Pick<InboxEvent, 'type' | 'properties'>): boolean {
  if (trigger.kind === 'event') return e.type === trigger.eventType && propertiesMatch(e.properties, trigger.where);
  if (trigger.kind === 'segment') {
    return e.type === (trigger.on === 'entered' ? 'segment_entered' : 'segment_exited') && e.properties.segmentId === trigger.segmentId;
  }
  return false;
}

/**
 * Creates instances at the entry node, due at their entry time, unless the customer is in the
 * journey now or the re-entry rule says no. Set-wise; a repeated entry key makes nothing.
 */
export async function enrol(db: Db, tenantId: string, enrolments: Enrolment[]): Promise<number> {
  const seen = new Set<string>();
  const unique = enrolments.filter((e) => {
    const k = `${e.journeyId}:${e.customerId}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  if (unique.length === 0) return 0;
  const col = <T>(f: (e: Enrolment) => T): T[] => unique.map(f);
  // blockDays: -1 any earlier instance blocks (never), 0 only a running one (always), N one entered in the last N days
  const blockDays = col((e) => (e.reEntry.mode === 'never' ? -1 : e.reEntry.mode === 'always' ? 0 : e.reEntry.days));
  const result = await sql`
    insert into journey_instances (tenant_id, id, journey_id, version, customer_id, entry_key, node_id, phase, wake_at, context, entered_at)
    select ${tenantId}, x.id, x.journey_id, x.version, x.customer_id, x.entry_key, x.node_id, 'arrive', x.at,
           jsonb_build_object('event', x.event), x.at
      from unnest(${col(() => newId())}::uuid[], ${col((e) => e.journeyId)}::uuid[], ${col((e) => e.version)}::int[],
                  ${col((e) => e.customerId)}::uuid[], ${col((e) => e.entryKey)}::text[], ${col((e) => e.entryNodeId)}::text[],
                  ${col((e) => e.at.toISOString())}::timestamptz[], ${col((e) => JSON.stringify(e.event ?? {}))}::jsonb[], ${blockDays}::int[])
           as x(id, journey_id, version, customer_id, entry_key, node_id, at, event, block_days)
      join customers c on c.tenant_id = ${tenantId} and c.id = x.customer_id and c.erased_at is null
     where not exists (
       select 1 from journey_instances i
        where i.tenant_id = ${tenantId} and i.journey_id = x.journey_id and i.customer_id = x.customer_id
          and (i.status = 'active' or x.block_days < 0 or (x.block_days > 0 and i.entered_at > x.at - x.block_days * interval '1 day')))
    on conflict do nothing`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/** Enrolments the given events make in the tenant's live journeys. */
export function enrolmentsFor(journeys: LiveJourney[], events: InboxEvent[]): Enrolment[] {
  const out: Enrolment[] = [];
  for (const j of journeys) {
    const entry = entryOf(j.graph);
    if (!entry) continue;
    for (const e of events) {
      if (!eventEnters(entry.trigger, e)) continue;
      out.push({
        journeyId: j.id, version: j.version, customerId: e.customerId, entryKey: `event:${e.eventId}`, entryNodeId: entry.id,
        at: e.occurredAt, event: e.properties, reEntry: j.graph.reEntry,
      });
    }
  }
  return out;
}

/** Waiting instances of these customers that an event of theirs resumes (by type and matched properties, since they entered). */
export async function resumeWaits(db: Db, tenantId: string, events: InboxEvent[], now: Date): Promise<number> {
  if (events.length === 0) return 0;
  const result = await sql`
    update journey_instances i set resume_port = 'event', wake_at = ${now}, context = i.context || jsonb_build_object('resumedBy', ev.event_id)
      from (select distinct on (customer_id, type, properties) * from unnest(${events.map((e) => e.eventId)}::uuid[], ${events.map((e) => e.customerId)}::uuid[],
                  ${events.map((e) => e.type)}::text[], ${events.map((e) => e.occurredAt.toISOString())}::timestamptz[],
                  ${events.map((e) => JSON.stringify(e.properties))}::jsonb[]) as u(event_id, customer_id, type, occurred_at, properties)) ev
     where i.tenant_id = ${tenantId} and i.status = 'active' and i.phase = 'wait' and i.resume_port is null
       and i.customer_id = ev.customer_id and i.wait_event_type = ev.type
       and ev.properties @> coalesce(i.wait_match, '{}') and ev.occurred_at >= i.entered_at`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/** Marks instances converted by a goal event within the goal's days of entering. */
export async function recordConversions(db: Db, tenantId: string, events: InboxEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const result = await sql`
    update journey_instances i set converted_at = ev.occurred_at
      from unnest(${events.map((e) => e.customerId)}::uuid[], ${events.map((e) => e.type)}::text[], ${events.map((e) => e.occurredAt.toISOString())}::timestamptz[])
           as ev(customer_id, type, occurred_at),
           journey_versions v
     where i.tenant_id = ${tenantId} and i.customer_id = ev.customer_id and i.converted_at is null
       and v.tenant_id = i.tenant_id and v.journey_id = i.journey_id and v.version = i.version
       and v.graph -> 'goal' ->> 'eventType' = ev.type
       and ev.occurred_at >= i.entered_at
       and ev.occurred_at <= i.entered_at + ((v.graph -> 'goal' ->> 'withinDays')::int * interval '1 day')`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

export interface EventsOutcome {
  events: number;
  enrolled: number;
  resumed: number;
  converted: number;
  run: RunResult;
}

/** Handles given events (the inbox's, or the simulator's) for a tenant at `now`. */
export async function handleEvents(db: Db, tenantId: string, events: InboxEvent[], now: Date, onlyCustomer?: string): Promise<EventsOutcome> {
  if (events.length === 0) return { events: 0, enrolled: 0, resumed: 0, converted: 0, run: { instances: 0, steps: 0, dueAt: [] } };
  const journeys = await liveJourneys(db, tenantId);
  const enrolled = await enrol(db, tenantId, enrolmentsFor(journeys, events));
  // only the customers these events concern: timers of everyone else are journey_due's work, and
  // this transaction holds the drained inbox rows
  const customerIds = onlyCustomer ? [onlyCustomer] : [...new Set(events.map((e) => e.customerId))];
  const first = await runDue(db, tenantId, { now, customerIds });
  const resumed = await resumeWaits(db, tenantId, events, now);
  const second = resumed > 0 ? await runDue(db, tenantId, { now, customerIds }) : { instances: 0, steps: 0, dueAt: [] };
  const converted = await recordConversions(db, tenantId, events);
  return {
    events: events.length, enrolled, resumed, converted,
    run: { instances: first.instances + second.instances, steps: first.steps + second.steps, dueAt: [...first.dueAt, ...second.dueAt] },
  };
}

/** Drains up to `limit` inbox rows (the event's customer as stored now) and handles them. */
export async function drainInbox(db: Db, tenantId: string, now: Date, limit = 5000): Promise<EventsOutcome> {
  return inTransaction(db, async (trx) => {
    const taken = await sql<{ event_id: string; customer_id: string; type: string; occurred_at: Date; properties: Record<string, unknown> }>`
      with taken as (
        delete from journey_inbox q where q.tenant_id = ${tenantId} and q.seq in (
          select seq from journey_inbox where tenant_id = ${tenantId} order by seq limit ${limit} for update skip locked)
        returning q.event_id, q.type, q.occurred_at, q.properties
      )
      select t.event_id, e.customer_id, t.type, t.occurred_at, t.properties
        from taken t join events e on e.tenant_id = ${tenantId} and e.id = t.event_id
       where e.customer_id is not null`.execute(trx);
    const events = taken.rows.map((r) => ({ eventId: r.event_id, customerId: r.customer_id, type: r.type, occurredAt: r.occurred_at, properties: r.properties }));
    return handleEvents(trx, tenantId, events, now);
  });
}
