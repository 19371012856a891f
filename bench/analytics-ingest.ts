// What the analytics rollup triggers on orders (migration 0037) cost ingestion: batches of orders
// recorded through the real order path (recordOrders: orders, lines, customer aggregates, points)
// into a fresh embedded PostgreSQL, alternating batches with the rollup triggers enabled and
// disabled, then a batch of refunds each way. Prints per kind the median wall time and PostgreSQL
// backend CPU per batch (one connection, read from /proc) and the difference.
//
//   npx tsx bench/analytics-ingest.ts [--batches 20] [--batch-size 1000] [--customers 20000]
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { openDatabase } from '../src/db/connect.ts';
import { startEmbedded } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';
import { newId } from '../src/core/ids.ts';
import { recordOrders } from '../src/core/orders/record.service.ts';
import type { OrderInput } from '../src/core/orders/record.rules.ts';
import { createTenant } from '../src/core/tenants/tenants.service.ts';

const { values } = parseArgs({ options: { batches: { type: 'string', default: '20' }, 'batch-size': { type: 'string', default: '1000' }, customers: { type: 'string', default: '20000' } } });
const batches = Number(values.batches);
const size = Number(values['batch-size']);
const customers = Number(values.customers);
const TRIGGERS = ['orders_analytics_insert', 'orders_analytics_update', 'orders_analytics_delete'];

function backendCpu(pid: number): number {
  const file = `/proc/${pid}/stat`;
  if (!existsSync(file)) return Number.NaN;
  const fields = readFileSync(file, 'utf8').replace(/^.*\) /, '').split(' ').map(Number);
  return ((fields[11] ?? 0) + (fields[12] ?? 0)) * 10;
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

const dataDir = await mkdtemp(path.join(tmpdir(), 'yuchi-bench-analytics-ingest-'));
const server = await startEmbedded(dataDir);
try {
  const migrating = openDatabase(server.url, { max: 2 });
  await migrate(migrating.pool);
  await migrating.close();
  const handle = openDatabase(server.url, { max: 1, applicationName: 'yuchi-bench-analytics-ingest' });
  const db = handle.db;
  const tenant = await createTenant(db, { slug: `ingest-${Date.now().toString(36)}`, name: 'Ingest bench' });
  const stores = Array.from({ length: 20 }, () => newId());
  await sql`insert into stores (tenant_id, id, code, name) select ${tenant.id}, id, 'S' || ord, '门店' || ord
    from unnest(${stores}::uuid[]) with ordinality as s(id, ord)`.execute(db);
  const pid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db)).rows[0]?.pid ?? 0;
  const channels = ['pos', 'miniprogram', 'ecommerce'] as const;
  let seq = 0;
  const batchOf = (): OrderInput[] => Array.from({ length: size }, () => {
    seq += 1;
    const paid = 1_000 + (seq * 7919) % 50_000;
    return {
      orderNo: `o-${seq}`, customer: { externalUserId: `c-${(seq * 104_729) % customers}` }, storeId: stores[seq % stores.length],
      channel: channels[seq % channels.length] ?? 'pos', totalFen: paid, paidFen: paid,
      orderedAt: new Date(Date.UTC(2026, 0, 1) + ((seq * 2_654_435_761) % (330 * 86_400_000))).toISOString(),
      items: [{ sku: `K${seq % 50}`, name: '商品', quantity: 1, unitPriceFen: paid }],
    };
  });
  const setTriggers = async (on: boolean): Promise<void> => {
    for (const t of TRIGGERS) await sql`alter table orders ${sql.raw(on ? 'enable' : 'disable')} trigger ${sql.ref(t)}`.execute(db);
  };
  // warm-up: customers created, caches filled
  for (let i = 0; i < 3; i++) await recordOrders(db, tenant.id, batchOf(), { source: 'bench' });
  const figures: Record<string, { wall: number[]; cpu: number[] }> = { 'with triggers': { wall: [], cpu: [] }, 'without triggers': { wall: [], cpu: [] } };
  const recorded: OrderInput[][] = [];
  for (let i = 0; i < batches; i++) {
    const on = i % 2 === 0;
    await setTriggers(on);
    const batch = batchOf();
    recorded.push(batch);
    const cpu0 = backendCpu(pid);
    const t0 = performance.now();
    const r = await recordOrders(db, tenant.id, batch, { source: 'bench' });
    const wall = performance.now() - t0;
    if (r.created !== size) throw new Error(`batch ${i}: ${r.created} created`);
    const f = figures[on ? 'with triggers' : 'without triggers'];
    f?.wall.push(wall);
    f?.cpu.push(backendCpu(pid) - cpu0);
  }
  // refunds of a batch's orders (half partial, half full)
  const refunds: Record<string, { wall: number[]; cpu: number[] }> = { 'with triggers': { wall: [], cpu: [] }, 'without triggers': { wall: [], cpu: [] } };
  for (let i = 0; i < Math.min(recorded.length, 6); i++) {
    const on = i % 2 === 0;
    await setTriggers(on);
    const batch = (recorded[i] ?? []).map((o, j) => ({ ...o, refundedFen: j % 2 === 0 ? o.paidFen : Math.floor(o.paidFen / 2) }));
    const cpu0 = backendCpu(pid);
    const t0 = performance.now();
    await recordOrders(db, tenant.id, batch, { source: 'bench' });
    const f = refunds[on ? 'with triggers' : 'without triggers'];
    f?.wall.push(performance.now() - t0);
    f?.cpu.push(backendCpu(pid) - cpu0);
  }
  await setTriggers(true);
  console.log(`${batches} batches of ${size} new orders (${customers.toLocaleString('en')} customers), alternating; load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  for (const [title, rows] of [['new orders', figures], ['refunds', refunds]] as const) {
    const on = rows['with triggers'] ?? { wall: [], cpu: [] };
    const off = rows['without triggers'] ?? { wall: [], cpu: [] };
    console.log(`${title.padEnd(11)} per batch of ${size}: with triggers ${median(on.wall).toFixed(0)} ms wall, ${median(on.cpu).toFixed(0)} ms pg cpu; `
      + `without ${median(off.wall).toFixed(0)} ms wall, ${median(off.cpu).toFixed(0)} ms pg cpu; `
      + `trigger share of pg cpu ${(((median(on.cpu) - median(off.cpu)) / median(on.cpu)) * 100).toFixed(0)}% (medians of ${on.wall.length} and ${off.wall.length})`);
  }
  await handle.close();
} finally {
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
}
