// The database side of an import batch: customers through identity resolution, the attribute
// rule and tagging; orders through recordOrders. Set-based, one statement per kind of change.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type { Gender } from '../../db/schema.ts';
import { applyAttributeUpdates, replaces, type AttributeSources, type AttributeUpdate } from '../customers/attributes.rules.ts';
import { afterCustomersChanged } from '../ingest/ingest.hooks.ts';
import { resolveCustomers, type IdentityRef } from '../ingest/identity.service.ts';
import { recordOrders, type OrderInput } from '../orders/record.service.ts';
import { applyTagChanges } from '../tags/tag-changes.ts';
import type { CustomerRow, Field, IdentityValues, ImportKind, ImportLookups, RowError } from './import.rules.ts';
import type { ImportedOrder } from './order-lines.rules.ts';
import { because } from './reasons.rules.ts';

export interface BatchResult {
  rowsImported: number;
  created: number;
  updated: number;
  duplicates: number;
  errors: RowError[];
}

const SOURCE = 'import';

/** The tenant's stores, staff and (for customers) tags, which rows name by code. */
export async function loadLookups(db: Db, tenantId: string, kind: ImportKind): Promise<ImportLookups> {
  const [stores, staff, tags] = await Promise.all([
    db.selectFrom('stores').select(['id', 'code']).where('tenant_id', '=', tenantId).execute(),
    db.selectFrom('staff').select(['id', 'wecom_user_id', 'store_id']).where('tenant_id', '=', tenantId).where('wecom_user_id', 'is not', null).execute(),
    kind === 'customers'
      ? db.selectFrom('tags as t').innerJoin('tag_groups as g', (j) => j.onRef('g.tenant_id', '=', 't.tenant_id').onRef('g.id', '=', 't.group_id'))
        .select(['t.id', 't.name', 't.kind', 'g.name as group_name']).where('t.tenant_id', '=', tenantId).execute()
      : Promise.resolve([]),
  ]);
  const byLabel = new Map<string, { id: string; name: string; kind: 'manual' | 'rule' }[]>();
  for (const t of tags) {
    const tag = { id: t.id, name: t.name, kind: t.kind };
    for (const label of [`${t.group_name}:${t.name}`, t.name]) byLabel.set(label, [...(byLabel.get(label) ?? []), tag]);
  }
  return {
    stores: new Map(stores.map((s) => [s.code, s.id])),
    staff: new Map(staff.flatMap((s) => (s.wecom_user_id === null ? [] : [[s.wecom_user_id, { id: s.id, storeId: s.store_id }]]))),
    tags: byLabel,
  };
}

function refOf(identity: IdentityValues): IdentityRef {
  const ref: IdentityRef = {};
  if (identity.customerId !== undefined) ref.customerId = identity.customerId;
  if (identity.phone !== undefined) ref.phone = identity.phone;
  if (identity.memberNo !== undefined) ref.memberNo = identity.memberNo;
  if (identity.externalUserId !== undefined) ref.externalUserId = identity.externalUserId;
  if (identity.unionId !== undefined) ref.unionId = identity.unionId;
  if (identity.openId !== undefined) ref.openId = identity.openId;
  return ref;
}

/** How the file names a field's column, for the error report. */
export type ColumnName = (field: Field) => string;

/** The identity column an error about a row's customer is reported on. */
function identityColumn(identity: IdentityValues): Field {
  if (identity.phone !== undefined) return 'phone';
  if (identity.memberNo !== undefined) return 'member_no';
  if (identity.externalUserId !== undefined) return 'external_userid';
  if (identity.unionId !== undefined) return 'unionid';
  if (identity.openId !== undefined) return 'openid';
  return 'customer_id';
}

