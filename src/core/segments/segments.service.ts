// Segments (人群): preview, create, list, change (a new definition is a new version, the old one kept),
// archive, members, versions and sizes over time. Membership itself: membership.service.ts.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { inTransaction } from '../../db/transaction.ts';
import type { Actor } from '../access/access.rules.ts';
import { listCustomers, type CustomerSummary } from '../customers/customers.service.ts';
import { conflict, isUniqueViolation, notFound, YuchiError } from '../errors.ts';
import { newId, UUID_PATTERN } from '../ids.ts';
import type { Page, PageRequest } from '../paging.ts';
import { actorLabel } from '../tags/tags.rules.ts';
import { loadTenantSegments, recordSizes, recomputeSegments, storedDefinition, type MembershipChange } from './membership.service.ts';
import { checkDefinition, checkReferences, referencesOf, type SegmentNode } from './segments.rules.ts';
import { segmentPredicate } from './segments.sql.ts';

export interface SegmentView {
  id: string;
  name: string;
  description: string;
  definition: SegmentNode;
  version: number;
  status: 'active' | 'archived';
  size: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface SegmentVersionView {
  version: number;
  name: string;
  definition: SegmentNode;
  createdBy: string;
  createdAt: string;
}

export interface NewSegment {
  name: string;
  description?: string | undefined;
  definition: unknown;
}

export type SegmentPatch = Partial<NewSegment>;

/**
 * A definition from untrusted JSON, checked for shape, values, known tags/groups/segments and
 * cycles; throws YuchiError('invalid') naming each problem's path.
 */
export async function checkedDefinition(db: Db, tenantId: string, raw: unknown, selfId?: string): Promise<SegmentNode> {
  const checked = checkDefinition(raw);
  if (!checked.ok) throw invalidDefinition(checked.errors);
  const refs = referencesOf(checked.definition);
  const valid = (ids: string[]) => ids.filter((id) => UUID_PATTERN.test(id));
  const [tags, groups, segments] = await Promise.all([
    valid(refs.tagIds).length === 0 ? [] : db.selectFrom('tags').select('id').where('tenant_id', '=', tenantId).where('id', 'in', valid(refs.tagIds)).execute(),
    valid(refs.groupIds).length === 0 ? [] : db.selectFrom('customer_groups').select('id').where('tenant_id', '=', tenantId).where('id', 'in', valid(refs.groupIds)).execute(),
    db.selectFrom('segments').select(['id', 'definition']).where('tenant_id', '=', tenantId).execute(),
  ]);
  const errors = checkReferences(checked.definition, {
    tagIds: new Set(tags.map((t) => t.id)),
    groupIds: new Set(groups.map((g) => g.id)),
    segments: new Map(segments.map((s) => [s.id, storedDefinition(s.definition)])),
  }, selfId);
  if (errors.length > 0) throw invalidDefinition(errors);
  return checked.definition;
}

function invalidDefinition(errors: { path: string; message: string }[]): YuchiError {
  const first = errors[0];
  return new YuchiError('invalid', first ? `${first.path}: ${first.message}` : 'invalid definition', errors);
}

/** How many customers match a definition, and the first few, without saving anything. */
export async function previewSegment(db: Db, actor: Actor, raw: unknown, sampleSize = 10): Promise<{ count: number; sample: CustomerSummary[] }> {
  const definition = await checkedDefinition(db, actor.tenantId, raw);
  const segments = await loadTenantSegments(db, actor.tenantId);
  const matches = segmentPredicate(definition, { timeZone: segments.timeZone, now: new Date(), segments: segments.definitions });
  const page = await listCustomers(db, actor, { matches }, { page: 1, pageSize: sampleSize });
  return { count: page.total, sample: page.items };
}

type SegmentRow = { id: string; name: string; description: string; definition: unknown; version: number; status: 'active' | 'archived'; created_by: string; created_at: Date; updated_at: Date };

function toView(r: SegmentRow, size: number): SegmentView {
  return {
    id: r.id, name: r.name, description: r.description, definition: storedDefinition(r.definition), version: r.version, status: r.status,
    size, createdBy: r.created_by, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(),
  };
}

async function sizesOf(db: Db, tenantId: string, segmentIds: string[]): Promise<Map<string, number>> {
  if (segmentIds.length === 0) return new Map();
  const rows = await db.selectFrom('segment_members').select(['segment_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('tenant_id', '=', tenantId).where('segment_id', 'in', segmentIds).groupBy('segment_id').execute();
  return new Map(rows.map((r) => [r.segment_id, Number(r.n)]));
}

export async function listSegments(db: Db, tenantId: string, options: { status?: 'active' | 'archived' | undefined } = {}): Promise<SegmentView[]> {
  let q = db.selectFrom('segments').selectAll().where('tenant_id', '=', tenantId);
  q = q.where('status', '=', options.status ?? 'active');
  const rows = await q.orderBy('updated_at', 'desc').orderBy('id').execute();
  const sizes = await sizesOf(db, tenantId, rows.map((r) => r.id));
  return rows.map((r) => toView(r, sizes.get(r.id) ?? 0));
}

export async function getSegment(db: Db, tenantId: string, id: string): Promise<SegmentView> {
  if (!UUID_PATTERN.test(id)) throw notFound('segment');
  const row = await db.selectFrom('segments').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('segment');
  const sizes = await sizesOf(db, tenantId, [id]);
  return toView(row, sizes.get(id) ?? 0);
}

function nameTaken(err: unknown): YuchiError | undefined {
  return isUniqueViolation(err, 'segments_tenant_id_name_key') ? conflict('name', 'a segment with this name exists', { code: 'name_taken', params: {} }) : undefined;
}

/** Saves a segment (version 1) and computes its members at once. */
export async function createSegment(db: Db, actor: Actor, input: NewSegment): Promise<SegmentView> {
  const definition = await checkedDefinition(db, actor.tenantId, input.definition);
  const id = newId();
  const by = actorLabel(actor);
  try {
    await inTransaction(db, async (trx) => {
      await trx.insertInto('segments').values({
        tenant_id: actor.tenantId, id, name: input.name, description: input.description ?? '', definition: JSON.stringify(definition), created_by: by,
      }).execute();
      await trx.insertInto('segment_versions').values({
        tenant_id: actor.tenantId, segment_id: id, version: 1, name: input.name, definition: JSON.stringify(definition), created_by: by,
      }).execute();
    });
  } catch (err) {
    throw nameTaken(err) ?? err;
  }
  await recomputeSegment(db, actor.tenantId, id);
  return getSegment(db, actor.tenantId, id);
}

/** Renames, describes or redefines a segment; a new definition bumps the version and recomputes members. */
export async function updateSegment(db: Db, actor: Actor, id: string, patch: SegmentPatch): Promise<SegmentView> {
  const current = await getSegment(db, actor.tenantId, id);
  if (current.status === 'archived') throw new YuchiError('conflict', 'an archived segment cannot be changed', [{ path: 'id', message: 'is archived', code: 'segment_archived', params: {} }]);
  const definition = patch.definition === undefined ? undefined : await checkedDefinition(db, actor.tenantId, patch.definition, id);
  const redefined = definition !== undefined && JSON.stringify(definition) !== JSON.stringify(current.definition);
  const name = patch.name ?? current.name;
  try {
    await inTransaction(db, async (trx) => {
      const version = redefined ? current.version + 1 : current.version;
      await trx.updateTable('segments').set({
        name, description: patch.description ?? current.description, version, updated_at: new Date(),
        ...(redefined ? { definition: JSON.stringify(definition) } : {}),
      }).where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
      if (redefined) {
        await trx.insertInto('segment_versions').values({
          tenant_id: actor.tenantId, segment_id: id, version, name, definition: JSON.stringify(definition), created_by: actorLabel(actor),
        }).execute();
      }
    });
  } catch (err) {
    throw nameTaken(err) ?? err;
  }
  if (redefined) await recomputeSegment(db, actor.tenantId, id);
  return getSegment(db, actor.tenantId, id);
}

/**
 * Archives a segment: it stops being evaluated and its members are let go (without exit events:
 * the segment ended, the customers did not change). Refused while an active segment refers to it.
 */
export async function archiveSegment(db: Db, actor: Actor, id: string): Promise<void> {
  await getSegment(db, actor.tenantId, id);
  const segments = await loadTenantSegments(db, actor.tenantId);
  const users = segments.active.filter((s) => s.id !== id && referencesOf(s.definition).segmentIds.includes(id));
  if (users.length > 0) {
    throw new YuchiError('conflict', `segment is used by ${users.map((u) => u.name).join(', ')}`, [{ path: 'id', message: 'is referred to by an active segment', code: 'segment_in_use', params: { segments: users.map((u) => u.name).join('、') } }]);
  }
  await inTransaction(db, async (trx) => {
    await trx.updateTable('segments').set({ status: 'archived', updated_at: new Date() }).where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
    await trx.deleteFrom('segment_members').where('tenant_id', '=', actor.tenantId).where('segment_id', '=', id).execute();
  });
}

/** A full evaluation of one segment over all the tenant's customers. */
export async function recomputeSegment(db: Db, tenantId: string, id: string, now = new Date()): Promise<MembershipChange> {
  const segments = await loadTenantSegments(db, tenantId);
  const segment = segments.active.find((s) => s.id === id);
  if (!segment) throw notFound('segment');
  const [change] = await recomputeSegments(db, tenantId, segments, [segment], now);
  return change ?? { segmentId: id, entered: 0, exited: 0 };
}

export async function segmentMembers(db: Db, actor: Actor, id: string, paging: PageRequest): Promise<Page<CustomerSummary>> {
  await getSegment(db, actor.tenantId, id);
  return listCustomers(db, actor, { segmentId: id }, paging);
}

export async function segmentVersions(db: Db, tenantId: string, id: string): Promise<SegmentVersionView[]> {
  await getSegment(db, tenantId, id);
  const rows = await db.selectFrom('segment_versions').selectAll().where('tenant_id', '=', tenantId).where('segment_id', '=', id).orderBy('version', 'desc').execute();
  return rows.map((r) => ({ version: r.version, name: r.name, definition: storedDefinition(r.definition), createdBy: r.created_by, createdAt: r.created_at.toISOString() }));
}

/** The size per day (tenant zone) as counted by recomputes and sweeps, with today's live count last. */
export async function segmentSizes(db: Db, tenantId: string, id: string, days = 90): Promise<{ day: string; size: number }[]> {
  const segment = await getSegment(db, tenantId, id);
  const segments = await loadTenantSegments(db, tenantId);
  await recordSizes(db, tenantId, segments.timeZone, [id]);
  const rows = await sql<{ day: string; size: number }>`
    select day::text as day, size from segment_sizes
     where tenant_id = ${tenantId} and segment_id = ${id}
       and day > (now() at time zone ${segments.timeZone}::text)::date - ${days}::int
     order by day`.execute(db);
  return rows.rows.length > 0 ? rows.rows : [{ day: segment.updatedAt.slice(0, 10), size: segment.size }];
}
