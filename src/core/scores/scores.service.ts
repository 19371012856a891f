// The scoring run: every customer's RFM scores and cell, lifecycle stage, value tier and predicted
// CLV / churn, written to customer_scores, plus this month's snapshot of cells, stages and tiers.
// One query over the customers (their order aggregates, topped up, for the customers whose windows
// cut their history, from the customer-month rollup; see buyers.ts) streams one binary row per
// customer to Node; the models are fitted and applied there; the scores go back range by range by
// binary COPY into a temporary table and one statement per range that updates the rows whose
// scores changed and inserts the missing ones. Customers who are not buyers (prospects) come from
// the same read and are written last.
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
import { ClvPredictor, type ClvColumns } from './clv-predict.ts';
import { localDate } from '../dashboard/dashboard.rules.ts';
import { BinaryCopyWriter, writeBinaryCopy } from './binary-copy.ts';
import { clvSummaries, NONE, readBuyers, readBuyersFromOrders, type Buyers, type Prospects } from './buyers.ts';
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
 * database after the fit). Prediction overlaps the write of the scores: predict is the time Node
 * spent scoring and predicting, write the rest of that stretch.
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
export async function runScoring(handle: DatabaseHandle, tenantId: string, options: { runId?: string; trigger?: 'nightly' | 'manual'; today?: string; source?: BuyerSource; rangeSize?: number } = {}): Promise<ScoringResult> {
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
    const result = await score(handle, tenantId, runId, today, settings, options.source ?? 'aggregates', options.rangeSize ?? RANGE_SIZE);
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

const BATCH_COLUMNS = ['customer_id', 'recency_days', 'frequency', 'monetary_fen', 'r_score', 'f_score', 'm_score', 'rfm_cell', 'lifecycle_stage', 'value_tier', 'p_alive', 'expected_purchases', 'expected_spend_fen', 'clv_fen'] as const;

async function score(handle: DatabaseHandle, tenantId: string, runId: string, today: string, settings: ScoringSettings, source: BuyerSource, rangeSize: number): Promise<ScoringResult> {
  const client = await handle.pool.connect();
  const phases: ScoringPhases = { read: 0, snapshot: 0, fit: 0, predict: 0, write: 0 };
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
    try {
      await client.query(`${READ_SETTINGS}`);
      b = await (source === 'orders' ? readBuyersFromOrders : readBuyers)(client, tenantId, today, settings);
      await client.query('commit');
    } catch (err) {
      await client.query('rollback');
      throw err;
    }
    phases.read = performance.now() - t;

    // Cells, stages and tiers, decided once for the run (they do not depend on the CLV fit).
    t = performance.now();
    const rows = scoreRows(b, settings);
    const prepared = performance.now() - t;

    // CLV: fit both models on every buyer; too few repeaters or a spend model without a mean
    // leaves the CLV columns null, with the reason on the run. The fit runs inside the write's
    // transaction, while PostgreSQL writes the month's snapshot (see writeRun).
    const summaries = clvSummaries(b);
    let models: ClvModels | null = null;
    let clvReason: string | null = null;
    let clvReasonCode: ClvReason | null = null;
    const leaveClvEmpty = (err: YuchiError): void => {
      clvReason = err.message;
      const coded = err.details.find((d) => d.code !== undefined);
      clvReasonCode = coded?.code ? { code: coded.code, params: coded.params ?? {} } : null;
      models = null;
    };
    let repeaters = 0;
    for (const s of summaries) if (s.x > 0) repeaters++;
    let fitMs = 0;
    const fit = (): Clv | null => {
      const started = performance.now();
      let predictor: ClvPredictor | null = null;
      try {
        if (b.count === 0) throw new YuchiError('invalid', 'no customer has ordered yet', [{ path: 'customers', message: 'no customer has ordered yet', code: 'no_buyers', params: {} }]);
        models = fitClvModels(summaries);
        predictor = new ClvPredictor(models, { weeks: settings.clv.horizonWeeks, annualDiscountRate: settings.clv.annualDiscountRate });
      } catch (err) {
        if (!(err instanceof YuchiError)) throw err;
        leaveClvEmpty(err);
      }
      fitMs = performance.now() - started;
      return predictor ? { predictor, summaries } : null;
    };

    // Scores and predictions go to the database in ranges of buyers: while the database writes
    // one range, the next is predicted, so the two cores work at once. One transaction still.
    let written: Written;
    try {
      written = await writeRun(client, tenantId, today, settings, rows, b.prospects, fit, rangeSize);
    } catch (err) {
      // A horizon the series cannot reach for some customer: the run goes on without CLV.
      if (!(err instanceof YuchiError) || !models) throw err;
      leaveClvEmpty(err);
      written = await writeRun(client, tenantId, today, settings, rows, b.prospects, () => null, rangeSize);
    }
    const { rowsWritten } = written;
    const customers = b.count + b.prospects.count;
    // Prediction overlaps the write: predict is the time Node spent on it, write the rest. The
    // snapshot overlaps the fit: snapshot is only the time it held the run up.
    phases.fit = fitMs;
    phases.predict = prepared + written.predictMs;
    phases.write = written.writeMs - written.predictMs;
    phases.snapshot = written.snapshotMs;
    return { runId, calibrationEnd: today, customers, buyers: b.count, repeaters, rowsWritten, models, clvReason, clvReasonCode, phases, fitMs };
  } finally {
    client.release();
  }
}

