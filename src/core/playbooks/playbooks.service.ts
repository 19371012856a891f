// Applying a playbook: preview what it would create (a name the tenant already uses gets a
// suffix, never overwritten), create it all in one transaction with every object recorded against
// the application, and undo it (objects in use are kept or ended, and the undo says which).
import type { Db } from '../../db/connect.ts';
import { inTransaction } from '../../db/transaction.ts';
import type { Actor } from '../access/access.rules.ts';
import { createTemplate, setTemplateStatus } from '../coupons/templates.service.ts';
import type { OperatingModel } from '../diagnosis/diagnosis.rules.ts';
import { notFound, YuchiError } from '../errors.ts';
import { newId, UUID_PATTERN } from '../ids.ts';
import { createPriceRule, deletePriceRule } from '../promotions/price-rules.service.ts';
import { archiveSegment, createSegment } from '../segments/segments.service.ts';
import { createTag, createTagGroup, deleteTag, deleteTagGroup } from '../tags/tags.service.ts';
import { createSetup, isSetupKind, planSetup, setupContext, undoSetup, type SetupAction, type SetupContext, type SetupKind, type SetupNote, type SetupPlan } from './playbooks.areas.ts';
import { PLAYBOOKS, type Playbook, type PlaybookItem } from './playbooks.content.ts';

export type ObjectKind = 'tag_group' | 'tag' | 'segment' | 'coupon_template' | 'price_rule' | SetupKind;

export interface PreviewItem {
  kind: ObjectKind;
  key: string;
  name: string;
  /** The name it will get: the same, or with a suffix when the tenant already has one. */
  finalName: string;
  clash: boolean;
  description: string;
  /** create; create_paused / create_draft / keep_existing / skip with the reason in `note`. */
  action: SetupAction;
  /** Why the item is not simply created (a code the console translates), with its figures in `noteDetail`. */
  note: SetupNote | null;
  noteDetail: string;
}

export interface PlaybookPreview {
  model: OperatingModel;
  name: string;
  summary: string;
  plan: string[];
  items: PreviewItem[];
  targets: Playbook['targets'];
}

export interface AppliedObject { kind: string; key: string; objectId: string; name: string; outcome: string | null; outcomeReason: string | null }
export interface ApplicationView {
  id: string;
  model: OperatingModel;
  name: string;
  status: 'applied' | 'undone';
  appliedBy: string;
  appliedAt: string;
  undoneAt: string | null;
  targets: Playbook['targets'];
  objects: AppliedObject[];
}

export function playbookOf(model: string): Playbook {
  const playbook = (PLAYBOOKS as Record<string, Playbook | undefined>)[model];
  if (!playbook) throw notFound('playbook');
  return playbook;
}

const NAME_TABLE = { tag_group: 'tag_groups', segment: 'segments', coupon_template: 'coupon_templates', price_rule: 'price_rules' } as const;

/** Names already taken per kind, for the clash check. */
async function takenNames(db: Db, tenantId: string): Promise<Record<keyof typeof NAME_TABLE, Set<string>>> {
  const out = {} as Record<keyof typeof NAME_TABLE, Set<string>>;
  for (const [kind, table] of Object.entries(NAME_TABLE) as [keyof typeof NAME_TABLE, (typeof NAME_TABLE)[keyof typeof NAME_TABLE]][]) {
    const rows = await db.selectFrom(table).select('name').where('tenant_id', '=', tenantId).execute();
    out[kind] = new Set(rows.map((r) => r.name));
  }
  return out;
}

/** 名称 → 名称（2）, 名称（3）… the first the tenant does not use. */
export function freeName(name: string, taken: ReadonlySet<string>): string {
  if (!taken.has(name)) return name;
  for (let n = 2; ; n++) {
    const candidate = `${name}（${n}）`;
    if (!taken.has(candidate)) return candidate;
  }
}

