// The scoring run: every customer's RFM scores and cell, lifecycle stage and value tier, with the
// purchase history CLV is predicted from, in customer_score_rows; the tenant's fitted CLV models
// and their forecasts (scoring_models, scoring_forecasts), from which the customer_scores view
// computes P(alive), expected purchases and CLV when read (migration 0044); and this month's
// snapshot of cells, stages and tiers.
// One query over the customers (their order aggregates, topped up, for the customers whose windows
// cut their history, from the customer-month rollup; see buyers.ts) streams one binary row per
// customer to Node, and a second the stored rows (stored-rows.ts); the models are fitted and the
// scores decided there; the rows that differ from the stored ones go back by binary COPY into a
// temporary table and one statement that updates them and inserts the missing ones. From one night
// to the next that is the few buyers who ordered or crossed a boundary: the predictions move every
// night for nearly every buyer, but are not stored. Customers who are not buyers (prospects) come
// from the same read and are written last.
import type pg from 'pg';
import { sql } from 'kysely';
import type { DatabaseHandle, Db } from '../../db/connect.ts';
import type { Selectable } from 'kysely';
import type { ScoringRunsTable } from '../../db/schema.ts';
import { newId, UUID_PATTERN } from '../ids.ts';
import { notFound, YuchiError } from '../errors.ts';
import type { ClvReason } from '../clv/clv.reasons.ts';
import type { CustomerSummary } from '../clv/clv.rules.ts';
import { fitClvModels, type ClvModels } from '../clv/predict.ts';
import { ClvPredictor } from './clv-predict.ts';
import { dayNumber, localDate } from '../time.ts';
import { BinaryCopyWriter, writeBinaryCopy } from './binary-copy.ts';
import { packDays, packScores, readStoredRows, STATE_BITS, type ScoreNames, type StoredRows } from './stored-rows.ts';
import { clvSummaries, idCursor, NONE, readBuyers, readBuyersFromOrders, type Buyers, type Prospects } from './buyers.ts';
import { DEFAULT_SETTINGS, LIFECYCLE_STAGES, lifecycleStage, monthOf, quintileCuts, quintileScore, rfmCell, ScoringSettings, valueTier } from './scores.rules.ts';

export const SCORES_TASK = 'recompute_scores';
const READ_WORK_MEM = '256MB';
// Sort-based aggregation (see score()), and hash joins: the planner takes the straddlers'
// customer-month rows (about two million) for few and probes the customers' key once per row.
const READ_SETTINGS = `set local enable_hashagg = off; set local enable_nestloop = off; set local work_mem = '${READ_WORK_MEM}'`;

/**
 * Where a run reads its buyers: the order aggregates on the customer rows, topped up from the
 * orders only where they cannot answer (the normal way), or every order (the reference).
 */
export type BuyerSource = 'aggregates' | 'orders';

export async function getScoringSettings(db: Db, tenantId: string): Promise<ScoringSettings> {
  const row = await db.selectFrom('scoring_settings').select('settings').where('tenant_id', '=', tenantId).executeTakeFirst();
  if (!row) return DEFAULT_SETTINGS;
  // Stored settings were valid when saved; fall back to the defaults if a later rule refuses them.
  const parsed = ScoringSettings.safeParse(row.settings);
  return parsed.success ? parsed.data : DEFAULT_SETTINGS;
}

export async function saveScoringSettings(db: Db, tenantId: string, settings: ScoringSettings, by: string): Promise<ScoringSettings> {
  const valid = ScoringSettings.parse(settings);
  const json = JSON.stringify(valid);
  await db.insertInto('scoring_settings').values({ tenant_id: tenantId, settings: json, updated_by: by })
    .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ settings: json, updated_by: by, updated_at: new Date() }))
    .execute();
  return valid;
}

// ---------------------------------------------------------------------------------------------
// Runs

/**
 * Milliseconds per phase, in the order they run. The month's snapshot is written while Node fits
 * the models: snapshot is the time it held the run up (sending the cells, and any wait for the
 * database after the fit). predict is the time Node spent deciding the scores, taking g(x, T) for
 * the forecasts and finding the rows that changed; write, sending the models, forecasts and rows.
 */
export interface ScoringPhases { read: number; snapshot: number; fit: number; predict: number; write: number }

export interface ScoringRunView {
  id: string;
  trigger: 'nightly' | 'manual';
  status: 'queued' | 'running' | 'done' | 'failed';
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
  phases: ScoringPhases | null;
  error: string | null;
}

