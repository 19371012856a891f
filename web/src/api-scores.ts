// Console calls for customer layering (scores): settings, runs, RFM, lifecycle and CLV reads.
import { call, type Page, type Signal } from './api.ts';

export interface ScoringSettings {
  rfm: { windowDays: number; highScore: number };
  lifecycle: { newDays: number; activeDays: number; churnDays: number; returnedDays: number };
  tiers: { name: string; minSpentFen: number }[];
  clv: { horizonWeeks: number; annualDiscountRate: number };
}

export type RunStatus = 'queued' | 'running' | 'done' | 'failed';

export interface ScoringRun {
  id: string;
  trigger: 'nightly' | 'manual';
  status: RunStatus;
  requestedBy: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  calibrationEnd: string | null;
  customers: number | null;
  buyers: number | null;
  repeaters: number | null;
  rowsWritten: number | null;
  fitMs: number | null;
  clvReason: string | null;
  phases: { read: number; snapshot: number; fit: number; predict: number; write: number } | null;
  error: string | null;
}

export type RfmCell = 'important_value' | 'important_develop' | 'important_keep' | 'important_retain' | 'general_value' | 'general_develop' | 'general_keep' | 'general_retain';
export type LifecycleStage = 'prospect' | 'new' | 'returned' | 'active' | 'dormant' | 'churned';

export interface RfmOverview {
  buyers: number;
  customers: number;
  grid: { r: number; f: number; customers: number; averageMonetaryFen: number }[];
  cells: { cell: RfmCell; name: string; customers: number; share: number; monetaryFen: number }[];
}

export interface Movement {
  from: string;
  to: string;
  items: { from: string; to: string; customers: number }[];
}

export interface LifecycleOverview {
  stages: { stage: LifecycleStage; customers: number }[];
  flow: Movement | null;
}

export interface ClvOverview {
  model: {
    runId: string; calibrationEnd: string | null; fittedAt: string | null; horizonWeeks: number | null; annualDiscountRate: number | null;
    customers: number | null; repeaters: number | null; reason: string | null;
    reasonWorded: { code: string; params: Record<string, string | number | null> } | null;
    bgnbd: { r: number; alpha: number; a: number; b: number; logLikelihood: number } | null;
    gammaGamma: { p: number; q: number; gamma: number; logLikelihood: number } | null;
  } | null;
  clvHistogram: { fromFen: number; toFen: number | null; customers: number }[];
  pAliveHistogram: { from: number; to: number; customers: number }[];
  totals: { customers: number; clvFen: number; expectedPurchases: number };
}

export interface AtRiskCustomer {
  id: string; name: string; totalSpentFen: number; clvFen: number | null; pAlive: number; lifecycleStage: LifecycleStage;
  valueTier: string | null; rfmCell: RfmCell | null; lastOrderAt: string | null;
}

type StoreFilter = { storeId?: string };
type MonthRange = { from?: string; to?: string };

export const scoresApi = {
  settings: (opts: Signal = {}) => call<ScoringSettings>('GET', '/scoring/settings', opts),
  saveSettings: (settings: ScoringSettings) => call<ScoringSettings>('PUT', '/scoring/settings', { body: settings }),
  runs: (opts: Signal = {}) => call<ScoringRun[]>('GET', '/scoring/runs', opts),
  run: (id: string, opts: Signal = {}) => call<ScoringRun>('GET', `/scoring/runs/${encodeURIComponent(id)}`, opts),
  startRun: () => call<ScoringRun>('POST', '/scoring/runs'),
  rfm: (query: StoreFilter, opts: Signal = {}) => call<RfmOverview>('GET', '/analytics/rfm', { ...opts, query }),
  movement: (query: StoreFilter & MonthRange, opts: Signal = {}) => call<Movement | null>('GET', '/analytics/rfm/movement', { ...opts, query }),
  lifecycle: (query: StoreFilter & MonthRange, opts: Signal = {}) => call<LifecycleOverview>('GET', '/analytics/lifecycle', { ...opts, query }),
  clv: (query: StoreFilter, opts: Signal = {}) => call<ClvOverview>('GET', '/analytics/clv', { ...opts, query }),
  atRisk: (query: StoreFilter & { page: number; pageSize: number; pAliveBelow?: number }, opts: Signal = {}) =>
    call<Page<AtRiskCustomer>>('GET', '/analytics/clv/at-risk', { ...opts, query }),
};

/** The scores block of the customer 360 (GET /customers/:id). */
export interface ProfileScores {
  rfmCell: RfmCell | null;
  rScore: number | null;
  fScore: number | null;
  mScore: number | null;
  lifecycleStage: LifecycleStage;
  valueTier: string | null;
  pAlive: number | null;
  clvFen: number | null;
  computedAt: string;
}
