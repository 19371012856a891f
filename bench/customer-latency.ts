// Latency of GET /api/v1/customers/:id at a fixed 500 requests/s from a load tool (autocannon) on
// loopback, against a running `yuchi start` on a seeded tenant. The load runs in this process; the
// server in its own.
// Run: npx tsx bench/customer-latency.ts [--customers 100000] [--rate 500] [--seconds 30] [--data-dir DIR]
// With --data-dir the seeded data is kept and reused by the next run.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import autocannon from 'autocannon';
import pg from 'pg';
import { ROOT, startPlatform, stopPlatform } from './platform.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? fallback : fallback;
}

const customers = Number(arg('customers', '100000'));
const rate = Number(arg('rate', '500'));
const duration = Number(arg('seconds', '30'));
const dataDir = arg('data-dir', '') || (await mkdtemp(path.join(tmpdir(), 'yuchi-bench-latency-')));
const env = { YUCHI_DATA_DIR: dataDir, YUCHI_DEMO: '0' };
const yuchi = (args: string[]): string => execFileSync('node', ['bin/yuchi.mjs', ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });

const port = 3990;
const platform = await startPlatform(['node', 'bin/yuchi.mjs', 'start', '--no-demo'], env, port);
try {
  const tenants = JSON.parse(yuchi(['tenant', 'create', '--slug', `bench-${customers}`, '--name', 'Bench', '--json']).trim() || '{}') as { id?: string };
  if (tenants.id) {
    console.log(`seeding ${customers.toLocaleString('en')} customers ...`);
    yuchi(['demo', 'seed', '--tenant', `bench-${customers}`, '--customers', String(customers), '--json']);
  }
} catch {
  // the tenant exists already in a reused data dir
}
const key = (JSON.parse(yuchi(['apikey', 'create', '--tenant', `bench-${customers}`, '--role', 'admin', '--json'])) as { key: string }).key;

// Customer ids to ask for, drawn at random from the tenant.
const config = JSON.parse(await (await import('node:fs/promises')).readFile(path.join(dataDir, 'yuchi.json'), 'utf8')) as { port: number; user: string; password: string; database: string };
const client = new pg.Client({ host: '127.0.0.1', port: config.port, user: config.user, password: config.password, database: config.database });
await client.connect();
const ids = (await client.query<{ id: string }>(
  `select c.id from customers c join tenants t on t.id = c.tenant_id where t.slug = $1 order by random() limit 20000`, [`bench-${customers}`])).rows.map((r) => r.id);
await client.end();
console.log(`${ids.length.toLocaleString('en')} customer ids sampled; ${rate} requests/s for ${duration} s`);

let n = 0;
const result = await autocannon({
  url: platform.url,
  connections: 50,
  overallRate: rate,
  duration,
  headers: { authorization: `Bearer ${key}` },
  requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/api/v1/customers/${ids[n++ % ids.length] ?? ''}` }) }],
});
await stopPlatform(platform);
const l = result.latency;
console.log(`GET /api/v1/customers/:id at ${rate}/s offered: ${result.requests.total} requests, ${result.non2xx} non-2xx, ${result.errors} errors`);
console.log(`latency ms: p50 ${l.p50}  p90 ${l.p90}  p99 ${l.p99}  max ${l.max}  (mean ${l.average.toFixed(2)})`);
console.log(`achieved ${result.requests.average.toFixed(0)} requests/s`);