/** Records a manual run and queues it, in one transaction; runs of a tenant go one at a time. */
export async function requestScoringRun(db: Db, tenantId: string, by: string): Promise<ScoringRunView> {
  const id = newId();
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('scoring_runs').values({ tenant_id: tenantId, id, trigger: 'manual', requested_by: by }).execute();
    await sql`select graphile_worker.add_job(${SCORES_TASK}, json_build_object('tenantId', ${tenantId}::text, 'runId', ${id}::text),
                queue_name => ${`scores:${tenantId}`}, max_attempts => 1)`.execute(trx);
  });
  return getScoringRun(db, tenantId, id);
}

export async function getScoringRun(db: Db, tenantId: string, id: string): Promise<ScoringRunView> {
  const row = UUID_PATTERN.test(id)
    ? await db.selectFrom('scoring_runs').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst()
    : undefined;
  if (!row) throw notFound('scoring run');
  return runView(row);
}

/** The latest runs, newest first. */
export async function listScoringRuns(db: Db, tenantId: string, limit = 10): Promise<ScoringRunView[]> {
  const rows = await db.selectFrom('scoring_runs').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at', 'desc').limit(limit).execute();
  return rows.map(runView);
}

function runView(row: Selectable<ScoringRunsTable>): ScoringRunView {
  return {
    id: row.id, trigger: row.trigger, status: row.status, requestedBy: row.requested_by,
    createdAt: row.created_at.toISOString(), startedAt: row.started_at?.toISOString() ?? null, finishedAt: row.finished_at?.toISOString() ?? null,
    calibrationEnd: row.calibration_end, customers: row.customers, buyers: row.buyers, repeaters: row.repeaters,
    rowsWritten: row.rows_written, fitMs: row.fit_ms, clvReason: row.clv_reason,
    phases: (row.phases as ScoringPhases | null) ?? null, error: row.error,
  };
}

/** The latest finished run's id, or null. */
export async function latestDoneRunId(db: Db, tenantId: string): Promise<string | null> {
  const row = await db.selectFrom('scoring_runs').select('id').where('tenant_id', '=', tenantId).where('status', '=', 'done')
    .orderBy('finished_at', 'desc').limit(1).executeTakeFirst();
  return row?.id ?? null;
}

export interface ScoringResult {
  runId: string;
  calibrationEnd: string;
  customers: number;
  buyers: number;
  repeaters: number;
  rowsWritten: number;
  models: ClvModels | null;
  clvReason: string | null;
  /** Why CLV was left empty, as the refusal's code and values (for the console to word). */
  clvReasonCode: ClvReason | null;
  phases: ScoringPhases;
  fitMs: number;
}

/**
 * Runs (or, with `runId`, carries out a queued) scoring run for a tenant. `today` is the tenant's
 * calendar date that counts as now (default: today in its zone); orders after it are left out.
 */
export async function runScoring(handle: DatabaseHandle, tenantId: string, options: { runId?: string; trigger?: 'nightly' | 'manual'; today?: string; source?: BuyerSource } = {}): Promise<ScoringResult> {
  const { db } = handle;
  const tenant = await db.selectFrom('tenants').select(['timezone']).where('id', '=', tenantId).executeTakeFirst();
  if (!tenant) throw notFound('tenant');
  const runId = options.runId ?? newId();
  if (!options.runId) await db.insertInto('scoring_runs').values({ tenant_id: tenantId, id: runId, trigger: options.trigger ?? 'manual' }).execute();
  const today = options.today ?? localDate(new Date(), tenant.timezone);
  const settings = await getScoringSettings(db, tenantId);
  await db.updateTable('scoring_runs').set({ status: 'running', started_at: new Date(), calibration_end: today, settings: JSON.stringify(settings) })
    .where('tenant_id', '=', tenantId).where('id', '=', runId).execute();
  try {
    const result = await score(handle, tenantId, runId, today, settings, options.source ?? 'aggregates');
    await db.updateTable('scoring_runs').set({
      status: 'done', finished_at: new Date(), customers: result.customers, buyers: result.buyers, repeaters: result.repeaters,
      rows_written: result.rowsWritten, fit_ms: Math.round(result.fitMs), clv_reason: result.clvReason,
      clv_reason_code: result.clvReasonCode?.code ?? null, clv_reason_params: result.clvReasonCode ? JSON.stringify(result.clvReasonCode.params) : null, phases: JSON.stringify(Object.fromEntries(Object.entries(result.phases).map(([k, v]) => [k, Math.round(v)]))),
      bgnbd: result.models ? JSON.stringify(result.models.bgnbd) : null,
      gamma_gamma: result.models ? JSON.stringify(result.models.gammaGamma) : null,
      fitted_at: result.models ? new Date() : null,
    }).where('tenant_id', '=', tenantId).where('id', '=', runId).execute();
    return result;
  } catch (err) {
    await db.updateTable('scoring_runs').set({ status: 'failed', finished_at: new Date(), error: err instanceof Error ? err.message : String(err) })
      .where('tenant_id', '=', tenantId).where('id', '=', runId).execute();
    throw err;
  }
}

