// Applying a ready-made template: it becomes an ordinary plan for the chosen groups, under a free
// name (an existing plan of the same name gets a suffix, never overwritten), through the same
// checks as any plan — so a template that would overlap a group's existing plan is refused.
import type { Db } from '../../db/connect.ts';
import { notFound } from '../errors.ts';
import { createPlan, type PlanView } from './plans.service.ts';
import { freeName, type PlanTarget } from './sop.rules.ts';
import { SOP_TEMPLATES, templateByKey, type SopTemplate } from './sop.templates.ts';

export interface ApplyTemplateInput {
  target?: PlanTarget | undefined;
  name?: string | undefined;
  /** Starts the plan paused, to adjust the content first. */
  status?: 'active' | 'paused' | undefined;
}

export function listTemplates(): readonly SopTemplate[] {
  return SOP_TEMPLATES;
}

export function getTemplate(key: string): SopTemplate {
  const template = templateByKey(key);
  if (!template) throw notFound('SOP template');
  return template;
}

export async function applyTemplate(db: Db, tenantId: string, key: string, input: ApplyTemplateInput, createdBy: string): Promise<PlanView> {
  const template = getTemplate(key);
  const taken = new Set((await db.selectFrom('sop_plans').select('name').where('tenant_id', '=', tenantId).execute()).map((p) => p.name));
  const name = freeName(input.name ?? template.name, taken);
  return createPlan(db, tenantId, {
    name, description: template.summary, status: input.status ?? 'active',
    target: input.target ?? { kind: 'group_kind', groupKind: template.groupKind },
    slots: template.slots.map((s) => ({
      weekday: s.weekday, time: s.time, durationMinutes: s.durationMinutes, title: s.title, content: { text: s.text }, ownerStaffId: null, mode: s.mode,
    })),
  }, createdBy, template.key);
}
