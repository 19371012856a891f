// What became of WeCom mass sends handed to guides: WeCom delivers a mass send only once the guide
// confirms it on their phone, and says so only when asked. For every open hand-over this asks
// WeCom whether the guide has sent (get_groupmsg_task) and, once they have, what each customer got
// (get_groupmsg_send_result): the messages become sent or failed with WeCom's reason, the guide's
// mass_send_confirm task is done, and the mass send's progress and results show it.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type { WecomClientOptions } from '../channels/wecom/wecom.client.ts';
import { massSendResults, staffMassSendTask, type MassSendStatus } from '../channels/wecom/wecom.results.service.ts';
import { GUIDE_SKIPPED, guideSettled } from './by-hand.service.ts';

/** The reason recorded on a message WeCom did not deliver, by WeCom's send_list status. */
export const NOT_SENT_REASONS: Record<Exclude<MassSendStatus, 'sent'>, string> = {
  awaiting_confirmation: 'wecom_not_sent_by_guide', // 0 未发送 after the guide sent: they left this customer out
  not_a_friend: 'wecom_not_a_friend', // 2 因客户不是好友导致发送失败
  over_quota: 'wecom_already_received_mass_send', // 3 因客户已经收到其他群发消息导致发送失败
  unknown: 'wecom_unknown_status',
};

export interface ConfirmationTotals {
  checked: number;
  confirmed: number;
  sent: number;
  notSent: number;
  errors: string[];
}

/** Hand-overs older than this are no longer asked about (WeCom keeps a task open for a limited time). */
const OPEN_DAYS = 30;

