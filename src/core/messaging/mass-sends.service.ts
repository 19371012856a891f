// Mass sends (群发): asking for one (recorded, then planned by the worker), the dry run, the list
// with progress, per-staff tracking for WeCom, cancelling, and the lift report.
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../../db/connect.ts';
import { invalid, notFound, YuchiError } from '../errors.ts';
import { newId, UUID_PATTERN } from '../ids.ts';
import { lift, type GroupFigures, type Lift } from './lift.rules.ts';
import type { WithClient } from './mass-plan-copy.ts';
import { settleHandOver } from './mass-confirm.service.ts';
import { planMassSend, type PlanCounts, type PlanSpec } from './mass-plan.service.ts';
import { Audience, earliestSendTime, MassSendInput, Schedule } from './mass-sends.rules.ts';
import { wakeDelivery } from './requests.ts';
import { variablesOf, type TemplateVariable } from './templates.rules.ts';
import { getTemplate } from './templates.service.ts';

/** Variables whose value differs from one customer of a guide to the next. */
const PER_CUSTOMER_VARIABLES: ReadonlySet<TemplateVariable> = new Set(['name', 'couponCode', 'tags', 'city']);

export interface MassSendView {
  id: string; name: string; channel: MassSendInput['channel']; templateId: string; audience: Audience; schedule: Schedule;
  priority: number; holdoutPercent: number; conversionDays: number; status: string; sendAt: string; createdAt: string; plannedAt: string | null;
  counts: Partial<PlanCounts>;
  /** Messages of the send by status (queued, sent, awaiting_confirmation, dropped, failed …). */
  progress: Record<string, number>;
  /** Messages not delivered (failed or dropped after planning) by reason, e.g. WeCom's wecom_not_a_friend. */
  notSent: Record<string, number>;
  staff: { staffId: string; name: string; messages: number; status: string; reason: string | null; confirmedAt: string | null }[];
}

/** The plan's inputs; `asked` checks what only a new request is refused for (a send already recorded is planned as asked). */
async function specFor(db: Db, tenantId: string, input: MassSendInput, massSendId: string, asked = false): Promise<PlanSpec> {
  const template = await getTemplate(db, tenantId, input.templateId).catch(() => { throw invalid('templateId', 'no such template', { code: 'unknown_template', params: {} }); });
  const part = input.channel === 'sandbox' ? template.content.sandbox ?? template.content.wecom : template.content[input.channel];
  if (!part) throw invalid('channel', `the template has no ${input.channel} content`, { code: 'template_lacks_channel', params: { channel: input.channel } });
  if (asked && input.channel === 'wecom' && template.content.wecom) {
    // WeCom's 群发 hands one text to all of a guide's customers: a per-customer value would go to all of them as the first one's
    const personal = variablesOf(template.content.wecom.text).known.filter((v) => PER_CUSTOMER_VARIABLES.has(v));
    if (personal.length > 0) {
      throw invalid('templateId', `a WeCom mass send sends one text to all of a guide's customers, so it cannot fill ${personal.map((v) => `{${v}}`).join(' ')} per customer; use {store} and {guide} only`,
        { code: 'wecom_mass_send_personal', params: { variables: personal.map((v) => `{${v}}`).join(' ') } });
    }
  }
  return { massSendId, channel: input.channel, content: template.content, audience: input.audience, schedule: input.schedule, priority: input.priority, holdoutPercent: input.holdoutPercent, couponTemplateId: input.couponTemplateId ?? null };
}

/** The audience count after consent, holdouts, quotas, caps and quiet hours, with the reasons for exclusions; writes nothing. */
export async function dryRunMassSend(db: Db, tenantId: string, input: MassSendInput): Promise<PlanCounts> {
  return planMassSend(db, tenantId, await specFor(db, tenantId, input, newId(), true), { dryRun: true });
}

