// What the scores say about the customer base: the RFM grid and named cells, movement between
// cells and lifecycle stages from one month's snapshot to another's, and the CLV picture with the
// valuable customers at risk of being lost. Reads customer_scores and the snapshots only.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { clvReasonOf, type ClvReason } from '../clv/clv.reasons.ts';
import { invalid } from '../errors.ts';
import { getScoringSettings } from './scores.service.ts';
import { LIFECYCLE_STAGES, RFM_CELL_NAMES, RFM_CELLS, type RfmCell } from './scores.rules.ts';


/** Why the run left CLV empty, as stored with it; runs stored before codes were kept, read back from their words. */
function reasonWorded(run: { clv_reason: string | null; clv_reason_code: string | null; clv_reason_params: unknown }): ClvReason | null {
  if (run.clv_reason_code !== null) return { code: run.clv_reason_code, params: (run.clv_reason_params ?? {}) as ClvReason['params'] };
  return run.clv_reason === null ? null : clvReasonOf(run.clv_reason);
}

export interface LayerFilter { storeId?: string | undefined }

function storeFilter(filter: LayerFilter, alias: string): RawBuilder<unknown> {
  return filter.storeId
    ? sql`and exists (select 1 from customers c where c.tenant_id = ${sql.ref(`${alias}.tenant_id`)} and c.id = ${sql.ref(`${alias}.customer_id`)} and c.store_id = ${filter.storeId})`
    : sql``;
}

export interface RfmOverview {
  buyers: number;
  customers: number;
  grid: { r: number; f: number; customers: number; averageMonetaryFen: number }[];
  cells: { cell: RfmCell; name: string; customers: number; share: number; monetaryFen: number }[];
}

