// Latency of the customer 360 (GET /api/v1/customers/:id: identities, aggregates, tags, groups,
// WeCom contacts, consents) at a fixed request rate from autocannon, against a `yuchi start`
// process on a tenant with the demo world. Before measuring, events give the sampled customers
// WeCom contacts, group memberships and timeline entries, and some tags, so the 360 has
// everything to show.
//
//   node --import tsx bench/customer360.ts [--customers 100000] [--rate 500] [--seconds 30] [--timeline] [--data-dir DIR]
//
// --timeline measures GET /api/v1/customers/:id/timeline instead. DATABASE_URL, or its own embedded
// PostgreSQL in --data-dir (reused with its seeded tenant) or in a temporary directory.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { createApiKey } from '../src/core/access/access.service.ts';
import { seedDemo } from '../src/core/demo/demo.service.ts';
import { newId } from '../src/core/ids.ts';
import { createTenant, getTenantBySlug } from '../src/core/tenants/tenants.service.ts';
import { openDatabase } from '../src/db/connect.ts';
import { startEmbedded, type DatabaseServer } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';
import { startPlatform, stopPlatform } from './platform.ts';
import { cpuSeconds, load, pct } from './measure.ts';

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '100000' },
    rate: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '30' },
    timeline: { type: 'boolean', default: false },
    'data-dir': { type: 'string' },
    port: { type: 'string', default: '3992' },
  },
});
const customers = Number(values.customers);
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const fmt = (n: number): string => Math.round(n).toLocaleString('en');


/** An open-loop load: requests sent on a fixed schedule whatever the responses do. */
async function paced(base: string, pathOf: (i: number) => string, headers: Record<string, string>, rate: number, secondsLong: number): Promise<{ latencies: number[]; failed: number }> {
  const latencies: number[] = [];
  let failed = 0;
  const interval = 1000 / rate;
  const total = Math.floor(rate * secondsLong);
  const start = performance.now() + 20;
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inflight.push(fetch(base + pathOf(i), { headers }).then(async (res) => {
      await res.arrayBuffer();
      if (res.status === 200) latencies.push(performance.now() - due);
      else failed += 1;
    }, () => {
      failed += 1;
    }));
  }
  await Promise.all(inflight);
  latencies.sort((a, b) => a - b);
  return { latencies, failed };
}