/** The CLV histories of a tenant's buyers as the run builds them (for measuring the fit alone). */
export async function readSummaries(client: pg.PoolClient, tenantId: string): Promise<CustomerSummary[]> {
  const zone = await client.query<{ timezone: string }>('select timezone from tenants where id = $1', [tenantId]);
  const today = localDate(new Date(), zone.rows[0]?.timezone ?? 'Asia/Shanghai');
  await client.query('begin');
  try {
    await client.query(`${READ_SETTINGS}`);
    const summaries = clvSummaries(await readBuyers(client, tenantId, today, DEFAULT_SETTINGS));
    await client.query('commit');
    return summaries;
  } catch (err) {
    await client.query('rollback');
    throw err;
  }
}

/** The columns of customer_score_rows a run writes, after customer_id, in the batch's order. */
const ROW_COLUMNS = ['frequency', 'monetary_fen', 'r_score', 'f_score', 'm_score', 'rfm_cell', 'lifecycle_stage', 'value_tier',
  'first_order_day', 'last_order_day', 'purchase_days', 'repeat_spend_fen'] as const;

async function score(handle: DatabaseHandle, tenantId: string, runId: string, today: string, settings: ScoringSettings, source: BuyerSource): Promise<ScoringResult> {
  const client = await handle.pool.connect();
  const phases: ScoringPhases = { read: 0, snapshot: 0, fit: 0, predict: 0, write: 0 };
  // One run at a time per tenant, whoever queued it, from the read of the stored scores to the
  // write of the changes found against them.
  await client.query(`select pg_advisory_lock(hashtext('customer_scores:' || $1))`, [tenantId]);
  try {
    let t = performance.now();
    // Sort-based parallel aggregation: hashing ~8 million customer-days spills to disk at any
    // sensible work_mem, while sorting them in two workers and streaming the groups does not.
    // 256MB keeps those sorts (~2 million customer-month rows of a million customers'
    // straddlers, and the buyers in id order) in memory instead of merging runs on disk; it is
    // this run's alone.
    // Repeatable read: the buyers and the customers who are not buyers come from one snapshot.
    await client.query('begin isolation level repeatable read');
    let b: Buyers;
    let stored: StoredRows;
    let snapshotKept: boolean;
    const names = scoreNames(settings);
    try {
      await client.query(`${READ_SETTINGS}`);
      b = await (source === 'orders' ? readBuyersFromOrders : readBuyers)(client, tenantId, today, settings);
      stored = await readStoredRows(client, tenantId, names);
      // Whether every customer's latest snapshot row at or before this month holds the stored
      // rows' cell, stage and tier (both written in one transaction by the last run): so when the
      // last run was in this month or before, and no row is of a later month than it (a run dated
      // back leaves later months behind it).
      const last = await client.query<{ day: string; later: boolean }>(`
        select m.calibration_end::text as day,
               exists (select 1 from customer_score_snapshots p where p.tenant_id = m.tenant_id and p.month > date_trunc('month', m.calibration_end)::date) as later
          from scoring_models m where m.tenant_id = $1`, [tenantId]);
      const lastRun = last.rows[0];
      snapshotKept = lastRun !== undefined && monthOf(lastRun.day) <= monthOf(today) && !lastRun.later;
      await client.query('commit');
    } catch (err) {
      await client.query('rollback');
      throw err;
    }
    phases.read = performance.now() - t;

    // Cells, stages and tiers, decided once for the run (they do not depend on the CLV fit).
    t = performance.now();
    const rows = scoreRows(b, settings, names, dayNumber(today));
    const prepared = performance.now() - t;

    // CLV: fit both models on every buyer, and take g(x, T) for every buyer's (x, T); too few
    // repeaters, a spend model without a mean or a horizon the series cannot reach leaves the CLV
    // empty, with the reason on the run. The fit runs inside the write's transaction, while
    // PostgreSQL writes the month's snapshot (see writeRun).
    const summaries = clvSummaries(b);
    let clvReason: string | null = null;
    let clvReasonCode: ClvReason | null = null;
    let repeaters = 0;
    for (const s of summaries) if (s.x > 0) repeaters++;
    let fitMs = 0;
    let forecastMs = 0;
    let models: ClvModels | null = null;
    const fit = (): Clv | null => {
      let started = performance.now();
      try {
        if (b.count === 0) throw new YuchiError('invalid', 'no customer has ordered yet', [{ path: 'customers', message: 'no customer has ordered yet', code: 'no_buyers', params: {} }]);
        const fitted = fitClvModels(summaries);
        const predictor = new ClvPredictor(fitted, { weeks: settings.clv.horizonWeeks, annualDiscountRate: settings.clv.annualDiscountRate });
        fitMs = performance.now() - started;
        started = performance.now();
        const forecasts = rows.forecasts(predictor, tenantId);
        forecastMs = performance.now() - started;
        models = fitted;
        return { models: fitted, forecasts };
      } catch (err) {
        if (!(err instanceof YuchiError)) throw err;
        clvReason = err.message;
        const coded = err.details.find((d) => d.code !== undefined);
        clvReasonCode = coded?.code ? { code: coded.code, params: coded.params ?? {} } : null;
        if (fitMs === 0) fitMs = performance.now() - started;
        else forecastMs = performance.now() - started;
        return null;
      }
    };

    const written = await writeRun(client, { tenantId, runId, today }, settings, rows, b.prospects, stored, snapshotKept, fit);
    const customers = b.count + b.prospects.count;
    phases.fit = fitMs;
    phases.predict = prepared + forecastMs + written.compareMs;
    phases.write = written.writeMs;
    phases.snapshot = written.snapshotMs;
    return { runId, calibrationEnd: today, customers, buyers: b.count, repeaters, rowsWritten: written.rowsWritten, models, clvReason, clvReasonCode, phases, fitMs };
  } finally {
    await client.query(`select pg_advisory_unlock(hashtext('customer_scores:' || $1))`, [tenantId]).catch(() => undefined);
    client.release();
  }
}

