// A 10-condition segment's full evaluation over a large tenant (the 1,000,000-customer bench tenant).
//
//   DATABASE_URL=... node --import tsx bench/segment-eval.ts [--tenant-slug bench-...] [--runs 3]
//
// Prints, for one definition mixing attributes, order figures, relative times, an identity, a
// birthday window, an event window under `not` and a holdout bucket:
//   1. the compiled predicate counted over every customer of the tenant (what a preview does), with
//      EXPLAIN ANALYZE's plan summary;
//   2. the full membership evaluation (the statement a recompute runs: members inserted, entry events
//      written), inside a transaction that is rolled back, so the tenant is left as it was;
//   3. the incremental path's plan for 1,000 customers (what the worker runs per batch).
// Step 1 also counts a segment on the CLV predictions (computed when read by the customer_scores
// view) beside one on stored scores alone; both need a scoring run on the tenant first.
// Uses the first tenant whose slug starts with "bench-" unless --tenant-slug names one. Writes nothing
// that stays (the segment it evaluates exists only inside the rolled-back transaction).
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { newId } from '../src/core/ids.ts';
import { evaluateMembership } from '../src/core/segments/membership.service.ts';
import { checkDefinition, type SegmentNode } from '../src/core/segments/segments.rules.ts';
import { segmentPredicate } from '../src/core/segments/segments.sql.ts';
import { openDatabase } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';

/** Thrown to roll the evaluation's transaction back. */
class RollBack extends Error {}

const { values } = parseArgs({ options: { 'tenant-slug': { type: 'string' }, runs: { type: 'string', default: '3' } } });
const runs = Number(values.runs);
const url = process.env.DATABASE_URL;
if (!url) throw new Error('set DATABASE_URL to the database holding the bench tenant');
const load = () => loadavg().map((n) => n.toFixed(2)).join(' ');
const ms = (t0: number) => `${(performance.now() - t0).toFixed(0)} ms`;

/**
 * CPU seconds (user + system) a PostgreSQL backend has used, from /proc: the wall time on a shared
 * machine depends on everybody else's load, the backend's CPU time much less. Undefined when the
 * server is not on this machine.
 */
function backendCpuMs(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in ticks of 1/100 s
  } catch {
    return undefined;
  }
}

