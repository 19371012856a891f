// A flash sale (秒杀) under a crowd: N distinct customers all press "buy" at once for a stock of S
// with a limit of 1 each, against a `yuchi start` process on loopback. Prints the orders created
// (must equal the stock), customers over the limit (must be 0), the stock left, requests/s, p50/p99
// latency, the server's CPU seconds and the load average.
//
//   node --import tsx bench/flash-sale.ts [--buyers 2000] [--stock 100] [--port 3985]
//
// DATABASE_URL (a fresh tenant is made there for each run), or its own embedded PostgreSQL in a
// temporary directory.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Agent, request } from 'node:http';
import { createApiKey } from '../src/core/access/access.service.ts';
import { newId } from '../src/core/ids.ts';
import { createTenant } from '../src/core/tenants/tenants.service.ts';
import { openDatabase } from '../src/db/connect.ts';
import { startEmbedded, type DatabaseServer } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';
import { startPlatform, stopPlatform } from './platform.ts';
import { cpuSeconds, load, pct } from './measure.ts';

const { values } = parseArgs({
  options: {
    buyers: { type: 'string', default: '2000' },
    stock: { type: 'string', default: '100' },
    port: { type: 'string', default: '3985' },
  },
});
const buyers = Number(values.buyers);
const stock = Number(values.stock);


let server: DatabaseServer | undefined;
let tempDir: string | undefined;
let url = process.env.DATABASE_URL;
if (!url) {
  tempDir = await mkdtemp(path.join(tmpdir(), 'yuchi-bench-flash-'));
  server = await startEmbedded(tempDir);
  url = server.url;
}
const handle = openDatabase(url, { max: 4, applicationName: 'yuchi-bench' });
let platform: Awaited<ReturnType<typeof startPlatform>> | undefined;
try {
  await migrate(handle.pool);
  const tenant = await createTenant(handle.db, { slug: `bench-flash-${Date.now().toString(36)}`, name: '秒杀压测' });
  const customerIds = Array.from({ length: buyers }, () => newId());
  await handle.pool.query(`insert into customers (tenant_id, id, name) select $1, id, '买家' || n from unnest($2::uuid[]) with ordinality as x(id, n)`, [tenant.id, customerIds]);
  const key = (await createApiKey(handle.db, tenant.id, { role: 'operator', name: 'flash bench' })).key;
  const saleId = newId();
  await handle.pool.query(
    `insert into flash_sales (tenant_id, id, name, sku, item_name, price_fen, original_price_fen, stock, remaining, per_customer_limit, starts_at, ends_at)
     values ($1, $2, '车厘子秒杀', 'CHERRY-5J', '车厘子 5斤', 9900, 19900, $3, $3, 1, now() - interval '1 minute', now() + interval '1 hour')`,
    [tenant.id, saleId, stock],
  );
  platform = await startPlatform([...(process.env.BENCH_PROFILE ? ['node', '--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : ['node']), 'bin/yuchi.mjs', 'start', '--no-demo', '--no-worker'], { DATABASE_URL: url, YUCHI_DEMO: '0' }, Number(values.port));
  const base = platform.url;
  // One socket per buyer: every buyer is a separate phone.
  const agent = new Agent({ keepAlive: false, maxSockets: buyers });
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
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  // One read first, so the measured crowd meets a warm server.
  await fetch(`${base}/api/v1/flash-sales/${saleId}`, { headers });

  const cpuBefore = cpuSeconds(platform.child.pid);
  console.log(`load average before: ${load()}`);
  const started = performance.now();
  const results = await Promise.all(customerIds.map(async (customer) => {
    const t0 = performance.now();
    const res = await post(`/api/v1/flash-sales/${saleId}/orders`, JSON.stringify({ customer, quantity: 1 }));
    const body = JSON.parse(res.body) as { error?: { code: string } };
    return { status: res.status, code: body.error?.code ?? '', ms: performance.now() - t0 };
  }));
  const wallSeconds = (performance.now() - started) / 1000;
  const cpu = cpuSeconds(platform.child.pid) - cpuBefore;
  const loadAfter = load();

  const byOutcome = new Map<string, number>();
  for (const r of results) byOutcome.set(`${r.status} ${r.code}`.trim(), (byOutcome.get(`${r.status} ${r.code}`.trim()) ?? 0) + 1);
  const latencies = results.map((r) => r.ms).sort((a, b) => a - b);
  const check = (await handle.pool.query<{ orders: number; over: number; remaining: number; buyers_over: number }>(`
    select (select count(*)::int from orders where tenant_id = $1) as orders,
           (select count(*)::int from (select customer_id from orders where tenant_id = $1 group by customer_id having count(*) > 1) x) as over,
           (select remaining from flash_sales where tenant_id = $1 and id = $2) as remaining,
           (select count(*)::int from flash_sale_buyers where tenant_id = $1 and sale_id = $2 and quantity > 1) as buyers_over`, [tenant.id, saleId])).rows[0];

  console.log(`flash sale: ${buyers} concurrent buyers (distinct customers), stock ${stock}, limit 1`);
  console.log(`responses: ${[...byOutcome].map(([k, v]) => `${k}: ${v}`).join(', ')}`);
  console.log(`orders created: ${check?.orders} (stock ${stock})  customers over the limit: ${(check?.over ?? 0) + (check?.buyers_over ?? 0)}  stock left: ${check?.remaining}`);
  console.log(`wall ${wallSeconds.toFixed(2)} s  ${(buyers / wallSeconds).toFixed(0)} requests/s  latency p50 ${pct(latencies, 50)} ms  p99 ${pct(latencies, 99)} ms  max ${pct(latencies, 100)} ms`);
  console.log(`server CPU ${cpu.toFixed(2)} s (${((cpu / buyers) * 1000).toFixed(2)} ms per request)  load average after: ${loadAfter}`);
  agent.destroy();
  if (check?.orders !== stock || (check.over ?? 0) > 0 || (check.buyers_over ?? 0) > 0) process.exitCode = 1;
} finally {
  if (platform) await stopPlatform(platform);
  await handle.close();
  if (server) await server.stop();
  if (tempDir) await rm(tempDir, { recursive: true, force: true });
}