/** Asks WeCom about open hand-overs (of one tenant when tenantId is given), oldest first. */
export async function pollMassSendConfirmations(db: Db, options: WecomClientOptions & { limit?: number; tenantId?: string } = {}): Promise<ConfirmationTotals> {
  const open = await sql<{ tenant_id: string; mass_send_id: string; staff_id: string; provider_id: string }>`
    select ms.tenant_id, ms.mass_send_id, ms.staff_id, ms.provider_id from mass_send_staff ms
      join mass_sends m on m.tenant_id = ms.tenant_id and m.id = ms.mass_send_id
     where ms.status = 'handed_over' and ms.provider_id is not null and ms.provider_id <> '' and m.channel = 'wecom'
       and ms.handed_at > now() - make_interval(days => ${OPEN_DAYS})
       and (${options.tenantId ?? null}::uuid is null or ms.tenant_id = ${options.tenantId ?? null}::uuid)
     order by ms.handed_at limit ${options.limit ?? 200}`.execute(db);
  const totals: ConfirmationTotals = { checked: 0, confirmed: 0, sent: 0, notSent: 0, errors: [] };
  for (const row of open.rows) {
    totals.checked++;
    const ctx = { db, tenantId: row.tenant_id };
    try {
      const task = await staffMassSendTask(ctx, row.provider_id, row.staff_id, options);
      if (!task?.sent) continue;
      const results = await massSendResults(ctx, row.provider_id, row.staff_id, options);
      if (!results) continue;
      const outcome = await recordConfirmation(db, row, task.sentAt, results);
      totals.confirmed++;
      totals.sent += outcome.sent;
      totals.notSent += outcome.notSent;
    } catch (err) {
      // one tenant's WeCom trouble must not stop the others; the row stays open for the next poll
      totals.errors.push(`mass send ${row.mass_send_id}, staff ${row.staff_id}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return totals;
}

async function recordConfirmation(
  db: Db,
  row: { tenant_id: string; mass_send_id: string; staff_id: string },
  sentAt: Date | null,
  results: { customerId: string | null; status: MassSendStatus; sentAt: Date | null }[],
): Promise<{ sent: number; notSent: number }> {
  const byStatus = new Map<MassSendStatus, { ids: string[]; at: (Date | null)[] }>();
  for (const r of results) {
    if (!r.customerId) continue;
    const entry = byStatus.get(r.status) ?? { ids: [], at: [] };
    entry.ids.push(r.customerId);
    entry.at.push(r.sentAt);
    byStatus.set(r.status, entry);
  }
  return db.transaction().execute(async (trx) => {
    const staff = await sql`update mass_send_staff set status = 'confirmed', confirmed_at = coalesce(${sentAt}::timestamptz, now())
                             where tenant_id = ${row.tenant_id} and mass_send_id = ${row.mass_send_id} and staff_id = ${row.staff_id} and status = 'handed_over'`.execute(trx);
    // a second poller got here first
    if (Number(staff.numAffectedRows ?? 0) === 0) return { sent: 0, notSent: 0 };
    let sent = 0;
    const delivered = byStatus.get('sent');
    if (delivered) {
      const r = await sql`
        update messages m set status = 'sent', sent_at = coalesce(x.at, ${sentAt}::timestamptz, now()), status_reason = null, updated_at = now()
          from unnest(${delivered.ids}::uuid[], ${delivered.at.map((d) => d?.toISOString() ?? null)}::timestamptz[]) as x(customer_id, at)
         where m.tenant_id = ${row.tenant_id} and m.mass_send_id = ${row.mass_send_id} and m.staff_id = ${row.staff_id}
           and m.customer_id = x.customer_id and m.status = 'awaiting_confirmation'`.execute(trx);
      sent = Number(r.numAffectedRows ?? 0);
    }
    for (const [status, entry] of byStatus) {
      if (status === 'sent') continue;
      await sql`update messages set status = 'failed', status_reason = ${NOT_SENT_REASONS[status]}, updated_at = now()
                 where tenant_id = ${row.tenant_id} and mass_send_id = ${row.mass_send_id} and staff_id = ${row.staff_id}
                   and customer_id = any(${entry.ids}::uuid[]) and status = 'awaiting_confirmation'`.execute(trx);
    }
    // customers WeCom did not list (no external user id, or not a contact when handed over) were not sent either
    await sql`update messages set status = 'failed', status_reason = 'wecom_not_in_results', updated_at = now()
               where tenant_id = ${row.tenant_id} and mass_send_id = ${row.mass_send_id} and staff_id = ${row.staff_id} and status = 'awaiting_confirmation'`.execute(trx);
    const notSent = await sql<{ n: number }>`select count(*)::int as n from messages
       where tenant_id = ${row.tenant_id} and mass_send_id = ${row.mass_send_id} and staff_id = ${row.staff_id} and status = 'failed'`.execute(trx);
    await sql`update guide_tasks set status = 'done', done_at = coalesce(${sentAt}::timestamptz, now()), done_by = 'WeCom: sent by the guide'
               where tenant_id = ${row.tenant_id} and dedupe_key = ${`mass_send_confirm:${row.mass_send_id}:${row.staff_id}`} and status in ('open', 'expired')`.execute(trx);
    await closeIfSettled(trx, row.tenant_id, row.mass_send_id);
    return { sent, notSent: notSent.rows[0]?.n ?? 0 };
  });
}

/** The mass send is done once no guide has it waiting. */
async function closeIfSettled(db: Db, tenantId: string, massSendId: string): Promise<void> {
  await sql`update mass_sends m set status = 'done'
             where m.tenant_id = ${tenantId} and m.id = ${massSendId} and m.status = 'planned'
               and not exists (select 1 from mass_send_staff s where s.tenant_id = m.tenant_id and s.mass_send_id = m.id and s.status in ('pending', 'handed_over'))`.execute(db);
}

/**
 * A guide's word on a hand-over: sent (their task done, or an operator confirming for them) or not
 * (the task skipped). A hand-over WeCom knows of (it has WeCom's msgid) is left to WeCom's results
 * unless `evenThroughWecom`: the guide's tick does not say which customers WeCom reached. Runs in
 * the caller's transaction; returns false when there was no such hand-over waiting.
 */
export async function settleHandOver(db: Db, tenantId: string, massSendId: string, staffId: string, sent: boolean,
  { evenThroughWecom = false, at = new Date() }: { evenThroughWecom?: boolean; at?: Date } = {}): Promise<boolean> {
  const staff = await sql`
    update mass_send_staff set status = ${sent ? 'confirmed' : 'failed'}, confirmed_at = ${sent ? at : null}::timestamptz,
           reason = ${sent ? sql`reason` : sql`${GUIDE_SKIPPED}`}
     where tenant_id = ${tenantId} and mass_send_id = ${massSendId} and staff_id = ${staffId} and status = 'handed_over'
       and (${evenThroughWecom} or provider_id is null or provider_id = '')`.execute(db);
  if (Number(staff.numAffectedRows ?? 0) === 0) return false;
  await sql`update messages set ${guideSettled(sent, at)}
             where tenant_id = ${tenantId} and mass_send_id = ${massSendId} and staff_id = ${staffId} and status = 'awaiting_confirmation'`.execute(db);
  await closeIfSettled(db, tenantId, massSendId);
  return true;
}
