// Full recompute of every customer's scores (RFM, lifecycle, value tier, BG/NBD + Gamma-Gamma fit
// and predictions) on the bench tenant of DATABASE_URL (slug starting with `bench-`), split into
// phases, beside a plain GROUP BY customer over the same orders as the ratio's denominator.
// Runs the scoring twice: the first may rewrite every row, the second finds nothing changed.
// Writes only customer_scores, scoring_runs and customer_score_snapshots.
//   DATABASE_URL=postgres://... npx tsx bench/scores-recompute.ts [--runs 2]
import { readFileSync } from 'node:fs';
import { openDatabase } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { fitClvModels } from '../src/core/clv/predict.ts';
import { readSummaries, runScoring } from '../src/core/scores/scores.service.ts';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('set DATABASE_URL to the bench database');
const runsAt = process.argv.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(process.argv[runsAt + 1]) : 2;

const load = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

const handle = openDatabase(url, { max: 4, applicationName: 'bench-scores' });
try {
  await migrate(handle.pool);
  // Others add small bench- tenants of their own: the bench tenant is the largest.
  const found = await handle.pool.query<{ id: string; slug: string }>(
    `select t.id, t.slug from tenants t where t.slug like 'bench-%' order by (select count(*) from customers c where c.tenant_id = t.id) desc limit 1`);
  const tenant = found.rows[0];
  if (!tenant) throw new Error('no bench- tenant in this database');
  const counts = await handle.pool.query<{ customers: string; orders: string }>(
    'select (select count(*) from customers where tenant_id = $1) as customers, (select count(*) from orders where tenant_id = $1) as orders', [tenant.id]);
  console.log(`tenant ${tenant.slug}: ${Number(counts.rows[0]?.customers).toLocaleString('en')} customers, ${Number(counts.rows[0]?.orders).toLocaleString('en')} orders`);

  for (let run = 1; run <= RUNS; run++) {
    const loadBefore = load();
    let t = performance.now();
    const plain = await handle.pool.query('select customer_id, count(*), sum(paid_fen) from orders where tenant_id = $1 group by customer_id', [tenant.id]);
    const groupBy = performance.now() - t;

    const cpu = process.cpuUsage();
    t = performance.now();
    const result = await runScoring(handle, tenant.id, { trigger: 'manual' });
    const total = performance.now() - t;
    const used = process.cpuUsage(cpu);
    const p = result.phases;
    const core = p.read + p.fit + p.predict + p.write;
    console.log(`\nrun ${run} (load before ${loadBefore}, after ${load()})`);
    console.log(`  plain GROUP BY customer: ${s(groupBy)} (${plain.rowCount?.toLocaleString('en')} rows)`);
    console.log(`  read/aggregate ${s(p.read)} | fit ${s(p.fit)} | predict+score ${s(p.predict)} | write ${s(p.write)} (${result.rowsWritten.toLocaleString('en')} rows changed) | snapshot ${s(p.snapshot)}`);
    console.log(`  recompute (read+fit+predict+write): ${s(core)}; with snapshot and run records: ${s(total)}; ratio to GROUP BY: ${(core / groupBy).toFixed(2)}`);
    console.log(`  Node CPU: ${s((used.user + used.system) / 1000)}; buyers ${result.buyers.toLocaleString('en')}, repeaters ${result.repeaters.toLocaleString('en')}`);
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
  await handle.close();
}
