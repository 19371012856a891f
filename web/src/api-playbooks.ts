// Console calls for the operating-model diagnosis.
import { call, type Signal } from './api.ts';

export type OperatingModel = 'expert' | 'advisor' | 'shopping' | 'interest';
export type Level3 = 'low' | 'medium' | 'high';
export type Maturity = 'junior' | 'intermediate' | 'senior';
export const INDUSTRIES = [
  'fresh_food', 'fmcg', 'food_service', 'mother_baby', 'beauty', 'health', 'education', 'electronics',
  'fashion', 'sports', 'travel', 'auto', 'home', 'luxury', 'insurance', 'other',
] as const;
export type Industry = (typeof INDUSTRIES)[number];
export const CURRENT_STATES = ['none', 'friends_only', 'one_off_promotions', 'membership_automation'] as const;

export interface DiagnosisAnswers {
  industry?: Industry;
  purchasesPerYear?: number;
  averageTicketFen?: number;
  repurchaseRate?: number;
  expertise?: Level3;
  social?: Level3;
  solution?: 'single' | 'partial' | 'complete';
  serviceStaff?: number;
  stores?: number;
  currentState?: (typeof CURRENT_STATES)[number];
}

export interface Measured {
  purchasesPerYear: number | null;
  averageTicketFen: number | null;
  repurchaseRate: number | null;
  buyers: number;
  days: number;
}

type Params = Record<string, number | string>;
interface Sourced { value: number; source: 'answered' | 'measured' }

export interface Diagnosis {
  model: OperatingModel;
  scores: { model: OperatingModel; share: number; fit: number }[];
  runnerUp: { model: OperatingModel; share: number; margin: number };
  reasons: { code: string; params: Params }[];
  inputs: { purchasesPerYear: Sourced; averageTicketFen: Sourced; repurchaseRate: Sourced; expertise: Level3; social: Level3; solution: string; serviceStaff: number; stores: number | null };
  position: { frequency: number; ticket: number };
  maturity: { level: Maturity; answered: Maturity; next: { item: string; done: boolean }[] };
  warnings: { code: string; severity: 'warning' | 'critical'; params: Params; suggestions: string[] }[];
  verdict: 'go' | 'caution' | 'not_recommended';
}

export interface DiagnosisView {
  id: string;
  createdAt: string;
  createdBy: string;
  answers: DiagnosisAnswers;
  measured: Measured | null;
  result: Diagnosis;
}

export type KpiKey = 'new_friends_per_store_week' | 'friend_retention_7d' | 'group_join_rate' | 'group_retention_7d' | 'first_order_rate_14d' | 'repurchase_30d' | 'member_day_lift';
export type Targets = Partial<Record<KpiKey, number>>;

export interface PlaybookPreview {
  model: OperatingModel;
  name: string;
  summary: string;
  plan: string[];
  targets: Targets;
  items: {
    kind: string; key: string; name: string; finalName: string; clash: boolean; description: string;
    action: 'create' | 'create_paused' | 'create_draft' | 'keep_existing' | 'skip';
    note: 'no_active_staff' | 'needs_staff_qr' | 'sop_overlap' | 'channel_not_configured' | 'membership_exists' | 'tiers_exist' | null;
    noteDetail: string;
  }[];
}

export interface Application {
  id: string;
  model: OperatingModel;
  name: string;
  status: 'applied' | 'undone';
  appliedBy: string;
  appliedAt: string;
  undoneAt: string | null;
  targets: Targets;
  objects: { kind: string; key: string; objectId: string; name: string; outcome: string | null; outcomeReason: string | null }[];
}

export interface Health {
  applicationId: string;
  measuredAt: string;
  kpis: { key: KpiKey; value: number | null; target: number; sample: number; met: boolean | null }[];
  weakest: { key: KpiKey; advice: string } | null;
}

export const playbooksApi = {
  playbooks: (opts: Signal = {}) => call<PlaybookPreview[]>('GET', '/playbooks', opts),
  preview: (model: OperatingModel, opts: Signal = {}) => call<PlaybookPreview>('GET', `/playbooks/${model}`, opts),
  apply: (model: OperatingModel) => call<Application>('POST', `/playbooks/${model}/apply`),
  applications: (opts: Signal = {}) => call<Application[]>('GET', '/playbook-applications', opts),
  undo: (id: string) => call<Application>('POST', `/playbook-applications/${encodeURIComponent(id)}/undo`),
  health: (id: string, opts: Signal = {}) => call<Health>('GET', `/playbook-applications/${encodeURIComponent(id)}/health`, opts),
  measured: (opts: Signal = {}) => call<{ measured: Measured }>('GET', '/diagnosis/measured', opts),
  latest: (opts: Signal = {}) => call<DiagnosisView>('GET', '/diagnoses/latest', opts),
  diagnose: (answers: DiagnosisAnswers) => call<DiagnosisView>('POST', '/diagnoses', { body: { answers } }),
};