const itemName = (item: PlaybookItem): string => (item.kind === 'coupon_template' || item.kind === 'price_rule' ? item.input.name : item.name);
const itemDescription = (item: PlaybookItem): string =>
  item.kind === 'coupon_template' ? (item.input.description ?? '')
    : item.kind === 'price_rule' ? ''
    : item.kind === 'tag_group' ? `${item.description}：${item.tags.map((t) => t.name).join('、')}`
    : item.kind === 'acquisition_code' ? `欢迎语（署名「${item.welcomePersona}」）：${item.welcomeText}`
    : item.kind === 'sop_plan' ? item.slots.map((s) => `${s.weekday === null ? '每天' : WEEKDAYS[s.weekday - 1] ?? ''} ${s.time} ${s.title}`).join('；')
    : item.description;
const WEEKDAYS = ['周一', '周二', '周三', '周四', '周五', '周六', '周日'];

/** The plan of every item, in the playbook's order; also the decisions applying follows. */
async function planItems(db: Db, tenantId: string, playbook: Playbook): Promise<{ items: PreviewItem[]; ctx: SetupContext }> {
  const taken = await takenNames(db, tenantId);
  const ctx = await setupContext(db, tenantId);
  const items = playbook.items.map((item): PreviewItem => {
    const name = itemName(item);
    const base = { kind: item.kind, key: item.key, name, description: itemDescription(item) };
    if (isSetupKind(item.kind)) {
      const plan: SetupPlan = planSetup(ctx, item as Extract<PlaybookItem, { kind: SetupKind }>, freeName);
      return { ...base, finalName: plan.finalName, clash: plan.finalName !== name, action: plan.action, note: plan.note, noteDetail: plan.detail };
    }
    const names = taken[item.kind as keyof typeof NAME_TABLE];
    const finalName = freeName(name, names);
    names.add(finalName); // two items of one playbook never take the same name
    return { ...base, finalName, clash: finalName !== name, action: 'create', note: null, noteDetail: '' };
  });
  return { items, ctx };
}

export async function previewPlaybook(db: Db, tenantId: string, model: string): Promise<PlaybookPreview> {
  const playbook = playbookOf(model);
  const { items } = await planItems(db, tenantId, playbook);
  return { model: playbook.model, name: playbook.name, summary: playbook.summary, plan: playbook.plan, items, targets: playbook.targets };
}

/** Creates everything or nothing; each object is recorded against the application. */
export async function applyPlaybook(db: Db, actor: Actor, model: string): Promise<ApplicationView> {
  const playbook = playbookOf(model);
  const id = newId();
  await inTransaction(db, async (trx) => {
    const { items: preview, ctx } = await planItems(trx, actor.tenantId, playbook);
    await trx.insertInto('playbook_applications').values({
      tenant_id: actor.tenantId, id, model: playbook.model, targets: JSON.stringify(playbook.targets), applied_by: actor.name,
    }).execute();
    const objects: { kind: ObjectKind; key: string; objectId: string; name: string }[] = [];
    // A playbook key → the id it was created with, for the items that name it (a code's coupon, a journey's segment).
    const made = new Map<string, string>();
    for (const [i, item] of playbook.items.entries()) {
      const planned = preview[i];
      const name = planned?.finalName ?? itemName(item);
      const before = objects.length;
      switch (item.kind) {
        case 'tag_group': {
          const group = await createTagGroup(trx, actor.tenantId, { name, description: item.description });
          objects.push({ kind: 'tag_group', key: item.key, objectId: group.id, name });
          for (const tag of item.tags) {
            const made = await createTag(trx, actor, { groupId: group.id, name: tag.name, ...(tag.rule ? { kind: 'rule' as const, rule: tag.rule } : {}) });
            objects.push({ kind: 'tag', key: `${item.key}.${tag.name}`, objectId: made.id, name: tag.name });
          }
          break;
        }
        case 'segment': {
          const segment = await createSegment(trx, actor, { name, description: item.description, definition: item.definition });
          objects.push({ kind: 'segment', key: item.key, objectId: segment.id, name });
          break;
        }
        case 'coupon_template': {
          const template = await createTemplate(trx, actor.tenantId, { ...item.input, name }, actor.name);
          objects.push({ kind: 'coupon_template', key: item.key, objectId: template.id, name });
          break;
        }
        case 'price_rule': {
          const rule = await createPriceRule(trx, actor.tenantId, { ...item.input, name }, actor.name);
          objects.push({ kind: 'price_rule', key: item.key, objectId: rule.id, name });
          break;
        }
        default: {
          if (!planned) throw new Error(`no plan for ${item.key}`);
          const objectId = await createSetup(trx, actor, item, { finalName: name, action: planned.action, note: planned.note, detail: planned.noteDetail }, made, ctx);
          if (objectId) objects.push({ kind: item.kind, key: item.key, objectId, name });
        }
      }
      const first = objects[before];
      if (first) made.set(item.key, first.objectId);
    }
    await trx.insertInto('playbook_objects').values(objects.map((o, seq) => ({
      tenant_id: actor.tenantId, application_id: id, seq, kind: o.kind, item_key: o.key, object_id: o.objectId, name: o.name,
    }))).execute();
  });
  return getApplication(db, actor.tenantId, id);
}

