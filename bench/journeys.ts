// The journey engine under load: 100,000 active instances of one journey in a tenant of its own
// (synthetic customers), parked at a one-minute wait. Each instance, once due, takes five steps:
// leaves the wait, a 50/50 split, then a message request + a tag, or a condition (order count,
// one SQL per batch) + a message request, then the exit.
//   1. backlog: every instance due at once; steps processed per second, with CPU time.
//   2. steady: 100,000 fresh instances whose timers fall due evenly over --spread seconds;
//      lag of each due timer (processed at − due at), p50/p99, while the workers keep up.
//
//   node --import tsx bench/journeys.ts [--instances 100000] [--spread 100] [--workers 2] [--batch 1000] [--data-dir DIR]
//
// DATABASE_URL, or its own embedded PostgreSQL in --data-dir or a temporary directory (then the
// database's CPU time is measured too). Its tenant's slug starts with `journeys-bench-`.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { newId } from '../src/core/ids.ts';
import { createJourney, publishJourney } from '../src/core/journeys/journeys.service.ts';
import { processDue } from '../src/core/journeys/runner.service.ts';
import { createTenant } from '../src/core/tenants/tenants.service.ts';
import { openDatabase, type Db } from '../src/db/connect.ts';
import { startEmbedded, type DatabaseServer } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';
import { cpuSeconds, load, pct } from './measure.ts';

const { values } = parseArgs({
  options: {
    instances: { type: 'string', default: '100000' },
    spread: { type: 'string', default: '100' },
    workers: { type: 'string', default: '2' },
    batch: { type: 'string', default: '1000' },
    'data-dir': { type: 'string' },
  },
});
const instances = Number(values.instances);
const spreadSeconds = Number(values.spread);
const workers = Number(values.workers);
const batchSize = Number(values.batch);
const fmt = (n: number): string => Math.round(n).toLocaleString('en');

function postgresCpuSeconds(dataDir: string | undefined): number {
  const pidFile = dataDir ? path.join(dataDir, 'pg', 'postmaster.pid') : '';
  if (!dataDir || !existsSync(pidFile)) return 0;
  const postmaster = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  let total = cpuSeconds(postmaster, true);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.replace(/^.*\) /, '').split(' ')[1]) === postmaster) total += cpuSeconds(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return total;
}

let server: DatabaseServer | undefined;
let tempDir: string | undefined;
let pgDataDir: string | undefined;
let url = process.env.DATABASE_URL;
if (!url) {
  const dir = values['data-dir'] ?? (tempDir = await mkdtemp(path.join(tmpdir(), 'yuchi-bench-journeys-')));
  server = await startEmbedded(dir);
  url = server.url;
  pgDataDir = dir;
}
const handle = openDatabase(url, { max: workers + 2, applicationName: 'yuchi-bench-journeys' });
const db = handle.db;

/** Parks `n` instances of the journey at its wait, due from `from` evenly over `spreadMs`. */
async function park(tenantId: string, journeyId: string, customerIds: string[], from: Date, spreadMs: number, tag: string): Promise<void> {
  for (let i = 0; i < customerIds.length; i += 20_000) {
    const chunk = customerIds.slice(i, i + 20_000);
    await sql`
      insert into journey_instances (tenant_id, id, journey_id, version, customer_id, entry_key, status, node_id, phase, wake_at, step_count, context, entered_at)
      select ${tenantId}, gen_random_uuid(), ${journeyId}, 1, c.id, ${tag}, 'active', 'pause', 'wait',
             ${from}::timestamptz + ((${i}::int + c.n - 1)::float8 / ${customerIds.length}::int * ${spreadMs}::float8) * interval '1 millisecond', 2, '{}', now()
        from unnest(${chunk}::uuid[]) with ordinality as c(id, n)`.execute(db);
  }
}

/** Workers taking due batches until `stop()` says so; each instance's lag is recorded. */
async function drive(tenantId: string, stop: (idle: boolean) => boolean): Promise<{ steps: number; instances: number; lags: number[] }> {
  const lags: number[] = [];
  let steps = 0;
  let taken = 0;
  await Promise.all(Array.from({ length: workers }, async () => {
    for (;;) {
      const r = await processDue(db, tenantId, { now: new Date(), batchSize });
      const done = Date.now();
      steps += r.steps;
      taken += r.instances;
      for (const d of r.dueAt) lags.push(done - d.getTime());
      if (stop(r.instances === 0)) return;
      if (r.instances === 0) await new Promise((res) => setTimeout(res, 20));
    }
  }));
  return { steps, instances: taken, lags: lags.sort((a, b) => a - b) };
}

