// Per-node statistics, from the steps and instances tables: entered (instances that reached the
// node: left it, or stand at it), waiting (stand at it now), passed (left it), converted (reached
// it and later met the journey's goal). And the journeys of one customer.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { getJourney } from './journeys.service.ts';

export interface NodeStats {
  nodeId: string;
  entered: number;
  waiting: number;
  passed: number;
  converted: number;
  /** Instances that left by each port. */
  ports: Record<string, number>;
}

export interface JourneyStats {
  journeyId: string;
  version: number | null;
  instances: { active: number; completed: number; heldOut: number; failed: number; converted: number };
  nodes: NodeStats[];
}

/** Statistics over every version (node ids carry over from version to version) or one version. */
export async function journeyStats(db: Db, tenantId: string, journeyId: string, version?: number): Promise<JourneyStats> {
  await getJourney(db, tenantId, journeyId);
  const onlyVersion = version === undefined ? sql`` : sql`and version = ${version}`;
  const passed = await sql<{ node_id: string; outcome: string; n: number; converted: number }>`
    select s.node_id, s.outcome, count(*)::int as n, count(*) filter (where i.converted_at is not null)::int as converted
      from journey_steps s join journey_instances i on i.tenant_id = s.tenant_id and i.id = s.instance_id
     where s.tenant_id = ${tenantId} and s.journey_id = ${journeyId} ${version === undefined ? sql`` : sql`and s.version = ${version}`}
     group by s.node_id, s.outcome`.execute(db);
  const standing = await sql<{ node_id: string; n: number; converted: number }>`
    select node_id, count(*)::int as n, count(*) filter (where converted_at is not null)::int as converted from journey_instances
     where tenant_id = ${tenantId} and journey_id = ${journeyId} and status = 'active' ${onlyVersion}
     group by node_id`.execute(db);
  const totals = await sql<{ status: string; n: number; converted: number }>`
    select status, count(*)::int as n, count(*) filter (where converted_at is not null)::int as converted from journey_instances
     where tenant_id = ${tenantId} and journey_id = ${journeyId} ${onlyVersion} group by status`.execute(db);
  const nodes = new Map<string, NodeStats>();
  const node = (id: string): NodeStats => {
    const found = nodes.get(id) ?? { nodeId: id, entered: 0, waiting: 0, passed: 0, converted: 0, ports: {} };
    nodes.set(id, found);
    return found;
  };
  for (const r of passed.rows) {
    const n = node(r.node_id);
    n.entered += r.n;
    n.converted += r.converted;
    n.ports[r.outcome] = (n.ports[r.outcome] ?? 0) + r.n;
    if (r.outcome !== 'failed') n.passed += r.n;
  }
  for (const r of standing.rows) {
    const n = node(r.node_id);
    n.entered += r.n;
    n.waiting += r.n;
    n.converted += r.converted;
  }
  const count = (status: string): number => totals.rows.find((t) => t.status === status)?.n ?? 0;
  return {
    journeyId, version: version ?? null,
    instances: {
      active: count('active'), completed: count('completed') + count('exited'), heldOut: count('held_out'), failed: count('failed'),
      converted: totals.rows.reduce((s, t) => s + t.converted, 0),
    },
    nodes: [...nodes.values()].sort((a, b) => a.nodeId.localeCompare(b.nodeId)),
  };
}

export interface CustomerJourney {
  instanceId: string;
  journeyId: string;
  journeyName: string;
  version: number;
  status: string;
  nodeId: string;
  wakeAt: string | null;
  enteredAt: string;
  finishedAt: string | null;
  convertedAt: string | null;
  steps: { seq: number; nodeId: string; outcome: string; at: string }[];
}

export async function customerJourneys(db: Db, tenantId: string, customerId: string): Promise<CustomerJourney[]> {
  const rows = await sql<{ id: string; journey_id: string; name: string; version: number; status: string; node_id: string; wake_at: Date | null; entered_at: Date; finished_at: Date | null; converted_at: Date | null }>`
    select i.id, i.journey_id, j.name, i.version, i.status, i.node_id, i.wake_at, i.entered_at, i.finished_at, i.converted_at
      from journey_instances i join journeys j on j.tenant_id = i.tenant_id and j.id = i.journey_id
     where i.tenant_id = ${tenantId} and i.customer_id = ${customerId}
     order by i.entered_at desc limit 50`.execute(db);
  const ids = rows.rows.map((r) => r.id);
  const steps = ids.length === 0 ? [] : await db.selectFrom('journey_steps').select(['instance_id', 'seq', 'node_id', 'outcome', 'at'])
    .where('tenant_id', '=', tenantId).where('instance_id', 'in', ids).orderBy('seq').execute();
  return rows.rows.map((r) => ({
    instanceId: r.id, journeyId: r.journey_id, journeyName: r.name, version: r.version, status: r.status, nodeId: r.node_id,
    wakeAt: r.wake_at?.toISOString() ?? null, enteredAt: r.entered_at.toISOString(), finishedAt: r.finished_at?.toISOString() ?? null,
    convertedAt: r.converted_at?.toISOString() ?? null,
    steps: steps.filter((s) => s.instance_id === r.id).map((s) => ({ seq: s.seq, nodeId: s.node_id, outcome: s.outcome, at: s.at.toISOString() })),
  }));
}