interface Written { rowsWritten: number; compareMs: number; writeMs: number; snapshotMs: number }

/** The fitted models, and g(x, T) for every buyer's (x, T) as scoring_forecasts COPY data. */
interface Clv { models: ClvModels; forecasts: Buffer[] }

/**
 * Writes a run in one transaction: the month's snapshot of cells, stages and tiers, which
 * PostgreSQL writes while Node fits the CLV models (`fit`), the models and their forecasts, then
 * the buyers whose stored row changed or is missing, then the prospects.
 */
async function writeRun(client: pg.PoolClient, run: { tenantId: string; runId: string; today: string }, settings: ScoringSettings, rows: ScoreRows,
  prospects: Prospects, stored: StoredRows, snapshotKept: boolean, fit: () => Clv | null): Promise<Written> {
  const { tenantId } = run;
  const firstTier = settings.tiers[0]?.name ?? null;
  let t = performance.now();
  const changed = rows.changed(stored, prospects, firstTier);
  const compareMs = performance.now() - t;
  await client.query('begin');
  try {
    await client.query(`set local work_mem = '${READ_WORK_MEM}'`);
    await client.query('create temp table scoring_cells (customer_id uuid, rfm_cell text, lifecycle_stage text, value_tier text) on commit drop');

    // The snapshot's statement is sent before the fit starts: the database works on it while
    // Node fits (the fit is synchronous; the answer waits in the socket until it is done). When
    // the customers' latest snapshot rows are the stored rows' states (see score()), only the
    // customers whose cell, stage or tier changed, or who are new, can need a row; otherwise every
    // customer's cell goes, each set against their latest row.
    t = performance.now();
    await writeBinaryCopy(client, 'scoring_cells', ['customer_id', 'rfm_cell', 'lifecycle_stage', 'value_tier'],
      rows.encodeCells(prospects, firstTier, snapshotKept ? changed : null));
    await client.query('analyze scoring_cells');
    const snapshotDone = writeSnapshot(client, tenantId, monthOf(run.today));
    // Awaited below; this only keeps a failure that arrives while Node fits from counting as unhandled.
    snapshotDone.catch(() => undefined);
    let snapshotMs = performance.now() - t;
    const clv = fit();
    t = performance.now();
    await snapshotDone;
    snapshotMs += performance.now() - t;

    t = performance.now();
    await writeModels(client, run, clv);
    let rowsWritten = await writeChanged(client, tenantId, rows.encode(changed), changed.count);
    rowsWritten += await writeProspects(client, tenantId, prospects, firstTier);
    await client.query('commit');
    return { rowsWritten, compareMs, writeMs: performance.now() - t, snapshotMs };
  } catch (err) {
    await client.query('rollback');
    throw err;
  }
}

