// SOP plans: create, change, pause and delete a plan with its slots. Every write checks slot
// shapes, referenced groups, staff and coupon templates, and refuses overlaps for any group the
// plan reaches — under a per-tenant lock, so two concurrent writes cannot each miss the other.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type { GroupKind, SopContent } from '../../db/schema.ts';
import { inTransaction } from '../../db/transaction.ts';
import { YuchiError, isUniqueViolation, notFound, type ErrorDetail } from '../errors.ts';
import { newId, UUID_PATTERN } from '../ids.ts';
import { checkSlotTimes, findOverlaps, formatClock, parseClock, type PlanSlots, type PlanTarget, type SlotMode } from './sop.rules.ts';

export interface SlotInput {
  id?: string | undefined;
  /** null: every day; 1 = Monday … 7 = Sunday. */
  weekday: number | null;
  /** HH:MM in the tenant's zone. */
  time: string;
  durationMinutes?: number | undefined;
  title: string;
  content: SopContent;
  ownerStaffId?: string | null | undefined;
  mode: SlotMode;
}

export interface PlanInput {
  name: string;
  description?: string | undefined;
  target: PlanTarget;
  status?: 'active' | 'paused' | undefined;
  slots: SlotInput[];
}

export interface SlotView {
  id: string;
  weekday: number | null;
  time: string;
  durationMinutes: number;
  title: string;
  content: SopContent;
  ownerStaffId: string | null;
  mode: SlotMode;
}

export interface PlanView {
  id: string;
  name: string;
  description: string;
  target: PlanTarget;
  status: 'active' | 'paused';
  templateKey: string | null;
  slots: SlotView[];
  createdAt: string;
  updatedAt: string;
}

type PlanRow = {
  id: string; name: string; description: string; target_kind: 'groups' | 'group_kind'; group_ids: string[]; group_kind: GroupKind | null;
  status: 'active' | 'paused'; template_key: string | null; created_at: Date; updated_at: Date;
};
type SlotRow = {
  id: string; plan_id: string; weekday: number | null; start_minute: number; duration_minutes: number; title: string;
  content: SopContent; owner_staff_id: string | null; mode: SlotMode;
};

function targetOf(row: Pick<PlanRow, 'target_kind' | 'group_ids' | 'group_kind'>): PlanTarget {
  return row.target_kind === 'group_kind' && row.group_kind ? { kind: 'group_kind', groupKind: row.group_kind } : { kind: 'groups', groupIds: row.group_ids };
}

function viewOf(plan: PlanRow, slots: SlotRow[]): PlanView {
  return {
    id: plan.id, name: plan.name, description: plan.description, target: targetOf(plan), status: plan.status, templateKey: plan.template_key,
    slots: slots.filter((s) => s.plan_id === plan.id).map((s) => ({
      id: s.id, weekday: s.weekday, time: formatClock(s.start_minute), durationMinutes: s.duration_minutes, title: s.title,
      content: s.content, ownerStaffId: s.owner_staff_id, mode: s.mode,
    })),
    createdAt: plan.created_at.toISOString(), updatedAt: plan.updated_at.toISOString(),
  };
}

const PLAN_COLUMNS = ['id', 'name', 'description', 'target_kind', 'group_ids', 'group_kind', 'status', 'template_key', 'created_at', 'updated_at'] as const;
const SLOT_COLUMNS = ['id', 'plan_id', 'weekday', 'start_minute', 'duration_minutes', 'title', 'content', 'owner_staff_id', 'mode'] as const;

async function slotsOf(db: Db, tenantId: string, planIds: string[]): Promise<SlotRow[]> {
  if (planIds.length === 0) return [];
  return db.selectFrom('sop_slots').select(SLOT_COLUMNS).where('tenant_id', '=', tenantId).where('plan_id', 'in', planIds)
    .orderBy('plan_id').orderBy('weekday', (ob) => ob.asc().nullsFirst()).orderBy('start_minute').execute();
}