export async function writeCustomers(db: Db, tenantId: string, rows: CustomerRow[], options: { actor: string; at: Date; column: ColumnName }): Promise<BatchResult> {
  const { results, newIdentities } = await resolveCustomers(db, tenantId, rows.map((r) => refOf(r.identity)), { create: true, source: SOURCE, at: options.at });
  const errors: RowError[] = [];
  const resolved: { row: CustomerRow; customerId: string }[] = [];
  const created = new Set<string>();
  rows.forEach((row, i) => {
    const result = results[i];
    if (!result || 'error' in result) {
      errors.push({ line: row.line, column: options.column(identityColumn(row.identity)), ...because('rejected', { code: result?.error.code ?? 'unknown_customer', message: result?.error.message ?? 'was not resolved' }) });
      return;
    }
    resolved.push({ row, customerId: result.customerId });
    if (result.created) created.add(result.customerId);
  });
  const ids = [...new Set(resolved.map((r) => r.customerId))];
  await setAttributes(db, tenantId, resolved, options.at);
  const pairs = resolved.flatMap(({ row, customerId }) => row.tags.map((t) => ({ customerId, tagId: t.id })));
  if (pairs.length > 0) {
    await applyTagChanges(db, tenantId, {
      adds: sql`select * from unnest(${pairs.map((p) => p.customerId)}::uuid[], ${pairs.map((p) => p.tagId)}::uuid[], ${pairs.map(() => options.actor)}::text[]) as a(customer_id, tag_id, added_by)`,
      source: SOURCE,
      actor: options.actor,
      at: options.at,
    });
  }
  await afterCustomersChanged(db, tenantId, { customerIds: ids, newIdentities });
  return { rowsImported: resolved.length, created: created.size, updated: ids.length - created.size, duplicates: 0, errors };
}

/**
 * Name, gender, birthday and city follow the attribute rule (src/core/customers/attributes.rules.ts)
 * with source 'import'; the owning store and guide follow the same rule under their own keys.
 */
async function setAttributes(db: Db, tenantId: string, resolved: { row: CustomerRow; customerId: string }[], at: Date): Promise<void> {
  const withValues = resolved.filter(({ row }) => row.name !== undefined || row.gender !== undefined || row.birthday !== undefined
    || row.city !== undefined || row.storeId !== undefined || row.guideId !== undefined);
  if (withValues.length === 0) return;
  const ids = [...new Set(withValues.map((r) => r.customerId))];
  const current = await db.selectFrom('customers')
    .select(['id', 'name', 'gender', 'birthday', 'city', 'store_id', 'guide_id', 'attribute_sources'])
    .where('tenant_id', '=', tenantId).where('id', '=', sql<string>`any(${ids}::uuid[])`)
    .forUpdate().execute();
  const byId = new Map(current.map((c) => [c.id, c]));
  const incoming = { source: SOURCE, at: at.toISOString() };
  const updates = new Map<string, { row: CustomerRow }[]>();
  for (const r of withValues) updates.set(r.customerId, [...(updates.get(r.customerId) ?? []), { row: r.row }]);
  const changed: { id: string; name: string; gender: Gender; birthday: string | null; city: string; storeId: string | null; guideId: string | null; sources: string }[] = [];
  for (const [id, rows] of updates) {
    const c = byId.get(id);
    if (!c) continue;
    const attributeUpdates: AttributeUpdate[] = rows.map(({ row }) => ({
      values: {
        ...(row.name !== undefined ? { name: row.name } : {}),
        ...(row.gender !== undefined ? { gender: row.gender } : {}),
        ...(row.birthday !== undefined ? { birthday: row.birthday } : {}),
        ...(row.city !== undefined ? { city: row.city } : {}),
      },
      source: SOURCE,
      at,
    }));
    const applied = applyAttributeUpdates({ name: c.name, gender: c.gender, birthday: c.birthday, city: c.city }, sourcesOf(c.attribute_sources), attributeUpdates);
    const sources: AttributeSources = applied.sources;
    let storeId = c.store_id;
    let guideId = c.guide_id;
    for (const { row } of rows) {
      if (row.storeId !== undefined && replaces(incoming, sources.store)) {
        storeId = row.storeId;
        sources.store = incoming;
      }
      if (row.guideId !== undefined && replaces(incoming, sources.guide)) {
        guideId = row.guideId;
        sources.guide = incoming;
      }
    }
    const values = { name: c.name, gender: c.gender, birthday: c.birthday, city: c.city, ...applied.changed };
    if (!applied.touched && storeId === c.store_id && guideId === c.guide_id) continue;
    changed.push({ id, ...values, storeId, guideId, sources: JSON.stringify(sources) });
  }
  if (changed.length === 0) return;
  await sql`
    update customers c
       set name = v.name, gender = v.gender, birthday = v.birthday, city = v.city, store_id = v.store_id, guide_id = v.guide_id,
           attribute_sources = v.sources, updated_at = now()
      from unnest(${changed.map((c) => c.id)}::uuid[], ${changed.map((c) => c.name)}::text[], ${changed.map((c) => c.gender)}::text[],
                  ${changed.map((c) => c.birthday)}::date[], ${changed.map((c) => c.city)}::text[], ${changed.map((c) => c.storeId)}::uuid[],
                  ${changed.map((c) => c.guideId)}::uuid[], ${changed.map((c) => c.sources)}::jsonb[])
           as v(id, name, gender, birthday, city, store_id, guide_id, sources)
     where c.tenant_id = ${tenantId} and c.id = v.id`.execute(db);
}

