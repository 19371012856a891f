// Releasing a planned mass send: when its send time has come, its planned recipients
// (mass_send_recipients, verdict 'send') become messages rows — with the id the plan gave them,
// their send time and what moved it, content rendered from the template as planned with each
// customer's values now — and leave mass_send_recipients in the same transaction, a chunk at a
// time. From then on the message row is the record and the delivery worker (or, for WeCom, the
// per-staff hand-over) takes it as any other. A planned recipient is therefore always exactly one
// of: a row here, or a message. Releasers of one send take turns (a transaction advisory lock), so
// none is released twice; a crash rolls back the chunk in hand and the next run takes it again.
// A recipient whose profile was erased (or is gone) is not released: it is excluded as 'erased'.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type { MessageChannel } from '../../db/schema.ts';
import { render, TemplateContent, usedVariables, type TemplateChannel, type TemplateValues } from './templates.rules.ts';
import { getTemplate, VALUE_JOINS, valueColumns, valuesOf, type ValueRow } from './templates.service.ts';

const RELEASE_CHUNK = 5_000;

interface DueSend {
  tenant_id: string; id: string; channel: MessageChannel; priority: number; template_id: string; content: unknown; audience: unknown; planned_at: Date | null;
}

interface ReleaseRow extends ValueRow {
  customer_id: string; message_id: string; staff_id: string | null; reason: string | null; send_at: Date; gone: boolean;
  /** The sending guide's name and store (WeCom sends only). */
  sender: string | null; sender_store: string | null;
}

export interface ReleaseOptions {
  tenantId?: string;
  /** Only sends on these channels (WeCom's are released by its hand-over, the others by delivery). */
  channels?: readonly MessageChannel[];
  budgetMs?: number;
  chunkSize?: number;
}

async function contentOf(db: Db, send: DueSend): Promise<TemplateContent> {
  if (send.content !== null && send.content !== undefined) return TemplateContent.parse(send.content);
  return (await getTemplate(db, send.tenant_id, send.template_id)).content;
}

function couponTemplateOf(audience: unknown): string | null {
  if (typeof audience !== 'object' || audience === null) return null;
  const value: unknown = Reflect.get(audience, 'couponTemplateId');
  return typeof value === 'string' ? value : null;
}

/**
 * A recipient's template values. A WeCom 群发 goes out as the guide's own message, one text to all
 * of their customers (add_msg_template): {guide} and {store} are the sending guide and their store,
 * the same for every customer of theirs (a customer's own store may be another, and their guide
 * may have changed since the plan).
 */
function valuesFor(send: DueSend, r: ReleaseRow): Partial<TemplateValues> {
  const values = valuesOf(r);
  if (send.channel !== 'wecom' || r.sender === null) return values;
  return { ...values, guide: r.sender, store: r.sender_store ?? '' };
}

/**
 * One chunk of a send's planned recipients after `after` (customer id order) into messages.
 * Returns the last customer id taken, or null when none was left.
 */
