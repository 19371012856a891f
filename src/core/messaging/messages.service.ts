// A customer's messages as the console shows them: status, reason and every decision on record;
// and the customer's own time zone for quiet hours.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { invalid, notFound } from '../errors.ts';
import { UUID_PATTERN } from '../ids.ts';
import { isTimeZone } from './local-time.ts';

export interface CustomerMessage {
  id: string; channel: string; purpose: string; priority: number; source: string; status: string; reason: string | null;
  text: string; notBefore: string; sentAt: string | null; decisions: { at: string; verdict: string; reason: string; deferTo: string | null }[];
}

async function assertCustomer(db: Db, tenantId: string, customerId: string, ownerStaffId?: string): Promise<void> {
  if (!UUID_PATTERN.test(customerId)) throw notFound('customer');
  let q = db.selectFrom('customers').select('id').where('tenant_id', '=', tenantId).where('id', '=', customerId);
  if (ownerStaffId !== undefined) q = q.where('guide_id', '=', ownerStaffId);
  if (!(await q.executeTakeFirst())) throw notFound('customer');
}

export async function customerMessages(db: Db, tenantId: string, customerId: string, ownerStaffId?: string): Promise<CustomerMessage[]> {
  await assertCustomer(db, tenantId, customerId, ownerStaffId);
  const rows = await sql<{ id: string; channel: string; purpose: string; priority: number; source_kind: string; status: string; status_reason: string | null; text: string | null; not_before: Date; sent_at: Date | null; decisions: { at: string; verdict: string; reason: string; deferTo: string | null }[] }>`
    select m.id, m.channel, m.purpose, m.priority, m.source_kind, m.status, m.status_reason, m.content->>'text' as text, m.not_before, m.sent_at,
           coalesce((select json_agg(json_build_object('at', d.decided_at, 'verdict', d.verdict, 'reason', d.reason, 'deferTo', d.defer_to) order by d.decided_at)
                       from message_decisions d where d.tenant_id = m.tenant_id and d.message_id = m.id), '[]') as decisions, m.created_at
      from messages m where m.tenant_id = ${tenantId} and m.customer_id = ${customerId}
    union all
    -- a mass send's decision for the customer before (or instead of) a message: planned, held out or excluded
    select r.message_id, ms.channel, 'marketing', ms.priority, 'mass_send', case when r.verdict = 'send' then 'queued' else 'dropped' end, r.reason,
           null, coalesce(r.send_at, ms.planned_at, ms.created_at), null, '[]'::json, coalesce(ms.planned_at, ms.created_at)
      from mass_sends ms join mass_send_recipients r on r.tenant_id = ms.tenant_id and r.mass_send_id = ms.id
     where ms.tenant_id = ${tenantId} and r.tenant_id = ${tenantId} and r.customer_id = ${customerId}
     order by 12 desc limit 200`.execute(db);
  return rows.rows.map((r) => ({
    id: r.id, channel: r.channel, purpose: r.purpose, priority: r.priority, source: r.source_kind, status: r.status, reason: r.status_reason,
    text: r.text ?? '', notBefore: r.not_before.toISOString(), sentAt: r.sent_at?.toISOString() ?? null, decisions: r.decisions,
  }));
}

/** Sets (or, with null, clears) the customer's zone; an unknown zone name is refused. */
export async function setCustomerTimeZone(db: Db, tenantId: string, customerId: string, timeZone: string | null): Promise<string | null> {
  await assertCustomer(db, tenantId, customerId);
  if (timeZone === null) {
    await db.deleteFrom('customer_time_zones').where('tenant_id', '=', tenantId).where('customer_id', '=', customerId).execute();
    return null;
  }
  if (!isTimeZone(timeZone)) throw invalid('timeZone', `${timeZone} is not a time zone name such as Asia/Shanghai`, { code: 'unknown_time_zone', params: { timeZone } });
  await sql`insert into customer_time_zones (tenant_id, customer_id, timezone) values (${tenantId}, ${customerId}, ${timeZone})
            on conflict (tenant_id, customer_id) do update set timezone = excluded.timezone`.execute(db);
  return timeZone;
}
