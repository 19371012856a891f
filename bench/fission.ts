// Social selling and fission under load.
//
//  1. 接龙: N group members all join one 接龙 of stock S at once (HTTP, one socket each) against a
//     `yuchi start` process on loopback: entries made (must be S), stock taken (must be S),
//     requests/s, p50/p99, server CPU; then closing it into S orders.
//  2. 拼团: N customers all join one group buy of target size K at once: seats filled (must be K),
//     orders (must be K).
//  3. Attribution: C contact_added events naming one of R referral codes are ingested in-process
//     (batches of 1,000, the ingestion path itself), next to C contacts naming no code, to show what
//     a code costs ingestion; then one sweep attributes them all (time and CPU per contact).
//  4. Superusers on this tenant, and on the largest `bench-` tenant of DATABASE_URL if there is one.
//
//   node --import tsx bench/fission.ts [--members 2000] [--stock 100] [--seats 10] [--contacts 20000] [--referrers 100] [--port 4108] [--code-first] [--skip-http]
//
// --skip-http leaves out parts 1 and 2; --code-first ingests the contacts with a code first.
//
// DATABASE_URL (a fresh tenant is made for each run; nothing of other tenants is written), or its
// own embedded PostgreSQL in a temporary directory.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Agent, request } from 'node:http';
import { createApiKey } from '../src/core/access/access.service.ts';
import type { Actor } from '../src/core/access/access.rules.ts';
import { newId } from '../src/core/ids.ts';
import { ingestEvents } from '../src/core/ingest/ingest.service.ts';
import { superusers } from '../src/core/referral/network.service.ts';
import { runReferralSweep } from '../src/core/referral/sweep.service.ts';
import { createTenant } from '../src/core/tenants/tenants.service.ts';
import { openDatabase } from '../src/db/connect.ts';
import { startEmbedded, type DatabaseServer } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';
import { startPlatform, stopPlatform } from './platform.ts';
import { cpuSeconds, load, pct } from './measure.ts';

const { values } = parseArgs({
  options: {
    members: { type: 'string', default: '2000' },
    stock: { type: 'string', default: '100' },
    seats: { type: 'string', default: '10' },
    contacts: { type: 'string', default: '20000' },
    referrers: { type: 'string', default: '100' },
    port: { type: 'string', default: '4108' },
    'code-first': { type: 'boolean', default: false },
    'skip-http': { type: 'boolean', default: false },
  },
});
const members = Number(values.members);
const stock = Number(values.stock);
const seats = Number(values.seats);
const contacts = Number(values.contacts);
const referrers = Number(values.referrers);

