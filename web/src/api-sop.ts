// The console's calls for SOP calendars: plans and their slots, ready-made templates, generated
// runs, and the script library (话术库).
import { call, type Signal } from './api.ts';

export type GroupKind = 'value' | 'interest' | 'group_buy' | 'vip' | 'service' | 'other';
export const GROUP_KINDS: readonly GroupKind[] = ['value', 'interest', 'group_buy', 'vip', 'service', 'other'];
export type SlotMode = 'task' | 'auto';

export type PlanTarget = { kind: 'groups'; groupIds: string[] } | { kind: 'group_kind'; groupKind: GroupKind };

export interface SlotContent {
  text: string;
  images?: string[];
  links?: { title: string; url: string }[];
  couponTemplateId?: string | null;
}

export interface SlotInput {
  id?: string;
  /** null: every day; 1 = Monday … 7 = Sunday. */
  weekday: number | null;
  time: string;
  durationMinutes?: number;
  title: string;
  content: SlotContent;
  ownerStaffId?: string | null;
  mode: SlotMode;
}

export interface Slot extends SlotInput {
  id: string;
  durationMinutes: number;
  ownerStaffId: string | null;
}

export interface PlanInput {
  name: string;
  description?: string;
  target: PlanTarget;
  status?: 'active' | 'paused';
  slots: SlotInput[];
}

export interface Plan {
  id: string;
  name: string;
  description: string;
  target: PlanTarget;
  status: 'active' | 'paused';
  templateKey: string | null;
  slots: Slot[];
  createdAt: string;
  updatedAt: string;
}

export interface SopTemplate {
  key: string;
  name: string;
  model: string;
  summary: string;
  groupKind: GroupKind;
  slots: { weekday: number | null; time: string; durationMinutes?: number; title: string; text: string; mode: SlotMode; lever?: string }[];
}

export type RunState = 'done' | 'missed' | 'pending';

export interface SopRun {
  id: string;
  planId: string;
  planName: string;
  slotId: string;
  slotTitle: string | null;
  groupId: string;
  groupName: string;
  localDate: string;
  dueAt: string;
  mode: SlotMode;
  outcome: string;
  reason: string | null;
  staffId: string | null;
  staffName: string | null;
  taskStatus: string | null;
  state: RunState;
}

export interface GroupChoice {
  id: string;
  name: string;
  kind: GroupKind;
  ownerName: string | null;
}

export interface ScriptInput {
  title: string;
  scenario: string;
  body: string;
  tagIds?: string[];
}

export interface Script {
  id: string;
  title: string;
  scenario: string;
  body: string;
  tags: { id: string; name: string }[];
  useCount: number;
  usedByMe: number;
  matchedTags: number;
  updatedAt: string;
}

const id = (value: string): string => encodeURIComponent(value);

export const sopApi = {
  plans: (opts: Signal = {}) => call<{ items: Plan[] }>('GET', '/sop/plans', opts),
  createPlan: (body: PlanInput) => call<Plan>('POST', '/sop/plans', { body }),
  updatePlan: (planId: string, body: PlanInput) => call<Plan>('PUT', `/sop/plans/${id(planId)}`, { body }),
  setPlanStatus: (planId: string, status: 'active' | 'paused') => call<Plan>('POST', `/sop/plans/${id(planId)}/status`, { body: { status } }),
  deletePlan: (planId: string) => call<null>('DELETE', `/sop/plans/${id(planId)}`),
  groups: (q: string | undefined, opts: Signal = {}) => call<{ items: GroupChoice[] }>('GET', '/sop/groups', { ...opts, query: { q } }),

  templates: (opts: Signal = {}) => call<{ items: SopTemplate[] }>('GET', '/sop/templates', opts),
  applyTemplate: (key: string, body: { target?: PlanTarget; name?: string; status?: 'active' | 'paused' }) => call<Plan>('POST', `/sop/templates/${id(key)}/apply`, { body }),

  runs: (query: { from: string; to: string; planId?: string; state?: RunState }, opts: Signal = {}) =>
    call<{ items: SopRun[]; summary: Record<RunState, number> }>('GET', '/sop/runs', { ...opts, query }),

  scripts: (query: { q?: string; scenario?: string; tagId?: string; customerId?: string }, opts: Signal = {}) =>
    call<{ items: Script[]; scenarios: string[] }>('GET', '/scripts', { ...opts, query }),
  createScript: (body: ScriptInput) => call<Script>('POST', '/scripts', { body }),
  updateScript: (scriptId: string, body: ScriptInput) => call<Script>('PUT', `/scripts/${id(scriptId)}`, { body }),
  deleteScript: (scriptId: string) => call<null>('DELETE', `/scripts/${id(scriptId)}`),
  scriptUsed: (scriptId: string) => call<{ useCount: number; usedByMe: number }>('POST', `/scripts/${id(scriptId)}/used`),
};