export async function listPlans(db: Db, tenantId: string): Promise<PlanView[]> {
  const plans = await db.selectFrom('sop_plans').select(PLAN_COLUMNS).where('tenant_id', '=', tenantId).orderBy('created_at').execute();
  const slots = await slotsOf(db, tenantId, plans.map((p) => p.id));
  return plans.map((p) => viewOf(p, slots));
}

export async function getPlan(db: Db, tenantId: string, planId: string): Promise<PlanView> {
  if (!UUID_PATTERN.test(planId)) throw notFound('SOP plan');
  const plan = await db.selectFrom('sop_plans').select(PLAN_COLUMNS).where('tenant_id', '=', tenantId).where('id', '=', planId).executeTakeFirst();
  if (!plan) throw notFound('SOP plan');
  return viewOf(plan, await slotsOf(db, tenantId, [plan.id]));
}

/** Slot times in minutes, and the details of times that are not HH:MM. */
function slotTimes(slots: SlotInput[]): { times: { weekday: number | null; startMinute: number; durationMinutes: number; title: string }[]; details: ErrorDetail[] } {
  const details: ErrorDetail[] = [];
  const times = slots.map((s, i) => {
    const startMinute = parseClock(s.time);
    if (startMinute === undefined) details.push({ path: `slots.${i}.time`, message: 'must be a time of day HH:MM (00:00–23:59)', code: 'time_format', params: {} });
    return { weekday: s.weekday, startMinute: startMinute ?? 0, durationMinutes: s.durationMinutes ?? 30, title: s.title };
  });
  return { times, details: [...details, ...checkSlotTimes(times).filter((d) => !details.some((e) => e.path === d.path))] };
}

/** Groups, staff and coupon templates a plan names must be the tenant's own. */
async function checkReferences(db: Db, tenantId: string, input: PlanInput): Promise<ErrorDetail[]> {
  const details: ErrorDetail[] = [];
  if (input.target.kind === 'groups') {
    const ids = [...new Set(input.target.groupIds)];
    const found = ids.length === 0 ? [] : await db.selectFrom('customer_groups').select('id').where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
    const known = new Set(found.map((g) => g.id));
    input.target.groupIds.forEach((id, i) => { if (!known.has(id)) details.push({ path: `target.groupIds.${i}`, message: 'no such group', code: 'unknown_group', params: {} }); });
    if (ids.length === 0) details.push({ path: 'target.groupIds', message: 'name at least one group', code: 'groups_needed', params: {} });
  }
  const staffIds = [...new Set(input.slots.flatMap((s) => (s.ownerStaffId ? [s.ownerStaffId] : [])))];
  const staff = staffIds.length === 0 ? [] : await db.selectFrom('staff').select(['id', 'status']).where('tenant_id', '=', tenantId).where('id', 'in', staffIds).execute();
  const couponIds = [...new Set(input.slots.flatMap((s) => (s.content.couponTemplateId ? [s.content.couponTemplateId] : [])))];
  const coupons = couponIds.length === 0 ? [] : await db.selectFrom('coupon_templates').select('id').where('tenant_id', '=', tenantId).where('id', 'in', couponIds).execute();
  input.slots.forEach((s, i) => {
    if (s.ownerStaffId) {
      const who = staff.find((x) => x.id === s.ownerStaffId);
      if (!who) details.push({ path: `slots.${i}.ownerStaffId`, message: 'no such staff member', code: 'unknown_staff', params: {} });
      else if (who.status !== 'active') details.push({ path: `slots.${i}.ownerStaffId`, message: 'has resigned', code: 'staff_left', params: {} });
    }
    if (s.content.couponTemplateId && !coupons.some((c) => c.id === s.content.couponTemplateId)) {
      details.push({ path: `slots.${i}.content.couponTemplateId`, message: 'no such coupon template', code: 'unknown_coupon_template', params: {} });
    }
  });
  return details;
}

