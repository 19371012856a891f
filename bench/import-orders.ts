// Import of a large orders file through `yuchi import orders`, as a user runs it, into a fresh
// embedded PostgreSQL: generates a deterministic CSV (one row per order line, 1–3 lines per
// order, ~300,000 customers by phone, 40 stores, 5 channels), imports it, prints rows/s, the time
// split (reading and checking rows vs the database, which overlap) and the command's peak RSS.
// Run: npx tsx bench/import-orders.ts [--rows 1000000] [--customers 300000] [--batch-size 5000] [--keep]
import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { startEmbedded } from '../src/db/embedded.ts';
import { openDatabase } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { createTenant } from '../src/core/tenants/tenants.service.ts';
import { newId } from '../src/core/ids.ts';
import { ROOT } from './platform.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? fallback : fallback;
}

const rows = Number(arg('rows', '1000000'));
const customers = Number(arg('customers', '300000'));
const batchSize = arg('batch-size', '5000');
const keep = process.argv.includes('--keep');
const STORES = 40;

/** mulberry32: small, fast and the same on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');
const CHANNELS = ['门店', '门店', '小程序', '电商', '接龙'];
const SKUS = Array.from({ length: 200 }, (_, i) => ({ sku: `SKU-${pad(i, 4)}`, name: `商品${i}`, priceFen: 500 + ((i * 7919) % 30_000) }));

async function generate(file: string): Promise<{ orders: number; bytes: number }> {
  const random = prng(20_260_501);
  const out = createWriteStream(file);
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write('订单号,手机号,下单时间,门店编码,渠道,订单金额,实付金额,sku,商品名称,数量,单价\n');
  const start = Date.UTC(2024, 5, 1) / 1000;
  const span = 2 * 365 * 86_400;
  let written = 0;
  let orders = 0;
  let chunk = '';
  while (written < rows) {
    orders++;
    const lines = Math.min(rows - written, 1 + Math.floor(random() * random() * 3));
    const phone = `139${pad(Math.floor(random() * customers), 8)}`;
    const at = new Date((start + Math.floor(random() * span)) * 1000 + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
    const store = `ST-${pad(1 + Math.floor(random() * STORES), 3)}`;
    const channel = CHANNELS[Math.floor(random() * CHANNELS.length)] ?? '门店';
    const items = Array.from({ length: lines }, () => {
      const s = SKUS[Math.floor(random() * SKUS.length)] ?? SKUS[0];
      return { s, qty: 1 + Math.floor(random() * random() * 4) };
    });
    const totalFen = items.reduce((n, i) => n + (i.s?.priceFen ?? 0) * i.qty, 0);
    const paidFen = totalFen - Math.floor(totalFen * 0.1 * Math.floor(random() * 2));
    const yuan = (fen: number): string => `${Math.floor(fen / 100)}.${pad(fen % 100, 2)}`;
    items.forEach((i, n) => {
      const head = n === 0 ? `${phone},${at},${store},${channel},${yuan(totalFen)},${yuan(paidFen)}` : ',,,,,';
      chunk += `BO-${pad(orders, 8)},${head},${i.s?.sku},${i.s?.name},${i.qty},${yuan(i.s?.priceFen ?? 0)}\n`;
    });
    written += lines;
    if (chunk.length > 1 << 20) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(chunk);
  out.end();
  await once(out, 'finish');
  return { orders, bytes: (await stat(file)).size };
}

const dataDir = await mkdtemp(path.join(tmpdir(), 'yuchi-bench-import-'));
const server = await startEmbedded(dataDir);
try {
  const handle = openDatabase(server.url, { max: 2 });
  await migrate(handle.pool);
  const tenant = await createTenant(handle.db, { slug: 'bench-import', name: 'Import bench' });
  await handle.db.insertInto('stores').values(Array.from({ length: STORES }, (_, i) => ({
    tenant_id: tenant.id, id: newId(), code: `ST-${pad(i + 1, 3)}`, name: `门店 ${i + 1}`,
  }))).execute();
  await handle.close();

  const file = path.join(dataDir, 'orders.csv');
  const genStarted = performance.now();
  const generated = await generate(file);
  console.log(`generated ${rows.toLocaleString('en')} rows (${generated.orders.toLocaleString('en')} orders, ~${customers.toLocaleString('en')} customers), ${(generated.bytes / 1e6).toFixed(0)} MB in ${((performance.now() - genStarted) / 1000).toFixed(1)} s`);

  const started = performance.now();
  const { stdout, stderr } = await promisify(execFile)('node', ['bin/yuchi.mjs', 'import', 'orders', file, '--tenant', 'bench-import', '--batch-size', batchSize, '--json'], {
    cwd: ROOT, env: { ...process.env, YUCHI_DATA_DIR: dataDir, DATABASE_URL: '' }, maxBuffer: 64 * 1024 * 1024,
  }).catch((err: unknown) => {
    const e = err as { stdout?: string; stderr?: string };
    throw new Error(`the import failed:\n${e.stderr ?? ''}${(e.stdout ?? '').slice(0, 2000)}`);
  });
  const wallMs = performance.now() - started;
  if (stderr.trim()) console.log(stderr.trim());
  const s = JSON.parse(stdout) as {
    rowsRead: number; rowsImported: number; rowsRejected: number; created: number; duplicates: number;
    timings: { totalMs: number; readingMs: number; waitingMs: number; databaseMs: number }; rowsPerSecond: number; peakRssMb: number;
  };
  const check = openDatabase(server.url, { max: 1 });
  const counts = await check.db.selectFrom('orders').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenant.id).executeTakeFirstOrThrow();
  const people = await check.db.selectFrom('customers').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenant.id).executeTakeFirstOrThrow();
  await check.close();
  const sec = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  console.log(`imported: ${s.rowsImported.toLocaleString('en')} of ${s.rowsRead.toLocaleString('en')} rows, ${s.rowsRejected} rejected; ${Number(counts.n).toLocaleString('en')} orders and ${Number(people.n).toLocaleString('en')} customers in the database`);
  console.log(`import: ${sec(s.timings.totalMs)} → ${s.rowsPerSecond.toLocaleString('en')} rows/s (${Math.round(generated.orders / (s.timings.totalMs / 1000)).toLocaleString('en')} orders/s); whole command incl. start-up ${sec(wallMs)}`);
  console.log(`time split (the two overlap): reading and checking rows ${sec(s.timings.readingMs)}, waiting for the database ${sec(s.timings.waitingMs)}; database writes ${sec(s.timings.databaseMs)}`);
  console.log(`peak RSS of the import command: ${s.peakRssMb} MB`);
} finally {
  await server.stop();
  if (!keep) await rm(dataDir, { recursive: true, force: true });
  else console.log(`kept ${dataDir}`);
}
