// Everything Yuchi holds about one person, as one JSON document (PIPL's right to a copy): the
// profile, identities, orders with their lines, the timeline, tags, groups, WeCom contacts,
// consents and questionnaire answers. Each copy handed out is audited.
import type { Db } from '../../db/connect.ts';
import type { Actor } from '../access/access.rules.ts';
import { getCustomer, type CustomerDetail } from '../customers/customers.service.ts';
import { newId } from '../ids.ts';
import { listOrders, type OrderView } from '../orders/orders.service.ts';
import { MAX_PAGE_SIZE } from '../paging.ts';
import { actorLabel } from '../tags/tags.rules.ts';
import { listConsents, type Consent } from './privacy.service.ts';

export interface PersonalData {
  exportedAt: string;
  tenant: { id: string; name: string };
  profile: CustomerDetail & { updatedAt: string; lastActiveAt: string | null; attributeSources: unknown };
  mergedProfiles: { id: string; mergedAt: string }[];
  orders: OrderView[];
  events: { id: string; type: string; occurredAt: string; source: string; actor: string | null; properties: unknown }[];
  tags: { id: string; group: string; name: string; source: string; addedBy: string | null; addedAt: string }[];
  groups: { id: string; name: string; joinedAt: string; leftAt: string | null }[];
  contacts: { staff: { id: string; name: string }; state: string | null; addedAt: string; deletedAt: string | null }[];
  consents: Consent[];
  formSubmissions: { id: string; form: { id: string; name: string }; answers: unknown; submittedAt: string }[];
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

async function allOrders(db: Db, actor: Actor, customerId: string): Promise<OrderView[]> {
  const orders: OrderView[] = [];
  for (let page = 1; ; page++) {
    const got = await listOrders(db, actor, { customerId }, { page, pageSize: MAX_PAGE_SIZE });
    orders.push(...got.items);
    if (orders.length >= got.total || got.items.length === 0) return orders;
  }
}

export async function personalData(db: Db, actor: Actor, customerId: string): Promise<PersonalData> {
  const profile = await getCustomer(db, actor, customerId); // 404 when not visible or erased
  const t = actor.tenantId;
  const [row, merges, orders, events, tags, groups, contacts, consents, forms] = await Promise.all([
    db.selectFrom('customers').select(['updated_at', 'last_active_at', 'attribute_sources']).where('tenant_id', '=', t).where('id', '=', customerId).executeTakeFirstOrThrow(),
    db.selectFrom('customer_merges').select(['merged_id', 'merged_at']).where('tenant_id', '=', t).where('survivor_id', '=', customerId).orderBy('merged_at').execute(),
    allOrders(db, actor, customerId),
    db.selectFrom('events').select(['id', 'type', 'occurred_at', 'source', 'actor', 'properties'])
      .where('tenant_id', '=', t).where('customer_id', '=', customerId).orderBy('occurred_at', 'desc').orderBy('id', 'desc').execute(),
    db.selectFrom('customer_tags as ct')
      .innerJoin('tags as tg', (j) => j.onRef('tg.tenant_id', '=', 'ct.tenant_id').onRef('tg.id', '=', 'ct.tag_id'))
      .innerJoin('tag_groups as g', (j) => j.onRef('g.tenant_id', '=', 'tg.tenant_id').onRef('g.id', '=', 'tg.group_id'))
      .select(['tg.id', 'g.name as group_name', 'tg.name', 'ct.source', 'ct.added_by', 'ct.added_at'])
      .where('ct.tenant_id', '=', t).where('ct.customer_id', '=', customerId).orderBy('ct.added_at').execute(),
    db.selectFrom('group_members as m')
      .innerJoin('customer_groups as g', (j) => j.onRef('g.tenant_id', '=', 'm.tenant_id').onRef('g.id', '=', 'm.group_id'))
      .select(['g.id', 'g.name', 'm.joined_at', 'm.left_at'])
      .where('m.tenant_id', '=', t).where('m.customer_id', '=', customerId).orderBy('m.joined_at').execute(),
    db.selectFrom('customer_contacts as cc')
      .innerJoin('staff as s', (j) => j.onRef('s.tenant_id', '=', 'cc.tenant_id').onRef('s.id', '=', 'cc.staff_id'))
      .select(['s.id', 's.name', 'cc.state', 'cc.added_at', 'cc.deleted_at'])
      .where('cc.tenant_id', '=', t).where('cc.customer_id', '=', customerId).orderBy('cc.added_at').execute(),
    listConsents(db, actor, customerId),
    db.selectFrom('form_submissions as fs')
      .innerJoin('forms as f', (j) => j.onRef('f.tenant_id', '=', 'fs.tenant_id').onRef('f.id', '=', 'fs.form_id'))
      .select(['fs.id', 'f.id as form_id', 'f.name as form_name', 'fs.answers', 'fs.submitted_at'])
      .where('fs.tenant_id', '=', t).where('fs.customer_id', '=', customerId).orderBy('fs.submitted_at').execute(),
  ]);
  const id = newId();
  await db.insertInto('audit_log').values({
    tenant_id: t, id, actor: actorLabel(actor), action: 'customer.personal_data_exported', target_type: 'customer', target_id: customerId,
    details: JSON.stringify({ orders: orders.length, events: events.length }),
  }).execute();
  return {
    exportedAt: new Date().toISOString(),
    tenant: { id: t, name: actor.tenantName },
    profile: { ...profile, updatedAt: row.updated_at.toISOString(), lastActiveAt: iso(row.last_active_at), attributeSources: row.attribute_sources },
    mergedProfiles: merges.map((m) => ({ id: m.merged_id, mergedAt: m.merged_at.toISOString() })),
    orders,
    events: events.map((e) => ({ id: e.id, type: e.type, occurredAt: e.occurred_at.toISOString(), source: e.source, actor: e.actor, properties: e.properties })),
    tags: tags.map((g) => ({ id: g.id, group: g.group_name, name: g.name, source: g.source, addedBy: g.added_by, addedAt: g.added_at.toISOString() })),
    groups: groups.map((g) => ({ id: g.id, name: g.name, joinedAt: g.joined_at.toISOString(), leftAt: iso(g.left_at) })),
    contacts: contacts.map((c) => ({ staff: { id: c.id, name: c.name }, state: c.state, addedAt: c.added_at.toISOString(), deletedAt: iso(c.deleted_at) })),
    consents,
    formSubmissions: forms.map((f) => ({ id: f.id, form: { id: f.form_id, name: f.form_name }, answers: f.answers, submittedAt: f.submitted_at.toISOString() })),
  };
}
