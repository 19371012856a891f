// Time of each analytics endpoint's work and of the home dashboard's summary (the core functions
// the routes call, with the route's filters) on the bench tenant, over a 12-month range ending today.
// The views read the analytics rollups of migration 0037 (the first run on a database applies it,
// backfill included: minutes on the bench database).
//
//   DATABASE_URL=postgres://… node --import tsx bench/analytics.ts [--slug bench-…] [--runs 2] [--only trends,cohorts,/api/v1/dashboard] [--refresh-facts]
//
// --refresh-facts first brings the tenant's first-order facts (analytics_first_orders) up to date,
// as the nightly task does, and prints how long that took.
//
// The tenant is the first whose slug starts with `bench-` unless --slug names one. Reads only
// (after `migrate`). Queries run on one connection, so the PostgreSQL backend's CPU time
// (from /proc, when the server runs on this machine) is measured next to wall time; CPU of
// parallel query workers is not included. Prints per endpoint the best and the last wall time,
// the backend CPU of the best run, and the load average.
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import type { Actor } from '../src/core/access/access.rules.ts';
import { resolveAnalyticsRange } from '../src/core/analytics/analytics.rules.ts';
import { cohorts, ltv, repurchase } from '../src/core/analytics/cohorts.service.ts';
import { readAnalytics, scopeOf, type Scope } from '../src/core/analytics/filters.service.ts';
import { funnel } from '../src/core/analytics/funnel.service.ts';
import { refreshFirstOrderFacts } from '../src/core/analytics/facts.service.ts';
import { breakdown, trends } from '../src/core/analytics/trends.service.ts';
import { localDate } from '../src/core/time.ts';
import { dashboardSummary } from '../src/core/dashboard/dashboard.service.ts';
import { openDatabase, type Db } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';

const { values } = parseArgs({ options: { slug: { type: 'string' }, runs: { type: 'string', default: '2' }, only: { type: 'string' }, 'refresh-facts': { type: 'boolean', default: false } } });
const url = process.env.DATABASE_URL;
if (!url) throw new Error('set DATABASE_URL to the bench database');
const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');

function backendCpu(pid: number): number {
  const file = `/proc/${pid}/stat`;
  if (!existsSync(file)) return Number.NaN;
  const fields = readFileSync(file, 'utf8').replace(/^.*\) /, '').split(' ').map(Number);
  return ((fields[11] ?? 0) + (fields[12] ?? 0)) * 10; // clock ticks (1/100 s) → ms
}

// Migrating needs two connections (graphile-worker's own migrations run beside the lock holder).
const migrating = openDatabase(url, { max: 2, applicationName: 'yuchi-bench-analytics' });
try {
  await migrate(migrating.pool);
} finally {
  await migrating.close();
}
const handle = openDatabase(url, { max: 1, applicationName: 'yuchi-bench-analytics' });
try {
  const tenant = (await sql<{ id: string; slug: string; timezone: string }>`
    select id, slug, timezone from tenants where ${values.slug ? sql`slug = ${values.slug}` : sql`slug like 'bench-%'`} order by created_at limit 1`.execute(handle.db)).rows[0];
  if (!tenant) throw new Error('no bench tenant (slug bench-…)');
  const counts = (await sql<{ customers: string; orders: string }>`
    select (select count(*) from customers where tenant_id = ${tenant.id}) as customers,
           (select count(*) from orders where tenant_id = ${tenant.id}) as orders`.execute(handle.db)).rows[0];
  const actor: Actor = { tenantId: tenant.id, tenantSlug: tenant.slug, tenantName: '', timezone: tenant.timezone, role: 'admin', staffId: null, userId: null, apiKeyId: null, name: 'bench' };
  const today = localDate(new Date(), tenant.timezone);
  const range = resolveAnalyticsRange({}, today);
  const pid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(handle.db)).rows[0]?.pid ?? 0;
  console.log(`tenant ${tenant.slug}: ${Number(counts?.customers).toLocaleString('en')} customers, ${Number(counts?.orders).toLocaleString('en')} orders; range ${range.from} … ${range.to}`);

  if (values['refresh-facts']) {
    const t0 = performance.now();
    const { customersWritten } = await refreshFirstOrderFacts(handle.db, tenant.id);
    console.log(`first-order facts refreshed: ${customersWritten.toLocaleString('en')} customers written in ${(performance.now() - t0).toFixed(0)} ms (load ${load()})`);
  }
  const facts = (await sql<{ n: string }>`select count(*) as n from analytics_first_orders where tenant_id = ${tenant.id}`.execute(handle.db)).rows[0]?.n;
  console.log(`first-order facts held: ${Number(facts).toLocaleString('en')}`);

  const endpoints: [string, (db: Db, s: Scope) => Promise<unknown>][] = [
    ['trends?granularity=month', (db, s) => trends(db, s, 'month')],
    ['trends?granularity=week', (db, s) => trends(db, s, 'week')],
    ['trends?granularity=day', (db, s) => trends(db, s, 'day')],
    ['repurchase', repurchase],
    ['cohorts', cohorts],
    ['funnel', (db, s) => funnel(db, s)],
    ['breakdown?by=store', (db, s) => breakdown(db, s, 'store')],
    ['breakdown?by=guide', (db, s) => breakdown(db, s, 'guide')],
    ['breakdown?by=channel', (db, s) => breakdown(db, s, 'channel')],
    ['breakdown?by=source', (db, s) => breakdown(db, s, 'source')],
    ['ltv', ltv],
    ['/api/v1/dashboard/summary', (db, s) => dashboardSummary(db, actor, s.range)],
  ];
  const only = values.only?.split(',');
  console.log('endpoint'.padEnd(44), 'best ms'.padStart(9), 'last ms'.padStart(9), 'pg cpu ms'.padStart(10), '  load average');
  for (const [name, run] of endpoints) {
    if (only && !only.some((o) => name.startsWith(o))) continue;
    let best = Number.POSITIVE_INFINITY;
    let bestCpu = Number.NaN;
    let last = 0;
    for (let i = 0; i < Number(values.runs); i++) {
      const cpu0 = backendCpu(pid);
      const t0 = performance.now();
      const scope = await scopeOf(handle.db, actor, { range }, today);
      await readAnalytics(handle.db, (trx) => run(trx, scope));
      last = performance.now() - t0;
      const cpu = backendCpu(pid) - cpu0;
      if (last < best) { best = last; bestCpu = cpu; }
    }
    console.log((name.startsWith('/') ? name : `/api/v1/analytics/${name}`).padEnd(44), best.toFixed(0).padStart(9), last.toFixed(0).padStart(9), (Number.isNaN(bestCpu) ? '—' : bestCpu.toFixed(0)).padStart(10), ' ', load());
  }
} finally {
  await handle.close();
}
