// The journey engine: takes a tenant's due instances in batches (for update skip locked), walks
// each through its version's graph (journeys.engine.ts), answers the conditions they stop at with
// one SQL statement per condition node, and writes what came out set-wise: instance positions,
// steps, message requests, tag changes, guide tasks, coupons. Everything runs at `now` passed in,
// so tests and `journey simulate` drive it with their own clock.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { inTransaction } from '../../db/transaction.ts';
import { loadTenantSegments, storedDefinition } from '../segments/membership.service.ts';
import { segmentPredicate } from '../segments/segments.sql.ts';
import { compileGraph, walk, type CompiledGraph, type InstanceState, type JourneyAction, type StepRecord } from './journeys.engine.ts';
import { JourneyGraph, type JourneyNode } from './journeys.graph.ts';
import { applyActions, type AppliedAction } from './actions.service.ts';

/** The version number a simulation gives the draft it runs, inside its rolled-back transaction. */
export const SIMULATED_VERSION = 0;

const graphCache = new Map<string, CompiledGraph>();
/** Versions never change once published, so a process keeps each it has read (not a simulated draft). */
export async function versionGraph(db: Db, tenantId: string, journeyId: string, version: number): Promise<CompiledGraph> {
  const key = `${tenantId}:${journeyId}:${version}`;
  const cached = version === SIMULATED_VERSION ? undefined : graphCache.get(key);
  if (cached) return cached;
  const row = await db.selectFrom('journey_versions').select('graph').where('tenant_id', '=', tenantId)
    .where('journey_id', '=', journeyId).where('version', '=', version).executeTakeFirstOrThrow();
  const compiled = compileGraph(JourneyGraph.parse(row.graph));
  if (graphCache.size > 5_000) graphCache.clear();
  if (version !== SIMULATED_VERSION) graphCache.set(key, compiled);
  return compiled;
}

export interface RunOptions {
  now: Date;
  batchSize?: number;
  /** Only these instances (the simulator walks one). */
  instanceIds?: string[];
  /** Only instances of these customers (the event path walks the customers its events concern). */
  customerIds?: string[];
  /** Told what the actions of each round wrote (the simulator reports them as what would be sent). */
  onActions?: (applied: AppliedAction[]) => void;
}

export interface RunResult {
  instances: number;
  steps: number;
  /** Due-at of each processed instance, for timer lag figures. */
  dueAt: Date[];
}

type Row = {
  id: string; journey_id: string; version: number; customer_id: string; status: InstanceState['status']; node_id: string;
  phase: 'arrive' | 'wait'; wake_at: Date | null; wait_event_type: string | null; wait_match: Record<string, unknown> | null;
  resume_port: string | null; step_count: number; context: InstanceState['context'];
};

/** Processes one batch of due instances in one transaction; returns how many it took. */
export async function processDue(db: Db, tenantId: string, options: RunOptions): Promise<RunResult> {
  return inTransaction(db, async (trx) => {
    const only = options.instanceIds ? sql`and i.id = any(${options.instanceIds}::uuid[])`
      : options.customerIds ? sql`and i.customer_id = any(${options.customerIds}::uuid[])` : sql``;
    const due = (await sql<Row>`
      select i.id, i.journey_id, i.version, i.customer_id, i.status, i.node_id, i.phase, i.wake_at, i.wait_event_type,
             i.wait_match, i.resume_port, i.step_count, i.context
        from journey_instances i
       where i.tenant_id = ${tenantId} and i.status = 'active' and i.wake_at <= ${options.now} ${only}
         and not exists (select 1 from journeys j where j.tenant_id = i.tenant_id and j.id = i.journey_id and j.status = 'paused')
       order by i.wake_at
       limit ${options.batchSize ?? 1000}
       for update of i skip locked`.execute(trx)).rows;
    if (due.length === 0) return { instances: 0, steps: 0, dueAt: [] };
    const tz = (await trx.selectFrom('tenants').select('timezone').where('id', '=', tenantId).executeTakeFirst())?.timezone ?? 'Asia/Shanghai';
    const instances = due.map(toState);
    const graphs = new Map<string, CompiledGraph>();
    for (const i of instances) {
      const key = `${i.journeyId}:${i.version}`;
      if (!graphs.has(key)) graphs.set(key, await versionGraph(trx, tenantId, i.journeyId, i.version));
    }
    const graphOf = (i: InstanceState): CompiledGraph => graphs.get(`${i.journeyId}:${i.version}`) ?? compileGraph({ nodes: [], edges: [], goal: null, reEntry: { mode: 'never' } });

    const steps: { instance: InstanceState; step: StepRecord }[] = [];
    let pending = instances.map((instance) => ({ instance, answer: undefined as boolean | undefined }));
    for (let round = 0; round < 10 && pending.length > 0; round++) {
      const actions: { instance: InstanceState; action: JourneyAction }[] = [];
      const atCondition: InstanceState[] = [];
      for (const p of pending) {
        const w = walk(graphOf(p.instance), p.instance, { now: options.now, timeZone: tz, ...(p.answer === undefined ? {} : { conditionAnswer: p.answer }) });
        for (const s of w.steps) steps.push({ instance: p.instance, step: s });
        for (const a of w.actions) actions.push({ instance: p.instance, action: a });
        if (w.stoppedAt === 'condition') atCondition.push(p.instance);
      }
      const applied = await applyActions(trx, tenantId, actions, options.now, tz);
      options.onActions?.(applied);
      const answers = await answerConditions(trx, tenantId, atCondition, graphOf, options.now, tz);
      pending = atCondition.map((instance) => ({ instance, answer: answers.get(instance.id) ?? false }));
    }
    await saveInstances(trx, tenantId, instances, options.now);
    await saveSteps(trx, tenantId, steps);
    return { instances: instances.length, steps: steps.length, dueAt: due.map((d) => d.wake_at ?? options.now) };
  });
}

