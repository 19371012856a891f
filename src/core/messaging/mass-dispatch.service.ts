// WeCom mass sends go out per staff member: at the send time, the send's planned recipients are
// released into messages (mass-release.service.ts), then each guide's planned messages are
// handed to WeCom in one request (add_msg_template), which the guide confirms on their phone, and
// the guide gets a mass_send_confirm task. WeCom does not de-duplicate, so a hand-over interrupted
// after the claim is not repeated: its messages are left 'sending' and recovery marks them unknown.
// A tenant that has not connected WeCom still has guides with WeCom on their phones: each guide is
// handed the text and their customers as a task to send by hand, and marks it done or skipped
// (mass-confirm.service.ts settles the messages then).
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type { MessageContent } from '../../db/schema.ts';
import type { ChannelAdapter, SendOutcome } from '../channels/channel.ts';
import { channelFor } from '../channels/registry.ts';
import { newId } from '../ids.ts';
import { createGuideTasks } from '../tasks/guide-tasks.ts';
import { BY_HAND, byHandDueAt } from './by-hand.service.ts';
import { releaseDueMassSends } from './mass-release.service.ts';

/** Hands every due staff batch to WeCom; returns how many staff members were handed a send. */
export async function dispatchDueMassSends(db: Db, adapterFor: (kind: 'wecom') => ChannelAdapter | undefined = channelFor, tenantId?: string): Promise<number> {
  // a guide is handed all their customers at once: only sends released in full go
  await releaseDueMassSends(db, { channels: ['wecom'], ...(tenantId ? { tenantId } : {}) });
  const due = await sql<{ tenant_id: string; mass_send_id: string; staff_id: string; name: string }>`
    select ms.tenant_id, ms.mass_send_id, ms.staff_id, m.name from mass_send_staff ms
      join mass_sends m on m.tenant_id = ms.tenant_id and m.id = ms.mass_send_id
     where ms.status = 'pending' and m.status = 'planned' and m.channel = 'wecom' and m.send_at <= now() and m.released_at is not null
       and (${tenantId ?? null}::uuid is null or ms.tenant_id = ${tenantId ?? null}::uuid)
     limit 200`.execute(db);
  let handed = 0;
  for (const row of due.rows) {
    const attemptId = newId();
    // claim: the staff row moves out of 'pending' with its messages, so a second dispatcher skips it
    const claimed = await db.transaction().execute(async (trx) => {
      const staff = await sql`update mass_send_staff set status = 'handed_over', handed_at = now()
                               where tenant_id = ${row.tenant_id} and mass_send_id = ${row.mass_send_id} and staff_id = ${row.staff_id} and status = 'pending'`.execute(trx);
      if (Number(staff.numAffectedRows ?? 0) === 0) return [];
      const messages = await sql<{ id: string; customer_id: string; content: MessageContent }>`
        update messages set status = 'sending', attempt_id = ${attemptId}, claimed_at = now(), attempts = attempts + 1, updated_at = now()
         where tenant_id = ${row.tenant_id} and mass_send_id = ${row.mass_send_id} and staff_id = ${row.staff_id} and status = 'queued'
        returning id, customer_id, content`.execute(trx);
      return messages.rows;
    });
    if (claimed.length === 0) continue;
    const adapter = adapterFor('wecom');
    const outcome: SendOutcome = adapter?.sendForConfirmation
      ? await adapter.sendForConfirmation({ db, tenantId: row.tenant_id }, row.staff_id, claimed.map((m) => ({ messageId: m.id, customerId: m.customer_id, staffId: row.staff_id, content: m.content })))
          .catch((err: unknown) => ({ ok: false as const, retryable: false, reason: err instanceof Error ? err.message : 'hand-over failed' }))
      : { ok: false, retryable: false, reason: 'WeCom is not set up for this tenant', notSetUp: true };
    if (!outcome.ok && outcome.notSetUp) {
      await handToGuide(db, row, attemptId, claimed);
      handed++;
      continue;
    }
    await db.transaction().execute(async (trx) => {
      if (outcome.ok) {
        await sql`update messages set status = 'awaiting_confirmation', provider_id = ${outcome.providerId ?? null}, updated_at = now()
                   where tenant_id = ${row.tenant_id} and attempt_id = ${attemptId} and status = 'sending'`.execute(trx);
        await sql`update mass_send_staff set provider_id = ${outcome.providerId ?? null}
                   where tenant_id = ${row.tenant_id} and mass_send_id = ${row.mass_send_id} and staff_id = ${row.staff_id}`.execute(trx);
        await createGuideTasks(trx, row.tenant_id, [{
          staffId: row.staff_id, kind: 'mass_send_confirm', title: `确认群发：${row.name}（${claimed.length} 位客户）`,
          detail: { massSendId: row.mass_send_id, messages: claimed.length, providerId: outcome.providerId ?? null, text: claimed[0]?.content.text ?? '' },
          dueAt: new Date(Date.now() + 86_400_000), source: { kind: 'mass_send', id: row.mass_send_id }, dedupeKey: `mass_send_confirm:${row.mass_send_id}:${row.staff_id}`,
        }]);
        handed++;
      } else {
        await sql`update messages set status = 'failed', status_reason = ${outcome.reason}, updated_at = now()
                   where tenant_id = ${row.tenant_id} and attempt_id = ${attemptId} and status = 'sending'`.execute(trx);
        await sql`update mass_send_staff set status = 'failed', reason = ${outcome.reason}
                   where tenant_id = ${row.tenant_id} and mass_send_id = ${row.mass_send_id} and staff_id = ${row.staff_id}`.execute(trx);
      }
    });
  }
  return handed;
}

