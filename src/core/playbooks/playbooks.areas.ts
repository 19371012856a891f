// The playbook's set-up in the other areas — acquisition codes, SOP plans, journeys, membership —
// planned against what the tenant already has (free names, who answers a code, overlapping SOP
// slots, configured channels, existing membership rules), created through each area's services,
// and undone by what became of each object since.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type { GroupKind, RotationMember } from '../../db/schema.ts';
import type { Actor } from '../access/access.rules.ts';
import { createCode } from '../acquisition/codes.service.ts';
import { listChannels } from '../channels/settings.service.ts';
import type { JourneyGraphInput } from '../journeys/journeys.graph.ts';
import { createJourney, publishJourney, refreshListens, setJourneyStatus } from '../journeys/journeys.service.ts';
import { getSettings, saveSettings } from '../membership/settings.service.ts';
import { listTiers, replaceTiers } from '../membership/tiers.service.ts';
import { createPlan, deletePlan, getPlan, inputOf, listPlans, updatePlan } from '../sop/plans.service.ts';
import { findOverlaps, parseClock, type PlanSlots } from '../sop/sop.rules.ts';
import type { SetupItem } from './playbooks.setup.ts';

export const SETUP_KINDS = ['acquisition_code', 'sop_plan', 'journey', 'membership_settings', 'membership_tiers'] as const;
export type SetupKind = (typeof SETUP_KINDS)[number];

/**
 * What applying will do with an item: create it; create it paused (a code whose guides have no
 * WeCom QR on file yet, an SOP plan whose slots would overlap a running plan for the same groups);
 * create a journey as a draft (it sends through a channel the tenant has not configured); keep
 * the tenant's own membership rules; skip (nobody could answer a code).
 */
export type SetupAction = 'create' | 'create_paused' | 'create_draft' | 'keep_existing' | 'skip';

/** Why an item is not simply created, as a code the console translates. */
export type SetupNote = 'no_active_staff' | 'needs_staff_qr' | 'sop_overlap' | 'channel_not_configured' | 'membership_exists' | 'tiers_exist';

export interface SetupPlan { finalName: string; action: SetupAction; note: SetupNote | null; detail: string }

/** What the tenant has that decides how the set-up applies; read once per preview. */
export interface SetupContext {
  taken: Record<'acquisition_code' | 'sop_plan' | 'journey', Set<string>>;
  rotation: RotationMember[];
  plans: PlanSlots[];
  groupKindOf: Map<string, GroupKind>;
  groupsByKind: Map<GroupKind, number>;
  channels: Set<string>;
  membershipSaved: boolean;
  tierNames: string[];
}

export async function setupContext(db: Db, tenantId: string): Promise<SetupContext> {
  const names = async (table: 'acquisition_codes' | 'sop_plans' | 'journeys') =>
    new Set((await db.selectFrom(table).select('name').where('tenant_id', '=', tenantId).execute()).map((r) => r.name));
  // Guides and advisors answer first; at most ten in a code's rotation.
  const staff = await db.selectFrom('staff').select(['id', 'title']).where('tenant_id', '=', tenantId).where('status', '=', 'active')
    .orderBy(sql`title = 'manager'`).orderBy('created_at').limit(10).execute();
  // A staff member's add-friend QR is the one they already answer another code with.
  const qr = await sql<{ staff_id: string; qr_url: string }>`
    select distinct on (m->>'staffId') m->>'staffId' as staff_id, m->>'qrUrl' as qr_url
      from acquisition_codes a, jsonb_array_elements(a.rotation) m
     where a.tenant_id = ${tenantId} and coalesce(m->>'qrUrl', '') <> ''
     order by m->>'staffId', a.updated_at desc`.execute(db);
  const qrOf = new Map(qr.rows.map((r) => [r.staff_id, r.qr_url]));
  const plans = (await listPlans(db, tenantId)).filter((p) => p.status === 'active');
  const listed = [...new Set(plans.flatMap((p) => (p.target.kind === 'groups' ? p.target.groupIds : [])))];
  const listedKinds = listed.length === 0 ? [] : await db.selectFrom('customer_groups').select(['id', 'kind']).where('tenant_id', '=', tenantId).where('id', 'in', listed).execute();
  const byKind = await db.selectFrom('customer_groups').select(['kind', sql<number>`count(*)::int`.as('n')])
    .where('tenant_id', '=', tenantId).where('status', '=', 'active').groupBy('kind').execute();
  const settings = await getSettings(db, tenantId);
  // Those who can answer now (their QR is on file) make the rotation; when nobody can, everyone
  // is listed and the code waits, paused, for their QR.
  const ready = staff.filter((s) => qrOf.has(s.id));
  return {
    taken: { acquisition_code: await names('acquisition_codes'), sop_plan: await names('sop_plans'), journey: await names('journeys') },
    rotation: (ready.length > 0 ? ready : staff).map((s) => ({ staffId: s.id, dailyCap: 200, qrUrl: qrOf.get(s.id) ?? '', backup: false })),
    plans: plans.map((p) => ({ planId: p.id, planName: p.name, target: p.target, slots: slotTimes(p.slots) })),
    groupKindOf: new Map(listedKinds.map((g) => [g.id, g.kind])),
    groupsByKind: new Map(byKind.map((r) => [r.kind, r.n])),
    channels: new Set(['sandbox', ...(await listChannels(db, tenantId)).filter((c) => c.configured).map((c) => c.kind)]),
    membershipSaved: settings.saved,
    tierNames: (await listTiers(db, tenantId)).map((t) => t.name),
  };
}