/** Buyers per range written while the next is predicted (runScoring's rangeSize, for tests). */
const RANGE_SIZE = 131_072;

interface Written { rowsWritten: number; predictMs: number; writeMs: number; snapshotMs: number }

/** What the predictions need: the fitted models ready to apply, and the buyers' histories. */
interface Clv { predictor: ClvPredictor; summaries: readonly CustomerSummary[] }

/**
 * Writes a run in one transaction: the month's snapshot of cells, stages and tiers, which
 * PostgreSQL writes while Node fits the CLV models (`fit`), then the scores range by range
 * (writeRange), then the prospects.
 */
async function writeRun(client: pg.PoolClient, tenantId: string, today: string, settings: ScoringSettings, rows: ScoreRows, prospects: Prospects,
  fit: () => Clv | null, rangeSize: number): Promise<Written> {
  const firstTier = settings.tiers[0]?.name ?? null;
  await client.query('begin');
  try {
    // One run at a time per tenant, whoever queued it.
    await client.query(`select pg_advisory_xact_lock(hashtext('customer_scores:' || $1))`, [tenantId]);
    // The joins of a million batch rows with the scores and the snapshot hash in memory; the batch
    // table is never analysed (its size is known from its pages), so hash joins are asked for.
    await client.query(`set local work_mem = '${READ_WORK_MEM}'; set local enable_nestloop = off`);
    await client.query(`create temp table scoring_batch (
      customer_id uuid, recency_days int4, frequency int4, monetary_fen int8, r_score int2, f_score int2, m_score int2,
      rfm_cell text, lifecycle_stage text, value_tier text, p_alive float8, expected_purchases float8, expected_spend_fen int8, clv_fen int8
    ) on commit drop`);
    await client.query('create temp table scoring_cells (customer_id uuid, rfm_cell text, lifecycle_stage text, value_tier text) on commit drop');

    // The snapshot's statement is sent before the fit starts: the database works on it while
    // Node fits (the fit is synchronous; the answer waits in the socket until it is done).
    let t = performance.now();
    await writeBinaryCopy(client, 'scoring_cells', ['customer_id', 'rfm_cell', 'lifecycle_stage', 'value_tier'], rows.encodeCells(prospects, firstTier));
    const snapshotDone = writeSnapshot(client, tenantId, monthOf(today));
    // Awaited below; this only keeps a failure that arrives while Node fits from counting as unhandled.
    snapshotDone.catch(() => undefined);
    let snapshotMs = performance.now() - t;
    const clv = fit();
    t = performance.now();
    await snapshotDone;
    snapshotMs += performance.now() - t;

    t = performance.now();
    const n = rows.b.count;
    const predictions: ClvColumns | null = clv
      ? { pAlive: new Float64Array(n), expectedPurchases: new Float64Array(n), expectedSpend: new Float64Array(n), clv: new Float64Array(n) }
      : null;
    let predictMs = 0;
    let rowsWritten = 0;
    let pending: Promise<number> | null = null;
    try {
      for (let from = 0; from < n; from += rangeSize) {
        const to = Math.min(n, from + rangeSize);
        const started = performance.now();
        if (clv && predictions) clv.predictor.predict(clv.summaries, from, to, predictions);
        const data = rows.encode(from, to, predictions);
        predictMs += performance.now() - started;
        if (pending) rowsWritten += await pending;
        pending = null;
        // The batch holds one range at a time, so each statement reads only its own rows.
        if (from > 0) await client.query('truncate scoring_batch');
        await writeBinaryCopy(client, 'scoring_batch', BATCH_COLUMNS, data);
        pending = writeRange(client, tenantId, uuidAt(rows.b.ids, from), uuidAt(rows.b.ids, to - 1));
      }
    } finally {
      // Never leave a statement running on the client when a prediction fails mid-way.
      if (pending) rowsWritten += await pending;
    }
    rowsWritten += await writeProspects(client, tenantId, prospects, firstTier);
    await client.query('commit');
    return { rowsWritten, predictMs, writeMs: performance.now() - t, snapshotMs };
  } catch (err) {
    await client.query('rollback');
    throw err;
  }
}

