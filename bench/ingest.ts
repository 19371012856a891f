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
//
// --url sends to a server already running on the same database instead of starting one.
// DATABASE_URL, or its own embedded PostgreSQL in --data-dir (reused with its seeded tenant if
// given) or in a temporary directory removed afterwards.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import copyStreams from 'pg-copy-streams';
import { createApiKey } from '../src/core/access/access.service.ts';
import { seedDemo } from '../src/core/demo/demo.service.ts';
import { createTenant, getTenantBySlug } from '../src/core/tenants/tenants.service.ts';
import { openDatabase } from '../src/db/connect.ts';
import { startEmbedded, type DatabaseServer } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';
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
  },
});
const customers = Number(values.customers);
const seconds = Number(values.seconds);
const clients = Number(values.clients);
const batchSize = Number(values.batch);
const mergeShare = Math.min(5, Math.max(0, Number(values['merge-share']))) / 100;
const fmt = (n: number): string => Math.round(n).toLocaleString('en');


/** CPU seconds of an embedded PostgreSQL: the postmaster, its live backends and those that exited. */
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
  const dir = values['data-dir'] ?? (tempDir = await mkdtemp(path.join(tmpdir(), 'yuchi-bench-ingest-')));
  server = await startEmbedded(dir);
  url = server.url;
  pgDataDir = dir;
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
  }
  const tenantId = tenant.id;
  const sample = async (kind: string): Promise<string[]> => (await handle.pool.query<{ value: string }>(
    `select value from customer_identities where tenant_id = $1 and kind = $2 order by random() limit 50000`, [tenantId, kind])).rows.map((r) => r.value);
  const [phones, externals, members] = [await sample('phone'), await sample('external_userid'), await sample('member_no')];
  const ids = (await handle.pool.query<{ id: string }>(`select id from customers where tenant_id = $1 order by random() limit 20000`, [tenantId])).rows.map((r) => r.id);
  const staff = (await handle.pool.query<{ wecom_user_id: string }>(`select wecom_user_id from staff where tenant_id = $1 and wecom_user_id is not null`, [tenantId])).rows.map((r) => r.wecom_user_id);
  const key = (await createApiKey(handle.db, tenantId, { role: 'operator', name: 'ingest bench' })).key;
  console.log(`pools: ${fmt(phones.length)} phones, ${fmt(externals.length)} external_userids, ${fmt(members.length)} member numbers, ${fmt(ids.length)} ids, ${staff.length} staff`);

  const run = randomBytes(3).toString('hex');
  const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)] as T;
  let newPeople = 0;
  const newPhone = (): string => `19${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;
  const customerRef = (): Record<string, string> => {
    const r = Math.random();
    if (r < 0.6) return Math.random() < 0.6 ? { phone: pick(phones) } : Math.random() < 0.7 ? { externalUserId: pick(externals) } : { memberNo: pick(members) };
    if (r < 0.9) {
      newPeople += 1;
      return Math.random() < 0.5 ? { phone: newPhone() } : { phone: newPhone(), unionId: `o${run}${randomBytes(10).toString('base64url')}` };
    }
    if (r < 0.95 - mergeShare) return { phone: pick(phones), externalUserId: `wm${run}${randomBytes(12).toString('base64url')}` };
    if (r < 0.95) return { phone: pick(phones), externalUserId: pick(externals) }; // two profiles, or one already
    return { customerId: pick(ids) };
  };
  const skus = [['CHERRY-5J', '车厘子 5斤', 12_800], ['KIWI-6', '奇异果 6个装', 2_990], ['BANANA', '香蕉', 800], ['MANGO-BOX', '芒果礼盒', 8_000], ['DURIAN', '榴莲', 6_600]] as const;
  let batchNo = 0;
  const makeBatch = (): string => {
    const b = ++batchNo;
    const now = Date.now();
    const events = Array.from({ length: batchSize }, (_, i) => {
      const occurredAt = new Date(now - Math.floor(Math.random() * 3_600_000)).toISOString();
      const base = { id: `${run}-${b}-${i}`, occurredAt, customer: customerRef() };
      const t = Math.random();
      if (t < 0.15) {
        const lines = Array.from({ length: 1 + Math.floor(Math.random() * 3) }, () => {
          const [sku, name, price] = pick([...skus]);
          return { sku, name, quantity: 1 + Math.floor(Math.random() * 3), unitPriceFen: price };
        });
        const paidFen = lines.reduce((s, l) => s + l.quantity * l.unitPriceFen, 0);
        return { ...base, type: 'order_paid', properties: { orderNo: `B${run}-${b}-${i}`, paidFen, channel: pick(['pos', 'miniprogram', 'group_buy']), items: lines } };
      }
      if (t < 0.25) return { ...base, type: 'group_joined', properties: { chatId: `wr-bench-${Math.floor(Math.random() * 300)}`, groupName: '鲜果福利群' } };
      if (t < 0.3) return { ...base, type: 'contact_added', source: 'wecom', properties: { staffWecomUserId: pick(staff), state: `qr-${Math.floor(Math.random() * 50)}`, channel: 'store_qr' } };
      if (t < 0.65) return { ...base, type: 'message_received', properties: { staffWecomUserId: pick(staff), msgType: 'text', text: '今天车厘子还有吗？' } };
      return { ...base, type: 'page_viewed', properties: { url: `/products/${Math.floor(Math.random() * 500)}`, title: '商品详情' } };
    });
    return JSON.stringify({ events });
  };
  // Bodies are made ahead so that the clients spend the run sending, not building.
  const ready: string[] = Array.from({ length: 40 }, makeBatch);

  if (!values.url) platform = await startPlatform(['node', 'bin/yuchi.mjs', 'start', '--no-demo', '--no-worker'], { DATABASE_URL: url, YUCHI_DEMO: '0', YUCHI_LOG: 'error' }, Number(values.port));
  const base = values.url ?? platform?.url ?? '';
  const post = async (body: string) => {
    const res = await fetch(`${base}/api/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body });
    const json = await res.json() as { accepted?: number; duplicates?: number; rejected?: { code: string }[] };
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${JSON.stringify(json).slice(0, 300)}\n${platform?.output().slice(-3000) ?? ''}`);
    return json;
  };
  // Warm-up: JIT, connections, caches.
  for (let i = 0; i < 3; i++) await post(ready.pop() ?? makeBatch());

  const started = new Date();
  console.log(`load average before: ${load()}; ${clients} clients × batches of ${batchSize} for ${seconds} s; ${(mergeShare * 100).toFixed(1)}% of events name two existing profiles`);
  const latencies: number[] = [];
  let accepted = 0;
  let duplicates = 0;
  const rejectedCodes = new Map<string, number>();
  const cpu0 = { server: cpuSeconds(platform?.child.pid), postgres: postgresCpuSeconds(pgDataDir), client: process.cpuUsage() };
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
  const cpu = {
    server: cpuSeconds(platform?.child.pid) - cpu0.server,
    postgres: postgresCpuSeconds(pgDataDir) - cpu0.postgres,
    client: (process.cpuUsage(cpu0.client).user + process.cpuUsage(cpu0.client).system) / 1e6,
  };
  latencies.sort((a, b) => a - b);
  const pct = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  const perSecond = accepted / elapsed;
  console.log(`ingested ${fmt(accepted)} events in ${latencies.length} batches over ${elapsed.toFixed(1)} s: ${fmt(perSecond)} events/s`);
  console.log(`  duplicates ${duplicates}, rejected ${[...rejectedCodes].map(([c, n]) => `${c} ${n}`).join(', ') || '0'}, new people ≈${fmt(newPeople)}`);
  console.log(`  batch latency ms: p50 ${pct(50).toFixed(0)}  p90 ${pct(90).toFixed(0)}  p99 ${pct(99).toFixed(0)}  max ${(latencies[latencies.length - 1] ?? 0).toFixed(0)}`);
  console.log(`  load average after: ${loadAfter}`);
  const per1000 = (x: number): string => `${(x / (accepted / 1000) * 1000).toFixed(0)} ms`;
  console.log(`  CPU per 1,000 events: server ${per1000(cpu.server)}, PostgreSQL ${pgDataDir ? per1000(cpu.postgres) : 'n/a (DATABASE_URL)'}, load generator ${per1000(cpu.client)}`
    + ` (of ${(elapsed * 2).toFixed(0)} CPU-s on 2 cores: server ${cpu.server.toFixed(1)} s, PostgreSQL ${cpu.postgres.toFixed(1)} s)`);
  const stats = await handle.pool.query<{ merges: number; orders: number }>(
    `select (select count(*) from customer_merges where tenant_id = $1 and merged_at >= $2)::int as merges,
            (select count(*) from orders where tenant_id = $1 and created_at >= $2)::int as orders`, [tenantId, started]);
  console.log(`  merges ${fmt(stats.rows[0]?.merges ?? 0)}, orders ${fmt(stats.rows[0]?.orders ?? 0)} recorded during the run`);
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
