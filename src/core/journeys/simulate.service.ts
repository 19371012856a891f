// `journey simulate`: one customer through a journey on a virtual clock. It runs the real engine
// (the same walk, the same condition SQL, the same action writes) inside a transaction that is
// always rolled back, jumping the clock from one timer or given event to the next, and reports
// the path with virtual times and what would have been sent. Nothing is kept, nothing is sent.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { notFound, YuchiError } from '../errors.ts';
import { newId, UUID_PATTERN } from '../ids.ts';
import type { AppliedAction } from './actions.service.ts';
import { enrol, eventEnters, recordConversions, resumeWaits, type InboxEvent } from './entry.service.ts';
import { entryOf, type JourneyGraph } from './journeys.graph.ts';
import { checkGraph } from './journeys.rules.ts';
import { SIMULATED_VERSION, runDue } from './runner.service.ts';

export interface SimulatedEvent {
  type: string;
  /** ISO instant, or an offset from the start such as "+2h", "+30m", "+3d". */
  at: string;
  properties?: Record<string, unknown>;
}

export interface SimulatedStep {
  at: string;
  nodeId: string;
  nodeType: string;
  label: string;
  outcome: string;
  actions: AppliedAction[];
}

export interface Simulation {
  journeyId: string;
  customerId: string;
  /** The published version simulated, or null for the draft. */
  version: number | null;
  start: string;
  end: string;
  entryEvent: { type: string; at: string; properties: Record<string, unknown> } | null;
  steps: SimulatedStep[];
  status: string;
  /** Where the customer stands when the simulation stops (still waiting past the horizon, or the end). */
  nodeId: string;
  wakeAt: string | null;
  convertedAt: string | null;
  eventsFed: number;
}

class RolledBack extends Error {
  constructor(readonly result: Simulation) {
    super('simulation rolled back');
  }
}

const OFFSET = /^\+(\d+(?:\.\d+)?)(m|h|d)$/;

export function eventTime(at: string, start: Date): Date {
  const m = OFFSET.exec(at.trim());
  if (m) return new Date(start.getTime() + Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'm' | 'h' | 'd']);
  const t = Date.parse(at);
  if (Number.isNaN(t)) throw new YuchiError('invalid', `event time ${at}: give an ISO instant or an offset like +2h`, [{ path: 'events.at', message: 'not a time', code: 'event_time_format', params: { at } }]);
  return new Date(t);
}

export interface SimulateOptions {
  journeyId: string;
  customerId: string;
  start: Date;
  events?: SimulatedEvent[];
  /** A published version; the draft when left out. */
  version?: number;
  /** How far the clock may run (default 400 days). */
  horizonDays?: number;
}

export async function simulateJourney(db: Db, tenantId: string, options: SimulateOptions): Promise<Simulation> {
  if (!UUID_PATTERN.test(options.journeyId)) throw notFound('journey');
  if (!UUID_PATTERN.test(options.customerId)) throw notFound('customer');
  try {
    await db.transaction().execute(async (trx) => {
      throw new RolledBack(await simulateIn(trx, tenantId, options));
    });
  } catch (err) {
    if (err instanceof RolledBack) return err.result;
    throw err;
  }
  throw new Error('simulation did not finish');
}

