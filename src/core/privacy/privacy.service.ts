// Personal information (PIPL): marketing consent per channel, and erasure. Erasing a customer
// removes what identifies the person — identities, profile fields, event details, questionnaire
// answers, contacts, groups, consents, tags — but keeps the row and its orders, so GMV, store
// figures and aggregates stay true. Erasing twice is harmless: the second call says so.
import { eraseOutreachData } from './erase-outreach.service.ts';
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type { ConsentChannel } from '../../db/schema.ts';
import type { Actor } from '../access/access.rules.ts';
import { getCustomer } from '../customers/customers.service.ts';
import { notFound } from '../errors.ts';
import { newId, UUID_PATTERN } from '../ids.ts';
import { actorLabel } from '../tags/tags.rules.ts';

export const CONSENT_CHANNELS = ['wecom', 'sms', 'email', 'phone', 'miniprogram'] as const satisfies readonly ConsentChannel[];

export interface Consent {
  channel: ConsentChannel;
  /** null: never asked. */
  granted: boolean | null;
  source: string | null;
  updatedAt: string | null;
}

/** The consent of every channel, including the ones never recorded. 404 when the actor may not see the customer. */
export async function listConsents(db: Db, actor: Actor, customerId: string): Promise<Consent[]> {
  await getCustomer(db, actor, customerId);
  const rows = await db.selectFrom('customer_consents').select(['channel', 'granted', 'source', 'updated_at'])
    .where('tenant_id', '=', actor.tenantId).where('customer_id', '=', customerId).execute();
  const byChannel = new Map(rows.map((r) => [r.channel, r]));
  return CONSENT_CHANNELS.map((channel) => {
    const r = byChannel.get(channel);
    return { channel, granted: r?.granted ?? null, source: r?.source ?? null, updatedAt: r ? r.updated_at.toISOString() : null };
  });
}

/**
 * Records a consent. A change is written to the timeline (consent_changed); recording the value
 * already held changes nothing and writes no event.
 */
export async function setConsent(db: Db, actor: Actor, customerId: string, channel: ConsentChannel, input: { granted: boolean; source: string }): Promise<Consent & { changed: boolean }> {
  await getCustomer(db, actor, customerId);
  return db.transaction().execute(async (trx) => {
    const held = await trx.selectFrom('customer_consents').select(['granted', 'source', 'updated_at'])
      .where('tenant_id', '=', actor.tenantId).where('customer_id', '=', customerId).where('channel', '=', channel)
      .forUpdate().executeTakeFirst();
    if (held && held.granted === input.granted) {
      return { channel, granted: held.granted, source: held.source, updatedAt: held.updated_at.toISOString(), changed: false };
    }
    const at = new Date();
    await trx.insertInto('customer_consents')
      .values({ tenant_id: actor.tenantId, customer_id: customerId, channel, granted: input.granted, source: input.source, updated_at: at })
      .onConflict((oc) => oc.columns(['tenant_id', 'customer_id', 'channel']).doUpdateSet({ granted: input.granted, source: input.source, updated_at: at }))
      .execute();
    const id = newId();
    await trx.insertInto('events').values({
      tenant_id: actor.tenantId, id, event_key: `yuchi:${id}`, type: 'consent_changed', customer_id: customerId, occurred_at: at,
      source: 'yuchi', actor: actorLabel(actor),
      properties: JSON.stringify({ channel, granted: input.granted, previous: held ? held.granted : null, source: input.source }),
    }).execute();
    return { channel, granted: input.granted, source: input.source, updatedAt: at.toISOString(), changed: true };
  });
}

/** Event properties that identify nobody and keep order and tag history meaningful after erasure. */
const KEPT_EVENT_PROPERTIES = ['orderId', 'orderNo', 'channel', 'storeId', 'staffId', 'totalFen', 'discountFen', 'paidFen', 'refundedFen', 'tagId', 'tagName', 'mergedId', 'formId'];

export const ERASED_NAME = '已删除';

