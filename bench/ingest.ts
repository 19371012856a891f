// Sustained event ingestion over HTTP, and a raw COPY of the same rows for comparison.
//
// A tenant gets the demo world (100,000 customers by default), then a few concurrent clients POST
// batches of 1,000 mixed events to a `yuchi start` process for a while: ≈60% existing customers
// (by phone, WeCom external_userid or member number), ≈30% new people, ≈5% events that link two
// identities (by default 4% a known phone with a new WeCom id, 1% a known phone with the WeCom id of
// another profile: a merge; --merge-share sets the latter), 5% by customer id; types: orders with
// items, group joins, messages, page views, WeCom contacts. Then the rows those batches stored are
// copied with COPY into a table shaped like events (same columns and indexes) in the same database.
//
//   node --import tsx bench/ingest.ts [--customers 100000] [--seconds 30] [--clients 4] [--batch 1000] [--merge-share 1] [--data-dir DIR] [--url URL]
//                                     [--port 3991] [--cpu-prof DIR] [--statements]
//
// --url sends to a server already running on the same database instead of starting one.
// --cpu-prof DIR runs the server under `node --cpu-prof` (the .cpuprofile lands in DIR at its stop).
// --statements (embedded PostgreSQL only) preloads pg_stat_statements (one restart of the server)
// and prints each statement's time per batch, and samples what the server's backends were doing
// (running, waiting for a lock, idle in the transaction waiting for Node) every 50 ms.
// DATABASE_URL, or its own embedded PostgreSQL in --data-dir (reused with its seeded tenant if
// given) or in a temporary directory removed afterwards.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { createApiKey } from '../src/core/access/access.service.ts';
import { seedDemo } from '../src/core/demo/demo.service.ts';
import { createTenant, getTenantBySlug } from '../src/core/tenants/tenants.service.ts';
import { openDatabase } from '../src/db/connect.ts';
import { startEmbedded, type DatabaseServer } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';
import { batchMaker, loadPools, postgresCpuByKind } from './ingest-support.ts';
import { startPlatform, stopPlatform } from './platform.ts';
import { cpuSeconds, load } from './measure.ts';

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '30' },
    clients: { type: 'string', default: '4' },
    batch: { type: 'string', default: '1000' },
    'data-dir': { type: 'string' },
    port: { type: 'string', default: '3991' },
    url: { type: 'string' },
    'merge-share': { type: 'string', default: '1' },
    'cpu-prof': { type: 'string' },
    statements: { type: 'boolean', default: false },
  },
});
const customers = Number(values.customers);
const seconds = Number(values.seconds);
const clients = Number(values.clients);
const batchSize = Number(values.batch);
const mergeShare = Math.min(5, Math.max(0, Number(values['merge-share']))) / 100;
const fmt = (n: number): string => Math.round(n).toLocaleString('en');


/** CPU seconds of an embedded PostgreSQL's processes by kind (backends, autovacuum, WAL writer, exited children). */
const postgresCpu = (dataDir: string | undefined): Map<string, number> => (dataDir ? postgresCpuByKind(dataDir) : new Map());
const sum = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

/** Restarts an embedded server with pg_stat_statements loaded, unless it already is. */
async function preloadStatementStats(running: DatabaseServer, dir: string): Promise<DatabaseServer> {
  const client = new pg.Client({ connectionString: running.url });
  await client.connect();
  const loaded = (await client.query<{ libs: string }>(`select current_setting('shared_preload_libraries') as libs`)).rows[0]?.libs ?? '';
  if (!loaded.includes('pg_stat_statements')) await client.query(`alter system set shared_preload_libraries = 'pg_stat_statements'`);
  await client.end();
  if (loaded.includes('pg_stat_statements')) return running;
  await running.stop();
  return startEmbedded(dir);
}

