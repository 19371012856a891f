// Concurrent redemption of one coupon: R requests (default 50) redeem the same code at once, each
// for a different order, against a `yuchi start` process on loopback. Exactly one must succeed;
// the rest answer 409 coupon_already_redeemed. Repeats for --rounds coupons and prints the
// outcome, latency and the load average.
//
//   node --import tsx bench/coupon-redeem.ts [--requests 50] [--rounds 5] [--port 3986]
//
// DATABASE_URL (a fresh tenant is made there for each run), or its own embedded PostgreSQL in a
// temporary directory.
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createApiKey } from '../src/core/access/access.service.ts';
import { issueCoupons } from '../src/core/coupons/issue.service.ts';
import { createTemplate } from '../src/core/coupons/templates.service.ts';
import { newId } from '../src/core/ids.ts';
import { createTenant } from '../src/core/tenants/tenants.service.ts';
import { openDatabase } from '../src/db/connect.ts';
import { startEmbedded, type DatabaseServer } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';
import { startPlatform, stopPlatform } from './platform.ts';
import { load, pct } from './measure.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '5' },
    port: { type: 'string', default: '3986' },
  },
});
const requests = Number(values.requests);
const rounds = Number(values.rounds);

let server: DatabaseServer | undefined;
let tempDir: string | undefined;
let url = process.env.DATABASE_URL;
if (!url) {
  tempDir = await mkdtemp(path.join(tmpdir(), 'yuchi-bench-coupon-'));
  server = await startEmbedded(tempDir);
  url = server.url;
}
const handle = openDatabase(url, { max: 4, applicationName: 'yuchi-bench' });
let platform: Awaited<ReturnType<typeof startPlatform>> | undefined;
try {
  await migrate(handle.pool);
  const tenant = await createTenant(handle.db, { slug: `bench-coupon-${Date.now().toString(36)}`, name: '券核销压测' });
  const customerId = newId();
  await handle.pool.query(`insert into customers (tenant_id, id, name) values ($1, $2, '持券人')`, [tenant.id, customerId]);
  const template = await createTemplate(handle.db, tenant.id, { name: '立减5元', kind: 'amount', amountOffFen: 500, validDays: 7, perCustomerLimit: rounds }, 'bench');
  const issued = await issueCoupons(handle.db, tenant.id, template.id, [customerId], { requestKey: 'bench', source: 'api', actor: 'bench' });
  const codes = [issued.issued[0]?.code ?? ''];
  for (let i = 1; i < rounds; i++) codes.push((await issueCoupons(handle.db, tenant.id, template.id, [customerId], { requestKey: `bench-${i}`, source: 'api', actor: 'bench' })).issued[0]?.code ?? '');
  const key = (await createApiKey(handle.db, tenant.id, { role: 'operator', name: 'coupon bench' })).key;
  platform = await startPlatform(['node', 'bin/yuchi.mjs', 'start', '--no-demo', '--no-worker'], { DATABASE_URL: url, YUCHI_DEMO: '0' }, Number(values.port));
  const base = platform.url;
  const agent = new Agent({ keepAlive: true, maxSockets: requests });
  const post = (body: string): Promise<{ status: number; code: string }> => new Promise((resolve, reject) => {
    const req = request(`${base}/api/v1/coupons/redeem`, { method: 'POST', agent, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, code: (JSON.parse(text) as { error?: { code: string } }).error?.code ?? '' }));
    });
    req.on('error', reject);
    req.end(body);
  });

  console.log(`load average before: ${load()}`);
  let ok = true;
  const latencies: number[] = [];
  for (const [round, code] of codes.entries()) {
    const results = await Promise.all(Array.from({ length: requests }, async (_, i) => {
      const t0 = performance.now();
      const r = await post(JSON.stringify({ code, customer: customerId, order: { orderNo: `B${round}-${i}-${newId()}`, channel: 'pos', totalFen: 6000 } }));
      latencies.push(performance.now() - t0);
      return r;
    }));
    const succeeded = results.filter((r) => r.status === 200).length;
    const refused = results.filter((r) => r.status === 409 && r.code === 'coupon_already_redeemed').length;
    const stored = (await handle.pool.query<{ status: string; events: number }>(
      `select c.status, (select count(*)::int from events e where e.tenant_id = c.tenant_id and e.type = 'coupon_redeemed' and e.properties->>'code' = c.code) as events
         from coupons c where c.tenant_id = $1 and c.code = $2`, [tenant.id, code])).rows[0];
    console.log(`coupon ${code}: ${requests} concurrent redemptions → ${succeeded} succeeded, ${refused} refused coupon_already_redeemed; stored status ${stored?.status}, coupon_redeemed events ${stored?.events}`);
    if (succeeded !== 1 || refused !== requests - 1 || stored?.events !== 1) ok = false;
  }
  latencies.sort((a, b) => a - b);
  console.log(`${rounds} rounds: exactly one success each: ${ok ? 'yes' : 'NO'}  latency p50 ${pct(latencies, 50)} ms  p99 ${pct(latencies, 99)} ms  load average after: ${load()}`);
  agent.destroy();
  if (!ok) process.exitCode = 1;
} finally {
  if (platform) await stopPlatform(platform);
  await handle.close();
  if (server) await server.stop();
  if (tempDir) await rm(tempDir, { recursive: true, force: true });
}
