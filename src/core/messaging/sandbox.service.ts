// The sandbox's simulated phones: what a customer received, and a reply typed on their behalf,
// which comes back into Yuchi the way a real one would — as a message_received event.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type { MessageContent } from '../../db/schema.ts';
import type { Actor } from '../access/access.rules.ts';
import { notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import { ingestEvents } from '../ingest/ingest.service.ts';
import { inTransaction } from '../../db/transaction.ts';

export interface InboxEntry { id: string; direction: 'in' | 'out'; content: MessageContent; at: string; redeliveries: number }
export interface SandboxPhone { customerId: string; name: string; messages: number; lastAt: string; lastText: string }

async function assertVisible(db: Db, tenantId: string, customerId: string, ownerStaffId: string | undefined): Promise<void> {
  let q = db.selectFrom('customers').select('id').where('tenant_id', '=', tenantId).where('id', '=', customerId);
  if (ownerStaffId !== undefined) q = q.where('guide_id', '=', ownerStaffId);
  if (!(await q.executeTakeFirst())) throw notFound('customer');
}

export async function customerInbox(db: Db, tenantId: string, customerId: string, ownerStaffId?: string): Promise<InboxEntry[]> {
  await assertVisible(db, tenantId, customerId, ownerStaffId);
  const rows = await db.selectFrom('sandbox_inbox').select(['id', 'direction', 'content', 'at', 'redeliveries'])
    .where('tenant_id', '=', tenantId).where('customer_id', '=', customerId).orderBy('at').orderBy('id').limit(500).execute();
  return rows.map((r) => ({ id: r.id, direction: r.direction, content: r.content, at: r.at.toISOString(), redeliveries: r.redeliveries }));
}

/** The phones that received something, most recent first. */
export async function sandboxPhones(db: Db, tenantId: string, ownerStaffId?: string, limit = 100): Promise<SandboxPhone[]> {
  const rows = await sql<{ customer_id: string; name: string; messages: number; last_at: Date; last_text: string | null }>`
    select i.customer_id, c.name, i.messages, i.last_at, i.last_text
      from (select customer_id, count(*)::int as messages, max(at) as last_at,
                   (array_agg(content->>'text' order by at desc))[1] as last_text
              from sandbox_inbox where tenant_id = ${tenantId} group by customer_id) i
      join customers c on c.tenant_id = ${tenantId} and c.id = i.customer_id
     where ${ownerStaffId === undefined ? sql`true` : sql`c.guide_id = ${ownerStaffId}`}
     order by i.last_at desc limit ${limit}`.execute(db);
  return rows.rows.map((r) => ({ customerId: r.customer_id, name: r.name, messages: r.messages, lastAt: r.last_at.toISOString(), lastText: r.last_text ?? '' }));
}

/** A reply typed on the simulated phone: stored in the inbox and ingested as message_received, in one transaction. */
export async function simulateReply(db: Db, actor: Actor, customerId: string, text: string, ownerStaffId?: string): Promise<InboxEntry> {
  await assertVisible(db, actor.tenantId, customerId, ownerStaffId);
  const id = newId();
  const at = new Date();
  await inTransaction(db, async (trx) => {
    await trx.insertInto('sandbox_inbox').values({ tenant_id: actor.tenantId, id, customer_id: customerId, direction: 'in', content: JSON.stringify({ text }), at }).execute();
    const result = await ingestEvents(trx, actor, [{
      id: `sandbox-reply:${id}`, type: 'message_received', occurredAt: at.toISOString(), customer: { customerId },
      properties: { text, channel: 'sandbox', msgType: 'text' },
    }]);
    if (result.accepted !== 1) throw new Error(`the reply was not ingested: ${JSON.stringify(result.rejected)}`);
  });
  return { id, direction: 'in', content: { text }, at: at.toISOString(), redeliveries: 0 };
}