function sourcesOf(value: unknown): AttributeSources {
  if (typeof value !== 'object' || value === null) return {};
  const sources: AttributeSources = {};
  for (const [name, held] of Object.entries(value)) {
    if (typeof held === 'object' && held !== null && 'source' in held && 'at' in held && typeof held.source === 'string' && typeof held.at === 'string') {
      sources[name] = { source: held.source, at: held.at };
    }
  }
  return sources;
}

export async function writeOrders(db: Db, tenantId: string, orders: ImportedOrder[], options: { actor: string; column: ColumnName }): Promise<BatchResult> {
  const inputs: OrderInput[] = orders.map((o) => {
    const input: OrderInput = {
      orderNo: o.orderNo, customer: refOf(o.customer), channel: o.channel, status: o.status,
      totalFen: o.totalFen, discountFen: o.discountFen, paidFen: o.paidFen, refundedFen: o.refundedFen,
      orderedAt: o.orderedAt.toISOString(), items: o.items,
    };
    if (o.storeId !== undefined) input.storeId = o.storeId;
    if (o.staffId !== undefined) input.staffId = o.staffId;
    return input;
  });
  const result = await recordOrders(db, tenantId, inputs, { source: SOURCE, actor: options.actor });
  const errors: RowError[] = [];
  let rejectedLines = 0;
  for (const r of result.rejected) {
    const order = orders[r.index];
    if (!order) continue;
    const [first, ...rest] = order.lines;
    if (first === undefined) continue;
    rejectedLines += order.lines.length;
    // The messages name the order by its place in the call (orders[3].…); the file names it by line.
    errors.push({ line: first, column: options.column(columnOfCode(r.code, order.customer)), ...because('rejected', { code: r.code, message: r.message.replace(/^orders\[\d+\]\.?/, '') }) });
    for (const line of rest) errors.push({ line, column: options.column('order_no'), ...because('order_has_errors', { order: order.orderNo, line: first }) });
  }
  const rows = orders.reduce((n, o) => n + o.lines.length, 0);
  return { rowsImported: rows - rejectedLines, created: result.created, updated: result.updated, duplicates: result.duplicates, errors };
}

/** recordOrders reports a code; the import's report names the column it most likely concerns. */
function columnOfCode(code: string, customer: IdentityValues): Field {
  if (code.includes('customer')) return identityColumn(customer);
  if (code === 'invalid_timestamp') return 'ordered_at';
  if (code === 'negative_amount') return 'paid';
  if (code.includes('store')) return 'store_code';
  if (code.includes('staff')) return 'guide_wecom_userid';
  return 'order_no';
}