/** Records the mass send and queues its planning in one transaction. */
export async function createMassSend(db: Db, tenantId: string, input: MassSendInput, by: string): Promise<MassSendView> {
  const id = newId();
  await specFor(db, tenantId, input, id, true);
  const sendAt = new Date(earliestSendTime(input.schedule, Date.now()));
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('mass_sends').values({
      tenant_id: tenantId, id, name: input.name, channel: input.channel, template_id: input.templateId, audience: JSON.stringify({ ...input.audience, couponTemplateId: input.couponTemplateId ?? null }),
      schedule: JSON.stringify(input.schedule), priority: input.priority, holdout_percent: input.holdoutPercent, conversion_days: input.conversionDays,
      send_at: sendAt, created_by: by,
    }).execute();
    await sql`select graphile_worker.add_job('plan_mass_send', json_build_object('tenantId', ${tenantId}::text, 'massSendId', ${id}::text),
                job_key => ${`plan_mass_send:${id}`}, max_attempts => 10)`.execute(trx);
  });
  return getMassSend(db, tenantId, id);
}

/** The coupon template rides along in the stored audience document. */
const StoredCoupon = z.object({ couponTemplateId: z.string().nullable().optional() });
const StoredCounts = z.object({
  audience: z.number(), planned: z.number(), heldOut: z.number(), excluded: z.record(z.string(), z.number()), moved: z.record(z.string(), z.number()),
}).partial();

function inputOf(row: { name: string; channel: MassSendInput['channel']; template_id: string; audience: unknown; schedule: unknown; priority: number; holdout_percent: string; conversion_days: number }): MassSendInput {
  const coupon = StoredCoupon.parse(row.audience);
  return {
    name: row.name, channel: row.channel, templateId: row.template_id, audience: Audience.parse(row.audience), schedule: Schedule.parse(row.schedule),
    priority: row.priority, holdoutPercent: Number(row.holdout_percent), conversionDays: row.conversion_days, couponTemplateId: coupon.couponTemplateId ?? null,
  };
}

/**
 * The worker's step: plan (resuming if interrupted: the counts of what an earlier run wrote are read
 * back from its rows, the rest is added as it is written), then open WeCom's per-staff hand-over.
 * `withClient` lends the connection the plan's COPY runs on.
 */
export async function runMassSendPlan(db: Db, tenantId: string, massSendId: string, withClient: WithClient): Promise<PlanCounts> {
  const row = await db.selectFrom('mass_sends').selectAll().where('tenant_id', '=', tenantId).where('id', '=', massSendId).executeTakeFirst();
  if (!row) throw notFound('mass send');
  if (row.status !== 'planning') return countsOf(db, tenantId, massSendId);
  const input = inputOf(row);
  const written = await countsOf(db, tenantId, massSendId);
  const spec = await specFor(db, tenantId, input, massSendId);
  const counts = await planMassSend(db, tenantId, spec, { withClient, ...(written.audience > 0 ? { resumedFrom: written } : {}) });
  await db.transaction().execute(async (trx) => {
    if (input.channel === 'wecom') {
      await sql`insert into mass_send_staff (tenant_id, mass_send_id, staff_id, messages)
                select ${tenantId}, ${massSendId}, staff_id, count(*) from mass_send_recipients
                 where tenant_id = ${tenantId} and mass_send_id = ${massSendId} and verdict = 'send' and staff_id is not null
                 group by staff_id
                on conflict do nothing`.execute(trx);
    }
    // the content as planned: the planned recipients' messages are rendered from it when released
    await trx.updateTable('mass_sends').set({ status: 'planned', counts: JSON.stringify(counts), planned_at: new Date(), content: JSON.stringify(spec.content) })
      .where('tenant_id', '=', tenantId).where('id', '=', massSendId).execute();
    if (input.channel !== 'wecom') await wakeDelivery(trx, tenantId);
  });
  return counts;
}

/**
 * A send's recipients, as statuses of the messages they are or will be: a planned recipient not yet
 * released counts as its queued message, a held-out or excluded one as dropped with its reason.
 */
const RECIPIENT_STATUS = sql`case when r.verdict = 'send' then 'queued' else 'dropped' end`;