export interface Erasure {
  customerId: string;
  erasedAt: string;
  /** True when the customer had been erased before this call. */
  alreadyErased: boolean;
}

export async function eraseCustomer(db: Db, actor: Actor, customerId: string): Promise<Erasure> {
  if (!UUID_PATTERN.test(customerId)) throw notFound('customer');
  return db.transaction().execute(async (trx) => {
    const customer = await trx.selectFrom('customers').select(['id', 'erased_at'])
      .where('tenant_id', '=', actor.tenantId).where('id', '=', customerId).forUpdate().executeTakeFirst();
    if (!customer) throw notFound('customer');
    if (customer.erased_at) return { customerId, erasedAt: customer.erased_at.toISOString(), alreadyErased: true };
    const tenantId = actor.tenantId;
    const at = new Date();
    // Pre-tags waiting on this person's phone or unionid name them too.
    const preTags = await sql`
      delete from pre_tags p
       where p.tenant_id = ${tenantId}
         and (p.applied_customer_id = ${customerId}
              or exists (select 1 from customer_identities i
                          where i.tenant_id = ${tenantId} and i.customer_id = ${customerId} and i.kind = p.kind and i.value = p.value))`.execute(trx);
    const count = async (table: 'customer_identities' | 'customer_contacts' | 'group_members' | 'customer_consents' | 'customer_tags'): Promise<number> => {
      const r = await trx.deleteFrom(table).where('tenant_id', '=', tenantId).where('customer_id', '=', customerId).executeTakeFirst();
      return Number(r.numDeletedRows);
    };
    const removed = {
      identities: await count('customer_identities'),
      contacts: await count('customer_contacts'),
      groups: await count('group_members'),
      consents: await count('customer_consents'),
      tags: await count('customer_tags'),
      preTags: Number(preTags.numAffectedRows ?? 0),
    };
    await trx.updateTable('customers').set({
      name: ERASED_NAME, gender: 'unknown', birthday: null, city: '', attribute_sources: {}, erased_at: at, updated_at: at,
    }).where('tenant_id', '=', tenantId).where('id', '=', customerId).execute();
    const events = await sql`
      update events e
         set properties = coalesce((select jsonb_object_agg(k, v) from jsonb_each(e.properties) as p(k, v) where k = any(${KEPT_EVENT_PROPERTIES}::text[])), '{}')
       where e.tenant_id = ${tenantId} and e.customer_id = ${customerId}`.execute(trx);
    const answers = await trx.updateTable('form_submissions').set({ answers: '{}' })
      .where('tenant_id', '=', tenantId).where('customer_id', '=', customerId).executeTakeFirst();
    // A merge record may quote the identities that proved two profiles one person.
    await trx.updateTable('customer_merges').set({ reason: '{}' })
      .where('tenant_id', '=', tenantId).where((eb) => eb.or([eb('survivor_id', '=', customerId), eb('merged_id', '=', customerId)])).execute();
    // The audit log keeps that the merge happened and who did it, not whose identities they were.
    await sql`update audit_log set details = details - 'identities'
               where tenant_id = ${tenantId} and action = 'customer.merge' and target_type = 'customer' and target_id = ${customerId}`.execute(trx);
    const outreach = await eraseOutreachData(trx, tenantId, customerId);
    const id = newId();
    const by = actorLabel(actor);
    await trx.insertInto('events').values({
      tenant_id: tenantId, id, event_key: `yuchi:${id}`, type: 'customer_erased', customer_id: customerId, occurred_at: at, source: 'yuchi', actor: by, properties: '{}',
    }).execute();
    await trx.insertInto('audit_log').values({
      tenant_id: tenantId, id: newId(), at, actor: by, action: 'customer.erased', target_type: 'customer', target_id: customerId,
      details: JSON.stringify({ ...removed, eventsCleared: Number(events.numAffectedRows ?? 0), formAnswersCleared: Number(answers.numUpdatedRows), ...outreach }),
    }).execute();
    return { customerId, erasedAt: at.toISOString(), alreadyErased: false };
  });
}