function uuidAt(ids: Buffer, i: number): string {
  const h = ids.toString('hex', i * 16, i * 16 + 16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Each buyer's scores but CLV, decided once for the run, encoded range by range with the predictions. */
interface ScoreRows {
  b: Buyers;
  encode(from: number, to: number, p: ClvColumns | null): Buffer[];
  /** Every customer's cell, stage and tier (the month's snapshot): buyers, then prospects. */
  encodeCells(prospects: Prospects, prospectTier: string | null): Buffer[];
}

function scoreRows(b: Buyers, settings: ScoringSettings): ScoreRows {
  const n = b.count;
  // RFM over buyers in the window: quintiles of recency (negated: more recent scores higher),
  // distinct purchase days and spend.
  const inWindow: number[] = [];
  for (let i = 0; i < n; i++) if ((b.windowDays[i] ?? 0) > 0) inWindow.push(i);
  const rCuts = quintileCuts(inWindow.map((i) => -(b.sinceLast[i] ?? 0)));
  const fCuts = quintileCuts(inWindow.map((i) => b.windowDays[i] ?? 0));
  const mCuts = quintileCuts(inWindow.map((i) => b.windowSpend[i] ?? 0));
  // Cells by (r, f, m), named once: a million rows share 125 names.
  const cellNames: string[] = [];
  for (let r = 1; r <= 5; r++) for (let f = 1; f <= 5; f++) for (let m = 1; m <= 5; m++) cellNames[(r * 6 + f) * 6 + m] = rfmCell(r, f, m, settings.rfm.highScore);
  // Per buyer: scores (0 outside the window), the stage's and the tier's place in their lists (−1: no tier).
  const r = new Int8Array(n), f = new Int8Array(n), m = new Int8Array(n);
  const stage = new Uint8Array(n);
  const tier = new Int16Array(n);
  const tierIndex = new Map<string | null, number>(settings.tiers.map((t, k) => [t.name, k]));
  for (let i = 0; i < n; i++) {
    const sinceLast = b.sinceLast[i] ?? 0;
    if ((b.windowDays[i] ?? 0) > 0) {
      r[i] = quintileScore(-sinceLast, rCuts);
      f[i] = quintileScore(b.windowDays[i] ?? 0, fCuts);
      m[i] = quintileScore(b.windowSpend[i] ?? 0, mCuts);
    }
    stage[i] = LIFECYCLE_STAGES.indexOf(lifecycleStage({
      sinceFirst: b.sinceFirst[i] ?? 0, sinceLast,
      sinceFirstRecent: b.sinceFirstRecent[i] === NONE ? null : (b.sinceFirstRecent[i] ?? null),
      sinceLastBeforeRecent: b.sinceLastBeforeRecent[i] === NONE ? null : (b.sinceLastBeforeRecent[i] ?? null),
    }, settings.lifecycle));
    tier[i] = tierIndex.get(valueTier(b.total[i] ?? 0, settings.tiers)) ?? -1;
  }
  const cell = (i: number): string | null => {
    const [ri, fi, mi] = [r[i] ?? 0, f[i] ?? 0, m[i] ?? 0];
    return ri === 0 ? null : (cellNames[(ri * 6 + fi) * 6 + mi] ?? rfmCell(ri, fi, mi, settings.rfm.highScore));
  };
  const tierName = (i: number): string | null => settings.tiers[tier[i] ?? -1]?.name ?? null;
  const stageName = (i: number): string => LIFECYCLE_STAGES[stage[i] ?? 0] ?? 'prospect';
  const text = (writer: BinaryCopyWriter, value: string | null): void => {
    if (value === null) writer.null();
    else writer.text(value);
  };
  return {
    b,
    encode(from, to, p) {
      // In BATCH_COLUMNS' order: uuid, int4 ×2, int8, int2 ×3, text ×3, float8 ×2, int8 ×2.
      const writer = new BinaryCopyWriter(BATCH_COLUMNS.length);
      for (let i = from; i < to; i++) {
        writer.row();
        writer.uuid(b.ids, i * 16);
        writer.int4(b.sinceLast[i] ?? 0);
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
        text(writer, cell(i));
        writer.text(stageName(i));
        text(writer, tierName(i));
        if (p) {
          writer.float8(Math.min(1, Math.max(0, p.pAlive[i] ?? 0)));
          writer.float8(p.expectedPurchases[i] ?? 0);
          writer.int8(Math.round(p.expectedSpend[i] ?? 0));
          writer.int8(Math.round(p.clv[i] ?? 0));
        } else {
          writer.null(); writer.null(); writer.null(); writer.null();
        }
      }
      return writer.finish();
    },
    encodeCells(prospects, prospectTier) {
      const writer = new BinaryCopyWriter(4);
      for (let i = 0; i < n; i++) {
        writer.row();
        writer.uuid(b.ids, i * 16);
        text(writer, cell(i));
        writer.text(stageName(i));
        text(writer, tierName(i));
      }
      for (let i = 0; i < prospects.count; i++) {
        writer.row();
        writer.uuid(prospects.ids, i * 16);
        writer.null();
        writer.text('prospect');
        text(writer, prospectTier);
      }
      return writer.finish();
    },
  };
}

const SCORE_COLUMNS = ['recency_days', 'frequency', 'monetary_fen', 'r_score', 'f_score', 'm_score', 'rfm_cell', 'lifecycle_stage', 'value_tier', 'p_alive', 'expected_purchases', 'expected_spend_fen', 'clv_fen'] as const;
const tuple = (alias: string): string => `(${SCORE_COLUMNS.map((c) => `${alias}.${c}`).join(', ')})`;

/**
 * One range of buyers (ids lo..hi, the range just copied into the batch) to customer_scores: an
 * update joined set-wise with the scores of that key range that writes only rows whose scores
 * changed (no per-row index probe, and no foreign-key check since keys do not change), and an
 * insert of the range's buyers without a row yet (new customers, or the first run). One
 * statement; both parts see the rows as they were before it. Returns the rows written.
 */
async function writeRange(client: pg.PoolClient, tenantId: string, lo: string, hi: string): Promise<number> {
  const written = await client.query<{ n: number }>(`
    with updated as (
      update customer_scores s
         set ${SCORE_COLUMNS.map((c) => `${c} = b.${c}`).join(', ')}, computed_at = now()
        from scoring_batch b
       where s.tenant_id = $1 and s.customer_id between $2::uuid and $3::uuid
         and s.customer_id = b.customer_id and ${tuple('s')} is distinct from ${tuple('b')}
      returning 1
    ), inserted as (
      insert into customer_scores (tenant_id, customer_id, ${SCORE_COLUMNS.join(', ')}, computed_at)
      select $1, b.customer_id, ${SCORE_COLUMNS.map((c) => `b.${c}`).join(', ')}, now()
        from scoring_batch b
       where not exists (select 1 from customer_scores s where s.tenant_id = $1 and s.customer_id between $2::uuid and $3::uuid and s.customer_id = b.customer_id)
      returning 1
    )
    select ((select count(*) from updated) + (select count(*) from inserted))::int as n`, [tenantId, lo, hi]);
  return written.rows[0]?.n ?? 0;
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
  // scores' key per prospect instead of hashing every score (this transaction turned nested loops off).
  await client.query('analyze scoring_prospects; set local enable_nestloop = on');
  const written = await client.query<{ n: number }>(`
    with lapsed as (
      update customer_scores s
         set recency_days = null, frequency = 0, monetary_fen = 0, r_score = null, f_score = null, m_score = null, rfm_cell = null,
             lifecycle_stage = 'prospect', value_tier = $2, p_alive = null, expected_purchases = null, expected_spend_fen = null,
             clv_fen = null, computed_at = now()
        from scoring_prospects p
       where s.tenant_id = $1 and s.customer_id = p.customer_id
         and (s.lifecycle_stage <> 'prospect' or s.value_tier is distinct from $2 or s.rfm_cell is not null or s.p_alive is not null)
      returning 1
    ), inserted as (
      insert into customer_scores (tenant_id, customer_id, ${SCORE_COLUMNS.join(', ')}, computed_at)
      select $1, p.customer_id, null, 0, 0, null, null, null, null, 'prospect', $2, null, null, null, null, now()
        from scoring_prospects p
       where not exists (select 1 from customer_scores s where s.tenant_id = $1 and s.customer_id = p.customer_id)
      returning 1
    )
    select ((select count(*) from lapsed) + (select count(*) from inserted))::int as n`, [tenantId, firstTier]);
  await client.query('set local enable_nestloop = off');
  return written.rows[0]?.n ?? 0;
}

/**
 * This month's snapshot from the run's cells, stages and tiers (scoring_cells): changed rows only,
 * as they change rarely from day to day. One join of the cells with the month's rows finds both
 * the rows to update and the customers without a row yet (two statements of one query, seeing the
 * same data).
 */
function writeSnapshot(client: pg.PoolClient, tenantId: string, month: string): Promise<pg.QueryResult> {
  return client.query(`
    with changed as (
      select c.customer_id, c.rfm_cell, c.lifecycle_stage, c.value_tier, p.customer_id is null as missing
        from scoring_cells c
        left join customer_score_snapshots p on p.tenant_id = $1 and p.month = $2::date and p.customer_id = c.customer_id
       where p.customer_id is null or (p.rfm_cell, p.lifecycle_stage, p.value_tier) is distinct from (c.rfm_cell, c.lifecycle_stage, c.value_tier)
    ), updated as (
      update customer_score_snapshots p
         set rfm_cell = c.rfm_cell, lifecycle_stage = c.lifecycle_stage, value_tier = c.value_tier
        from changed c
       where p.tenant_id = $1 and p.month = $2::date and p.customer_id = c.customer_id and not c.missing
    )
    insert into customer_score_snapshots (tenant_id, month, customer_id, rfm_cell, lifecycle_stage, value_tier)
    select $1, $2::date, c.customer_id, c.rfm_cell, c.lifecycle_stage, c.value_tier from changed c where c.missing`, [tenantId, month]);
}