/** The tenant's current models (null parameters when the run left CLV empty) and their forecasts, replacing the last run's. */
async function writeModels(client: pg.PoolClient, run: { tenantId: string; runId: string; today: string }, clv: Clv | null): Promise<void> {
  const bg = clv?.models.bgnbd;
  const gg = clv?.models.gammaGamma;
  await client.query(`
    insert into scoring_models (tenant_id, run_id, calibration_end, scored_at, r, alpha, a, b, p, q, gamma)
    values ($1, $2, $3, now(), $4, $5, $6, $7, $8, $9, $10)
    on conflict (tenant_id) do update set run_id = excluded.run_id, calibration_end = excluded.calibration_end, scored_at = excluded.scored_at,
      r = excluded.r, alpha = excluded.alpha, a = excluded.a, b = excluded.b, p = excluded.p, q = excluded.q, gamma = excluded.gamma`,
  [run.tenantId, run.runId, run.today, bg?.r ?? null, bg?.alpha ?? null, bg?.a ?? null, bg?.b ?? null, gg?.p ?? null, gg?.q ?? null, gg?.gamma ?? null]);
  await client.query('delete from scoring_forecasts where tenant_id = $1', [run.tenantId]);
  if (clv) await writeBinaryCopy(client, 'scoring_forecasts', ['tenant_id', 'x', 't_days', 'purchases', 'discounted'], clv.forecasts);
}

/**
 * The buyers whose stored row changed (updated) or is missing (inserted, unless the customer has
 * gone meanwhile), from a batch holding only them. Returns the rows written.
 */
async function writeChanged(client: pg.PoolClient, tenantId: string, data: Buffer[], count: number): Promise<number> {
  if (count === 0) return 0;
  await client.query(`create temp table scoring_batch (
    customer_id uuid, fresh boolean, frequency int4, monetary_fen int8, r_score int2, f_score int2, m_score int2,
    rfm_cell text, lifecycle_stage text, value_tier text, first_order_day date, last_order_day date, purchase_days int4, repeat_spend_fen int8
  ) on commit drop`);
  await writeBinaryCopy(client, 'scoring_batch', ['customer_id', 'fresh', ...ROW_COLUMNS], data);
  await client.query('analyze scoring_batch');
  const written = await client.query<{ n: number }>(`
    with updated as (
      update customer_score_rows s
         set ${ROW_COLUMNS.map((c) => `${c} = b.${c}`).join(', ')}, changed_at = now()
        from scoring_batch b
       where s.tenant_id = $1 and s.customer_id = b.customer_id and not b.fresh
      returning 1
    ), inserted as (
      insert into customer_score_rows (tenant_id, customer_id, ${ROW_COLUMNS.join(', ')}, changed_at)
      select $1, b.customer_id, ${ROW_COLUMNS.map((c) => `b.${c}`).join(', ')}, now()
        from scoring_batch b
       where b.fresh and exists (select 1 from customers c where c.tenant_id = $1 and c.id = b.customer_id)
      returning 1
    )
    select ((select count(*) from updated) + (select count(*) from inserted))::int as n`, [tenantId]);
  return written.rows[0]?.n ?? 0;
}

/** The names stored texts are numbered by (see stored-rows.ts). */
function scoreNames(settings: ScoringSettings): ScoreNames {
  const cells: string[] = [];
  for (let r = 1; r <= 5; r++) for (let f = 1; f <= 5; f++) for (let m = 1; m <= 5; m++) {
    const name = rfmCell(r, f, m, settings.rfm.highScore);
    if (!cells.includes(name)) cells.push(name);
  }
  return { cells, stages: LIFECYCLE_STAGES, tiers: settings.tiers.map((t) => t.name) };
}

/**
 * The buyers to write (their places in the run's order, and whether each has no stored row yet),
 * and the buyers and prospects whose cell, stage or tier differs from the stored one, or who have
 * no stored row: the month's snapshot rows that can differ from the last run's.
 */
