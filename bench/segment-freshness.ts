// Segment freshness: the time from an event's 2xx to its segment_entered record, at a steady rate.
//
// Starts `yuchi start --no-worker` (the HTTP server) and `yuchi worker` (the background worker, as a
// deployment that scales out runs it) on the database, makes a tenant of its own with one
// segment ("joined a customer group at least once in the last 30 days") and paced clients that POST
// batches of group_joined events for new people at --rate events/s for --seconds. Every event makes
// its customer enter the segment. Afterwards each customer's segment_members.entered_at (written by
// the worker with clock_timestamp(), on the same machine clock) is compared with the time the
// client saw the 2xx of the batch that carried the event.
//
//   node --import tsx bench/segment-freshness.ts [--rate 2000] [--seconds 30] [--batch 100] [--port 3992]
//
// DATABASE_URL, or an embedded PostgreSQL in a temporary directory removed afterwards. The tenant
// it makes is left in place (slug segfresh-…) with its segment archived; it touches no other tenant.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { createApiKey } from '../src/core/access/access.service.ts';
import { createSegment } from '../src/core/segments/segments.service.ts';
import { createTenant } from '../src/core/tenants/tenants.service.ts';
import { openDatabase } from '../src/db/connect.ts';
import { startEmbedded, type DatabaseServer } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';
import { ROOT, startPlatform, stopPlatform, type Platform } from './platform.ts';
import { load } from './measure.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '30' },
    batch: { type: 'string', default: '100' },
    port: { type: 'string', default: '3992' },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const batchSize = Number(values.batch);