/** The other active plans and the kinds of every group any plan lists, for the overlap check. */
async function overlapsWithOthers(db: Db, tenantId: string, plan: PlanSlots): Promise<ErrorDetail[]> {
  const others = await db.selectFrom('sop_plans').select(PLAN_COLUMNS).where('tenant_id', '=', tenantId).where('status', '=', 'active').where('id', '!=', plan.planId).execute();
  const slots = await slotsOf(db, tenantId, others.map((o) => o.id));
  const listed = [...new Set([...others.flatMap((o) => o.group_ids), ...(plan.target.kind === 'groups' ? plan.target.groupIds : [])])];
  const kinds = new Map<string, GroupKind>();
  for (let i = 0; i < listed.length; i += 5000) {
    const rows = await db.selectFrom('customer_groups').select(['id', 'kind']).where('tenant_id', '=', tenantId).where('id', 'in', listed.slice(i, i + 5000)).execute();
    for (const r of rows) kinds.set(r.id, r.kind);
  }
  const otherSlots: PlanSlots[] = others.map((o) => ({
    planId: o.id, planName: o.name, target: targetOf(o),
    slots: slots.filter((s) => s.plan_id === o.id).map((s) => ({ weekday: s.weekday, startMinute: s.start_minute, durationMinutes: s.duration_minutes, title: s.title })),
  }));
  return findOverlaps(plan, otherSlots, (id) => kinds.get(id));
}

async function validate(db: Db, tenantId: string, planId: string, input: PlanInput): Promise<ReturnType<typeof slotTimes>['times']> {
  const { times, details } = slotTimes(input.slots);
  details.push(...await checkReferences(db, tenantId, input));
  if (details.length > 0) throw new YuchiError('invalid', details.map((d) => `${d.path}: ${d.message}`).join('; '), details);
  const plan: PlanSlots = { planId, planName: input.name, target: input.target, slots: times };
  const overlaps = (input.status ?? 'active') === 'active' ? await overlapsWithOthers(db, tenantId, plan) : findOverlaps(plan, [], () => undefined);
  if (overlaps.length > 0) {
    throw new YuchiError('conflict', `slots overlap for the same group: ${overlaps.map((d) => `${d.path} ${d.message}`).join('; ')}`, overlaps, 'slot_overlap');
  }
  return times;
}

