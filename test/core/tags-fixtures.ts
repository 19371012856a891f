// Small builders for the tag and questionnaire scenarios: actors, customers and orders written
// straight to the tables, so each scenario states exactly what the customer did.
import type { Actor } from '../../src/core/access/access.rules.ts';
import { refreshOrderAggregates } from '../../src/core/customers/aggregates.service.ts';
import { newId } from '../../src/core/ids.ts';
import type { Db } from '../../src/db/connect.ts';
import type { IdentityKind, Role, Tenant } from '../../src/db/schema.ts';

export function actorOf(tenant: Tenant, role: Role = 'operator', staffId: string | null = null): Actor {
  return {
    tenantId: tenant.id, tenantSlug: tenant.slug, tenantName: tenant.name, timezone: tenant.timezone, role,
    staffId, userId: newId(), apiKeyId: null, name: `${role} of ${tenant.slug}`,
  };
}

export async function addCustomer(db: Db, tenantId: string, fields: { name?: string; guideId?: string; storeId?: string; sourceChannel?: string; identities?: [IdentityKind, string][] } = {}): Promise<string> {
  const id = newId();
  await db.insertInto('customers').values({
    tenant_id: tenantId, id, name: fields.name ?? '顾客', guide_id: fields.guideId ?? null, store_id: fields.storeId ?? null,
    source_channel: fields.sourceChannel ?? '',
  }).execute();
  if (fields.identities?.length) {
    await db.insertInto('customer_identities').values(fields.identities.map(([kind, value]) => ({ tenant_id: tenantId, kind, value, customer_id: id }))).execute();
  }
  return id;
}

export async function addOrder(db: Db, tenantId: string, customerId: string, paidFen: number, orderedAt: string, refundedFen = 0): Promise<string> {
  const id = newId();
  const status = refundedFen === 0 ? 'paid' : refundedFen >= paidFen ? 'refunded' : 'partially_refunded';
  await db.insertInto('orders').values({
    tenant_id: tenantId, id, order_no: `N-${id}`, customer_id: customerId, store_id: null, staff_id: null, channel: 'pos', status,
    total_fen: paidFen, paid_fen: paidFen, refunded_fen: refundedFen, ordered_at: orderedAt,
  }).execute();
  await refreshOrderAggregates(db, tenantId);
  return id;
}

export async function refund(db: Db, tenantId: string, orderId: string, refundedFen: number): Promise<void> {
  const order = await db.selectFrom('orders').select('paid_fen').where('tenant_id', '=', tenantId).where('id', '=', orderId).executeTakeFirstOrThrow();
  await db.updateTable('orders')
    .set({ refunded_fen: refundedFen, status: refundedFen >= order.paid_fen ? 'refunded' : 'partially_refunded' })
    .where('tenant_id', '=', tenantId).where('id', '=', orderId).execute();
  await refreshOrderAggregates(db, tenantId);
}

export async function tagIdsOf(db: Db, tenantId: string, customerId: string): Promise<string[]> {
  const rows = await db.selectFrom('customer_tags').select('tag_id').where('tenant_id', '=', tenantId).where('customer_id', '=', customerId).execute();
  return rows.map((r) => r.tag_id).sort();
}

export interface TagEvent {
  type: string;
  actor: string | null;
  tagId: unknown;
  source: unknown;
  replacedBy: unknown;
  occurredAt: string;
}

/**
 * The customer's tag_added / tag_removed events, oldest first. Changes made by one statement
 * share an instant and have no order among themselves, so within an instant additions come first.
 */
export async function tagEvents(db: Db, tenantId: string, customerId: string): Promise<TagEvent[]> {
  const rows = await db.selectFrom('events').select(['type', 'actor', 'properties', 'occurred_at', 'id'])
    .where('tenant_id', '=', tenantId).where('customer_id', '=', customerId).where('type', 'in', ['tag_added', 'tag_removed'])
    .orderBy('occurred_at').orderBy('id').execute();
  return rows.map((r) => ({
    type: r.type, actor: r.actor, tagId: r.properties.tagId, source: r.properties.source, replacedBy: r.properties.replacedBy,
    occurredAt: r.occurred_at.toISOString(),
  })).sort((a, b) => a.occurredAt.localeCompare(b.occurredAt) || a.type.localeCompare(b.type));
}

export const days = (n: number): number => n * 86_400_000;
