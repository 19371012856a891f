// Planning a mass send: the audience is read in id order in chunks, each chunk goes through the
// restraint engine (consent, global control group, platform quota, caps, quiet hours, priority),
// the campaign holdout is drawn among the eligible, and the chunk's messages are written in one
// set-wise insert — planned ('queued' at their time) and excluded ('dropped' with the reason) alike,
// so every recipient's decision is on record. Each chunk commits on its own; messages are keyed
// mass_send:<id>:<customer>, so a plan interrupted half-way resumes where it stopped.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { factsFor, loadSituations, tenantZone } from './facts.service.ts';
import type { Audience, Schedule } from './mass-sends.rules.ts';
import { sendTimeFor } from './mass-sends.rules.ts';
import { decide, inHoldout } from './restraint.rules.ts';
import { getMessagingSettings } from './settings.service.ts';
import { render, TemplateContent, usedVariables, type TemplateChannel } from './templates.rules.ts';
import { VALUE_JOINS, valueColumns, valuesOf, type ValueRow } from './templates.service.ts';

export interface PlanCounts {
  audience: number;
  planned: number;
  heldOut: number;
  /** Recipients left out, by reason (consent, quota or cap with drop policy, global holdout, no guide …). */
  excluded: Record<string, number>;
  /** Planned recipients whose time was moved, by what moved it. */
  moved: Record<string, number>;
}

export interface PlanSpec {
  massSendId: string;
  channel: 'wecom' | 'email' | 'sms' | 'sandbox';
  content: TemplateContent;
  audience: Audience;
  schedule: Schedule;
  priority: number;
  holdoutPercent: number;
  couponTemplateId?: string | null;
}

const CHUNK = 20_000;

function setCondition(tenantId: string, set: Audience['include']) {
  if (set.kind === 'all') return sql`true`;
  if (set.kind === 'segment') return sql`exists (select 1 from segment_members x where x.tenant_id = ${tenantId} and x.customer_id = c.id and x.segment_id = any(${set.ids}::uuid[]))`;
  if (set.kind === 'tag') return sql`exists (select 1 from customer_tags x where x.tenant_id = ${tenantId} and x.customer_id = c.id and x.tag_id = any(${set.ids}::uuid[]))`;
  return sql`exists (select 1 from group_members x where x.tenant_id = ${tenantId} and x.customer_id = c.id and x.group_id = any(${set.ids}::uuid[]) and x.left_at is null)`;
}

interface Recipient extends ValueRow { id: string; guide_id: string | null }

async function audienceChunk(db: Db, tenantId: string, spec: PlanSpec, after: string, resume: boolean): Promise<Recipient[]> {
  const rows = await sql<Recipient>`
    select c.id, c.guide_id, ${valueColumns(usedVariables(spec.content), spec.couponTemplateId)}
      from customers c ${VALUE_JOINS}
     where c.tenant_id = ${tenantId} and c.id > ${after}::uuid and c.erased_at is null
       and ${setCondition(tenantId, spec.audience.include)}
       and ${spec.audience.exclude ? sql`not ${setCondition(tenantId, spec.audience.exclude)}` : sql`true`}
       and ${resume ? sql`not exists (select 1 from messages m where m.tenant_id = ${tenantId} and m.dedupe_key = 'mass_send:' || ${spec.massSendId} || ':' || c.id)` : sql`true`}
     order by c.id limit ${CHUNK}`.execute(db);
  return rows.rows;
}

/**
 * Time-ordered ids (UUIDv7 layout) for a chunk at once: one clock reading and one random draw
 * instead of a call per recipient. Unique by 74 random bits; later than every id made before.
 */
function chunkIds(n: number): string[] {
  const ts = Date.now().toString(16).padStart(12, '0');
  const head = `${ts.slice(0, 8)}-${ts.slice(8, 12)}-7`;
  const hex = randomBytes(n * 9).toString('hex');
  const variant = '89ab';
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const r = hex.slice(i * 18, i * 18 + 18);
    out[i] = `${head}${r.slice(0, 3)}-${variant[parseInt(r.charAt(3), 16) & 3] ?? '8'}${r.slice(4, 7)}-${r.slice(7, 18)}0`;
  }
  return out;
}

const bump = (counts: Record<string, number>, key: string) => { counts[key] = (counts[key] ?? 0) + 1; };