export async function rfmOverview(db: Db, tenantId: string, filter: LayerFilter): Promise<RfmOverview> {
  const grid = await sql<{ r: number; f: number; customers: number; avg: number }>`
    select s.r_score as r, s.f_score as f, count(*)::int as customers, round(avg(s.monetary_fen))::float8 as avg
      from customer_scores s where s.tenant_id = ${tenantId} and s.r_score is not null ${storeFilter(filter, 's')}
     group by 1, 2`.execute(db);
  const cells = await sql<{ cell: string; customers: number; spend: number }>`
    select s.rfm_cell as cell, count(*)::int as customers, sum(s.monetary_fen)::float8 as spend
      from customer_scores s where s.tenant_id = ${tenantId} and s.rfm_cell is not null ${storeFilter(filter, 's')}
     group by 1`.execute(db);
  const total = await sql<{ n: number }>`select count(*)::int as n from customer_scores s where s.tenant_id = ${tenantId} ${storeFilter(filter, 's')}`.execute(db);
  const buyers = cells.rows.reduce((sum, c) => sum + c.customers, 0);
  const cellOf = new Map(cells.rows.map((c) => [c.cell, c]));
  const gridOf = new Map(grid.rows.map((g) => [`${g.r}:${g.f}`, g]));
  const out: RfmOverview['grid'] = [];
  for (let r = 1; r <= 5; r++) {
    for (let f = 1; f <= 5; f++) {
      const g = gridOf.get(`${r}:${f}`);
      out.push({ r, f, customers: g?.customers ?? 0, averageMonetaryFen: g?.avg ?? 0 });
    }
  }
  return {
    buyers,
    customers: total.rows[0]?.n ?? 0,
    grid: out,
    cells: RFM_CELLS.map((cell) => {
      const c = cellOf.get(cell);
      const customers = c?.customers ?? 0;
      return { cell, name: RFM_CELL_NAMES[cell], customers, share: buyers > 0 ? customers / buyers : 0, monetaryFen: c?.spend ?? 0 };
    }),
  };
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** 'YYYY-MM' → its first day; 400 naming the parameter otherwise. */
export function monthStart(path: string, month: string): string {
  if (!MONTH.test(month)) throw invalid(path, `expected a month YYYY-MM, got "${month}"`, { code: 'month_format', params: {} });
  return `${month}-01`;
}

export interface Movement {
  from: string;
  to: string;
  /** Customers by (cell or stage a month, cell or stage the other); "none" where a snapshot had none. */
  items: { from: string; to: string; customers: number }[];
}

async function movement(db: Db, tenantId: string, column: 'rfm_cell' | 'lifecycle_stage', from: string, to: string, filter: LayerFilter): Promise<Movement> {
  const col = sql.ref(column);
  // Each customer's state as of a month: their latest snapshot row at or before it (0045).
  const asOf = (month: string) => sql`
    select distinct on (s.customer_id) s.customer_id, s.${col} from customer_score_snapshots s
     where s.tenant_id = ${tenantId} and s.month <= ${month}::date ${storeFilter(filter, 's')}
     order by s.customer_id, s.month desc`;
  const rows = await sql<{ from: string; to: string; customers: number }>`
    select coalesce(a.${col}, 'none') as from, coalesce(b.${col}, 'none') as to, count(*)::int as customers
      from (${asOf(from)}) a
      full join (${asOf(to)}) b on b.customer_id = a.customer_id
     group by 1, 2 order by 3 desc`.execute(db);
  return { from: from.slice(0, 7), to: to.slice(0, 7), items: rows.rows };
}

/**
 * The two latest months scored, oldest first (one month twice when there is only one). Snapshots
 * keep only changes, so a month is known by its finished runs, not by rows of its own.
 */
async function latestMonths(db: Db, tenantId: string): Promise<[string, string] | null> {
  const rows = await sql<{ month: string }>`
    select distinct date_trunc('month', calibration_end)::date::text as month from scoring_runs
     where tenant_id = ${tenantId} and status = 'done' and calibration_end is not null order by 1 desc limit 2`.execute(db);
  const [last, before] = rows.rows.map((r) => r.month);
  if (!last) return null;
  return [before ?? last, last];
}

export async function rfmMovement(db: Db, tenantId: string, query: { from?: string | undefined; to?: string | undefined }, filter: LayerFilter): Promise<Movement | null> {
  const months = await resolveMonths(db, tenantId, query);
  return months && movement(db, tenantId, 'rfm_cell', months[0], months[1], filter);
}

async function resolveMonths(db: Db, tenantId: string, query: { from?: string | undefined; to?: string | undefined }): Promise<[string, string] | null> {
  if (query.from === undefined && query.to === undefined) return latestMonths(db, tenantId);
  if (query.from === undefined) throw invalid('query.from', 'give both from and to, or neither', { code: 'range_incomplete', params: {} });
  if (query.to === undefined) throw invalid('query.to', 'give both from and to, or neither', { code: 'range_incomplete', params: {} });
  const from = monthStart('query.from', query.from);
  const to = monthStart('query.to', query.to);
  if (from > to) throw invalid('query.to', `must not be before from (${query.from})`, { code: 'range_reversed', params: { from: query.from, to: query.to } });
  return [from, to];
}

export interface LifecycleOverview {
  stages: { stage: string; customers: number }[];
  flow: Movement | null;
}

export async function lifecycleOverview(db: Db, tenantId: string, query: { from?: string | undefined; to?: string | undefined }, filter: LayerFilter): Promise<LifecycleOverview> {
  const rows = await sql<{ stage: string; customers: number }>`
    select s.lifecycle_stage as stage, count(*)::int as customers from customer_scores s
     where s.tenant_id = ${tenantId} ${storeFilter(filter, 's')} group by 1`.execute(db);
  const byStage = new Map(rows.rows.map((r) => [r.stage, r.customers]));
  const months = await resolveMonths(db, tenantId, query);
  return {
    stages: LIFECYCLE_STAGES.map((stage) => ({ stage, customers: byStage.get(stage) ?? 0 })),
    flow: months && (await movement(db, tenantId, 'lifecycle_stage', months[0], months[1], filter)),
  };
}

/** CLV buckets for a fruit chain, in fen: under ¥50, ¥50–100, … ¥10,000 and more. */
export const CLV_EDGES_FEN = [0, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000];

export interface ClvOverview {
  model: {
    runId: string; calibrationEnd: string | null; fittedAt: string | null; horizonWeeks: number | null; annualDiscountRate: number | null;
    customers: number | null; repeaters: number | null; reason: string | null;
    /** The reason as a code and values, for the console to word. */
    reasonWorded: ClvReason | null;
    bgnbd: { r: number; alpha: number; a: number; b: number; logLikelihood: number } | null;
    gammaGamma: { p: number; q: number; gamma: number; logLikelihood: number } | null;
  } | null;
  clvHistogram: { fromFen: number; toFen: number | null; customers: number }[];
  pAliveHistogram: { from: number; to: number; customers: number }[];
  totals: { customers: number; clvFen: number; expectedPurchases: number };
}

export async function clvOverview(db: Db, tenantId: string, filter: LayerFilter): Promise<ClvOverview> {
  const run = await db.selectFrom('scoring_runs').selectAll().where('tenant_id', '=', tenantId).where('status', '=', 'done')
    .orderBy('finished_at', 'desc').limit(1).executeTakeFirst();
  const settings = run?.settings as { clv?: { horizonWeeks?: number; annualDiscountRate?: number } } | null | undefined;
  const edges = sql.raw(`array[${CLV_EDGES_FEN.join(',')}]::int8[]`);
  const clv = await sql<{ bucket: number; customers: number }>`
    select width_bucket(s.clv_fen, ${edges}) as bucket, count(*)::int as customers
      from customer_scores s where s.tenant_id = ${tenantId} and s.clv_fen is not null ${storeFilter(filter, 's')} group by 1`.execute(db);
  const alive = await sql<{ bucket: number; customers: number }>`
    select least(floor(s.p_alive * 10), 9)::int as bucket, count(*)::int as customers
      from customer_scores s where s.tenant_id = ${tenantId} and s.p_alive is not null ${storeFilter(filter, 's')} group by 1`.execute(db);
  const totals = await sql<{ customers: number; clv: number | null; purchases: number | null }>`
    select count(*)::int as customers, sum(s.clv_fen)::float8 as clv, sum(s.expected_purchases) as purchases
      from customer_scores s where s.tenant_id = ${tenantId} and s.clv_fen is not null ${storeFilter(filter, 's')}`.execute(db);
  const clvBy = new Map(clv.rows.map((r) => [r.bucket, r.customers]));
  const aliveBy = new Map(alive.rows.map((r) => [r.bucket, r.customers]));
  const t = totals.rows[0];
  return {
    model: run ? {
      runId: run.id, calibrationEnd: run.calibration_end, fittedAt: run.fitted_at?.toISOString() ?? null,
      horizonWeeks: settings?.clv?.horizonWeeks ?? null, annualDiscountRate: settings?.clv?.annualDiscountRate ?? null,
      customers: run.buyers, repeaters: run.repeaters, reason: run.clv_reason, reasonWorded: reasonWorded(run),
      bgnbd: (run.bgnbd as ClvModelBgNbd | null) && pick(run.bgnbd as ClvModelBgNbd, ['r', 'alpha', 'a', 'b', 'logLikelihood']),
      gammaGamma: (run.gamma_gamma as ClvModelGg | null) && pick(run.gamma_gamma as ClvModelGg, ['p', 'q', 'gamma', 'logLikelihood']),
    } : null,
    clvHistogram: CLV_EDGES_FEN.map((fromFen, i) => ({ fromFen, toFen: CLV_EDGES_FEN[i + 1] ?? null, customers: clvBy.get(i + 1) ?? 0 })),
    pAliveHistogram: Array.from({ length: 10 }, (_, i) => ({ from: i / 10, to: (i + 1) / 10, customers: aliveBy.get(i) ?? 0 })),
    totals: { customers: t?.customers ?? 0, clvFen: t?.clv ?? 0, expectedPurchases: t?.purchases ?? 0 },
  };
}

type ClvModelBgNbd = { r: number; alpha: number; a: number; b: number; logLikelihood: number };
type ClvModelGg = { p: number; q: number; gamma: number; logLikelihood: number };

function pick<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) out[k] = value[k];
  return out;
}