function slotTimes(slots: readonly { weekday: number | null; time: string; durationMinutes?: number | undefined; title: string }[]): PlanSlots['slots'] {
  return slots.map((s) => ({ weekday: s.weekday, startMinute: parseClock(s.time) ?? 0, durationMinutes: s.durationMinutes ?? 30, title: s.title }));
}

/** The channels a journey's messages go out through. */
function journeyChannels(item: Extract<SetupItem, { kind: 'journey' }>): string[] {
  return [...new Set(item.graph.nodes.flatMap((n) => (n.type === 'send_message' ? [n.channel] : [])))];
}

/**
 * Plans one item against the context, and notes in the context what it will take (a name, an
 * SOP calendar), so the items of one playbook never collide with each other either.
 */
export function planSetup(ctx: SetupContext, item: SetupItem, freeName: (name: string, taken: ReadonlySet<string>) => string): SetupPlan {
  switch (item.kind) {
    case 'acquisition_code': {
      const finalName = freeName(item.name, ctx.taken.acquisition_code);
      if (ctx.rotation.length === 0) return { finalName, action: 'skip', note: 'no_active_staff', detail: '' };
      ctx.taken.acquisition_code.add(finalName);
      return ctx.rotation.some((m) => m.qrUrl === '')
        ? { finalName, action: 'create_paused', note: 'needs_staff_qr', detail: `${ctx.rotation.length}` }
        : { finalName, action: 'create', note: null, detail: `${ctx.rotation.length}` };
    }
    case 'sop_plan': {
      const finalName = freeName(item.name, ctx.taken.sop_plan);
      ctx.taken.sop_plan.add(finalName);
      const plan: PlanSlots = { planId: item.key, planName: finalName, target: { kind: 'group_kind', groupKind: item.groupKind }, slots: slotTimes(item.slots) };
      // the kind and how many active groups of it the plan reaches today, e.g. "interest:3"
      const detail = `${item.groupKind}:${ctx.groupsByKind.get(item.groupKind) ?? 0}`;
      if (findOverlaps(plan, ctx.plans, (id) => ctx.groupKindOf.get(id)).length > 0) return { finalName, action: 'create_paused', note: 'sop_overlap', detail };
      ctx.plans.push(plan);
      return { finalName, action: 'create', note: null, detail };
    }
    case 'journey': {
      const finalName = freeName(item.name, ctx.taken.journey);
      ctx.taken.journey.add(finalName);
      const missing = journeyChannels(item).filter((c) => !ctx.channels.has(c));
      return missing.length > 0
        ? { finalName, action: 'create_draft', note: 'channel_not_configured', detail: missing.join(', ') }
        : { finalName, action: 'create', note: null, detail: '' };
    }
    case 'membership_settings':
      return ctx.membershipSaved
        ? { finalName: item.name, action: 'keep_existing', note: 'membership_exists', detail: '' }
        : { finalName: item.name, action: 'create', note: null, detail: '' };
    case 'membership_tiers':
      return ctx.tierNames.length > 0
        ? { finalName: item.name, action: 'keep_existing', note: 'tiers_exist', detail: ctx.tierNames.join(' / ') }
        : { finalName: item.name, action: 'create', note: null, detail: '' };
  }
}