interface Changes {
  at: Int32Array; fresh: Uint8Array; count: number;
  cells: Int32Array; cellCount: number;
  prospectCells: Int32Array; prospectCellCount: number;
}

/** Each buyer's scores, decided once for the run, set against the stored rows and encoded for COPY. */
interface ScoreRows {
  b: Buyers;
  /** The buyers whose scores or history differ from their stored row, or who have none; and the cells to snapshot. */
  changed(stored: StoredRows, prospects: Prospects, prospectTier: string | null): Changes;
  encode(changes: Changes): Buffer[];
  /** Cells, stages and tiers for the month's snapshot: every customer's, or only those `only` names; buyers, then prospects. */
  encodeCells(prospects: Prospects, prospectTier: string | null, only: Changes | null): Buffer[];
  /** g(x, T) for every distinct (x, T days) among the buyers, as scoring_forecasts rows. */
  forecasts(predictor: ClvPredictor, tenantId: string): Buffer[];
}

function scoreRows(b: Buyers, settings: ScoringSettings, names: ScoreNames, today: number): ScoreRows {
  const n = b.count;
  // RFM over buyers in the window: quintiles of recency (negated: more recent scores higher),
  // distinct purchase days and spend.
  const inWindow: number[] = [];
  for (let i = 0; i < n; i++) if ((b.windowDays[i] ?? 0) > 0) inWindow.push(i);
  const rCuts = quintileCuts(inWindow.map((i) => -(b.sinceLast[i] ?? 0)));
  const fCuts = quintileCuts(inWindow.map((i) => b.windowDays[i] ?? 0));
  const mCuts = quintileCuts(inWindow.map((i) => b.windowSpend[i] ?? 0));
  // Cells by (r, f, m), as their place in names.cells (1-based): a million rows share a few names.
  const cellPlaces = new Int16Array(6 * 6 * 6);
  for (let r = 1; r <= 5; r++) for (let f = 1; f <= 5; f++) for (let m = 1; m <= 5; m++) {
    cellPlaces[(r * 6 + f) * 6 + m] = names.cells.indexOf(rfmCell(r, f, m, settings.rfm.highScore)) + 1;
  }
  // Per buyer: scores (0 outside the window), the cell's, the stage's and the tier's place in their lists (1-based; 0: none).
  const r = new Int8Array(n), f = new Int8Array(n), m = new Int8Array(n);
  const cell = new Int16Array(n);
  const stage = new Int16Array(n);
  const tier = new Int16Array(n);
  const tierPlace = new Map<string | null, number>(names.tiers.map((name, k) => [name, k + 1]));
  for (let i = 0; i < n; i++) {
    const sinceLast = b.sinceLast[i] ?? 0;
    if ((b.windowDays[i] ?? 0) > 0) {
      r[i] = quintileScore(-sinceLast, rCuts);
      f[i] = quintileScore(b.windowDays[i] ?? 0, fCuts);
      m[i] = quintileScore(b.windowSpend[i] ?? 0, mCuts);
      cell[i] = cellPlaces[((r[i] ?? 0) * 6 + (f[i] ?? 0)) * 6 + (m[i] ?? 0)] ?? 0;
    }
    stage[i] = names.stages.indexOf(lifecycleStage({
      sinceFirst: b.sinceFirst[i] ?? 0, sinceLast,
      sinceFirstRecent: b.sinceFirstRecent[i] === NONE ? null : (b.sinceFirstRecent[i] ?? null),
      sinceLastBeforeRecent: b.sinceLastBeforeRecent[i] === NONE ? null : (b.sinceLastBeforeRecent[i] ?? null),
    }, settings.lifecycle)) + 1;
    tier[i] = tierPlace.get(valueTier(b.total[i] ?? 0, settings.tiers)) ?? 0;
  }
  const name = (list: readonly string[], place: number): string | null => (place > 0 ? (list[place - 1] ?? null) : null);
  const text = (writer: BinaryCopyWriter, value: string | null): void => {
    if (value === null) writer.null();
    else writer.text(value);
  };
  const repeatSpend = (i: number): number => (b.total[i] ?? 0) - (b.firstAmount[i] ?? 0);
  const firstDay = (i: number): number => today - (b.sinceFirst[i] ?? 0);
  const lastDay = (i: number): number => today - (b.sinceLast[i] ?? 0);
  const rfmCode = (i: number): number => ((r[i] ?? 0) > 0 ? (r[i] ?? 0) * 36 + (f[i] ?? 0) * 6 + (m[i] ?? 0) : 0);
  return {
    b,
    changed(stored, prospects, prospectTier) {
      const at = new Int32Array(n);
      const fresh = new Uint8Array(n);
      const cells = new Int32Array(n);
      let count = 0;
      let cellCount = 0;
      // Buyers, prospects and stored rows all ascend by customer id.
      const buyerRow = idCursor(stored.ids, stored.count);
      for (let i = 0; i < n; i++) {
        const j = buyerRow(b.ids, i * 16);
        const has = j >= 0;
        const [scoresHigh, scoresLow] = packScores(b.windowDays[i] ?? 0, rfmCode(i), cell[i] ?? 0, stage[i] ?? 0, tier[i] ?? 0);
        if (!has || ((stored.scoresLow[j] ?? 0) & STATE_BITS) !== (scoresLow & STATE_BITS)) cells[cellCount++] = i;
        if (has && stored.monetary[j] === b.windowSpend[i] && stored.repeatSpend[j] === repeatSpend(i)
          && stored.scoresHigh[j] === scoresHigh && stored.scoresLow[j] === scoresLow) {
          const [daysHigh, daysLow] = packDays(firstDay(i), lastDay(i), b.days[i] ?? 0);
          if (stored.daysHigh[j] === daysHigh && stored.daysLow[j] === daysLow) continue;
        }
        at[count] = i;
        fresh[count] = has ? 0 : 1;
        count++;
      }
      // Prospects: their cell, stage and tier against the stored ones.
      const prospectState = packScores(0, 0, 0, names.stages.indexOf('prospect') + 1, names.tiers.indexOf(prospectTier ?? '') + 1)[1] & STATE_BITS;
      const prospectCells = new Int32Array(prospects.count);
      let prospectCellCount = 0;
      const prospectRow = idCursor(stored.ids, stored.count);
      for (let i = 0; i < prospects.count; i++) {
        const j = prospectRow(prospects.ids, i * 16);
        if (j < 0 || ((stored.scoresLow[j] ?? 0) & STATE_BITS) !== prospectState) prospectCells[prospectCellCount++] = i;
      }
      return { at, fresh, count, cells, cellCount, prospectCells, prospectCellCount };
    },
    encode(changes) {
      // In scoring_batch's order: uuid, bool, int4, int8, int2 ×3, text ×3, date ×2, int4, int8.
      const writer = new BinaryCopyWriter(2 + ROW_COLUMNS.length);
      for (let k = 0; k < changes.count; k++) {
        const i = changes.at[k] ?? 0;
        writer.row();
        writer.uuid(b.ids, i * 16);
        writer.bool(changes.fresh[k] === 1);
        writer.int4(b.windowDays[i] ?? 0);
        writer.int8(b.windowSpend[i] ?? 0);
        const ri = r[i] ?? 0;
        if (ri > 0) {
          writer.int2(ri);
          writer.int2(f[i] ?? 0);
          writer.int2(m[i] ?? 0);
        } else {
          writer.null(); writer.null(); writer.null();
        }
        text(writer, name(names.cells, cell[i] ?? 0));
        text(writer, name(names.stages, stage[i] ?? 0));
        text(writer, name(names.tiers, tier[i] ?? 0));
        writer.date(firstDay(i));
        writer.date(lastDay(i));
        writer.int4(b.days[i] ?? 0);
        writer.int8(repeatSpend(i));
      }
      return writer.finish();
    },
    encodeCells(prospects, prospectTier, only) {
      const writer = new BinaryCopyWriter(4);
      const buyerCount = only ? only.cellCount : n;
      for (let k = 0; k < buyerCount; k++) {
        const i = only ? (only.cells[k] ?? 0) : k;
        writer.row();
        writer.uuid(b.ids, i * 16);
        text(writer, name(names.cells, cell[i] ?? 0));
        text(writer, name(names.stages, stage[i] ?? 0));
        text(writer, name(names.tiers, tier[i] ?? 0));
      }
      const prospectCount = only ? only.prospectCellCount : prospects.count;
      for (let k = 0; k < prospectCount; k++) {
        const i = only ? (only.prospectCells[k] ?? 0) : k;
        writer.row();
        writer.uuid(prospects.ids, i * 16);
        writer.null();
        writer.text('prospect');
        text(writer, prospectTier);
      }
      return writer.finish();
    },
    forecasts(predictor, tenantId) {
      const tenant = Buffer.from(tenantId.replace(/-/g, ''), 'hex');
      const seen = new Set<number>();
      const writer = new BinaryCopyWriter(5);
      for (let i = 0; i < n; i++) {
        const x = (b.days[i] ?? 1) - 1;
        const days = b.sinceFirst[i] ?? 0;
        const key = x * 4_194_304 + days; // days < 2^22 (11,000 years)
        if (seen.has(key)) continue;
        seen.add(key);
        const g = predictor.forecast(x, days / 7);
        writer.row();
        writer.uuid(tenant, 0);
        writer.int4(x);
        writer.int4(days);
        writer.float8(g.purchases);
        writer.float8(g.discounted);
      }
      return writer.finish();
    },
  };
}