/** Plans (or, with dryRun, only counts) a mass send. */
export async function planMassSend(db: Db, tenantId: string, spec: PlanSpec, options: { dryRun?: boolean; now?: number } = {}): Promise<PlanCounts> {
  const settings = await getMessagingSettings(db, tenantId);
  const zone = await tenantZone(db, tenantId);
  const now = options.now ?? Date.now();
  const templateChannel: TemplateChannel = spec.channel === 'sandbox' && !spec.content.sandbox ? 'wecom' : spec.channel;
  const counts: PlanCounts = { audience: 0, planned: 0, heldOut: 0, excluded: {}, moved: {} };
  const resume = !options.dryRun && (await sql<{ n: number }>`select count(*)::int as n from messages where tenant_id = ${tenantId} and mass_send_id = ${spec.massSendId}`.execute(db)).rows[0]?.n !== 0;
  let after = '00000000-0000-0000-0000-000000000000';
  let pendingWrite: Promise<unknown> = Promise.resolve();
  for (;;) {
    const chunk = await audienceChunk(db, tenantId, spec, after, resume);
    if (chunk.length === 0) break;
    after = chunk[chunk.length - 1]?.id ?? after;
    const situations = await loadSituations(db, tenantId, chunk.map((c) => c.id), settings, zone, now, true);
    const ids = chunkIds(chunk.length);
    const rows = { id: [] as string[], customer: [] as string[], staff: [] as (string | null)[], status: [] as string[], reason: [] as (string | null)[], at: [] as string[], content: [] as string[] };
    for (const [index, recipient] of chunk.entries()) {
      counts.audience++;
      const situation = situations.get(recipient.id);
      if (!situation) continue;
      const id = ids[index] ?? '';
      let status = 'dropped'; let reason: string | null; let at = now;
      if (spec.channel === 'wecom' && recipient.guide_id === null) {
        reason = 'no_guide'; // WeCom mass messages go out through the customer's own guide
      } else {
        const decision = decide(
          { id, channel: spec.channel, purpose: 'marketing', priority: spec.priority, sourceKind: 'mass_send', notBefore: sendTimeFor(spec.schedule, situation.timeZone, now) },
          factsFor(tenantId, recipient.id, spec.channel, situation, settings), situation.holders, settings, now);
        if (decision.verdict === 'drop') reason = decision.reason;
        else if (inHoldout(`campaign:${spec.massSendId}`, recipient.id, spec.holdoutPercent)) { reason = 'campaign_holdout'; at = decision.at; counts.heldOut++; }
        else {
          status = 'queued'; reason = decision.movedBy; at = decision.at; counts.planned++;
          if (decision.movedBy) bump(counts.moved, decision.movedBy);
        }
      }
      if (status === 'dropped' && reason !== 'campaign_holdout' && reason !== null) bump(counts.excluded, reason);
      if (options.dryRun) continue;
      const content = render(spec.content, templateChannel, valuesOf(recipient)) ?? { text: '' };
      rows.id.push(id); rows.customer.push(recipient.id); rows.staff.push(recipient.guide_id); rows.status.push(status);
      rows.reason.push(reason); rows.at.push(new Date(at).toISOString()); rows.content.push(JSON.stringify(content));
    }
    if (options.dryRun) continue;
    // the insert of this chunk runs while the next one is read and decided
    await pendingWrite;
    const write = sql`
      insert into messages (tenant_id, id, customer_id, channel, purpose, priority, source_kind, source_id, dedupe_key, staff_id,
                            content, not_before, status, status_reason, decided_at, mass_send_id)
      select ${tenantId}, r.id, r.customer_id, ${spec.channel}, 'marketing', ${spec.priority}, 'mass_send', ${spec.massSendId},
             'mass_send:' || ${spec.massSendId} || ':' || r.customer_id, r.staff_id, r.content, r.at, r.status, r.reason, now(), ${spec.massSendId}
        from unnest(${rows.id}::uuid[], ${rows.customer}::uuid[], ${rows.staff}::uuid[], ${rows.status}::text[], ${rows.reason}::text[],
                    ${rows.at}::timestamptz[], ${rows.content}::jsonb[]) as r(id, customer_id, staff_id, status, reason, at, content)
      on conflict (tenant_id, dedupe_key) do nothing`.execute(db);
    write.catch(() => {}); // awaited (and its error thrown) before the next write or at the end
    pendingWrite = write;
  }
  await pendingWrite;
  return counts;
}