const handle = openDatabase(url, { max: 2, applicationName: 'segment-eval-bench' });
try {
  await migrate(handle.pool);
  const tenant = await handle.db.selectFrom('tenants').select(['id', 'slug', 'timezone'])
    .where('slug', values['tenant-slug'] ? '=' : 'like', values['tenant-slug'] ?? 'bench-%').orderBy('created_at').executeTakeFirstOrThrow();
  const customers = await sql<{ n: number }>`select count(*)::int as n from customers where tenant_id = ${tenant.id}`.execute(handle.db);
  const monthsAgo = new Date(Date.now() - 60 * 86_400_000).toISOString().slice(0, 10);
  const raw: unknown = { all: [
    { field: 'gender', op: 'in', value: ['female', 'unknown'] },
    { field: 'order_count', op: 'gte', value: 2 },
    { field: 'total_spent_fen', op: 'between', value: [20_000, 10_000_000] },
    { field: 'last_order_at', op: 'within_days', value: 365 },
    { field: 'first_order_at', op: 'before', value: monthsAgo },
    { field: 'identity', op: 'has', value: 'phone' },
    { any: [{ field: 'days_until_birthday', op: 'lte', value: 60 }, { field: 'average_ticket_fen', op: 'gte', value: 15_000 }] },
    { not: { field: 'event', type: 'page_viewed', withinDays: 7, op: 'gte', value: 3 } },
    { field: 'random_bucket', salt: 'bench', op: 'between', value: [0, 89] },
  ] };
  const checked = checkDefinition(raw);
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  const definition: SegmentNode = checked.definition;
  const now = new Date();
  const ctx = { timeZone: tenant.timezone, now, segments: new Map<string, SegmentNode>() };
  const predicate = segmentPredicate(definition, ctx);
  console.log(`tenant ${tenant.slug}: ${customers.rows[0]?.n.toLocaleString('en')} customers; 10 conditions; load ${load()}`);

  // 1. count, on one connection whose backend's CPU time is read before and after
  await handle.db.connection().execute(async (conn) => {
    const pid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(conn)).rows[0]?.pid ?? 0;
    const timed = async (label: string, query: () => Promise<number | undefined>) => {
      const cpu0 = backendCpuMs(pid);
      const t0 = performance.now();
      const n = await query();
      const cpu1 = backendCpuMs(pid);
      const cpu = cpu0 !== undefined && cpu1 !== undefined ? `, backend CPU ${(cpu1 - cpu0).toFixed(0)} ms` : '';
      console.log(`${label}: ${n?.toLocaleString('en')} rows in ${ms(t0)}${cpu} (load ${load()})`);
    };
    // the denominator: reading every customer of the tenant with no condition at all
    await timed('plain count of the tenant\'s customers', async () => (await sql<{ n: number }>`select count(*)::int as n from customers c where c.tenant_id = ${tenant.id} and c.erased_at is null and c.order_count >= 0`.execute(conn)).rows[0]?.n);
    for (let i = 0; i < runs; i++) {
      const cpu0 = backendCpuMs(pid);
      const t0 = performance.now();
      const r = await sql<{ n: number }>`select count(*)::int as n from customers c where c.tenant_id = ${tenant.id} and c.erased_at is null and ${predicate}`.execute(conn);
      const cpu1 = backendCpuMs(pid);
      const cpu = cpu0 !== undefined && cpu1 !== undefined ? `, backend CPU ${(cpu1 - cpu0).toFixed(0)} ms` : '';
      console.log(`count run ${i + 1}: ${r.rows[0]?.n.toLocaleString('en')} match in ${ms(t0)}${cpu} (load ${load()})`);
    }
    // Conditions on the predictions, which the customer_scores view computes when read (0044):
    // valuable customers likely lost, beside the same on stored scores only.
    for (const [label, node] of [
      ['3 score conditions (churn probability and CLV computed when read)', { all: [{ field: 'churn_probability', op: 'gte', value: 0.3 }, { field: 'clv_fen', op: 'gte', value: 10_000 }, { field: 'lifecycle_stage', op: 'in', value: ['dormant', 'churned'] }] }],
      ['2 stored score conditions (no prediction)', { all: [{ field: 'm_score', op: 'gte', value: 4 }, { field: 'lifecycle_stage', op: 'in', value: ['dormant', 'churned'] }] }],
    ] as const) {
      const scoresChecked = checkDefinition(node);
      if (!scoresChecked.ok) throw new Error(JSON.stringify(scoresChecked.errors));
      const scoresPredicate = segmentPredicate(scoresChecked.definition, ctx);
      await timed(label, async () => (await sql<{ n: number }>`select count(*)::int as n from customers c where c.tenant_id = ${tenant.id} and c.erased_at is null and ${scoresPredicate}`.execute(conn)).rows[0]?.n);
    }
  });
  const plan = await sql<{ 'QUERY PLAN': string }>`explain (analyze, buffers, costs off) select count(*) from customers c where c.tenant_id = ${tenant.id} and c.erased_at is null and ${predicate}`.execute(handle.db);
  const lines = plan.rows.map((r) => r['QUERY PLAN']);
  console.log('EXPLAIN ANALYZE summary (plan nodes, sub-plans, totals):');
  for (const line of lines) {
    if (/^\s*(->|Aggregate|Finalize|Gather|SubPlan|Planning Time|Execution Time)|Seq Scan|Index/.test(line) && !/Buffers|Filter:|Index Cond/.test(line)) console.log(`  ${line.slice(0, 160)}`);
  }

  // 2. the full evaluation as a recompute runs it, rolled back
  const segmentId = newId();
  const t1 = performance.now();
  let evaluated = '';
  try {
    await handle.db.transaction().execute(async (trx) => {
      await trx.insertInto('segments').values({ tenant_id: tenant.id, id: segmentId, name: `bench ${segmentId}`, definition: JSON.stringify(definition), status: 'archived' }).execute();
      const [change] = await evaluateMembership(trx, tenant.id, { timeZone: tenant.timezone, now, definitions: new Map() }, [{ id: segmentId, name: 'bench', version: 1, definition }], undefined);
      evaluated = `${change?.entered.toLocaleString('en')} entered (members inserted and segment_entered events written) in ${ms(t1)}`;
      throw new RollBack();
    });
  } catch (err) {
    if (!(err instanceof RollBack)) throw err;
  }
  console.log(`full evaluation: ${evaluated}, rolled back; load ${load()}`);

  // 3. the incremental path for 1,000 customers
  const sample = await sql<{ id: string }>`select id from customers where tenant_id = ${tenant.id} order by id desc limit 1000`.execute(handle.db);
  const ids = sample.rows.map((r) => r.id);
  const t2 = performance.now();
  const inc = await sql<{ 'QUERY PLAN': string }>`explain (analyze, costs off) select c.id from customers c where c.tenant_id = ${tenant.id} and c.id = any(${ids}::uuid[]) and c.erased_at is null and ${predicate}`.execute(handle.db);
  console.log(`incremental predicate for 1,000 customers: ${ms(t2)}; ${inc.rows.map((r) => r['QUERY PLAN']).filter((l) => /Execution Time|Index Scan on|Index Scan using customers/.test(l)).map((l) => l.trim()).join('; ')}`);
} finally {
  await handle.close();
}