/**
 * The customers who are not buyers (from the read, so no scan of every customer here): those who
 * were buyers at the last run (every order refunded, or moved by a merge) back to prospect, and
 * those without a row yet inserted as prospects. Returns the rows written.
 */
async function writeProspects(client: pg.PoolClient, tenantId: string, prospects: Prospects, firstTier: string | null): Promise<number> {
  if (prospects.count === 0) return 0;
  await client.query('create temp table scoring_prospects (customer_id uuid) on commit drop');
  const writer = new BinaryCopyWriter(1);
  for (let i = 0; i < prospects.count; i++) {
    writer.row();
    writer.uuid(prospects.ids, i * 16);
  }
  await writeBinaryCopy(client, 'scoring_prospects', ['customer_id'], writer.finish());
  // Usually a few thousand against a million scores: with its size known, the planner probes the
  // scores' key per prospect instead of hashing every score.
  await client.query('analyze scoring_prospects');
  const written = await client.query<{ n: number }>(`
    with lapsed as (
      update customer_score_rows s
         set frequency = 0, monetary_fen = 0, r_score = null, f_score = null, m_score = null, rfm_cell = null,
             lifecycle_stage = 'prospect', value_tier = $2, first_order_day = null, last_order_day = null, purchase_days = null,
             repeat_spend_fen = null, changed_at = now()
        from scoring_prospects p
       where s.tenant_id = $1 and s.customer_id = p.customer_id
         and (s.lifecycle_stage <> 'prospect' or s.value_tier is distinct from $2 or s.rfm_cell is not null or s.purchase_days is not null)
      returning 1
    ), inserted as (
      insert into customer_score_rows (tenant_id, customer_id, lifecycle_stage, value_tier, changed_at)
      select $1, p.customer_id, 'prospect', $2, now()
        from scoring_prospects p
       where not exists (select 1 from customer_score_rows s where s.tenant_id = $1 and s.customer_id = p.customer_id)
         and exists (select 1 from customers c where c.tenant_id = $1 and c.id = p.customer_id)
      returning 1
    )
    select ((select count(*) from lapsed) + (select count(*) from inserted))::int as n`, [tenantId, firstTier]);
  return written.rows[0]?.n ?? 0;
}