/**
 * Undoes an application, newest object first. Segments are archived, rule tags and groups deleted
 * (a group the operators added their own tags to is kept), coupon templates never used are
 * deleted and used ones ended, price rules deleted. Undoing twice is refused.
 */
export async function undoApplication(db: Db, actor: Actor, id: string): Promise<ApplicationView> {
  await inTransaction(db, async (trx) => {
    const app = UUID_PATTERN.test(id)
      ? await trx.selectFrom('playbook_applications').select(['status', 'applied_at']).where('tenant_id', '=', actor.tenantId).where('id', '=', id).forUpdate().executeTakeFirst()
      : undefined;
    if (!app) throw notFound('playbook application');
    if (app.status === 'undone') throw new YuchiError('conflict', 'this playbook application is already undone', [{ path: 'id', message: 'already undone', code: 'already_undone', params: {} }], 'already_undone');
    const objects = await trx.selectFrom('playbook_objects').selectAll().where('tenant_id', '=', actor.tenantId).where('application_id', '=', id).orderBy('seq', 'desc').execute();
    const ours = new Set(objects.map((o) => o.object_id));
    for (const o of objects) {
      const [outcome, reason] = isSetupKind(o.kind)
        ? await undoSetup(trx, actor, o.kind, o.object_id, app.applied_at)
        : await undoObject(trx, actor, o.kind as Exclude<ObjectKind, SetupKind>, o.object_id, ours);
      await trx.updateTable('playbook_objects').set({ outcome, outcome_reason: reason })
        .where('tenant_id', '=', actor.tenantId).where('application_id', '=', id).where('seq', '=', o.seq).execute();
    }
    await trx.updateTable('playbook_applications').set({ status: 'undone', undone_by: actor.name, undone_at: new Date() })
      .where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
  });
  return getApplication(db, actor.tenantId, id);
}

/** What still names a coupon template and keeps it from being deleted: a kept code, the member day, a points reward. */
async function templateNamedBy(db: Db, tenantId: string, templateId: string): Promise<string | null> {
  const code = await db.selectFrom('acquisition_codes').select('name').where('tenant_id', '=', tenantId).where('welcome_coupon_template_id', '=', templateId).executeTakeFirst();
  if (code) return `the acquisition code ${code.name}`;
  const day = await db.selectFrom('membership_settings').select('tenant_id').where('tenant_id', '=', tenantId).where('member_day_template_id', '=', templateId).executeTakeFirst();
  if (day) return 'the member day';
  const reward = await db.selectFrom('points_rewards').select('name').where('tenant_id', '=', tenantId).where('coupon_template_id', '=', templateId).executeTakeFirst();
  return reward ? `the points reward ${reward.name}` : null;
}