try {
  await migrate(handle.pool);
  const tenant = await createTenant(db, { slug: `journeys-bench-${randomBytes(3).toString('hex')}`, name: '旅程压测' });
  const tenantId = tenant.id;
  console.log(`tenant ${tenant.slug}; ${fmt(instances)} synthetic customers ...`);
  const customerIds = Array.from({ length: instances }, () => newId());
  for (let i = 0; i < customerIds.length; i += 20_000) {
    await sql`insert into customers (tenant_id, id, name, order_count) select ${tenantId}, id, '顾客' || n, (n % 3)::int
                from unnest(${customerIds.slice(i, i + 20_000)}::uuid[]) with ordinality as c(id, n)`.execute(db);
  }
  const groupId = newId();
  const tagId = newId();
  await db.insertInto('tag_groups').values({ tenant_id: tenantId, id: groupId, name: '旅程' }).execute();
  await db.insertInto('tags').values({ tenant_id: tenantId, id: tagId, group_id: groupId, name: '已触达' }).execute();
  const actor = { tenantId, tenantSlug: tenant.slug, tenantName: tenant.name, timezone: tenant.timezone, role: 'admin' as const, staffId: null, userId: null, apiKeyId: null, name: 'bench' };
  const makeJourney = async (): Promise<string> => {
    const j = await createJourney(db, actor, {
      name: `压测 ${newId().slice(-4)}`, graph: {
        nodes: [
          { id: 'in', type: 'entry', trigger: { kind: 'event', eventType: 'bench_entered' } },
          { id: 'pause', type: 'wait', wait: { kind: 'duration', minutes: 1 } },
          { id: 'ab', type: 'split', branches: [{ key: 'a', weight: 50 }, { key: 'b', weight: 50 }] },
          { id: 'msg_a', type: 'send_message', channel: 'sandbox', text: '{{name}}，您好' },
          { id: 'tag', type: 'add_tag', tagId },
          { id: 'buyer', type: 'condition', definition: { field: 'order_count', op: 'gte', value: 1 } },
          { id: 'msg_b', type: 'send_message', channel: 'sandbox', text: '{{name}}，新品到店' },
          { id: 'end', type: 'exit' },
        ],
        edges: [
          { from: 'in', to: 'pause' }, { from: 'pause', to: 'ab' }, { from: 'ab', port: 'a', to: 'msg_a' }, { from: 'ab', port: 'b', to: 'buyer' },
          { from: 'msg_a', to: 'tag' }, { from: 'tag', to: 'end' }, { from: 'buyer', port: 'yes', to: 'msg_b' }, { from: 'buyer', port: 'no', to: 'end' },
          { from: 'msg_b', to: 'end' },
        ],
      },
    });
    await publishJourney(db, actor, j.id);
    return j.id;
  };

  // 1. backlog
  const backlog = await makeJourney();
  const parkStarted = Date.now();
  await park(tenantId, backlog, customerIds, new Date(Date.now() - 1000), 0, 'backlog');
  const parkMs = Date.now() - parkStarted;
  await sql`analyze journey_instances`.execute(db);
  console.log(`backlog: ${fmt(instances)} active instances all due; ${workers} workers × batches of ${batchSize}; load before ${load()}`);
  let cpu0 = process.cpuUsage();
  let pg0 = postgresCpuSeconds(pgDataDir);
  let t0 = performance.now();
  const b = await drive(tenantId, (idle) => idle);
  let wall = (performance.now() - t0) / 1000;
  let cpu = process.cpuUsage(cpu0);
  let pgCpu = postgresCpuSeconds(pgDataDir) - pg0;
  console.log(`  ${fmt(b.instances)} instances, ${fmt(b.steps)} steps in ${wall.toFixed(1)} s: ${fmt(b.steps / wall)} steps/s`);
  console.log(`  CPU: engine ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s${pgDataDir ? `, PostgreSQL ${pgCpu.toFixed(1)} s` : ' (PostgreSQL shared, not measured)'}; `
    + `per 1,000 steps: engine ${((cpu.user + cpu.system) / b.steps).toFixed(0)} ms${pgDataDir ? `, PostgreSQL ${(pgCpu * 1e6 / b.steps).toFixed(0)} ms` : ''}; load after ${load()}`);

  // 2. steady: timers due evenly over the spread, the workers polling
  const steady = await makeJourney();
  // the first timer falls due once all are parked (parking took parkMs for the backlog), so the lag is the engine's alone
  const start = new Date(Date.now() + 2000 + Math.round(parkMs * 1.5));
  await park(tenantId, steady, customerIds, start, spreadSeconds * 1000, 'steady');
  await sql`analyze journey_instances`.execute(db);
  const end = start.getTime() + spreadSeconds * 1000;
  console.log(`steady: ${fmt(instances)} active instances, timers due over ${spreadSeconds} s (${fmt(instances / spreadSeconds)} instances/s, ≈${fmt((instances * 4) / spreadSeconds)} steps/s); load before ${load()}`);
  cpu0 = process.cpuUsage();
  pg0 = postgresCpuSeconds(pgDataDir);
  t0 = performance.now();
  const s = await drive(tenantId, (idle) => idle && Date.now() > end);
  wall = (performance.now() - t0) / 1000;
  cpu = process.cpuUsage(cpu0);
  pgCpu = postgresCpuSeconds(pgDataDir) - pg0;
  console.log(`  ${fmt(s.instances)} instances, ${fmt(s.steps)} steps in ${wall.toFixed(1)} s: ${fmt(s.steps / wall)} steps/s`);
  console.log(`  timer lag (processed − due): p50 ${pct(s.lags, 50)} ms, p90 ${pct(s.lags, 90)} ms, p99 ${pct(s.lags, 99)} ms, max ${pct(s.lags, 100)} ms`);
  console.log(`  CPU: engine ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s${pgDataDir ? `, PostgreSQL ${pgCpu.toFixed(1)} s` : ''} of ${wall.toFixed(0)} s wall on 2 cores; load after ${load()}`);
  const [counts] = (await sql<{ messages: number; tagged: number; steps: number }>`
    select (select count(*) from messages where tenant_id = ${tenantId})::int as messages,
           (select count(*) from customer_tags where tenant_id = ${tenantId})::int as tagged,
           (select count(*) from journey_steps where tenant_id = ${tenantId})::int as steps`.execute(db)).rows;
  console.log(`written: ${fmt(counts?.messages ?? 0)} message requests, ${fmt(counts?.tagged ?? 0)} tagged customers, ${fmt(counts?.steps ?? 0)} steps`);
  if (process.env.DATABASE_URL) {
    await sql`delete from tenants where id = ${tenantId}`.execute(db);
    console.log(`tenant ${tenant.slug} removed`);
  }
} finally {
  await handle.close();
  await server?.stop();
  if (tempDir) await rm(tempDir, { recursive: true, force: true });
}