/** A key of the playbook (a coupon template, a segment) → the id it was created with. */
type Made = ReadonlyMap<string, string>;

const needId = (made: Made, key: string): string => {
  const id = made.get(key);
  if (!id) throw new Error(`playbook content names ${key}, which it does not create first`);
  return id;
};

/** Creates one planned item through its area's service; returns the id recorded against the application. */
export async function createSetup(db: Db, actor: Actor, item: SetupItem, plan: SetupPlan, made: Made, ctx: SetupContext): Promise<string | null> {
  const t = actor.tenantId;
  if (plan.action === 'skip' || plan.action === 'keep_existing') return null;
  switch (item.kind) {
    case 'acquisition_code': {
      const code = await createCode(db, t, {
        name: plan.finalName, kind: item.codeKind, campaign: item.campaign, rotation: ctx.rotation,
        welcomeText: item.welcomeText, welcomePersona: item.welcomePersona,
        welcomeCouponTemplateId: item.welcomeCouponKey ? needId(made, item.welcomeCouponKey) : null,
        status: plan.action === 'create_paused' ? 'paused' : 'active',
      });
      return code.id;
    }
    case 'sop_plan': {
      const created = await createPlan(db, t, {
        name: plan.finalName, description: item.description, target: { kind: 'group_kind', groupKind: item.groupKind },
        status: plan.action === 'create_paused' ? 'paused' : 'active',
        slots: item.slots.map((s) => ({
          weekday: s.weekday, time: s.time, durationMinutes: s.durationMinutes, title: s.title, mode: s.mode, ownerStaffId: null,
          content: { text: s.text, ...(s.couponKey ? { couponTemplateId: needId(made, s.couponKey) } : {}) },
        })),
      }, actor.name, item.templateKey);
      return created.id;
    }
    case 'journey': {
      const graph = item.segmentKey ? withSegment(item.graph, needId(made, item.segmentKey)) : item.graph;
      const journey = await createJourney(db, actor, { name: plan.finalName, description: item.description, graph });
      if (plan.action === 'create') await publishJourney(db, actor, journey.id);
      return journey.id;
    }
    case 'membership_settings':
      await saveSettings(db, t, { ...item.settings, memberDayTemplateId: item.memberDayCouponKey ? needId(made, item.memberDayCouponKey) : null });
      // The settings are the tenant's one row: the tenant's id stands for it.
      return t;
    case 'membership_tiers': {
      const tiers = await replaceTiers(db, t, item.tiers.map((tier) => ({ ...tier, couponTemplateIds: [] })));
      const lowest = tiers[0];
      if (!lowest) throw new Error('the tier ladder was not saved');
      return lowest.id;
    }
  }
}

/** A segment-triggered journey of the playbook enters on the playbook's own segment. */
function withSegment(graph: JourneyGraphInput, segmentId: string): JourneyGraphInput {
  return {
    ...graph,
    nodes: graph.nodes.map((n) => (n.type === 'entry' && n.trigger.kind === 'segment' ? { ...n, trigger: { ...n.trigger, segmentId } } : n)),
  };
}

export type UndoOutcome = [outcome: string, reason: string | null];

