// The one door every outgoing message goes through. Welcome messages, mass sends, journeys, SOP
// posts and auto-replies ask here; the delivery engine (src/core/messaging/) then decides when each
// may go (quotas, caps, quiet hours, consent, priority) and sends it at most once.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type { MessageChannel, MessageContent, MessagePurpose } from '../../db/schema.ts';
import { newId } from '../ids.ts';

export interface MessageRequest {
  customerId: string;
  channel: MessageChannel;
  purpose: MessagePurpose;
  /** 0–100, higher wins when a cap is reached; 50 when left out. */
  priority?: number;
  /** What asked: welcome, mass_send, journey, sop, auto_reply, coupon, manual. */
  source: { kind: string; id: string };
  /** The same key asks for the same message: a retry gets the first request back. */
  dedupeKey: string;
  /** The guide the message goes out as; WeCom sends are made per staff member. */
  staffId?: string | null;
  content: MessageContent;
  /** Not sent before this time. */
  notBefore?: Date;
}

export interface RequestedMessage {
  id: string;
  dedupeKey: string;
  /** False when an earlier request with the same key already asked for it. */
  created: boolean;
}

/** Records the requests in the caller's transaction; a repeated dedupe key returns the first message. */
export async function requestMessages(db: Db, tenantId: string, requests: readonly MessageRequest[]): Promise<RequestedMessage[]> {
  if (requests.length === 0) return [];
  const ids = requests.map(() => newId());
  const inserted = await sql<{ id: string; dedupe_key: string }>`
    insert into messages (tenant_id, id, customer_id, channel, purpose, priority, source_kind, source_id,
                          dedupe_key, staff_id, content, not_before)
    select ${tenantId}, r.id, r.customer_id, r.channel, r.purpose, r.priority, r.source_kind, r.source_id,
           r.dedupe_key, r.staff_id, r.content, coalesce(r.not_before, now())
      from unnest(${ids}::uuid[], ${requests.map((r) => r.customerId)}::uuid[], ${requests.map((r) => r.channel)}::text[],
                  ${requests.map((r) => r.purpose)}::text[], ${requests.map((r) => r.priority ?? 50)}::smallint[],
                  ${requests.map((r) => r.source.kind)}::text[], ${requests.map((r) => r.source.id)}::text[],
                  ${requests.map((r) => r.dedupeKey)}::text[], ${requests.map((r) => r.staffId ?? null)}::uuid[],
                  ${requests.map((r) => JSON.stringify(r.content))}::jsonb[], ${requests.map((r) => r.notBefore?.toISOString() ?? null)}::timestamptz[])
           as r(id, customer_id, channel, purpose, priority, source_kind, source_id, dedupe_key, staff_id, content, not_before)
    on conflict (tenant_id, dedupe_key) do nothing
    returning id, dedupe_key`.execute(db);
  const fresh = new Map(inserted.rows.map((r) => [r.dedupe_key, r.id]));
  const now = Date.now();
  if (inserted.rows.length > 0 && requests.some((r) => (r.notBefore?.getTime() ?? now) <= now)) await wakeDelivery(db, tenantId);
  const repeated = requests.filter((r) => !fresh.has(r.dedupeKey)).map((r) => r.dedupeKey);
  const earlier = new Map<string, string>();
  if (repeated.length > 0) {
    const rows = await db.selectFrom('messages').select(['id', 'dedupe_key'])
      .where('tenant_id', '=', tenantId).where('dedupe_key', 'in', repeated).execute();
    for (const row of rows) earlier.set(row.dedupe_key, row.id);
  }
  return requests.map((r) => {
    const id = fresh.get(r.dedupeKey);
    if (id !== undefined) return { id, dedupeKey: r.dedupeKey, created: true };
    const first = earlier.get(r.dedupeKey);
    if (first === undefined) throw new Error(`message ${r.dedupeKey} is neither new nor stored`);
    return { id: first, dedupeKey: r.dedupeKey, created: false };
  });
}

/**
 * Wakes the delivery worker for a tenant at commit (graphile-worker's NOTIFY). One job per tenant:
 * the key folds many requests into one pick-up; messages due later are found by the minute sweep.
 */
export async function wakeDelivery(db: Db, tenantId: string): Promise<void> {
  await sql`select graphile_worker.add_job('deliver_messages', json_build_object('tenantId', ${tenantId}::text),
              job_key => ${`deliver_messages:${tenantId}`}, job_key_mode => 'preserve_run_at', max_attempts => 5)`.execute(db);
}
