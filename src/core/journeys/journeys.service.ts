// Journeys (自动化旅程): create and edit a draft graph, publish it as a new immutable version,
// pause, resume and archive; versions, per-node statistics and a customer's instances. Walking
// the graph: runner.service.ts.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { inTransaction } from '../../db/transaction.ts';
import type { Actor } from '../access/access.rules.ts';
import { notFound, YuchiError } from '../errors.ts';
import { newId, UUID_PATTERN } from '../ids.ts';
import { checkedDefinition } from '../segments/segments.service.ts';
import { actorLabel } from '../tags/tags.rules.ts';
import { JourneyGraph, listenedTypes, type JourneyGraphInput } from './journeys.graph.ts';
import { checkGraph, type GraphProblem } from './journeys.rules.ts';

export type JourneyStatus = 'draft' | 'live' | 'paused' | 'archived';

export interface JourneyView {
  id: string;
  name: string;
  description: string;
  status: JourneyStatus;
  draft: JourneyGraphInput;
  liveVersion: number | null;
  activeInstances: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface JourneyInput {
  name: string;
  description?: string | undefined;
  graph: unknown;
}

/** A draft is saved even when it would not publish yet; only its shape is checked. */
function draftShape(raw: unknown): JourneyGraphInput {
  const parsed = JourneyGraph.safeParse(raw);
  if (!parsed.success) {
    const checked = checkGraph(raw);
    throw refused(checked.ok ? [] : checked.problems);
  }
  return parsed.data;
}

function refused(problems: GraphProblem[]): YuchiError {
  const first = problems[0];
  return new YuchiError('invalid', first ? first.message : 'the journey is not valid', problems.map((p) => ({ path: p.path, message: p.message, ...(p.code ? { code: p.code, params: p.vars ?? {} } : {}) })));
}

type JourneyRow = { id: string; name: string; description: string; status: JourneyStatus; draft: JourneyGraphInput; live_version: number | null; created_by: string; created_at: Date; updated_at: Date; active: number };

function view(r: JourneyRow): JourneyView {
  return {
    id: r.id, name: r.name, description: r.description, status: r.status, draft: r.draft, liveVersion: r.live_version,
    activeInstances: Number(r.active), createdBy: r.created_by, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(),
  };
}

async function rows(db: Db, tenantId: string, id?: string): Promise<JourneyRow[]> {
  const only = id ? sql`and j.id = ${id}` : sql``;
  return (await sql<JourneyRow>`
    select j.id, j.name, j.description, j.status, j.draft, j.live_version, j.created_by, j.created_at, j.updated_at,
           (select count(*) from journey_instances i where i.tenant_id = j.tenant_id and i.journey_id = j.id and i.status = 'active')::int as active
      from journeys j where j.tenant_id = ${tenantId} ${only}
     order by j.updated_at desc`.execute(db)).rows;
}

export async function listJourneys(db: Db, tenantId: string): Promise<JourneyView[]> {
  return (await rows(db, tenantId)).map(view);
}

export async function getJourney(db: Db, tenantId: string, id: string): Promise<JourneyView> {
  if (!UUID_PATTERN.test(id)) throw notFound('journey');
  const [row] = await rows(db, tenantId, id);
  if (!row) throw notFound('journey');
  return view(row);
}

export async function createJourney(db: Db, actor: Actor, input: JourneyInput): Promise<JourneyView> {
  const draft = draftShape(input.graph);
  const id = newId();
  await db.insertInto('journeys').values({
    tenant_id: actor.tenantId, id, name: input.name, description: input.description ?? '', draft: JSON.stringify(draft), created_by: actorLabel(actor),
  }).execute();
  return getJourney(db, actor.tenantId, id);
}

/** Edits the draft; a live journey keeps running its published version until the next publish. */
export async function updateJourney(db: Db, actor: Actor, id: string, patch: Partial<JourneyInput>): Promise<JourneyView> {
  const current = await getJourney(db, actor.tenantId, id);
  if (current.status === 'archived') throw new YuchiError('conflict', 'an archived journey cannot be edited', [{ path: 'status', message: 'archived', code: 'journey_archived', params: {} }]);
  const draft = patch.graph === undefined ? undefined : draftShape(patch.graph);
  await db.updateTable('journeys').set({
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.description !== undefined ? { description: patch.description } : {}),
    ...(draft ? { draft: JSON.stringify(draft) } : {}),
    updated_at: new Date(),
  }).where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
  return getJourney(db, actor.tenantId, id);
}

/** Checks the draft fully (each problem names its node) and publishes it as the next version. */
export async function publishJourney(db: Db, actor: Actor, id: string): Promise<JourneyView & { version: number }> {
  return inTransaction(db, async (trx) => {
    const locked = await sql<{ draft: unknown; status: JourneyStatus }>`
      select draft, status from journeys where tenant_id = ${actor.tenantId} and id = ${id} for update`.execute(trx);
    const row = locked.rows[0];
    if (!row || !UUID_PATTERN.test(id)) throw notFound('journey');
    if (row.status === 'archived') throw new YuchiError('conflict', 'an archived journey cannot be published', [{ path: 'status', message: 'archived', code: 'journey_archived', params: {} }]);
    const checked = checkGraph(row.draft);
    if (!checked.ok) throw refused(checked.problems);
    const problems = await referenceProblems(trx, actor.tenantId, checked.graph);
    if (problems.length > 0) throw refused(problems);
    const next = await sql<{ version: number }>`
      select coalesce(max(version), 0) + 1 as version from journey_versions where tenant_id = ${actor.tenantId} and journey_id = ${id}`.execute(trx);
    const version = next.rows[0]?.version ?? 1;
    await trx.insertInto('journey_versions').values({
      tenant_id: actor.tenantId, journey_id: id, version, graph: JSON.stringify(checked.graph), published_by: actorLabel(actor),
    }).execute();
    await trx.updateTable('journeys').set({ live_version: version, status: row.status === 'paused' ? 'paused' : 'live', updated_at: new Date() })
      .where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
    await refreshListens(trx, actor.tenantId);
    return { ...(await getJourney(trx, actor.tenantId, id)), version };
  });
}

