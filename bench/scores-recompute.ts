// Full recompute of every customer's scores (RFM, lifecycle, value tier, BG/NBD + Gamma-Gamma fit
// and predictions) on the bench tenant of DATABASE_URL (slug starting with `bench-`), split into
// phases, beside a plain GROUP BY customer over the same orders as the ratio's denominator.
// Runs the scoring twice: the first may rewrite every row, the second finds nothing changed. With
// --nightly, run k scores as of k days after today or the last day scored, whichever is later
// (tenant calendar), as each night does: every
// buyer's recency and CLV move. The predictions are computed when read (the customer_scores view,
// migration 0044), so a run writes only the rows whose scores or purchase history changed; the
// bench also times reading every customer's predictions through the view, as the CLV overview
// does. The database CPU is also split by phase (from the 50 ms samples, so a phase's edges are
// approximate).
// Wall time on a shared machine is noisy, so CPU time is printed too: Node's own, and the
// database's (the run's backends and their parallel workers, sampled from /proc every 50 ms, so
// the database must run on this machine; a worker's last 50 ms may be missed).
// Writes only customer_score_rows, scoring_models, scoring_forecasts, scoring_runs and customer_score_snapshots.
//   DATABASE_URL=postgres://... npx tsx bench/scores-recompute.ts [--runs 2] [--source aggregates|orders] [--nightly]
// --source orders reads every order (the reference pass) instead of the customers' order aggregates.
import pg from 'pg';
import { openDatabase } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { fitClvModels } from '../src/core/clv/predict.ts';
import { readSummaries, runScoring } from '../src/core/scores/scores.service.ts';
import { cpuSeconds, load } from './measure.ts';
import { addDays, localDate } from '../src/core/time.ts';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('set DATABASE_URL to the bench database');
const arg = (name: string): string | undefined => { const at = process.argv.indexOf(name); return at >= 0 ? process.argv[at + 1] : undefined; };
const RUNS = Number(arg('--runs') ?? 2);
const SOURCE = arg('--source') ?? 'aggregates';
if (SOURCE !== 'aggregates' && SOURCE !== 'orders') throw new Error('--source is aggregates or orders');
const NIGHTLY = process.argv.includes('--nightly');
const APP = `bench-scores-${process.pid}`;

const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** CPU seconds used by this bench's database backends and their parallel workers between start() and stop(). */
class DatabaseCpu {
  private readonly seen = new Map<number, { base: number; last: number }>();
  /** (performance.now(), CPU seconds so far) at each sample, to split the total by phase. */
  readonly timeline: [number, number][] = [];
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  constructor(private readonly client: pg.Client) {}

  private async sample(first: boolean): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const rows = await this.client.query<{ pid: number }>(
        `select pid from pg_stat_activity where application_name = $1
          union select pid from pg_stat_activity where leader_pid in (select pid from pg_stat_activity where application_name = $1)`, [APP]);
      for (const { pid } of rows.rows) {
        const now = cpuSeconds(pid);
        const known = this.seen.get(pid);
        if (known) known.last = Math.max(known.last, now);
        else this.seen.set(pid, { base: first ? now : 0, last: now });
      }
      let total = 0;
      for (const { base, last } of this.seen.values()) total += last - base;
      this.timeline.push([performance.now(), total]);
    } finally {
      this.busy = false;
    }
  }

  async start(): Promise<void> {
    this.seen.clear();
    this.timeline.length = 0;
    await this.sample(true);
    this.timer = setInterval(() => { void this.sample(false); }, 50);
  }

  async stop(): Promise<number> {
    clearInterval(this.timer);
    while (this.busy) await new Promise((r) => setTimeout(r, 5));
    await this.sample(false);
    let total = 0;
    for (const { base, last } of this.seen.values()) total += last - base;
    return total;
  }

  /** CPU seconds used up to a moment (the last sample at or before it). */
  at(time: number): number {
    let used = 0;
    for (const [t, total] of this.timeline) if (t <= time) used = total;
    return used;
  }
}