/**
 * This month's snapshot from the run's cells, stages and tiers (scoring_cells): a row for each
 * customer whose state differs from their latest row at or before the month, or who has none
 * (migration 0045: a customer's state as of a month is their latest row at or before it). A row
 * the month already has is replaced.
 */
function writeSnapshot(client: pg.PoolClient, tenantId: string, month: string): Promise<pg.QueryResult> {
  return client.query(`
    insert into customer_score_snapshots (tenant_id, month, customer_id, rfm_cell, lifecycle_stage, value_tier)
    select $1, $2::date, c.customer_id, c.rfm_cell, c.lifecycle_stage, c.value_tier
      from scoring_cells c
      left join lateral (
        select p.rfm_cell, p.lifecycle_stage, p.value_tier from customer_score_snapshots p
         where p.tenant_id = $1 and p.customer_id = c.customer_id and p.month <= $2::date
         order by p.month desc limit 1
      ) l on true
     where l.lifecycle_stage is null or (l.rfm_cell, l.lifecycle_stage, l.value_tier) is distinct from (c.rfm_cell, c.lifecycle_stage, c.value_tier)
    on conflict (tenant_id, month, customer_id) do update
      set rfm_cell = excluded.rfm_cell, lifecycle_stage = excluded.lifecycle_stage, value_tier = excluded.value_tier`, [tenantId, month]);
}
