// Auto-invite rules: customers of a tag or segment who are in no active group of the rule's kind
// are invited to one at their store — an `invite_to_group` task for the group's owner, since only
// a person can invite in WeCom. Groups fill oldest first, counting open invitations as seats; when
// every group of the store is full the series rolls over: the next group ("福田鲜果 2 群") is
// created with the same owner, kind and capacity, its owner gets a task to create it in WeCom, and
// invitations go there. A customer is invited once per rule (the task's dedupe key), so a re-run
// invites only newcomers and a customer who declined is not pestered.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type { GroupKind } from '../../db/schema.ts';
import { inTransaction } from '../../db/transaction.ts';
import { invalid, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import { createGuideTasks, type GuideTaskRequest } from '../tasks/guide-tasks.ts';
import { nextGroupName } from './moderation.rules.ts';

export interface InviteRuleInput {
  name: string;
  tagId?: string | null | undefined;
  segmentId?: string | null | undefined;
  kind: GroupKind;
  storeId?: string | null | undefined;
  active?: boolean | undefined;
}

export interface InviteRuleView {
  id: string;
  name: string;
  tagId: string | null;
  segmentId: string | null;
  kind: GroupKind;
  storeId: string | null;
  active: boolean;
  createdAt: string;
  lastRunAt: string | null;
}

export interface InviteRun {
  ruleId: string;
  invited: number;
  unrouted: number;
  groupsCreated: { id: string; name: string }[];
}

type RuleRow = { id: string; name: string; tag_id: string | null; segment_id: string | null; kind: GroupKind; store_id: string | null; active: boolean; created_at: Date; last_run_at: Date | null };

const view = (r: RuleRow): InviteRuleView => ({
  id: r.id, name: r.name, tagId: r.tag_id, segmentId: r.segment_id, kind: r.kind, storeId: r.store_id, active: r.active,
  createdAt: r.created_at.toISOString(), lastRunAt: r.last_run_at?.toISOString() ?? null,
});

export async function listInviteRules(db: Db, tenantId: string): Promise<InviteRuleView[]> {
  return (await db.selectFrom('group_invite_rules').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at', 'desc').execute()).map(view);
}

export async function createInviteRule(db: Db, tenantId: string, input: InviteRuleInput): Promise<InviteRuleView> {
  if (Boolean(input.tagId) === Boolean(input.segmentId)) throw invalid('tagId', 'name either a tag or a segment', { code: 'tag_or_segment', params: {} });
  if (input.tagId && !(await db.selectFrom('tags').select('id').where('tenant_id', '=', tenantId).where('id', '=', input.tagId).executeTakeFirst())) {
    throw invalid('tagId', 'no such tag', { code: 'unknown_tag', params: {} });
  }
  if (input.segmentId && !(await db.selectFrom('segments').select('id').where('tenant_id', '=', tenantId).where('id', '=', input.segmentId).executeTakeFirst())) {
    throw invalid('segmentId', 'no such segment', { code: 'unknown_segment', params: {} });
  }
  if (input.storeId && !(await db.selectFrom('stores').select('id').where('tenant_id', '=', tenantId).where('id', '=', input.storeId).executeTakeFirst())) {
    throw invalid('storeId', 'no such store', { code: 'unknown_store', params: {} });
  }
  const row = await db.insertInto('group_invite_rules').values({
    tenant_id: tenantId, id: newId(), name: input.name, tag_id: input.tagId ?? null, segment_id: input.segmentId ?? null, kind: input.kind,
    store_id: input.storeId ?? null, active: input.active ?? true,
  }).returningAll().executeTakeFirstOrThrow();
  return view(row);
}

export async function setInviteRuleActive(db: Db, tenantId: string, id: string, active: boolean): Promise<InviteRuleView> {
  const row = await db.updateTable('group_invite_rules').set({ active }).where('tenant_id', '=', tenantId).where('id', '=', id).returningAll().executeTakeFirst();
  if (!row) throw notFound('invite rule');
  return view(row);
}

interface Seat {
  id: string; name: string; owner_staff_id: string | null; store_id: string | null; capacity: number; purpose: string; series_of: string | null;
  created_at: Date; taken: number;
}

export async function runInviteRule(db: Db, tenantId: string, ruleId: string, now = new Date()): Promise<InviteRun> {
  return inTransaction(db, async (trx) => {
    const rule = await trx.selectFrom('group_invite_rules').selectAll().where('tenant_id', '=', tenantId).where('id', '=', ruleId).forUpdate().executeTakeFirst();
    if (!rule) throw notFound('invite rule');
    const audience = rule.tag_id
      ? sql`select customer_id from customer_tags where tenant_id = ${tenantId} and tag_id = ${rule.tag_id}`
      : sql`select customer_id from segment_members where tenant_id = ${tenantId} and segment_id = ${rule.segment_id}`;
    // Newcomers: in the audience, in no active group of the kind, not yet invited by this rule.
    const customers = await sql<{ id: string; store_id: string | null }>`
      select c.id, c.store_id from customers c
       where c.tenant_id = ${tenantId} and c.id in (${audience})
         ${rule.store_id ? sql`and c.store_id = ${rule.store_id}` : sql``}
         and not exists (select 1 from group_members m join customer_groups g on g.tenant_id = m.tenant_id and g.id = m.group_id
                          where m.tenant_id = ${tenantId} and m.customer_id = c.id and m.left_at is null and g.kind = ${rule.kind} and g.status = 'active')
         and not exists (select 1 from guide_tasks t where t.tenant_id = ${tenantId} and t.dedupe_key = 'group-invite:' || ${rule.id}::text || ':' || c.id::text)
       order by c.id`.execute(trx);
    const groups = await sql<Seat>`
      select g.id, g.name, g.owner_staff_id, g.store_id, g.capacity, g.purpose, g.series_of, g.created_at,
             (select count(*) from group_members m where m.tenant_id = g.tenant_id and m.group_id = g.id and m.left_at is null)::int
             + (select count(*) from guide_tasks t where t.tenant_id = g.tenant_id and t.group_id = g.id and t.kind = 'invite_to_group' and t.status = 'open')::int as taken
        from customer_groups g
       where g.tenant_id = ${tenantId} and g.kind = ${rule.kind} and g.status = 'active' ${rule.store_id ? sql`and g.store_id = ${rule.store_id}` : sql``}
       order by g.created_at, g.id for update of g`.execute(trx);
    const byStore = new Map<string, Seat[]>();
    for (const g of groups.rows) {
      const key = g.store_id ?? '';
      byStore.set(key, [...(byStore.get(key) ?? []), g]);
    }

    const tasks: GuideTaskRequest[] = [];
    const created: { id: string; name: string }[] = [];
    let unrouted = 0;
    for (const c of customers.rows) {
      const seats = byStore.get(c.store_id ?? '');
      if (!seats || seats.length === 0) {
        unrouted += 1;
        continue;
      }
      let target = seats.find((g) => g.taken < g.capacity);
      if (!target) {
        target = await rollOver(trx, tenantId, seats, rule.kind, now);
        seats.push(target);
        created.push({ id: target.id, name: target.name });
        tasks.push({
          staffId: target.owner_staff_id, storeId: target.store_id, groupId: target.id, kind: 'create_group', title: `建群：${target.name}`,
          detail: { groupId: target.id, name: target.name, capacity: target.capacity }, dueAt: now,
          source: { kind: 'group_invite_rule', id: rule.id }, dedupeKey: `group-create:${target.id}`,
        });
      }
      target.taken += 1;
      tasks.push({
        staffId: target.owner_staff_id, storeId: target.store_id, customerId: c.id, groupId: target.id, kind: 'invite_to_group',
        title: `邀请入群：${target.name}`, detail: { ruleId: rule.id, groupId: target.id, groupName: target.name }, dueAt: now,
        source: { kind: 'group_invite_rule', id: rule.id }, dedupeKey: `group-invite:${rule.id}:${c.id}`,
      });
    }
    await createGuideTasks(trx, tenantId, tasks);
    await trx.updateTable('group_invite_rules').set({ last_run_at: now }).where('tenant_id', '=', tenantId).where('id', '=', rule.id).execute();
    return { ruleId: rule.id, invited: tasks.filter((t) => t.kind === 'invite_to_group').length, unrouted, groupsCreated: created };
  });
}

/** The next group of the series the store's newest group belongs to. */
async function rollOver(db: Db, tenantId: string, seats: Seat[], kind: GroupKind, now: Date): Promise<Seat> {
  const last = seats[seats.length - 1];
  if (!last) throw new Error('no group to roll over from');
  const root = last.series_of ?? last.id;
  const inSeries = seats.filter((g) => g.id === root || g.series_of === root).length;
  const id = newId();
  const seat: Seat = {
    id, name: nextGroupName(seats.find((g) => g.id === root)?.name ?? last.name, inSeries + 1), owner_staff_id: last.owner_staff_id,
    store_id: last.store_id, capacity: last.capacity, purpose: last.purpose, series_of: root, created_at: now, taken: 0,
  };
  await db.insertInto('customer_groups').values({
    tenant_id: tenantId, id, chat_id: `pending:${id}`, name: seat.name, owner_staff_id: seat.owner_staff_id, store_id: seat.store_id,
    kind, purpose: seat.purpose, capacity: seat.capacity, series_of: root, created_at: now,
  }).execute();
  return seat;
}

/** Every active rule of the tenant, for the nightly run. */
export async function runActiveInviteRules(db: Db, tenantId: string, now = new Date()): Promise<InviteRun[]> {
  const rules = await db.selectFrom('group_invite_rules').select('id').where('tenant_id', '=', tenantId).where('active', '=', true).execute();
  const runs: InviteRun[] = [];
  for (const r of rules) runs.push(await runInviteRule(db, tenantId, r.id, now));
  return runs;
}