/** Samples the platform's backends every 50 ms: what each was doing (lock waits, running, idle in the transaction). */
function sampleBackends(pool: pg.Pool): { stop: () => Promise<Map<string, number>> } {
  const counts = new Map<string, number>();
  let running = true;
  const loop = (async () => {
    while (running) {
      const rows = await pool.query<{ what: string; n: number }>(`
        select case when state = 'active' and wait_event_type = 'Lock' then 'waiting for a lock (' || wait_event || ')'
                    when state = 'active' and wait_event_type is not null then 'active, waiting on ' || wait_event_type || ':' || wait_event
                    when state = 'active' then 'active, on CPU'
                    else state end as what, count(*)::int as n
          from pg_stat_activity where application_name = 'yuchi' and backend_type = 'client backend' group by 1`);
      for (const r of rows.rows) counts.set(r.what, (counts.get(r.what) ?? 0) + r.n);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return { stop: async () => { running = false; await loop; return counts; } };
}

let server: DatabaseServer | undefined;
let tempDir: string | undefined;
let pgDataDir: string | undefined;
let url = process.env.DATABASE_URL;
if (!url) {
  const dir = values['data-dir'] ?? (tempDir = await mkdtemp(path.join(tmpdir(), 'yuchi-bench-ingest-')));
  server = await startEmbedded(dir);
  url = server.url;
  pgDataDir = dir;
  if (values.statements) server = await preloadStatementStats(server, dir);
}
const handle = openDatabase(url, { max: 4, applicationName: 'yuchi-bench' });
let platform: Awaited<ReturnType<typeof startPlatform>> | undefined;
try {
  await migrate(handle.pool);
  const slug = `bench-ingest-${customers}`;
  let tenant = await getTenantBySlug(handle.db, slug).catch(() => undefined);
  if (!tenant) {
    tenant = await createTenant(handle.db, { slug, name: '接入压测' });
    console.log(`seeding ${fmt(customers)} customers (demo world) ...`);
    const seeded = await seedDemo(handle, { tenantId: tenant.id, customers, months: 12, seed: 1 });
    console.log(`seeded in ${seeded.seconds.toFixed(0)} s: ${fmt(seeded.customers)} customers, ${fmt(seeded.identities)} identities, ${fmt(seeded.orders)} orders`);
    // The seed's first vacuum (visibility maps of a million fresh rows) is not ingestion's cost: done
    // here, it does not land in the measured run.
    await handle.pool.query('vacuum (analyze)');
  }
  const tenantId = tenant.id;
  const pools = await loadPools(handle.pool, tenantId);
  const key = (await createApiKey(handle.db, tenantId, { role: 'operator', name: 'ingest bench' })).key;
  console.log(`pools: ${fmt(pools.phones.length)} phones, ${fmt(pools.externals.length)} external_userids, ${fmt(pools.members.length)} member numbers, ${fmt(pools.ids.length)} ids, ${pools.staff.length} staff`);
  const maker = batchMaker(pools, { size: batchSize, mergeShare });
  const makeBatch = (): string => JSON.stringify(maker.next());
  // Bodies are made ahead so that the clients spend the run sending, not building.
  const ready: string[] = Array.from({ length: 40 }, makeBatch);

  const profile = values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(values['cpu-prof'])] : [];
  if (!values.url) platform = await startPlatform(['node', ...profile, 'bin/yuchi.mjs', 'start', '--no-demo', '--no-worker'], { DATABASE_URL: url, YUCHI_DEMO: '0', YUCHI_LOG: 'error' }, Number(values.port));
  const base = values.url ?? platform?.url ?? '';
  const post = async (body: string) => {
    const res = await fetch(`${base}/api/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body });
    const json = await res.json() as { accepted?: number; duplicates?: number; rejected?: { code: string }[] };
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${JSON.stringify(json).slice(0, 300)}\n${platform?.output().slice(-3000) ?? ''}`);
    return json;
  };
  // Warm-up: JIT, connections, caches.
  for (let i = 0; i < 3; i++) await post(ready.pop() ?? makeBatch());

  if (values.statements) {
    await handle.pool.query('create extension if not exists pg_stat_statements');
    await handle.pool.query('select pg_stat_statements_reset()');
  }
  const sampler = values.statements ? sampleBackends(handle.pool) : undefined;
  const started = new Date();
  // Deadlocks PostgreSQL broke during the run (each costs a batch its deadlock_timeout and a retry).
  const deadlocks = async (): Promise<number> => (await handle.pool.query<{ n: number }>(
    'select deadlocks::int as n from pg_stat_database where datname = current_database()')).rows[0]?.n ?? 0;
  const deadlocks0 = await deadlocks();
  console.log(`load average before: ${load()}; ${clients} clients × batches of ${batchSize} for ${seconds} s; ${(mergeShare * 100).toFixed(1)}% of events name two existing profiles`);
  const latencies: number[] = [];
  let accepted = 0;
  let duplicates = 0;
  const rejectedCodes = new Map<string, number>();
  const cpu0 = { server: cpuSeconds(platform?.child.pid), postgres: postgresCpu(pgDataDir), client: process.cpuUsage() };
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  await Promise.all(Array.from({ length: clients }, async () => {
    while (performance.now() < deadline) {
      const body = ready.pop() ?? makeBatch();
      const sent = performance.now();
      const r = await post(body);
      latencies.push(performance.now() - sent);
      accepted += r.accepted ?? 0;
      duplicates += r.duplicates ?? 0;
      for (const x of r.rejected ?? []) rejectedCodes.set(x.code, (rejectedCodes.get(x.code) ?? 0) + 1);
      if (ready.length < 10) ready.push(makeBatch());
    }
  }));
  const elapsed = (performance.now() - t0) / 1000;
  const loadAfter = load();
  const backendStates = await sampler?.stop();
  const cpu = {
    server: cpuSeconds(platform?.child.pid) - cpu0.server,
    postgres: sum(postgresCpu(pgDataDir)) - sum(cpu0.postgres),
    client: (process.cpuUsage(cpu0.client).user + process.cpuUsage(cpu0.client).system) / 1e6,
  };
  latencies.sort((a, b) => a - b);
  const pct = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  const perSecond = accepted / elapsed;
  console.log(`ingested ${fmt(accepted)} events in ${latencies.length} batches over ${elapsed.toFixed(1)} s: ${fmt(perSecond)} events/s`);
  console.log(`  duplicates ${duplicates}, rejected ${[...rejectedCodes].map(([c, n]) => `${c} ${n}`).join(', ') || '0'}, new people ≈${fmt(maker.newPeople())}`);
  console.log(`  batch latency ms: p50 ${pct(50).toFixed(0)}  p90 ${pct(90).toFixed(0)}  p99 ${pct(99).toFixed(0)}  max ${(latencies[latencies.length - 1] ?? 0).toFixed(0)}`);
  console.log(`  load average after: ${loadAfter}`);
  const per1000 = (x: number): string => `${(x / (accepted / 1000) * 1000).toFixed(0)} ms`;
  console.log(`  CPU per 1,000 events: server ${per1000(cpu.server)}, PostgreSQL ${pgDataDir ? per1000(cpu.postgres) : 'n/a (DATABASE_URL)'}, load generator ${per1000(cpu.client)}`
    + ` (of ${(elapsed * 2).toFixed(0)} CPU-s on 2 cores: server ${cpu.server.toFixed(1)} s, PostgreSQL ${cpu.postgres.toFixed(1)} s)`);
  if (pgDataDir) {
    const kinds = [...postgresCpu(pgDataDir)].map(([k, v]) => [k, v - (cpu0.postgres.get(k) ?? 0)] as const).filter(([, v]) => v > 0.005).sort((a, b) => b[1] - a[1]);
    console.log(`  PostgreSQL CPU per 1,000 events by process: ${kinds.map(([k, v]) => `${k} ${per1000(v)}`).join(', ')}`);
  }
  const stats = await handle.pool.query<{ merges: number; orders: number }>(
    `select (select count(*) from customer_merges where tenant_id = $1 and merged_at >= $2)::int as merges,
            (select count(*) from orders where tenant_id = $1 and created_at >= $2)::int as orders`, [tenantId, started]);
  console.log(`  merges ${fmt(stats.rows[0]?.merges ?? 0)}, orders ${fmt(stats.rows[0]?.orders ?? 0)} recorded during the run; deadlocks broken (and batches retried) ${await deadlocks() - deadlocks0}`);
  if (values.statements) {
    const batches = latencies.length;
    const top = await handle.pool.query<{ ms: number; calls: number; rows: number; query: string }>(`
      select total_exec_time as ms, calls::int, rows::int, regexp_replace(query, '\\s+', ' ', 'g') as query
        from pg_stat_statements s join pg_roles r on r.oid = s.userid
       where s.query not like '%pg_stat_%' order by total_exec_time desc limit 25`);
    const all = (await handle.pool.query<{ ms: number; calls: number }>(`select sum(total_exec_time) as ms, sum(calls)::int as calls from pg_stat_statements where query not like '%pg_stat_%'`)).rows[0];
    console.log(`statements, execution time per batch (wall, lock waits included), of ${batches} batches: all ${((all?.ms ?? 0) / batches).toFixed(1)} ms in ${((all?.calls ?? 0) / batches).toFixed(1)} statements`);
    for (const r of top.rows) console.log(`  ${(r.ms / batches).toFixed(1).padStart(7)} ms  ${(r.calls / batches).toFixed(1).padStart(5)} calls  ${(r.rows / Math.max(1, r.calls)).toFixed(0).padStart(5)} rows/call  ${r.query.slice(0, 150)}`);
    const samples = [...(backendStates ?? new Map<string, number>())].sort((a, b) => b[1] - a[1]);
    const total = samples.reduce((n, [, k]) => n + k, 0);
    console.log(`platform backends sampled every 50 ms (${total} backend-samples):`);
    for (const [what, n] of samples) console.log(`  ${(n / total * 100).toFixed(1).padStart(5)}%  ${what}`);
  }
  if (platform) await stopPlatform(platform);
  platform = undefined;

  // The same rows, raw: COPY into a table with the events table's columns, defaults and indexes.
  const client = await handle.pool.connect();
  try {
    await client.query('drop table if exists bench_events_copy');
    await client.query('create table bench_events_copy (like events including all)');
    const chunks: Buffer[] = [];
    const out = client.query(copyStreams.to(`copy (select * from events where tenant_id = '${tenantId}' and received_at >= '${started.toISOString()}') to stdout`));
    for await (const chunk of out) chunks.push(Buffer.from(chunk));
    const rows = chunks.reduce((n, c) => n + c.reduce((k, byte) => k + (byte === 10 ? 1 : 0), 0), 0);
    const c0 = performance.now();
    await client.query('begin');
    await pipeline(Readable.from(chunks), client.query(copyStreams.from('copy bench_events_copy from stdin')));
    await client.query('commit');
    const copySeconds = (performance.now() - c0) / 1000;
    const copyPerSecond = rows / copySeconds;
    console.log(`COPY of the same ${fmt(rows)} rows into an events-shaped table: ${copySeconds.toFixed(2)} s = ${fmt(copyPerSecond)} rows/s`);
    console.log(`ingestion over HTTP = ${(perSecond / copyPerSecond * 100).toFixed(1)}% of raw COPY (1 : ${(copyPerSecond / perSecond).toFixed(1)})`);
    await client.query('drop table bench_events_copy');
  } finally {
    client.release();
  }
} finally {
  if (platform) await stopPlatform(platform);
  await handle.close();
  await server?.stop();
  if (tempDir) await rm(tempDir, { recursive: true, force: true });
}