/** Pausing stops entries and moves; resuming lets both go on (waits already over move at once). */
export async function setJourneyStatus(db: Db, actor: Actor, id: string, status: 'live' | 'paused' | 'archived'): Promise<JourneyView> {
  return inTransaction(db, async (trx) => {
    const current = await getJourney(trx, actor.tenantId, id);
    if (current.liveVersion === null) throw new YuchiError('conflict', 'publish the journey first', [{ path: 'status', message: 'never published', code: 'journey_not_published', params: {} }]);
    if (current.status === 'archived') throw new YuchiError('conflict', 'an archived journey stays archived', [{ path: 'status', message: 'archived', code: 'journey_archived', params: {} }]);
    await trx.updateTable('journeys').set({ status, updated_at: new Date() }).where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
    await refreshListens(trx, actor.tenantId);
    return getJourney(trx, actor.tenantId, id);
  });
}

export async function journeyVersions(db: Db, tenantId: string, id: string): Promise<{ version: number; graph: JourneyGraph; publishedBy: string; publishedAt: string }[]> {
  await getJourney(db, tenantId, id);
  const versions = await db.selectFrom('journey_versions').selectAll().where('tenant_id', '=', tenantId).where('journey_id', '=', id).orderBy('version', 'desc').execute();
  return versions.map((v) => ({ version: v.version, graph: JourneyGraph.parse(v.graph), publishedBy: v.published_by, publishedAt: v.published_at.toISOString() }));
}

/** The event types every non-draft journey listens to, for the trigger on events. */
export async function refreshListens(db: Db, tenantId: string): Promise<void> {
  const versions = await sql<{ graph: unknown }>`
    select v.graph from journey_versions v join journeys j on j.tenant_id = v.tenant_id and j.id = v.journey_id
     where v.tenant_id = ${tenantId} and j.status <> 'draft'
       and (v.version = j.live_version or exists (select 1 from journey_instances i where i.tenant_id = v.tenant_id
              and i.journey_id = v.journey_id and i.version = v.version and i.status = 'active'))`.execute(db);
  const types = [...new Set(versions.rows.flatMap((v) => listenedTypes(JourneyGraph.parse(v.graph))))];
  await sql`delete from journey_listens where tenant_id = ${tenantId} and type <> all(${types}::text[])`.execute(db);
  if (types.length > 0) {
    await sql`insert into journey_listens (tenant_id, type) select ${tenantId}, unnest(${types}::text[]) on conflict do nothing`.execute(db);
  }
}

/** Tags, coupon templates, groups and segments a graph names that the tenant does not have. */
async function referenceProblems(db: Db, tenantId: string, graph: JourneyGraph): Promise<GraphProblem[]> {
  const problems: GraphProblem[] = [];
  const ids = (type: string, pick: (n: JourneyGraph['nodes'][number]) => string | undefined) =>
    graph.nodes.flatMap((n) => (n.type === type ? [{ nodeId: n.id, label: n.label ?? n.id, id: pick(n) ?? '' }] : []));
  const known = async (table: 'tags' | 'coupon_templates' | 'customer_groups' | 'segments', wanted: string[]): Promise<Set<string>> => {
    if (wanted.length === 0) return new Set();
    const found = await db.selectFrom(table).select('id').where('tenant_id', '=', tenantId).where('id', 'in', wanted).execute();
    return new Set(found.map((r) => r.id));
  };
  const check = async (table: 'tags' | 'coupon_templates' | 'customer_groups' | 'segments', what: string, refs: { nodeId: string; label: string; id: string }[]) => {
    const have = await known(table, refs.map((r) => r.id));
    for (const r of refs) if (!have.has(r.id)) problems.push({ nodeId: r.nodeId, path: `graph.nodes.${r.nodeId}`, message: `${r.label}: no ${what} ${r.id}`, code: 'unknown_reference', vars: { what: table } });
  };
  await check('tags', 'tag', [...ids('add_tag', (n) => ('tagId' in n ? n.tagId : undefined)), ...ids('remove_tag', (n) => ('tagId' in n ? n.tagId : undefined))]);
  await check('coupon_templates', 'coupon template', ids('grant_coupon', (n) => ('templateId' in n ? n.templateId : undefined)));
  await check('customer_groups', 'customer group', ids('invite_group', (n) => ('groupId' in n ? n.groupId : undefined)));
  await check('segments', 'segment', ids('entry', (n) => (n.type === 'entry' && 'segmentId' in n.trigger ? n.trigger.segmentId : undefined)).filter((r) => r.id !== ''));
  for (const n of graph.nodes) {
    if (n.type !== 'condition') continue;
    try {
      await checkedDefinition(db, tenantId, n.definition);
    } catch (err) {
      if (!(err instanceof YuchiError)) throw err;
      // The segment's own problem stays in the message; the console says which node's condition to fix.
      problems.push({ nodeId: n.id, path: `graph.nodes.${n.id}.definition`, message: `${n.label ?? n.id}: ${err.message}`, code: 'condition_invalid', vars: {} });
    }
  }
  return problems;
}