let server: DatabaseServer | undefined;
let dataDir: string | undefined;
let url = process.env.DATABASE_URL;
if (!url) {
  dataDir = await mkdtemp(path.join(tmpdir(), 'yuchi-segfresh-'));
  server = await startEmbedded(dataDir);
  url = server.url;
}
const handle = openDatabase(url, { max: 4, applicationName: 'segment-freshness-bench' });
let platform: Platform | undefined;
let stopWorker: (() => Promise<void>) | undefined;
try {
  await migrate(handle.pool);
  const run = randomBytes(4).toString('hex');
  const tenant = await createTenant(handle.db, { slug: `segfresh-${run}`, name: 'segment freshness bench' });
  const actor = { tenantId: tenant.id, tenantSlug: tenant.slug, tenantName: tenant.name, timezone: tenant.timezone, role: 'admin' as const, staffId: null, userId: null, apiKeyId: null, name: 'bench' };
  const segment = await createSegment(handle.db, actor, { name: '近 30 天入群', definition: { field: 'event', type: 'group_joined', withinDays: 30, op: 'gte', value: 1 } });
  const key = (await createApiKey(handle.db, tenant.id, { role: 'operator', name: 'freshness bench' })).key;

  // The worker in its own process: in the server's process it would wait behind request parsing
  // whenever the server is saturated.
  const worker = spawn('node', ['bin/yuchi.mjs', 'worker'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: url }, stdio: ['ignore', 'ignore', 'inherit'], detached: true });
  stopWorker = () => new Promise<void>((resolve) => {
    if (worker.exitCode !== null || !worker.pid) return resolve();
    worker.once('exit', () => resolve());
    process.kill(-worker.pid, 'SIGINT');
  });
  platform = await startPlatform(['node', 'bin/yuchi.mjs', 'start', '--no-demo', '--no-worker'], { DATABASE_URL: url, YUCHI_DEMO: '0', YUCHI_LOG: 'error' }, Number(values.port));
  const base = platform.url;
  console.log(`tenant ${tenant.slug}, segment ${segment.id}; ${rate} events/s in batches of ${batchSize} for ${seconds} s; load ${load()}`);

  // phone → the instant its batch's 2xx arrived (ms since epoch)
  const acknowledged = new Map<string, number>();
  const batchesPerSecond = rate / batchSize;
  const totalBatches = Math.round(batchesPerSecond * seconds);
  const started = Date.now();
  const inflight = new Set<Promise<void>>();
  let failed = 0;
  let late = 0;
  let seq = 0;
  for (let b = 0; b < totalBatches; b++) {
    // pace: batch b leaves at started + b / batchesPerSecond seconds
    const due = started + (b * 1000) / batchesPerSecond;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    else if (wait < -50) late += 1;
    const phones: string[] = [];
    const events = Array.from({ length: batchSize }, () => {
      seq += 1;
      const phone = `17${String(Number.parseInt(run, 16) % 1000).padStart(3, '0')}${String(seq).padStart(6, '0')}`;
      phones.push(phone);
      return { id: `sf-${run}-${seq}`, type: 'group_joined', occurredAt: new Date().toISOString(), customer: { phone }, properties: { chatId: `wr-${seq % 50}` } };
    });
    const p = fetch(`${base}/api/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ events }) })
      .then(async (res) => {
        const at = Date.now();
        await res.arrayBuffer();
        if (!res.ok) { failed += 1; return; }
        for (const phone of phones) acknowledged.set(phone, at);
      })
      .catch(() => { failed += 1; })
      .finally(() => { inflight.delete(p); });
    inflight.add(p);
  }
  await Promise.all(inflight);
  const sendSeconds = (Date.now() - started) / 1000;
  console.log(`sent ${seq.toLocaleString('en')} events in ${sendSeconds.toFixed(1)} s (${Math.round(seq / sendSeconds).toLocaleString('en')}/s), ${failed} failed batches, ${late} batches left > 50 ms late; load ${load()}`);

  // wait (boundedly) for the worker to empty the queue
  const deadline = Date.now() + 120_000;
  for (;;) {
    const left = await sql<{ n: number }>`select count(*)::int as n from segment_queue where tenant_id = ${tenant.id}`.execute(handle.db);
    if ((left.rows[0]?.n ?? 0) === 0 || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  // Two plain reads joined here: a join in SQL may be planned from the new tenant's stale statistics.
  const members = await sql<{ customer_id: string; entered_ms: number }>`
    select customer_id, (extract(epoch from entered_at) * 1000)::float8 as entered_ms
      from segment_members where tenant_id = ${tenant.id} and segment_id = ${segment.id}`.execute(handle.db);
  const phones = await sql<{ customer_id: string; value: string }>`
    select customer_id, value from customer_identities where tenant_id = ${tenant.id} and kind = 'phone'`.execute(handle.db);
  const phoneOf = new Map(phones.rows.map((r) => [r.customer_id, r.value]));
  const entered = { rows: members.rows.map((m) => ({ phone: phoneOf.get(m.customer_id) ?? '', entered_ms: m.entered_ms })) };
  const timeline = await sql<{ n: number }>`select count(*)::int as n from events where tenant_id = ${tenant.id} and type = 'segment_entered'`.execute(handle.db);
  const lags: number[] = [];
  for (const row of entered.rows) {
    const ack = acknowledged.get(row.phone);
    if (ack !== undefined) lags.push(Math.max(0, row.entered_ms - ack));
  }
  lags.sort((a, b) => a - b);
  const pct = (p: number) => lags[Math.min(lags.length - 1, Math.floor((p / 100) * lags.length))] ?? NaN;
  const negative = entered.rows.filter((r) => { const ack = acknowledged.get(r.phone); return ack !== undefined && r.entered_ms < ack; }).length;
  console.log(`entered: ${entered.rows.length.toLocaleString('en')} of ${acknowledged.size.toLocaleString('en')} acknowledged events' customers; segment_entered events on timelines: ${timeline.rows[0]?.n ?? 0}`);
  console.log(`2xx → segment_entered: p50 ${pct(50).toFixed(0)} ms, p90 ${pct(90).toFixed(0)} ms, p99 ${pct(99).toFixed(0)} ms, max ${(lags.at(-1) ?? NaN).toFixed(0)} ms`);
  console.log(`(${negative} entries were recorded before the client saw its 2xx: counted as 0 ms); load average ${load()}`);
  // archived, so later writes to this tenant queue nothing and sweeps skip it
  await handle.db.updateTable('segments').set({ status: 'archived' }).where('tenant_id', '=', tenant.id).execute();
} finally {
  if (platform) await stopPlatform(platform);
  await stopWorker?.();
  await handle.close();
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}