let server: DatabaseServer | undefined;
let tempDir: string | undefined;
let url = process.env.DATABASE_URL;
if (!url) {
  const dir = values['data-dir'] ?? (tempDir = await mkdtemp(path.join(tmpdir(), 'yuchi-bench-360-')));
  server = await startEmbedded(dir);
  url = server.url;
}
const handle = openDatabase(url, { max: 4, applicationName: 'yuchi-bench' });
let platform: Awaited<ReturnType<typeof startPlatform>> | undefined;
try {
  await migrate(handle.pool);
  const slug = `bench-360-${customers}`;
  let tenant = await getTenantBySlug(handle.db, slug).catch(() => undefined);
  const fresh = !tenant;
  if (!tenant) {
    tenant = await createTenant(handle.db, { slug, name: '360 压测' });
    console.log(`seeding ${fmt(customers)} customers (demo world) ...`);
    await seedDemo(handle, { tenantId: tenant.id, customers, months: 12, seed: 1 });
  }
  const tenantId = tenant.id;
  const ids = (await handle.pool.query<{ id: string }>(`select id from customers where tenant_id = $1 order by random() limit 20000`, [tenantId])).rows.map((r) => r.id);
  const key = (await createApiKey(handle.db, tenantId, { role: 'operator', name: '360 bench' })).key;
  platform = await startPlatform(['node', 'bin/yuchi.mjs', 'start', '--no-demo', '--no-worker'], { DATABASE_URL: url, YUCHI_DEMO: '0' }, Number(values.port));

  if (fresh) {
    // Contacts, groups and a few timeline entries for the sampled customers, through the API.
    const staff = (await handle.pool.query<{ wecom_user_id: string }>(`select wecom_user_id from staff where tenant_id = $1 and wecom_user_id is not null`, [tenantId])).rows.map((r) => r.wecom_user_id);
    const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)] as T;
    for (let b = 0; b * 1000 < ids.length * 3; b++) {
      const events = Array.from({ length: 1000 }, (_, i) => {
        const customerId = ids[(b * 1000 + i) % ids.length] ?? '';
        const occurredAt = new Date(Date.now() - Math.floor(Math.random() * 30 * 86_400_000)).toISOString();
        const kind = b % 3;
        if (kind === 0) return { id: `360-${b}-${i}`, type: 'contact_added', occurredAt, customer: { customerId }, source: 'wecom', properties: { staffWecomUserId: pick(staff), state: 'qr-360' } };
        if (kind === 1) return { id: `360-${b}-${i}`, type: 'group_joined', occurredAt, customer: { customerId }, properties: { chatId: `wr-360-${i % 200}`, groupName: '鲜果福利群' } };
        return { id: `360-${b}-${i}`, type: 'page_viewed', occurredAt, customer: { customerId }, properties: { url: '/products/1' } };
      });
      const res = await fetch(`${platform.url}/api/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
      if (res.status !== 200) throw new Error(`setup events: HTTP ${res.status}`);
    }
    const group = newId();
    const tags = [newId(), newId(), newId()];
    await handle.pool.query(`insert into tag_groups (tenant_id, id, name) values ($1, $2, '偏好')`, [tenantId, group]);
    await handle.pool.query(`insert into tags (tenant_id, id, group_id, name) select $1, t, $2, '标签' || n from unnest($3::uuid[]) with ordinality as x(t, n)`, [tenantId, group, tags]);
    await handle.pool.query(`insert into customer_tags (tenant_id, customer_id, tag_id, source, added_by)
                             select $1, c, t, 'manual', 'bench' from unnest($2::uuid[]) c cross join unnest($3::uuid[]) t`, [tenantId, ids, tags]);
    console.log(`gave ${fmt(ids.length)} customers contacts, groups, page views and ${tags.length} tags`);
  }

  let n = 0;
  const pathOf = (id: string): string => (values.timeline ? `/api/v1/customers/${id}/timeline?limit=20` : `/api/v1/customers/${id}`);
  // Warm-up at the same rate, then the measured run.
  await autocannon({ url: platform.url, connections: 50, overallRate: rate, duration: 5, headers: { authorization: `Bearer ${key}` },
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: pathOf(ids[n++ % ids.length] ?? '') }) }] });
  console.log(`load average before: ${load()}; ${rate} requests/s for ${seconds} s over ${fmt(ids.length)} customers`);
  const serverCpu = cpuSeconds(platform.child.pid);
  const result = await autocannon({
    url: platform.url,
    connections: 50,
    overallRate: rate,
    duration: seconds,
    headers: { authorization: `Bearer ${key}` },
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: pathOf(ids[n++ % ids.length] ?? '') }) }],
  });
  const l = result.latency;
  const what = values.timeline ? '/api/v1/customers/:id/timeline' : '/api/v1/customers/:id (360)';
  console.log(`autocannon, GET ${what}: ${fmt(result.requests.total)} requests, ${result.non2xx} non-2xx, ${result.errors} errors, ${result.requests.average.toFixed(0)} requests/s achieved`);
  console.log(`  latency ms: p50 ${l.p50}  p90 ${l.p90}  p99 ${l.p99}  max ${l.max}  (mean ${l.average.toFixed(2)})`);
  console.log('  (autocannon paces a rate by letting each connection send its whole per-second quota at once, so this counts queueing inside those bursts)');

  // The same rate evenly spaced: one request every 1000/rate ms, latency counted from when each was due.
  const evenly = await paced(platform.url, (i) => pathOf(ids[(n + i) % ids.length] ?? ''), { authorization: `Bearer ${key}` }, rate, seconds);
  console.log(`evenly paced, GET ${what}: ${fmt(evenly.latencies.length)} requests, ${evenly.failed} failed`);
  console.log(`  latency ms: p50 ${pct(evenly.latencies, 50)}  p90 ${pct(evenly.latencies, 90)}  p99 ${pct(evenly.latencies, 99)}  max ${pct(evenly.latencies, 100)}`);
  console.log(`server CPU ${((cpuSeconds(platform.child.pid) - serverCpu) / (result.requests.total + evenly.latencies.length) * 1000).toFixed(2)} ms per request; load average after: ${load()}`);
} finally {
  if (platform) await stopPlatform(platform);
  await handle.close();
  await server?.stop();
  if (tempDir) await rm(tempDir, { recursive: true, force: true });
}