let server: DatabaseServer | undefined;
let tempDir: string | undefined;
let url = process.env.DATABASE_URL;
if (!url) {
  tempDir = await mkdtemp(path.join(tmpdir(), 'yuchi-bench-fission-'));
  server = await startEmbedded(tempDir);
  url = server.url;
}
const handle = openDatabase(url, { max: 4, applicationName: 'yuchi-bench' });
const q = <T>(text: string, params: unknown[]): Promise<T[]> => handle.pool.query(text, params).then((r) => r.rows as T[]);
const cpuNow = (): number => cpuSeconds(process.pid);
let platform: Awaited<ReturnType<typeof startPlatform>> | undefined;
try {
  await migrate(handle.pool);
  const tenant = await createTenant(handle.db, { slug: `bench-fission-${Date.now().toString(36)}`, name: '裂变压测' });
  const t = tenant.id;
  const people = Array.from({ length: members }, () => newId());
  await handle.pool.query(`insert into customers (tenant_id, id, name) select $1, id, '群友' || n from unnest($2::uuid[]) with ordinality as x(id, n)`, [t, people]);
  const store = newId();
  const group = newId();
  await handle.pool.query(`insert into stores (tenant_id, id, code, name) values ($1, $2, 'NS-01', '南山店')`, [t, store]);
  await handle.pool.query(`insert into staff (tenant_id, id, store_id, name, wecom_user_id) values ($1, $2, $3, '赵敏', 'zhao.min')`, [t, newId(), store]);
  await handle.pool.query(`insert into customer_groups (tenant_id, id, chat_id, name, store_id) values ($1, $2, $3, '南山鲜果群', $4)`, [t, group, `wr${group}`, store]);
  await handle.pool.query(`insert into group_members (tenant_id, group_id, customer_id, joined_at) select $1, $2, id, now() from unnest($3::uuid[]) as x(id)`, [t, group, people]);
  const key = (await createApiKey(handle.db, t, { role: 'operator', name: 'fission bench' })).key;
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };

  if (!values['skip-http']) {
    platform = await startPlatform(['node', 'bin/yuchi.mjs', 'start', '--no-demo', '--no-worker'], { DATABASE_URL: url, YUCHI_DEMO: '0' }, Number(values.port));
    const base = platform.url;
    const agent = new Agent({ keepAlive: false, maxSockets: members });
    const post = (urlPath: string, body: string): Promise<{ status: number; body: string }> => new Promise((resolve, reject) => {
      const req = request(`${base}${urlPath}`, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => { text += d; });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });
    const crowd = async (label: string, urlPath: string, bodies: string[]): Promise<void> => {
      const cpuBefore = cpuSeconds(platform?.child.pid);
      const loadBefore = load();
      const started = performance.now();
      const results = await Promise.all(bodies.map(async (body) => {
        const t0 = performance.now();
        const res = await post(urlPath, body);
        const code = res.status === 201 ? '' : ((JSON.parse(res.body) as { error?: { code: string } }).error?.code ?? '');
        return { key: `${res.status} ${code}`.trim(), ms: performance.now() - t0 };
      }));
      const wall = (performance.now() - started) / 1000;
      const cpu = cpuSeconds(platform?.child.pid) - cpuBefore;
      const outcomes = new Map<string, number>();
      for (const r of results) outcomes.set(r.key, (outcomes.get(r.key) ?? 0) + 1);
      const ms = results.map((r) => r.ms).sort((a, b) => a - b);
      console.log(`${label}: ${[...outcomes].map(([k, v]) => `${k}: ${v}`).join(', ')}`);
      console.log(`  wall ${wall.toFixed(2)} s  ${(bodies.length / wall).toFixed(0)} requests/s  p50 ${pct(ms, 50)} ms  p99 ${pct(ms, 99)} ms  server CPU ${cpu.toFixed(2)} s (${((cpu / bodies.length) * 1000).toFixed(2)} ms/request)  load ${loadBefore} → ${load()}`);
    };

    // 1. 接龙
    const created = await post('/api/v1/solitaires', JSON.stringify({ groupId: group, title: '车厘子季', sku: 'CHERRY-5J', itemName: '车厘子 5斤装', priceFen: 19900, stock, storeId: store, deadlineAt: new Date(Date.now() + 3_600_000).toISOString() }));
    const solId = (JSON.parse(created.body) as { id: string }).id;
    await crowd(`接龙: ${members} members join at once for a stock of ${stock}`, `/api/v1/solitaires/${solId}/entries`, people.map((c) => JSON.stringify({ customer: c, quantity: 1 })));
    const [sol] = await q<{ taken: number; entries: number; sum: number }>(`select taken, (select count(*)::int from solitaire_entries where tenant_id = $1 and solitaire_id = $2) as entries,
        (select coalesce(sum(quantity), 0)::int from solitaire_entries where tenant_id = $1 and solitaire_id = $2) as sum from solitaires where tenant_id = $1 and id = $2`, [t, solId]);
    console.log(`  entries ${sol?.entries} (stock ${stock}), taken ${sol?.taken}, quantities ${sol?.sum}`);
    const closeStarted = performance.now();
    const closed = await post(`/api/v1/solitaires/${solId}/close`, '{}');
    const [orders] = await q<{ n: number }>(`select count(*)::int as n from orders where tenant_id = $1 and order_no like $2`, [t, `JL-${solId}-%`]);
    console.log(`  close: HTTP ${closed.status} in ${(performance.now() - closeStarted).toFixed(0)} ms, ${orders?.n} orders recorded`);
    if (sol?.entries !== stock || sol.taken !== stock || orders?.n !== stock) process.exitCode = 1;

    // 2. 拼团
    const opened = await post('/api/v1/group-buys', JSON.stringify({ leader: people[0], sku: 'DURIAN', itemName: '榴莲', priceFen: 9900, originalPriceFen: 15900, targetSize: seats, timeLimitMinutes: 60 }));
    const gb = JSON.parse(opened.body) as { id: string; shareToken: string };
    await crowd(`拼团: ${members - 1} customers join one group of ${seats} at once`, `/api/v1/group-buys/shared/${gb.shareToken}/join`, people.slice(1).map((c) => JSON.stringify({ customer: c })));
    const [group2] = await q<{ joined: number; status: string; orders: number }>(`select joined, status, (select count(*)::int from orders where tenant_id = $1 and order_no like $3) as orders from group_buys where tenant_id = $1 and id = $2`, [t, gb.id, `PT-${gb.id}-%`]);
    console.log(`  seats ${group2?.joined} of ${seats}, status ${group2?.status}, orders ${group2?.orders}`);
    if (group2?.joined !== seats || group2.orders !== seats) process.exitCode = 1;
    agent.destroy();
    await stopPlatform(platform);
    platform = undefined;
  }

  // 3. Attribution
  const actor: Actor = { tenantId: t, tenantSlug: tenant.slug, tenantName: tenant.name, timezone: tenant.timezone, role: 'operator', staffId: null, userId: null, apiKeyId: null, name: 'bench' };
  const codes = people.slice(0, referrers).map((c, i) => ({ c, code: `BENCH${i.toString().padStart(5, '0')}` }));
  for (const { c, code } of codes) {
    const partner = newId();
    await handle.pool.query(`insert into referral_partners (tenant_id, id, kind, customer_id) values ($1, $2, 'customer', $3)`, [t, partner, c]);
    await handle.pool.query(`insert into referral_codes (tenant_id, code, partner_id) values ($1, $2, $3)`, [t, code, partner]);
  }
  const run = Date.now().toString(36);
  const ingest = async (label: string, withCode: boolean): Promise<void> => {
    const cpu0 = cpuNow();
    const started = performance.now();
    for (let from = 0; from < contacts; from += 1000) {
      const batch = Array.from({ length: Math.min(1000, contacts - from) }, (_, i) => {
        const n = from + i;
        return {
          id: `${run}-${withCode ? 'c' : 'n'}-${n}`, type: 'contact_added', occurredAt: new Date().toISOString(), customer: { externalUserId: `wm${run}${withCode ? 'c' : 'n'}${n}` },
          properties: { staffWecomUserId: 'zhao.min', ...(withCode ? { state: codes[n % codes.length]?.code, deviceId: `dev-${run}-${n}` } : { state: `qr-store-${n % 50}` }) },
        };
      });
      const result = await ingestEvents(handle.db, actor, batch);
      const refused = result.rejected[0];
      if (refused) throw new Error(`ingestion refused ${result.rejected.length} events, e.g. ${refused.code}: ${refused.message}`);
    }
    const wall = (performance.now() - started) / 1000;
    const cpu = cpuNow() - cpu0;
    console.log(`${label}: ${contacts} contact_added in ${wall.toFixed(2)} s (${(contacts / wall).toFixed(0)} events/s), bench-process CPU ${cpu.toFixed(2)} s, load ${load()}`);
  };
  // The order alternates between runs (--code-first), so a rising load does not always land on the same side.
  if (values['code-first']) {
    await ingest('ingest, contacts naming a referral code', true);
    await ingest('ingest, contacts naming no referral code (a channel QR state)', false);
  } else {
    await ingest('ingest, contacts naming no referral code (a channel QR state)', false);
    await ingest('ingest, contacts naming a referral code', true);
  }
  const cpu0 = cpuNow();
  const sweepStarted = performance.now();
  const swept = await runReferralSweep(handle.db, t);
  const sweepWall = (performance.now() - sweepStarted) / 1000;
  console.log(`attribution sweep: ${swept.accepted} attributed, ${swept.refused} refused, in ${sweepWall.toFixed(2)} s (${((sweepWall / Math.max(1, swept.accepted + swept.refused)) * 1000).toFixed(2)} ms per contact), bench-process CPU ${(cpuNow() - cpu0).toFixed(2)} s, load ${load()}`);
  const again = performance.now();
  const second = await runReferralSweep(handle.db, t);
  console.log(`  a second sweep (nothing new): ${second.accepted + second.refused} decided in ${((performance.now() - again) / 1000).toFixed(2)} s`);

  // 4. Superusers
  const su = performance.now();
  const top = await superusers(handle.db, t, { limit: 50, activityDays: 90 });
  console.log(`superusers of this tenant (${members + contacts * 2} customers): top ${top.length} in ${((performance.now() - su) / 1000).toFixed(2)} s; #1 value ¥${((top[0]?.valueFen ?? 0) / 100).toFixed(2)}, load ${load()}`);
  const [big] = await q<{ id: string; slug: string }>(`select id, slug from tenants where slug ~ '^bench-[a-z0-9]+$' order by created_at limit 1`, []);
  if (big) {
    const started = performance.now();
    const list = await superusers(handle.db, big.id, { limit: 50, activityDays: 90 });
    console.log(`superusers of ${big.slug}: top ${list.length} in ${((performance.now() - started) / 1000).toFixed(2)} s (read only), load ${load()}`);
  }
} finally {
  if (platform) await stopPlatform(platform);
  await handle.close();
  if (server) await server.stop();
  if (tempDir) await rm(tempDir, { recursive: true, force: true });
}
