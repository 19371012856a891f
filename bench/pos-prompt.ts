// Latency of the prompt at the till (GET /api/v1/pos/prompt?phone=…|memberNo=…) at a fixed,
// evenly paced request rate against a `yuchi start` process: the goal is p99 < 50 ms at 500
// requests/s. Customers are sampled from an existing tenant (the shared bench tenant of ~1M
// customers by default); 10% of the look-ups are strangers. Each store is given a store code
// first (acquisition_codes only: the tenant's customers and orders are only read).
//
//   DATABASE_URL=... node --import tsx bench/pos-prompt.ts [--tenant bench-...] [--rate 500] [--seconds 30] [--port 4101] [--runs 1] [--trace] [--server-node-options='--trace-gc']
//
// --runs repeats the measured stretch against the same server; --trace also records where each
// slow request's time went (client, machine, PostgreSQL, the server's phases: bench/latency-trace.ts).
// --server-node-options passes Node flags to the server process only (its output is then printed
// at the end). Every run prints the client's own event-loop delay and GC: a slow figure is only the
// server's if the client was not the one pausing.
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { parseArgs } from 'node:util';
import { createApiKey } from '../src/core/access/access.service.ts';
import { newCodeKey } from '../src/core/acquisition/acquisition.rules.ts';
import { newId } from '../src/core/ids.ts';
import { openDatabase } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { cpuSeconds, load, pct } from './measure.ts';
import { startPlatform, stopPlatform } from './platform.ts';
import { epochMs, explain, watch, type Sent } from './latency-trace.ts';
import { mainThreadSchedule } from '../src/api/request-trace.ts';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const { values } = parseArgs({
  options: {
    tenant: { type: 'string' },
    rate: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '30' },
    port: { type: 'string', default: '4101' },
    runs: { type: 'string', default: '1' },
    trace: { type: 'boolean', default: false },
    'server-node-options': { type: 'string' },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const url = process.env.DATABASE_URL;
if (!url) throw new Error('set DATABASE_URL (the shared bench database: head -1 /tmp/benchdb.log)');

// The client is node:http on a keep-alive agent rather than fetch: fetch allocated enough per
// request that the client's own garbage collection paused it for tens to hundreds of ms at
// 500 requests/s, and a request due then was sent late and counted slow.
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
function get(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers }, (res) => {
      res.on('data', () => {});
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** An open-loop load: one request every 1000/rate ms whatever the responses do; latency counted from when each was due. */
async function paced(base: string, pathOf: (i: number) => string, headers: Record<string, string>, perSecond: number, secondsLong: number): Promise<{ latencies: number[]; failed: number; sent: Sent[] }> {
  const latencies: number[] = [];
  const sent: Sent[] = [];
  let failed = 0;
  const interval = 1000 / perSecond;
  const total = Math.floor(perSecond * secondsLong);
  const start = performance.now() + 20;
  let pending = 0;
  let allSent = false;
  let finished: () => void = () => {};
  const done = new Promise<void>((r) => { finished = r; });
  const settle = (): void => {
    pending -= 1;
    if (allSent && pending === 0) finished();
  };
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const at = epochMs();
    const dueAt = at - (performance.now() - due);
    pending += 1;
    get(base + pathOf(i), headers).then((status) => {
      if (status === 200) latencies.push(performance.now() - due);
      else failed += 1;
      sent.push({ due: dueAt, sent: at, done: epochMs(), ok: status === 200 });
    }, () => {
      failed += 1;
    }).finally(settle);
  }
  allSent = true;
  if (pending > 0) await done;
  latencies.sort((a, b) => a - b);
  sent.sort((a, b) => a.due - b.due);
  return { latencies, failed, sent };
}

/**
 * The PostgreSQL backends serving a process's connections (Linux, PostgreSQL on this machine): the
 * process's sockets to the database port, matched to the postgres processes on their other ends.
 */
function backendsOf(pid: number | undefined, dbPort: string): number[] {
  if (pid === undefined) return [];
  let out = '';
  try {
    out = execFileSync('ss', ['-tnpH', 'state', 'established'], { encoding: 'utf8' });
  } catch {
    return [];
  }
  // fields: Recv-Q Send-Q local peer process
  const rows = out.split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f.length >= 5);
  const port = (address: string | undefined): string => address?.split(':').pop() ?? '';
  const ours = new Set(rows.filter((f) => f[4]?.includes(`pid=${pid},`) && port(f[3]) === dbPort).map((f) => port(f[2])));
  return rows.flatMap((f) => {
    const backend = /"postgres",pid=(\d+)/.exec(f[4] ?? '')?.[1];
    return backend && port(f[2]) === dbPort && ours.has(port(f[3])) ? [Number(backend)] : [];
  });
}

/** The client's own event-loop delay and garbage collections while a run lasts. */
function clientPauses(): { stop: () => { eldP99: number; eldMax: number; gcMs: number; gcs: number; gcMax: number } } {
  const eld = monitorEventLoopDelay({ resolution: 5 });
  eld.enable();
  let gcMs = 0;
  let gcs = 0;
  let gcMax = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcMs += e.duration;
      gcs += 1;
      gcMax = Math.max(gcMax, e.duration);
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  return {
    stop() {
      obs.disconnect();
      eld.disable();
      return { eldP99: eld.percentile(99) / 1e6, eldMax: eld.max / 1e6, gcMs, gcs, gcMax };
    },
  };
}

const handle = openDatabase(url, { max: 2, applicationName: 'yuchi-bench-pos' });
let platform: Awaited<ReturnType<typeof startPlatform>> | undefined;
try {
  await migrate(handle.pool);
  const tenant = (await handle.pool.query<{ id: string; slug: string }>(
    values.tenant ? `select id, slug from tenants where slug = $1` : `select id, slug from tenants where slug like 'bench-%' order by created_at limit 1`,
    values.tenant ? [values.tenant] : [])).rows[0];
  if (!tenant) throw new Error('no tenant to measure');
  // A store code for every store that has none (so add_friend prompts carry one), answered by the store's first guide.
  const added = await handle.pool.query(`
    insert into acquisition_codes (tenant_id, id, code_key, name, kind, store_id, state, rotation)
    select s.tenant_id, x.id, x.code_key, s.name || ' 门店码', 'store_counter', s.id, 'pos-' || x.code_key,
           jsonb_build_array(jsonb_build_object('staffId', st.id, 'dailyCap', null, 'qrUrl', 'https://wework.example/' || st.id, 'backup', false))
      from (select s.*, row_number() over (order by s.id) as n from stores s where s.tenant_id = $1
              and not exists (select 1 from acquisition_codes a where a.tenant_id = s.tenant_id and a.store_id = s.id)) s
      join lateral (select st.id from staff st where st.tenant_id = s.tenant_id and st.store_id = s.id and st.status = 'active' order by st.id limit 1) st on true
      join unnest($2::uuid[], $3::text[]) with ordinality as x(id, code_key, n) on x.n = s.n`,
    [tenant.id, Array.from({ length: 5000 }, () => newId()), Array.from({ length: 5000 }, () => newCodeKey())]);
  const sample = (await handle.pool.query<{ kind: string; value: string }>(`
    select kind, value from customer_identities tablesample system (1)
     where tenant_id = $1 and kind in ('phone', 'member_no') limit 20000`, [tenant.id])).rows;
  if (sample.length === 0) throw new Error('the tenant has no phone or member-number identities');
  const key = (await createApiKey(handle.db, tenant.id, { role: 'operator', name: 'pos prompt bench' })).key;
  console.log(`tenant ${tenant.slug}: ${sample.length} sampled identities; ${added.rowCount ?? 0} store codes added`);
  const traceFile = join(tmpdir(), `yuchi-pos-trace-${process.pid}.jsonl`);
  const nodeFlags = values['server-node-options']?.split(/\s+/).filter(Boolean) ?? [];
  platform = await startPlatform(['node', ...nodeFlags, 'bin/yuchi.mjs', 'start', '--no-demo', '--no-worker'],
    { DATABASE_URL: url, YUCHI_DEMO: '0', ...(values.trace ? { YUCHI_REQUEST_TRACE: traceFile } : {}) }, Number(values.port));
  const pathOf = (i: number): string => {
    if (i % 10 === 9) return `/api/v1/pos/prompt?phone=199${String(10_000_000 + ((i * 7919) % 89_999_999)).slice(-8)}`;
    const id = sample[(i * 7919) % sample.length];
    return id?.kind === 'member_no' ? `/api/v1/pos/prompt?memberNo=${encodeURIComponent(id.value)}` : `/api/v1/pos/prompt?phone=${id?.value ?? ''}`;
  };
  const headers = { authorization: `Bearer ${key}` };
  const example = await fetch(platform.url + pathOf(0), { headers });
  console.log(`example answer (HTTP ${example.status}): ${(await example.text()).slice(0, 300)}`);
  // One at a time first: the service time of a request with nothing queued before it.
  const serial: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t0 = performance.now();
    await get(platform.url + pathOf(i + 2_000_000), headers);
    if (i >= 50) serial.push(performance.now() - t0);
  }
  serial.sort((a, b) => a - b);
  console.log(`one at a time (250 requests after 50 warm-up): p50 ${pct(serial, 50)}  p99 ${pct(serial, 99)} ms; load average ${load()}`);
  await paced(platform.url, (i) => pathOf(i + 1_000_000), headers, rate, 5);
  const traced: { sent: Sent[]; watched: Awaited<ReturnType<ReturnType<typeof watch>['stop']>> }[] = [];
  for (let r = 1; r <= Number(values.runs); r++) {
    console.log(`run ${r}: load average before: ${load()}; ${rate} requests/s evenly paced for ${seconds} s`);
    const cpuBefore = cpuSeconds(platform.child.pid, true);
    const dbPort = new URL(url).port || '5432';
    const backendsBefore = new Map(backendsOf(platform.child.pid, dbPort).map((pid) => [pid, cpuSeconds(pid)]));
    const serverBefore = mainThreadSchedule(platform.child.pid ?? 'self');
    const clientBefore = mainThreadSchedule();
    const watcher = values.trace ? watch(handle.pool) : undefined;
    const own = clientPauses();
    const runStart = performance.now();
    const run = await paced(platform.url, pathOf, headers, rate, seconds);
    const runSeconds = (performance.now() - runStart) / 1000;
    const pauses = own.stop();
    if (watcher) traced.push({ sent: run.sent, watched: await watcher.stop() });
    const cpu = cpuSeconds(platform.child.pid, true) - cpuBefore;
    const serverAfter = mainThreadSchedule(platform.child.pid ?? 'self');
    const backends = backendsOf(platform.child.pid, dbPort);
    // a connection opened during the run counts from zero
    const pgCpu = backends.reduce((sum, pid) => sum + cpuSeconds(pid) - (backendsBefore.get(pid) ?? 0), 0);
    const clientAfter = mainThreadSchedule();
    const l = run.latencies;
    console.log(`GET /api/v1/pos/prompt: ${l.length} answered, ${run.failed} failed`);
    console.log(`  latency ms: p50 ${pct(l, 50)}  p90 ${pct(l, 90)}  p99 ${pct(l, 99)}  max ${pct(l, 100)}`);
    console.log(`  server CPU ${(cpu / Math.max(1, l.length) * 1000).toFixed(2)} ms per request (Node process) + ${backends.length ? (pgCpu / Math.max(1, l.length) * 1000).toFixed(2) : '?'} ms (its ${backends.length} PostgreSQL backends); load average after: ${load()}`);
    // Time runnable but not running is the machine's doing (other processes had the CPUs), not ours.
    console.log(`  server main thread: ran ${((serverAfter.runMs - serverBefore.runMs) / Math.max(1, l.length)).toFixed(2)} ms per request, waited for a CPU ${(serverAfter.waitMs - serverBefore.waitMs).toFixed(0)} ms in ${runSeconds.toFixed(1)} s (${((serverAfter.waitMs - serverBefore.waitMs) / runSeconds).toFixed(0)} ms per second); client main thread waited ${(clientAfter.waitMs - clientBefore.waitMs).toFixed(0)} ms`);
    console.log(`  client (this process): event-loop delay p99 ${pauses.eldP99.toFixed(1)} max ${pauses.eldMax.toFixed(1)} ms; GC ${pauses.gcMs.toFixed(0)} ms in ${pauses.gcs}, max ${pauses.gcMax.toFixed(1)} ms`);
  }
  if (values.trace) {
    await stopPlatform(platform);
    if (values['server-node-options']) console.log(`server output:\n${platform.output()}`);
    platform = undefined;
    traced.forEach((t, i) => {
      console.log(`run ${i + 1}, where the slow requests' time went:`);
      explain(t.sent, t.watched, traceFile);
    });
  }
} finally {
  if (platform) {
    await stopPlatform(platform);
    if (values['server-node-options']) console.log(`server output:\n${platform.output()}`);
  }
  await handle.close();
}