async function simulateIn(db: Db, tenantId: string, options: SimulateOptions): Promise<Simulation> {
  const journey = await db.selectFrom('journeys').select(['draft', 'live_version']).where('tenant_id', '=', tenantId).where('id', '=', options.journeyId).executeTakeFirst();
  if (!journey) throw notFound('journey');
  const customer = await db.selectFrom('customers').select('id').where('tenant_id', '=', tenantId).where('id', '=', options.customerId).executeTakeFirst();
  if (!customer) throw notFound('customer');

  let graph: JourneyGraph;
  let version: number;
  if (options.version !== undefined) {
    const row = await db.selectFrom('journey_versions').select('graph').where('tenant_id', '=', tenantId)
      .where('journey_id', '=', options.journeyId).where('version', '=', options.version).executeTakeFirst();
    if (!row) throw notFound(`version ${options.version}`);
    const checked = checkGraph(row.graph);
    if (!checked.ok) throw new YuchiError('invalid', checked.problems[0]?.message ?? 'invalid', checked.problems);
    graph = checked.graph;
    version = options.version;
  } else {
    const checked = checkGraph(journey.draft);
    if (!checked.ok) throw new YuchiError('invalid', checked.problems[0]?.message ?? 'the draft is not valid', checked.problems);
    graph = checked.graph;
    version = SIMULATED_VERSION;
    await db.insertInto('journey_versions').values({ tenant_id: tenantId, journey_id: options.journeyId, version, graph: JSON.stringify(graph), published_by: 'simulation' }).execute();
  }
  const entry = entryOf(graph);
  if (!entry) throw new YuchiError('invalid', 'the journey has no entry', [{ path: 'graph', message: 'has no entry', code: 'journey_no_entry', params: {} }]);

  const start = options.start;
  const given = (options.events ?? []).map((e, i) => ({
    eventId: newId(), customerId: options.customerId, type: e.type, occurredAt: eventTime(e.at, start), properties: e.properties ?? {}, index: i,
  })).sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || a.index - b.index);
  const entryEvent = entry.trigger.kind === 'event' || entry.trigger.kind === 'segment' ? given.find((e) => eventEnters(entry.trigger, e)) : undefined;
  const queue: InboxEvent[] = given.filter((e) => e !== entryEvent);
  const enteredAt = entryEvent?.occurredAt ?? start;

  // the given events are written to the timeline (inside the rolled-back transaction), so conditions
  // on events in a window see them once their time has come
  if (given.length > 0) {
    await sql`
      insert into events (tenant_id, id, event_key, type, customer_id, occurred_at, source, actor, properties)
      select ${tenantId}, e.id, 'simulation:' || e.id, e.type, ${options.customerId}, e.at, 'simulation', 'simulation', e.properties
        from unnest(${given.map((e) => e.eventId)}::uuid[], ${given.map((e) => e.type)}::text[], ${given.map((e) => e.occurredAt.toISOString())}::timestamptz[],
                    ${given.map((e) => JSON.stringify(e.properties))}::jsonb[]) as e(id, type, at, properties)`.execute(db);
  }
  // another live instance of this customer must not block the simulation's own
  await sql`update journey_instances set status = 'exited' where tenant_id = ${tenantId} and journey_id = ${options.journeyId}
              and customer_id = ${options.customerId} and status = 'active'`.execute(db);
  // a paused journey does not move; the simulation shows how it would run
  await sql`update journeys set status = 'live' where tenant_id = ${tenantId} and id = ${options.journeyId}`.execute(db);
  const instanceKey = `simulation:${newId()}`;
  await enrol(db, tenantId, [{
    journeyId: options.journeyId, version, customerId: options.customerId, entryKey: instanceKey, entryNodeId: entry.id, at: enteredAt,
    event: entryEvent?.properties ?? {}, reEntry: { mode: 'always' },
  }]);
  const instance = await db.selectFrom('journey_instances').select('id').where('tenant_id', '=', tenantId).where('entry_key', '=', instanceKey).executeTakeFirstOrThrow();

  const actions: AppliedAction[] = [];
  const onActions = (a: AppliedAction[]) => actions.push(...a.filter((x) => x.instanceId === instance.id));
  const horizon = enteredAt.getTime() + (options.horizonDays ?? 400) * 86_400_000;
  let clock = enteredAt;
  let fed = 0;
  for (let i = 0; i < 1000; i++) {
    await runDue(db, tenantId, { now: clock, instanceIds: [instance.id], onActions });
    const now = await db.selectFrom('journey_instances').select(['status', 'phase', 'wake_at']).where('tenant_id', '=', tenantId).where('id', '=', instance.id).executeTakeFirstOrThrow();
    if (now.status !== 'active') break;
    const nextEvent = queue[0];
    const wake = now.wake_at;
    if (nextEvent && (!wake || nextEvent.occurredAt < wake)) {
      queue.shift();
      clock = nextEvent.occurredAt > clock ? nextEvent.occurredAt : clock;
      await resumeWaits(db, tenantId, [nextEvent], clock);
      await recordConversions(db, tenantId, [nextEvent]);
      fed += 1;
      continue;
    }
    if (!wake || wake.getTime() > horizon) break;
    clock = wake > clock ? wake : clock;
  }
  // goal events that came after the walk ended still convert
  if (queue.length > 0) await recordConversions(db, tenantId, queue);

  const final = await db.selectFrom('journey_instances').select(['status', 'node_id', 'wake_at', 'converted_at']).where('tenant_id', '=', tenantId).where('id', '=', instance.id).executeTakeFirstOrThrow();
  const steps = await db.selectFrom('journey_steps').select(['seq', 'node_id', 'outcome', 'at']).where('tenant_id', '=', tenantId).where('instance_id', '=', instance.id).orderBy('seq').execute();
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  const seen = new Set<AppliedAction>();
  return {
    journeyId: options.journeyId, customerId: options.customerId, version: options.version ?? null,
    start: start.toISOString(), end: clock.toISOString(),
    entryEvent: entryEvent ? { type: entryEvent.type, at: entryEvent.occurredAt.toISOString(), properties: entryEvent.properties } : null,
    steps: steps.map((s) => {
      const node = nodes.get(s.node_id);
      const mine = actions.filter((a) => a.nodeId === s.node_id && !seen.has(a)).slice(0, 1);
      for (const a of mine) seen.add(a);
      return { at: s.at.toISOString(), nodeId: s.node_id, nodeType: node?.type ?? '?', label: node?.label ?? s.node_id, outcome: s.outcome, actions: mine };
    }),
    status: final.status, nodeId: final.node_id, wakeAt: final.status === 'active' ? final.wake_at?.toISOString() ?? null : null,
    convertedAt: final.converted_at?.toISOString() ?? null, eventsFed: fed,
  };
}