async function releaseChunk(db: Db, send: DueSend, content: TemplateContent, after: string, size: number): Promise<string | null> {
  const channel: TemplateChannel = send.channel === 'sandbox' && !content.sandbox ? 'wecom' : send.channel as TemplateChannel;
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtextextended('mass_send_release:' || ${send.id}::text, 0))`.execute(trx);
    const rows = await sql<ReleaseRow>`
      select r.customer_id, r.message_id, r.staff_id, r.reason, r.send_at, (c.id is null or c.erased_at is not null) as gone,
             ${valueColumns(usedVariables(content), couponTemplateOf(send.audience))},
             ss.name as sender, sst.name as sender_store
        from mass_send_recipients r
        left join customers c on c.tenant_id = r.tenant_id and c.id = r.customer_id
        ${VALUE_JOINS}
        left join staff ss on ${send.channel === 'wecom' ? sql`ss.tenant_id = r.tenant_id and ss.id = r.staff_id` : sql`false`}
        left join stores sst on sst.tenant_id = ss.tenant_id and sst.id = ss.store_id
       where r.tenant_id = ${send.tenant_id} and r.mass_send_id = ${send.id} and r.verdict = 'send' and r.customer_id > ${after}::uuid
       order by r.customer_id limit ${size}`.execute(trx);
    const last = rows.rows[rows.rows.length - 1];
    if (!last) return null;
    const live = rows.rows.filter((r) => !r.gone);
    const gone = rows.rows.filter((r) => r.gone).map((r) => r.customer_id);
    if (live.length > 0) {
      await sql`
        insert into messages (tenant_id, id, customer_id, channel, purpose, priority, source_kind, source_id, dedupe_key, staff_id, content,
                              not_before, status, status_reason, decided_at, mass_send_id)
        select ${send.tenant_id}, u.id, u.customer_id, ${send.channel}, 'marketing', ${send.priority}, 'mass_send', ${send.id}::text,
               'mass_send:' || ${send.id}::text || ':' || u.customer_id, u.staff_id, u.content, u.not_before, 'queued', u.reason,
               coalesce(${send.planned_at}::timestamptz, now()), ${send.id}
          from unnest(${live.map((r) => r.message_id)}::uuid[], ${live.map((r) => r.customer_id)}::uuid[], ${live.map((r) => r.staff_id)}::uuid[],
                      ${live.map((r) => JSON.stringify(render(content, channel, valuesFor(send, r)) ?? { text: '' }))}::jsonb[],
                      ${live.map((r) => r.send_at.toISOString())}::timestamptz[], ${live.map((r) => r.reason)}::text[])
               as u(id, customer_id, staff_id, content, not_before, reason)`.execute(trx);
      await sql`delete from mass_send_recipients where tenant_id = ${send.tenant_id} and mass_send_id = ${send.id}
                  and customer_id = any(${live.map((r) => r.customer_id)}::uuid[])`.execute(trx);
    }
    if (gone.length > 0) {
      await sql`update mass_send_recipients set verdict = 'excluded', reason = 'erased', send_at = null
                 where tenant_id = ${send.tenant_id} and mass_send_id = ${send.id} and customer_id = any(${gone}::uuid[])`.execute(trx);
    }
    return last.customer_id;
  });
}

/**
 * Releases the planned mass sends whose send time has come, chunk by chunk, until done or the
 * budget is spent; a send with nothing left is marked released. `more`: something is left.
 */
export async function releaseDueMassSends(db: Db, options: ReleaseOptions = {}): Promise<{ released: number; more: boolean }> {
  const until = Date.now() + (options.budgetMs ?? 20_000);
  const due = await sql<DueSend>`
    select tenant_id, id, channel, priority, template_id, content, audience, planned_at from mass_sends
     where status = 'planned' and released_at is null and send_at <= now()
       and ${options.tenantId ? sql`tenant_id = ${options.tenantId}` : sql`true`}
       and ${options.channels ? sql`channel = any(${[...options.channels]}::text[])` : sql`true`}
     order by send_at limit 100`.execute(db);
  let released = 0;
  for (const send of due.rows) {
    const content = await contentOf(db, send);
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      if (Date.now() > until) return { released, more: true };
      const last = await releaseChunk(db, send, content, after, options.chunkSize ?? RELEASE_CHUNK);
      if (last === null) break;
      after = last;
    }
    // a cancel between the chunks leaves nothing to release; the mark only says none is left
    await sql`update mass_sends set released_at = now() where tenant_id = ${send.tenant_id} and id = ${send.id} and released_at is null
                and not exists (select 1 from mass_send_recipients r where r.tenant_id = ${send.tenant_id} and r.mass_send_id = ${send.id} and r.verdict = 'send')`.execute(db);
    released++;
  }
  return { released, more: due.rows.length === 100 };
}