/** Undoes one object of the set-up: removed when unused, else paused, archived or disabled, or kept. */
export async function undoSetup(db: Db, actor: Actor, kind: SetupKind, objectId: string, appliedAt: Date): Promise<UndoOutcome> {
  const t = actor.tenantId;
  switch (kind) {
    case 'acquisition_code': {
      const code = await db.selectFrom('acquisition_codes').select(['state', 'status']).where('tenant_id', '=', t).where('id', '=', objectId).executeTakeFirst();
      if (!code) return ['gone', null];
      const scans = await sql<{ scans: number; adds: number }>`
        select (select count(*)::int from code_scans where tenant_id = ${t} and code_id = ${objectId}) as scans,
               (select count(*)::int from customer_contacts where tenant_id = ${t} and state = ${code.state}) as adds`.execute(db);
      const used = scans.rows[0] ?? { scans: 0, adds: 0 };
      if (used.scans + used.adds > 0) {
        // Paused, not deleted: the printed QR then says the code is not in use, and the friends it
        // brought keep their attribution. A plain status change: the code need not pass the
        // checks for saving again (a member may have resigned since).
        if (code.status !== 'paused') {
          await db.updateTable('acquisition_codes').set({ status: 'paused', updated_at: new Date() }).where('tenant_id', '=', t).where('id', '=', objectId).execute();
        }
        return ['paused', `${used.scans} scans and ${used.adds} friends added through it`];
      }
      await db.deleteFrom('acquisition_codes').where('tenant_id', '=', t).where('id', '=', objectId).execute();
      return ['removed', null];
    }
    case 'sop_plan': {
      const exists = await db.selectFrom('sop_plans').select('id').where('tenant_id', '=', t).where('id', '=', objectId).executeTakeFirst();
      if (!exists) return ['gone', null];
      const runs = await db.selectFrom('sop_runs').select(sql<number>`count(*)::int`.as('n')).where('tenant_id', '=', t).where('plan_id', '=', objectId).executeTakeFirstOrThrow();
      if (runs.n > 0) {
        // Deleting would take the record of the posts already made with it.
        const plan = await getPlan(db, t, objectId);
        if (plan.status !== 'paused') await updatePlan(db, t, objectId, { ...inputOf(plan), status: 'paused' });
        return ['paused', `${runs.n} posts already made from it`];
      }
      await deletePlan(db, t, objectId);
      return ['removed', null];
    }
    case 'journey': {
      const journey = await db.selectFrom('journeys').select(['status']).where('tenant_id', '=', t).where('id', '=', objectId).executeTakeFirst();
      if (!journey) return ['gone', null];
      const instances = await db.selectFrom('journey_instances').select(sql<number>`count(*)::int`.as('n')).where('tenant_id', '=', t).where('journey_id', '=', objectId).executeTakeFirstOrThrow();
      if (instances.n > 0) {
        // Archived: no new entries or moves, and the customers' history and statistics stay.
        if (journey.status !== 'archived') await setJourneyStatus(db, actor, objectId, 'archived');
        return ['archived', `${instances.n} customers entered it`];
      }
      await db.deleteFrom('journeys').where('tenant_id', '=', t).where('id', '=', objectId).execute();
      await refreshListens(db, t);
      return ['removed', null];
    }
    case 'membership_settings': {
      const row = await db.selectFrom('membership_settings').select(['updated_at']).where('tenant_id', '=', t).executeTakeFirst();
      if (!row) return ['gone', null];
      if (row.updated_at > appliedAt) return ['kept', 'changed by operators after the playbook'];
      const earned = await db.selectFrom('points_ledger').select('id').where('tenant_id', '=', t).limit(1).executeTakeFirst();
      if (earned) {
        // Points earned stay on the ledger; earning and the member day stop.
        const current = await getSettings(db, t);
        await saveSettings(db, t, { ...current, pointsEnabled: false, memberDayWeekdays: [], memberDayTemplateId: null });
        return ['disabled', 'points already earned stay on the customers\' balances'];
      }
      await db.deleteFrom('membership_settings').where('tenant_id', '=', t).execute();
      return ['removed', null];
    }
    case 'membership_tiers': {
      const ladder = await listTiers(db, t);
      if (ladder[0]?.id !== objectId) return ladder.length === 0 ? ['gone', null] : ['kept', 'the tier ladder was replaced after the playbook'];
      const placed = await db.selectFrom('customer_tiers').select(sql<number>`count(*)::int`.as('n')).where('tenant_id', '=', t).executeTakeFirstOrThrow();
      if (placed.n > 0) return ['kept', `${placed.n} customers are placed in these tiers`];
      await db.deleteFrom('membership_tiers').where('tenant_id', '=', t).execute();
      return ['removed', null];
    }
  }
}

/** Whether a kind belongs to this module. */
export function isSetupKind(kind: string): kind is SetupKind {
  return (SETUP_KINDS as readonly string[]).includes(kind);
}
