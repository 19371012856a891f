// What erasure removes beyond the profile (privacy.service.ts): the personal text the outreach,
// community, membership and fission tables hold per customer — message contents (they quote the
// name), the guide's task details (and their name in a hand-over's list), group messages said, moderation records, the sandbox phone,
// journey contexts, group-buy nicknames, referral partner names and phones, points notes — each
// counted for the audit. Rows that only count (points, tiers, orders) stay, anonymous.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';

export type OutreachErasure = Record<string, number>;

export async function eraseOutreachData(trx: Db, tenantId: string, customerId: string): Promise<OutreachErasure> {
  const n = (r: { numAffectedRows?: bigint }): number => Number(r.numAffectedRows ?? 0);
  const run = async (query: ReturnType<typeof sql>): Promise<number> => n(await query.execute(trx));
  return {
    messageContents: await run(sql`update messages set content = '{"text":""}'::jsonb where tenant_id = ${tenantId} and customer_id = ${customerId} and content <> '{"text":""}'::jsonb`),
    guideTaskDetails: await run(sql`update guide_tasks set detail = '{}'::jsonb, title = '（客户已删除）' where tenant_id = ${tenantId} and customer_id = ${customerId}`),
    // a 群发 handed to a guide by hand names its customers in the task (mass-dispatch.service.ts)
    handOverLists: await run(sql`
      update guide_tasks set detail = jsonb_set(detail, '{customers}',
             (select coalesce(jsonb_agg(c), '[]'::jsonb) from jsonb_array_elements(detail->'customers') c where c->>'id' <> ${customerId}))
       where tenant_id = ${tenantId} and kind = 'mass_send_confirm' and customer_id is null
         and detail->'customers' @> jsonb_build_array(jsonb_build_object('id', ${customerId}::text))`),
    groupMessages: await run(sql`delete from group_messages where tenant_id = ${tenantId} and sender_customer_id = ${customerId}`),
    groupReplyTargets: await run(sql`update group_messages set reply_to_customer_id = null where tenant_id = ${tenantId} and reply_to_customer_id = ${customerId}`),
    moderationRecords: await run(sql`update group_moderation_log set detail = '{}'::jsonb where tenant_id = ${tenantId} and customer_id = ${customerId}`),
    groupWelcomes: await run(sql`delete from group_welcomes_sent where tenant_id = ${tenantId} and customer_id = ${customerId}`),
    sandboxInbox: await run(sql`delete from sandbox_inbox where tenant_id = ${tenantId} and customer_id = ${customerId}`),
    timeZones: await run(sql`delete from customer_time_zones where tenant_id = ${tenantId} and customer_id = ${customerId}`),
    journeyContexts: await run(sql`update journey_instances set context = '{}'::jsonb where tenant_id = ${tenantId} and customer_id = ${customerId}`),
    solitaireNicknames: await run(sql`update solitaire_entries set nickname = '已删除' where tenant_id = ${tenantId} and customer_id = ${customerId}`),
    referralPartner: await run(sql`update referral_partners set name = '', phone = null where tenant_id = ${tenantId} and customer_id = ${customerId}`),
    referralRefusals: await run(sql`update referral_refusals set message = '' where tenant_id = ${tenantId} and customer_id = ${customerId}`),
    pointsNotes: await run(sql`update points_ledger set reason = '' where tenant_id = ${tenantId} and customer_id = ${customerId} and reason <> ''`),
  };
}