async function countsOf(db: Db, tenantId: string, massSendId: string): Promise<PlanCounts> {
  const rows = await sql<{ status: string; reason: string | null; n: number }>`
    select status, status_reason as reason, count(*)::int as n from messages
     where tenant_id = ${tenantId} and mass_send_id = ${massSendId} group by 1, 2
    union all
    select ${RECIPIENT_STATUS}, r.reason, count(*)::int from mass_send_recipients r
     where r.tenant_id = ${tenantId} and r.mass_send_id = ${massSendId} group by 1, 2`.execute(db);
  const counts: PlanCounts = { audience: 0, planned: 0, heldOut: 0, excluded: {}, moved: {} };
  for (const r of rows.rows) {
    counts.audience += r.n;
    if (r.reason === 'campaign_holdout') counts.heldOut += r.n;
    else if (r.status === 'dropped') counts.excluded[r.reason ?? 'unknown'] = (counts.excluded[r.reason ?? 'unknown'] ?? 0) + r.n;
    else {
      counts.planned += r.n;
      if (r.status === 'queued' && r.reason) counts.moved[r.reason] = (counts.moved[r.reason] ?? 0) + r.n;
    }
  }
  return counts;
}

async function progressOf(db: Db, tenantId: string, ids: string[]): Promise<Map<string, { progress: Record<string, number>; notSent: Record<string, number> }>> {
  const out = new Map<string, { progress: Record<string, number>; notSent: Record<string, number> }>();
  if (ids.length === 0) return out;
  const rows = await sql<{ mass_send_id: string; status: string; reason: string | null; n: number }>`
    select mass_send_id, status, case when status = 'failed' then status_reason end as reason, count(*)::int as n from messages
     where tenant_id = ${tenantId} and mass_send_id = any(${ids}::uuid[]) group by 1, 2, 3
    union all
    select r.mass_send_id, ${RECIPIENT_STATUS}, null, count(*)::int from mass_send_recipients r
     where r.tenant_id = ${tenantId} and r.mass_send_id = any(${ids}::uuid[]) group by 1, 2`.execute(db);
  for (const r of rows.rows) {
    const p = out.get(r.mass_send_id) ?? { progress: {}, notSent: {} };
    p.progress[r.status] = (p.progress[r.status] ?? 0) + r.n;
    if (r.status === 'failed') p.notSent[r.reason ?? 'unknown'] = (p.notSent[r.reason ?? 'unknown'] ?? 0) + r.n;
    out.set(r.mass_send_id, p);
  }
  return out;
}

export async function listMassSends(db: Db, tenantId: string, limit = 50): Promise<MassSendView[]> {
  const rows = await db.selectFrom('mass_sends').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at', 'desc').limit(limit).execute();
  const progress = await progressOf(db, tenantId, rows.map((r) => r.id));
  return rows.map((r) => viewOf(r, progress.get(r.id) ?? { progress: {}, notSent: {} }, []));
}

type MassSendRow = Awaited<ReturnType<typeof loadRow>>;
async function loadRow(db: Db, tenantId: string, id: string) {
  const row = UUID_PATTERN.test(id) ? await db.selectFrom('mass_sends').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst() : undefined;
  if (!row) throw notFound('mass send');
  return row;
}

function viewOf(r: MassSendRow, { progress, notSent }: { progress: Record<string, number>; notSent: Record<string, number> }, staff: MassSendView['staff']): MassSendView {
  const input = inputOf(r);
  return {
    id: r.id, name: r.name, channel: r.channel, templateId: r.template_id, audience: input.audience, schedule: input.schedule, priority: r.priority,
    holdoutPercent: input.holdoutPercent, conversionDays: r.conversion_days, status: r.status, sendAt: r.send_at.toISOString(), createdAt: r.created_at.toISOString(),
    plannedAt: r.planned_at?.toISOString() ?? null, counts: StoredCounts.parse(r.counts), progress, notSent, staff,
  };
}

export async function getMassSend(db: Db, tenantId: string, id: string): Promise<MassSendView> {
  const row = await loadRow(db, tenantId, id);
  const progress = (await progressOf(db, tenantId, [id])).get(id) ?? { progress: {}, notSent: {} };
  const staff = await db.selectFrom('mass_send_staff as m').innerJoin('staff as s', (j) => j.onRef('s.tenant_id', '=', 'm.tenant_id').onRef('s.id', '=', 'm.staff_id'))
    .select(['m.staff_id', 's.name', 'm.messages', 'm.status', 'm.reason', 'm.confirmed_at'])
    .where('m.tenant_id', '=', tenantId).where('m.mass_send_id', '=', id).orderBy('s.name').execute();
  return viewOf(row, progress, staff.map((s) => ({ staffId: s.staff_id, name: s.name, messages: s.messages, status: s.status, reason: s.reason, confirmedAt: s.confirmed_at?.toISOString() ?? null })));
}