function toState(r: Row): InstanceState {
  return {
    id: r.id, journeyId: r.journey_id, version: r.version, customerId: r.customer_id, status: r.status, nodeId: r.node_id, phase: r.phase,
    wakeAt: r.wake_at, waitEventType: r.wait_event_type, waitMatch: r.wait_match, resumePort: r.resume_port, stepCount: r.step_count, context: r.context,
  };
}

/** One statement per condition node: which of the customers standing at it match its definition now. */
async function answerConditions(db: Db, tenantId: string, waiting: InstanceState[], graphOf: (i: InstanceState) => CompiledGraph, now: Date, timeZone: string): Promise<Map<string, boolean>> {
  const answers = new Map<string, boolean>();
  if (waiting.length === 0) return answers;
  const byNode = new Map<string, { node: JourneyNode; instances: InstanceState[] }>();
  for (const i of waiting) {
    const node = graphOf(i).nodes.get(i.nodeId);
    if (!node || node.type !== 'condition') continue;
    const key = `${i.journeyId}:${i.version}:${i.nodeId}`;
    const entry = byNode.get(key) ?? { node, instances: [] };
    entry.instances.push(i);
    byNode.set(key, entry);
  }
  const segments = await loadTenantSegments(db, tenantId);
  for (const { node, instances } of byNode.values()) {
    if (node.type !== 'condition') continue;
    const predicate = segmentPredicate(storedDefinition(node.definition), { timeZone, now, segments: segments.definitions });
    const ids = [...new Set(instances.map((i) => i.customerId))];
    const matched = await sql<{ id: string }>`
      select c.id from customers c where c.tenant_id = ${tenantId} and c.id = any(${ids}::uuid[]) and ${predicate}`.execute(db);
    const yes = new Set(matched.rows.map((r) => r.id));
    for (const i of instances) answers.set(i.id, yes.has(i.customerId));
  }
  return answers;
}

async function saveInstances(db: Db, tenantId: string, instances: InstanceState[], now: Date): Promise<void> {
  const col = <T>(f: (i: InstanceState) => T): T[] => instances.map(f);
  await sql`
    update journey_instances i set
      status = u.status, node_id = u.node_id, phase = u.phase, wake_at = u.wake_at, wait_event_type = u.wait_event_type,
      wait_match = u.wait_match, resume_port = null, step_count = u.step_count, context = u.context, updated_at = ${now},
      finished_at = case when u.status <> 'active' then ${now}::timestamptz end
      from unnest(${col((i) => i.id)}::uuid[], ${col((i) => i.status)}::text[], ${col((i) => i.nodeId)}::text[], ${col((i) => i.phase)}::text[],
                  ${col((i) => i.wakeAt?.toISOString() ?? null)}::timestamptz[], ${col((i) => i.waitEventType)}::text[],
                  ${col((i) => (i.waitMatch ? JSON.stringify(i.waitMatch) : null))}::jsonb[], ${col((i) => i.stepCount)}::int[],
                  ${col((i) => JSON.stringify(i.context))}::jsonb[])
           as u(id, status, node_id, phase, wake_at, wait_event_type, wait_match, step_count, context)
     where i.tenant_id = ${tenantId} and i.id = u.id`.execute(db);
}

async function saveSteps(db: Db, tenantId: string, steps: { instance: InstanceState; step: StepRecord }[]): Promise<void> {
  if (steps.length === 0) return;
  const col = <T>(f: (s: { instance: InstanceState; step: StepRecord }) => T): T[] => steps.map(f);
  await sql`
    insert into journey_steps (tenant_id, instance_id, seq, journey_id, version, node_id, outcome, detail, at)
    select ${tenantId}, s.* from unnest(${col((s) => s.instance.id)}::uuid[], ${col((s) => s.step.seq)}::int[], ${col((s) => s.instance.journeyId)}::uuid[],
                  ${col((s) => s.instance.version)}::int[], ${col((s) => s.step.nodeId)}::text[], ${col((s) => s.step.outcome)}::text[],
                  ${col((s) => JSON.stringify(s.step.detail ?? {}))}::jsonb[], ${col((s) => s.step.at.toISOString())}::timestamptz[]) as s
    on conflict do nothing`.execute(db);
}

/** Processes due instances batch after batch until none is due or `maxBatches` ran. */
export async function runDue(db: Db, tenantId: string, options: RunOptions & { maxBatches?: number }): Promise<RunResult> {
  const total: RunResult = { instances: 0, steps: 0, dueAt: [] };
  for (let b = 0; b < (options.maxBatches ?? 1_000_000); b++) {
    const r = await processDue(db, tenantId, options);
    total.instances += r.instances;
    total.steps += r.steps;
    total.dueAt.push(...r.dueAt);
    if (r.instances < (options.batchSize ?? 1000)) break;
  }
  return total;
}
