// The console's calls for acquisition codes and the guide workbench.
import { call, type Query, type Signal } from './api.ts';

export type CodeKind = 'store_counter' | 'order_card' | 'poster' | 'ad' | 'store_routing' | 'other';
export const CODE_KINDS: readonly CodeKind[] = ['store_counter', 'order_card', 'poster', 'ad', 'store_routing', 'other'];

export interface RotationMemberInput {
  staffId: string;
  dailyCap: number | null;
  qrUrl: string;
  backup: boolean;
}

export interface CodeInput {
  name: string;
  kind: CodeKind;
  storeId?: string | null;
  campaign?: string;
  state?: string;
  rotation: RotationMemberInput[];
  worksFrom?: string | null;
  worksTo?: string | null;
  tagIds?: string[];
  welcomeText?: string;
  welcomePersona?: string;
  welcomeCouponTemplateId?: string | null;
  routingRadiusKm?: number;
  status?: 'active' | 'paused';
}

export interface CodeStats {
  codeId: string;
  scans: number;
  adds: number;
  kept: number;
  ordered: number;
}

export interface AcquisitionCode {
  id: string;
  codeKey: string;
  landingPath: string;
  name: string;
  kind: CodeKind;
  store: { id: string; name: string } | null;
  campaign: string;
  state: string;
  rotation: (RotationMemberInput & { staffName: string; staffStatus: string })[];
  worksFrom: string | null;
  worksTo: string | null;
  tagIds: string[];
  welcomeText: string;
  welcomePersona: string;
  welcomeCouponTemplateId: string | null;
  routingRadiusKm: number;
  status: 'active' | 'paused';
  createdAt: string;
  updatedAt: string;
  stats: CodeStats;
}

export type TaskStatus = 'open' | 'done' | 'skipped' | 'expired';

export interface GuideTask {
  id: string;
  kind: string;
  title: string;
  detail: Record<string, unknown>;
  dueAt: string;
  status: TaskStatus;
  overdue: boolean;
  staffId: string | null;
  customer: { id: string; name: string } | null;
  groupId: string | null;
  doneAt: string | null;
  doneBy: string | null;
}

export interface ListedCustomer {
  id: string;
  name: string;
  note: string;
}

export interface Workbench {
  staff: { id: string; name: string; storeId: string | null };
  date: string;
  tasks: GuideTask[];
  progress: { done: number; skipped: number; open: number };
  birthdaysToday: ListedCustomer[];
  birthdaysThisWeek: ListedCustomer[];
  atRisk: ListedCustomer[];
  newFriends: ListedCustomer[];
  notInGroup: ListedCustomer[];
}

export interface CompletionRow {
  staffId: string;
  staffName: string;
  day: string;
  done: number;
  skipped: number;
  open: number;
}

export const acquisitionApi = {
  codes: (query: { from?: string; to?: string } = {}, opts: Signal = {}) => call<{ items: AcquisitionCode[] }>('GET', '/codes', { ...opts, query: query as Query }),
  createCode: (body: CodeInput) => call<AcquisitionCode>('POST', '/codes', { body }),
  updateCode: (id: string, body: CodeInput) => call<AcquisitionCode>('PUT', `/codes/${id}`, { body }),
  /** The QR image is read by the browser itself (an <img>), with the session cookie. */
  qrUrl: (id: string, size = 256) => `/api/v1/codes/${id}/qr.png?size=${size}`,
  workbench: (staffId: string | undefined, opts: Signal = {}) => call<Workbench>('GET', '/workbench', { ...opts, query: { staffId } }),
  finishTask: (id: string, outcome: 'complete' | 'skip') => call<GuideTask>('POST', `/tasks/${id}/${outcome}`),
  completion: (query: { from: string; to: string; staffId?: string }, opts: Signal = {}) => call<{ items: CompletionRow[] }>('GET', '/tasks/completion', { ...opts, query }),
};