/** One writer of a tenant's plans at a time: the overlap check must see every other write. */
async function lockPlans(db: Db, tenantId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`sop_plans:${tenantId}`}))`.execute(db);
}

async function writeSlots(db: Db, tenantId: string, planId: string, input: PlanInput, times: ReturnType<typeof slotTimes>['times']): Promise<void> {
  const existing = new Set((await db.selectFrom('sop_slots').select('id').where('tenant_id', '=', tenantId).where('plan_id', '=', planId).execute()).map((s) => s.id));
  // A kept slot keeps its id, so the runs already made for it still dedupe today's work.
  const keep = input.slots.flatMap((s) => (s.id && existing.has(s.id) ? [s.id] : []));
  let del = db.deleteFrom('sop_slots').where('tenant_id', '=', tenantId).where('plan_id', '=', planId);
  if (keep.length > 0) del = del.where('id', 'not in', keep);
  await del.execute();
  for (const [i, s] of input.slots.entries()) {
    const time = times[i];
    if (!time) continue;
    const values = {
      weekday: s.weekday, start_minute: time.startMinute, duration_minutes: time.durationMinutes, title: s.title,
      content: JSON.stringify(s.content), owner_staff_id: s.ownerStaffId ?? null, mode: s.mode, position: i,
    };
    if (s.id && existing.has(s.id)) {
      await db.updateTable('sop_slots').set(values).where('tenant_id', '=', tenantId).where('id', '=', s.id).execute();
    } else {
      await db.insertInto('sop_slots').values({ tenant_id: tenantId, id: newId(), plan_id: planId, ...values }).execute();
    }
  }
}

function targetColumns(target: PlanTarget) {
  return target.kind === 'groups'
    ? { target_kind: 'groups' as const, group_ids: [...new Set(target.groupIds)], group_kind: null }
    : { target_kind: 'group_kind' as const, group_ids: [], group_kind: target.groupKind };
}

function nameTaken(err: unknown): YuchiError | unknown {
  return isUniqueViolation(err) ? new YuchiError('conflict', 'a plan of that name exists', [{ path: 'name', message: 'a plan of that name exists', code: 'name_taken', params: {} }]) : err;
}

export async function createPlan(db: Db, tenantId: string, input: PlanInput, createdBy: string, templateKey: string | null = null): Promise<PlanView> {
  const id = newId();
  try {
    await inTransaction(db, async (trx) => {
      await lockPlans(trx, tenantId);
      const times = await validate(trx, tenantId, id, input);
      await trx.insertInto('sop_plans').values({
        tenant_id: tenantId, id, name: input.name, description: input.description ?? '', status: input.status ?? 'active',
        template_key: templateKey, created_by: createdBy, ...targetColumns(input.target),
      }).execute();
      await writeSlots(trx, tenantId, id, input, times);
    });
  } catch (err) {
    throw nameTaken(err);
  }
  return getPlan(db, tenantId, id);
}

export async function updatePlan(db: Db, tenantId: string, planId: string, input: PlanInput): Promise<PlanView> {
  await getPlan(db, tenantId, planId);
  try {
    await inTransaction(db, async (trx) => {
      await lockPlans(trx, tenantId);
      const times = await validate(trx, tenantId, planId, input);
      await trx.updateTable('sop_plans').set({
        name: input.name, description: input.description ?? '', status: input.status ?? 'active', updated_at: new Date(), ...targetColumns(input.target),
      }).where('tenant_id', '=', tenantId).where('id', '=', planId).execute();
      await writeSlots(trx, tenantId, planId, input, times);
    });
  } catch (err) {
    throw nameTaken(err);
  }
  return getPlan(db, tenantId, planId);
}

export async function deletePlan(db: Db, tenantId: string, planId: string): Promise<void> {
  if (!UUID_PATTERN.test(planId)) throw notFound('SOP plan');
  const result = await db.deleteFrom('sop_plans').where('tenant_id', '=', tenantId).where('id', '=', planId).executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw notFound('SOP plan');
}

/** The plan as input again, for a change of one part (status) through the same checks. */
export function inputOf(plan: PlanView): PlanInput {
  return {
    name: plan.name, description: plan.description, target: plan.target, status: plan.status,
    slots: plan.slots.map((s) => ({ id: s.id, weekday: s.weekday, time: s.time, durationMinutes: s.durationMinutes, title: s.title, content: s.content, ownerStaffId: s.ownerStaffId, mode: s.mode })),
  };
}

/** Active groups to pick from when a plan lists groups (name search, at most 200). */
export async function groupChoices(db: Db, tenantId: string, q: string | undefined): Promise<{ id: string; name: string; kind: GroupKind; ownerName: string | null }[]> {
  let query = db.selectFrom('customer_groups as g')
    .leftJoin('staff as s', (j) => j.onRef('s.tenant_id', '=', 'g.tenant_id').onRef('s.id', '=', 'g.owner_staff_id'))
    .select(['g.id', 'g.name', 'g.chat_id', 'g.kind', 's.name as owner_name'])
    .where('g.tenant_id', '=', tenantId).where('g.status', '=', 'active');
  if (q) query = query.where('g.name', 'ilike', `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  const rows = await query.orderBy('g.name').limit(200).execute();
  return rows.map((r) => ({ id: r.id, name: r.name || r.chat_id, kind: r.kind, ownerName: r.owner_name }));
}