const handle = openDatabase(url, { max: 4, applicationName: APP });
const watcher = new pg.Client({ connectionString: url, application_name: 'bench-scores-watch' });
await watcher.connect();
const dbCpu = new DatabaseCpu(watcher);
try {
  await migrate(handle.pool);
  // Others add small bench- tenants of their own: the bench tenant is the largest.
  const found = await handle.pool.query<{ id: string; slug: string; timezone: string }>(
    `select t.id, t.slug, t.timezone from tenants t where t.slug like 'bench-%' order by (select count(*) from customers c where c.tenant_id = t.id) desc limit 1`);
  const tenant = found.rows[0];
  if (!tenant) throw new Error('no bench- tenant in this database');
  const counts = await handle.pool.query<{ customers: string; orders: string }>(
    'select (select count(*) from customers where tenant_id = $1) as customers, (select count(*) from orders where tenant_id = $1) as orders', [tenant.id]);
  console.log(`tenant ${tenant.slug}: ${Number(counts.rows[0]?.customers).toLocaleString('en')} customers, ${Number(counts.rows[0]?.orders).toLocaleString('en')} orders; source: ${SOURCE}`);

  // --nightly: the day after the later of today and the last day scored, then one more each run.
  const lastScored = await handle.pool.query<{ day: string | null }>(
    "select max(calibration_end)::text as day from scoring_runs where tenant_id = $1 and status = 'done'", [tenant.id]);
  const todayThere = localDate(new Date(), tenant.timezone);
  const nightlyFrom = [todayThere, lastScored.rows[0]?.day ?? todayThere].sort().at(-1) ?? todayThere;
  for (let run = 1; run <= RUNS; run++) {
    const loadBefore = load();
    await dbCpu.start();
    let t = performance.now();
    const plain = await handle.pool.query('select customer_id, count(*), sum(paid_fen) from orders where tenant_id = $1 group by customer_id', [tenant.id]);
    const groupBy = performance.now() - t;
    const groupByDbCpu = await dbCpu.stop();

    await dbCpu.start();
    const cpu = process.cpuUsage();
    t = performance.now();
    const started = t;
    const today = NIGHTLY ? addDays(nightlyFrom, run) : undefined;
    const result = await runScoring(handle, tenant.id, { trigger: 'manual', source: SOURCE, ...(today ? { today } : {}) });
    const total = performance.now() - t;
    const used = process.cpuUsage(cpu);
    const runDbCpu = await dbCpu.stop();
    const p = result.phases;
    const core = p.read + p.snapshot + p.fit + p.predict + p.write;
    console.log(`\nrun ${run}${today ? ` as of ${today}` : ''} (load before ${loadBefore}, after ${load()})`);
    console.log(`  plain GROUP BY customer: ${s(groupBy)} wall, database CPU ${groupByDbCpu.toFixed(2)} s (${plain.rowCount?.toLocaleString('en')} rows)`);
    console.log(`  read/aggregate ${s(p.read)} | snapshot ${s(p.snapshot)} (written during the fit; the time it held the run up) | fit ${s(p.fit)} | predict+score ${s(p.predict)} | write ${s(p.write)} (${result.rowsWritten.toLocaleString('en')} rows written)`);
    console.log(`  recompute (every phase, snapshot included): ${s(core)}; with the run's records: ${s(total)}; ratio to GROUP BY: ${(core / groupBy).toFixed(2)}`);
    // Phases run one after another after a few small queries; the database CPU of each from the
    // samples. The snapshot's statement runs in the database during the fit, when this process's
    // event loop (and so the sampler) is busy fitting: its CPU shows in the phase after the fit.
    const before = total - core;
    let edge = started + before;
    const split: string[] = [];
    for (const [name, ms] of Object.entries(p)) {
      split.push(`${name} ${(dbCpu.at(edge + ms) - dbCpu.at(edge)).toFixed(2)} s`);
      edge += ms;
    }
    console.log(`  database CPU by phase: ${split.join(' | ')} (the snapshot's, written during the fit, counts in predict)`);
    const nodeCpu = (used.user + used.system) / 1e6;
    console.log(`  CPU: Node ${nodeCpu.toFixed(2)} s + database ${runDbCpu.toFixed(2)} s = ${(nodeCpu + runDbCpu).toFixed(2)} s (whole run, snapshot included); ratio to the GROUP BY's database CPU: ${((nodeCpu + runDbCpu) / groupByDbCpu).toFixed(2)}`);
    console.log(`  buyers ${result.buyers.toLocaleString('en')}, repeaters ${result.repeaters.toLocaleString('en')}`);
    // Every customer's predictions, computed by the view as a reader gets them.
    t = performance.now();
    const read = await handle.pool.query<{ n: number; clv: number; alive: number }>(
      'select count(clv_fen)::int as n, sum(clv_fen)::float8 as clv, avg(p_alive) as alive from customer_scores where tenant_id = $1', [tenant.id]);
    const row = read.rows[0];
    console.log(`  reading every prediction through the view: ${s(performance.now() - t)} (${row?.n.toLocaleString('en')} CLVs, sum ¥${Math.round((row?.clv ?? 0) / 100).toLocaleString('en')}, mean P(alive) ${(row?.alive ?? 0).toFixed(3)})`);
    if (run === RUNS) {
      // The fit alone, on the histories of this tenant, with its CPU time (less noisy than wall time here).
      const client = await handle.pool.connect();
      try {
        const summaries = await readSummaries(client, tenant.id);
        const fitCpu = process.cpuUsage();
        t = performance.now();
        fitClvModels(summaries);
        const fitWall = performance.now() - t;
        const fitUsed = process.cpuUsage(fitCpu);
        console.log(`  fit alone (${summaries.length.toLocaleString('en')} customers): ${s(fitWall)} wall, ${s((fitUsed.user + fitUsed.system) / 1000)} CPU (load ${load()})`);
      } finally {
        client.release();
      }
    }
    if (result.models) {
      const { bgnbd: b, gammaGamma: g } = result.models;
      console.log(`  fit in the run: ${s(result.fitMs)} — BG/NBD r=${b.r.toFixed(4)} alpha=${b.alpha.toFixed(3)} a=${b.a.toFixed(4)} b=${b.b.toFixed(4)} (${b.iterations} iterations, ${b.method}); Gamma-Gamma p=${g.p.toFixed(3)} q=${g.q.toFixed(3)} gamma=${g.gamma.toFixed(1)}`);
    } else {
      console.log(`  CLV not fitted: ${result.clvReason}`);
    }
  }
} finally {
  await watcher.end();
  await handle.close();
}