/** How many of the guide's customers a manual hand-over names in the task (the rest are counted). */
const NAMED_CUSTOMERS = 200;

/**
 * WeCom not connected: the guide gets the text and the customers to send it to from WeCom's own
 * 群发助手, and the messages wait for the guide's word (their task done or skipped).
 */
async function handToGuide(db: Db, row: { tenant_id: string; mass_send_id: string; staff_id: string; name: string },
  attemptId: string, claimed: { customer_id: string; content: MessageContent }[]): Promise<void> {
  const first = claimed[0]?.content;
  // one text for all when it is (the usual case); otherwise each named customer carries their own
  const oneText = claimed.every((m) => m.content.text === first?.text);
  const textOf = new Map(claimed.map((m) => [m.customer_id, m.content.text]));
  await db.transaction().execute(async (trx) => {
    await sql`update messages set status = 'awaiting_confirmation', provider_id = null, updated_at = now()
               where tenant_id = ${row.tenant_id} and attempt_id = ${attemptId} and status = 'sending'`.execute(trx);
    await sql`update mass_send_staff set reason = ${BY_HAND}
               where tenant_id = ${row.tenant_id} and mass_send_id = ${row.mass_send_id} and staff_id = ${row.staff_id}`.execute(trx);
    const named = await sql<{ id: string; name: string | null }>`
      select id, name from customers where tenant_id = ${row.tenant_id} and id = any(${claimed.map((m) => m.customer_id)}::uuid[])
       order by name nulls last, id limit ${NAMED_CUSTOMERS}`.execute(trx);
    await createGuideTasks(trx, row.tenant_id, [{
      staffId: row.staff_id, kind: 'mass_send_confirm', title: `手动群发：${row.name}（${claimed.length} 位客户）`,
      detail: {
        massSendId: row.mass_send_id, messages: claimed.length, providerId: null, manual: true,
        text: oneText ? first?.text ?? '' : null, attachments: first?.attachments ?? [],
        customers: named.rows.map((c) => ({ id: c.id, name: c.name ?? '', ...(oneText ? {} : { text: textOf.get(c.id) ?? '' }) })),
      },
      dueAt: byHandDueAt(), source: { kind: 'mass_send', id: row.mass_send_id }, dedupeKey: `mass_send_confirm:${row.mass_send_id}:${row.staff_id}`,
    }]);
  });
}