export interface AtRiskCustomer {
  id: string; name: string; totalSpentFen: number; clvFen: number | null; pAlive: number; lifecycleStage: string; valueTier: string | null;
  rfmCell: string | null; lastOrderAt: string | null;
}

/**
 * Valuable customers likely lost: P(alive) below `pAliveBelow` and either a value tier above the
 * first or a CLV in the tenant's top tenth; most spent first.
 */
export async function atRiskCustomers(db: Db, tenantId: string, options: { pAliveBelow: number; page: number; pageSize: number } & LayerFilter): Promise<{ items: AtRiskCustomer[]; page: number; pageSize: number; total: number }> {
  const store = options.storeId ? sql`and c.store_id = ${options.storeId}` : sql``;
  const firstTier = (await getScoringSettings(db, tenantId)).tiers[0]?.name ?? '';
  const where = sql`
      from customer_scores s join customers c on c.tenant_id = s.tenant_id and c.id = s.customer_id
     where s.tenant_id = ${tenantId} and s.p_alive < ${options.pAliveBelow} ${store}
       and (s.value_tier is distinct from ${firstTier}
         or s.clv_fen >= (select percentile_disc(0.9) within group (order by clv_fen) from customer_scores where tenant_id = ${tenantId} and clv_fen is not null))`;
  const rows = await sql<{ id: string; name: string; total_spent_fen: number; clv_fen: number | null; p_alive: number; lifecycle_stage: string; value_tier: string | null; rfm_cell: string | null; last_order_at: Date | null }>`
    select c.id, c.name, c.total_spent_fen, s.clv_fen, s.p_alive, s.lifecycle_stage, s.value_tier, s.rfm_cell, c.last_order_at ${where}
     order by c.total_spent_fen desc, c.id limit ${options.pageSize} offset ${(options.page - 1) * options.pageSize}`.execute(db);
  const total = await sql<{ n: number }>`select count(*)::int as n ${where}`.execute(db);
  return {
    items: rows.rows.map((r) => ({
      id: r.id, name: r.name, totalSpentFen: r.total_spent_fen, clvFen: r.clv_fen, pAlive: r.p_alive, lifecycleStage: r.lifecycle_stage,
      valueTier: r.value_tier, rfmCell: r.rfm_cell, lastOrderAt: r.last_order_at?.toISOString() ?? null,
    })),
    page: options.page, pageSize: options.pageSize, total: total.rows[0]?.n ?? 0,
  };
}