async function undoObject(db: Db, actor: Actor, kind: Exclude<ObjectKind, SetupKind>, objectId: string, ours: ReadonlySet<string>): Promise<[string, string | null]> {
  const t = actor.tenantId;
  const exists = async (table: 'tags' | 'tag_groups' | 'segments' | 'coupon_templates' | 'price_rules') =>
    (await db.selectFrom(table).select('id').where('tenant_id', '=', t).where('id', '=', objectId).executeTakeFirst()) !== undefined;
  switch (kind) {
    case 'tag':
      if (!(await exists('tags'))) return ['gone', null];
      await deleteTag(db, actor, objectId);
      return ['removed', null];
    case 'tag_group': {
      if (!(await exists('tag_groups'))) return ['gone', null];
      const others = await db.selectFrom('tags').select('id').where('tenant_id', '=', t).where('group_id', '=', objectId).execute();
      if (others.some((tag) => !ours.has(tag.id))) return ['kept', 'holds tags added after the playbook'];
      await deleteTagGroup(db, actor, objectId);
      return ['removed', null];
    }
    case 'segment': {
      const segment = await db.selectFrom('segments').select('status').where('tenant_id', '=', t).where('id', '=', objectId).executeTakeFirst();
      if (!segment || segment.status === 'archived') return ['gone', null];
      try {
        await archiveSegment(db, actor, objectId);
      } catch (err) {
        if (err instanceof YuchiError && err.code === 'conflict') return ['kept', err.message];
        throw err;
      }
      return ['removed', null];
    }
    case 'coupon_template': {
      const template = await db.selectFrom('coupon_templates').select(['issued_count', 'status']).where('tenant_id', '=', t).where('id', '=', objectId).executeTakeFirst();
      if (!template) return ['gone', null];
      if (template.issued_count > 0) {
        if (template.status !== 'ended') await setTemplateStatus(db, t, objectId, 'ended');
        return ['ended', `${template.issued_count} coupons already issued stay valid`];
      }
      const namedBy = await templateNamedBy(db, t, objectId);
      if (namedBy) {
        if (template.status !== 'ended') await setTemplateStatus(db, t, objectId, 'ended');
        return ['ended', `still named by ${namedBy}`];
      }
      await db.deleteFrom('coupon_templates').where('tenant_id', '=', t).where('id', '=', objectId).execute();
      return ['removed', null];
    }
    case 'price_rule':
      if (!(await exists('price_rules'))) return ['gone', null];
      await deletePriceRule(db, t, objectId);
      return ['removed', null];
  }
}

export async function getApplication(db: Db, tenantId: string, id: string): Promise<ApplicationView> {
  const app = UUID_PATTERN.test(id)
    ? await db.selectFrom('playbook_applications').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst()
    : undefined;
  if (!app) throw notFound('playbook application');
  const objects = await db.selectFrom('playbook_objects').selectAll().where('tenant_id', '=', tenantId).where('application_id', '=', id).orderBy('seq').execute();
  const playbook = playbookOf(app.model);
  return {
    id: app.id, model: playbook.model, name: playbook.name, status: app.status, appliedBy: app.applied_by, appliedAt: app.applied_at.toISOString(),
    undoneAt: app.undone_at?.toISOString() ?? null, targets: app.targets as Playbook['targets'],
    objects: objects.map((o) => ({ kind: o.kind, key: o.item_key, objectId: o.object_id, name: o.name, outcome: o.outcome, outcomeReason: o.outcome_reason })),
  };
}

export async function listApplications(db: Db, tenantId: string): Promise<ApplicationView[]> {
  const rows = await db.selectFrom('playbook_applications').select('id').where('tenant_id', '=', tenantId).orderBy('applied_at', 'desc').limit(20).execute();
  const out: ApplicationView[] = [];
  for (const row of rows) out.push(await getApplication(db, tenantId, row.id));
  return out;
}