/** Stops what has not gone yet; what was sent stays sent. */
export async function cancelMassSend(db: Db, tenantId: string, id: string): Promise<MassSendView> {
  await loadRow(db, tenantId, id);
  await db.transaction().execute(async (trx) => {
    await sql`update messages set status = 'dropped', status_reason = 'cancelled', decided_at = now(), updated_at = now()
               where tenant_id = ${tenantId} and mass_send_id = ${id} and status in ('queued', 'deferred', 'retrying', 'requested')`.execute(trx);
    await sql`update mass_send_recipients set verdict = 'excluded', reason = 'cancelled', send_at = null
               where tenant_id = ${tenantId} and mass_send_id = ${id} and verdict = 'send'`.execute(trx);
    await trx.updateTable('mass_sends').set({ status: 'cancelled' }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
  });
  return getMassSend(db, tenantId, id);
}

export interface LiftReport { conversionDays: number; treated: GroupFigures; heldOut: GroupFigures; lift: Lift }

/** Treated (sent) vs held-out customers: who ordered within N days of the send, and what they spent (net of refunds). */
export async function massSendReport(db: Db, tenantId: string, id: string): Promise<LiftReport> {
  const row = await loadRow(db, tenantId, id);
  const rows = await sql<{ arm: 'treated' | 'held_out'; customers: number; converted: number; revenue: string; squares: string }>`
    with arms as (
      select m.customer_id, case when m.status_reason = 'campaign_holdout' then 'held_out' else 'treated' end as arm,
             coalesce(m.sent_at, m.not_before) as t0
        from messages m
       where m.tenant_id = ${tenantId} and m.mass_send_id = ${id}
         and (m.status in ('sent', 'awaiting_confirmation') or m.status_reason = 'campaign_holdout')
      union all
      select r.customer_id, 'held_out', r.send_at
        from mass_send_recipients r
       where r.tenant_id = ${tenantId} and r.mass_send_id = ${id} and r.verdict = 'held_out'),
    per_customer as (
      select a.arm, a.customer_id, count(o.id) > 0 as converted, coalesce(sum(o.paid_fen - o.refunded_fen), 0)::numeric as revenue
        from arms a
        left join orders o on o.tenant_id = ${tenantId} and o.customer_id = a.customer_id
                          and o.ordered_at >= a.t0 and o.ordered_at < a.t0 + make_interval(days => ${row.conversion_days})
       group by a.arm, a.customer_id)
    select arm, count(*)::int as customers, (count(*) filter (where converted))::int as converted,
           sum(revenue)::text as revenue, sum(revenue * revenue)::text as squares
      from per_customer group by arm`.execute(db);
  const figures = (arm: string): GroupFigures => {
    const r = rows.rows.find((x) => x.arm === arm);
    return { customers: r?.customers ?? 0, converted: r?.converted ?? 0, revenueFen: Number(r?.revenue ?? 0), revenueSquaresFen2: Number(r?.squares ?? 0) };
  };
  const treated = figures('treated');
  const heldOut = figures('held_out');
  return { conversionDays: row.conversion_days, treated, heldOut, lift: lift(treated, heldOut) };
}

/** An operator marks a staff member's hand-over as sent (WeCom's own result, where there is one, is not waited for). */
export async function confirmStaffSend(db: Db, tenantId: string, massSendId: string, staffId: string): Promise<MassSendView> {
  await loadRow(db, tenantId, massSendId);
  await db.transaction().execute(async (trx) => {
    if (!await settleHandOver(trx, tenantId, massSendId, staffId, true, { evenThroughWecom: true })) {
      throw new YuchiError('conflict', 'this staff member has no mass send waiting for confirmation', [{ path: 'staffId', message: 'not handed over', code: 'no_send_to_confirm', params: {} }]);
    }
    await sql`update guide_tasks set status = 'done', done_at = now(), done_by = 'confirmed for the guide'
               where tenant_id = ${tenantId} and dedupe_key = ${`mass_send_confirm:${massSendId}:${staffId}`} and status in ('open', 'expired')`.execute(trx);
  });
  return getMassSend(db, tenantId, massSendId);
}
