// Where one ingestion batch spends its CPU: each SQL statement's CPU in its PostgreSQL backend, and
// Node's CPU for the batch, measured in process (no HTTP) on sequential batches, so the figures hold
// on a busy machine (CPU time, not wall time).
//
//   node --import tsx bench/ingest-breakdown.ts --data-dir DIR [--batches 20] [--batch 1000] [--merge-share 1] [--customers 100000]
//
// DIR is an embedded PostgreSQL data directory seeded by bench/ingest.ts (`--data-dir DIR --seconds 0`
// seeds it and ingests nothing); the batches are those of bench/ingest.ts (bench/ingest-batches.ts).
// A statement's CPU is the growth of its backend's /proc/<pid>/schedstat run time (ns) from the
// moment it is sent until its result is back; Node's CPU is process.cpuUsage around ingestEvents,
// with JSON.parse of the body counted apart.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { Actor } from '../src/core/access/access.rules.ts';
import { ingestEvents } from '../src/core/ingest/ingest.service.ts';
import { getTenantBySlug } from '../src/core/tenants/tenants.service.ts';
import { openDatabase } from '../src/db/connect.ts';
import { startEmbedded } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';
import { batchMaker, loadPools, postgresCpuByKind } from './ingest-support.ts';
import { load } from './measure.ts';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    batches: { type: 'string', default: '20' },
    warm: { type: 'string', default: '3' },
    batch: { type: 'string', default: '1000' },
    customers: { type: 'string', default: '100000' },
    'merge-share': { type: 'string', default: '1' },
  },
});
const dataDir = values['data-dir'];
if (!dataDir) throw new Error('--data-dir DIR (seeded by bench/ingest.ts) is required');

/** CPU nanoseconds a process has run (first field of /proc/<pid>/schedstat). */
const runNs = (pid: number): number => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);

interface Cost { ns: number; calls: number; rows: number }
const byStatement = new Map<string, Cost>();
let measuring = false;
const shape = (text: string): string => text.replace('/* prepared */', '').replace(/\s+/g, ' ').trim().slice(0, 140);

// Every query of every pool client: the backend's run time before sending and after the result.
type Query = (...args: unknown[]) => unknown;
const original = pg.Client.prototype.query as unknown as Query;
(pg.Client.prototype as unknown as { query: Query }).query = function (this: pg.Client & { processID: number | null }, ...args: unknown[]): unknown {
  const first = args[0];
  const text = typeof first === 'string' ? first : typeof first === 'object' && first !== null && 'text' in first ? String(first.text) : '';
  const pid = this.processID;
  const result = original.apply(this, args);
  if (!measuring || !pid || !(result instanceof Promise)) return result;
  const before = runNs(pid);
  return result.then((r: unknown) => {
    const cost = byStatement.get(shape(text)) ?? { ns: 0, calls: 0, rows: 0 };
    cost.ns += runNs(pid) - before;
    cost.calls += 1;
    cost.rows += typeof r === 'object' && r !== null && 'rowCount' in r && typeof r.rowCount === 'number' ? r.rowCount : 0;
    byStatement.set(shape(text), cost);
    return r;
  });
};

const server = await startEmbedded(dataDir);
const handle = openDatabase(server.url, { max: 2, applicationName: 'yuchi-breakdown' });
try {
  // A directory seeded before later migrations is brought up to date (ingestion names their tables).
  await migrate(handle.pool);
  const tenant = await getTenantBySlug(handle.db, `bench-ingest-${Number(values.customers)}`);
  const pools = await loadPools(handle.pool, tenant.id);
  const maker = batchMaker(pools, { size: Number(values.batch), mergeShare: Math.min(5, Math.max(0, Number(values['merge-share']))) / 100 });
  const actor: Actor = { tenantId: tenant.id, tenantSlug: tenant.slug, tenantName: tenant.name, timezone: tenant.timezone, role: 'operator', staffId: null, userId: null, apiKeyId: null, name: 'breakdown' };
  const batches = Number(values.batches);
  const warm = Number(values.warm);
  let nodeUs = 0;
  let nodeSystemUs = 0;
  let parseUs = 0;
  let events = 0;
  console.log(`load average before: ${load()}; ${warm} warm-up batches, then ${batches} measured`);
  let kinds0 = new Map<string, number>();
  for (let b = 0; b < warm + batches; b++) {
    const body = JSON.stringify(maker.next());
    measuring = b >= warm;
    if (b === warm) kinds0 = postgresCpuByKind(dataDir);
    const c0 = process.cpuUsage();
    const parsed = JSON.parse(body) as { events: unknown[] };
    const c1 = process.cpuUsage();
    const result = await ingestEvents(handle.db, actor, parsed.events);
    const c2 = process.cpuUsage();
    if (!measuring) continue;
    parseUs += c1.user + c1.system - c0.user - c0.system;
    nodeUs += c2.user + c2.system - c1.user - c1.system;
    nodeSystemUs += c2.system - c1.system;
    events += result.accepted;
  }
  measuring = false;
  // Background work the batches caused (autovacuum of their rows, WAL writing) lands a little later.
  await new Promise((r) => setTimeout(r, 2000));
  const kinds1 = postgresCpuByKind(dataDir);
  const kindCost = [...kinds1].map(([k, v]) => [k, v - (kinds0.get(k) ?? 0)] as const).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]);
  const rows = [...byStatement].sort((a, b) => b[1].ns - a[1].ns);
  const totalNs = rows.reduce((n, [, c]) => n + c.ns, 0);
  const perBatch = (ns: number): string => (ns / 1e6 / batches).toFixed(1).padStart(6);
  const statements = rows.reduce((n, [, c]) => n + c.calls, 0) / batches;
  console.log(`${batches} batches, ${events} events accepted; per batch: ${statements.toFixed(1)} statements, PostgreSQL backend CPU ${perBatch(totalNs)} ms, Node ${(nodeUs / 1e3 / batches).toFixed(1)} ms (of which kernel ${(nodeSystemUs / 1e3 / batches).toFixed(1)} ms; + JSON.parse ${(parseUs / 1e3 / batches).toFixed(1)} ms)`);
  console.log(`load average after: ${load()}`);
  console.log(`PostgreSQL processes' CPU per batch (incl. 2 s after): ${kindCost.map(([k, v]) => `${k} ${(v * 1000 / batches).toFixed(1)} ms`).join(', ')}`);
  console.log('backend CPU per batch, by statement:');
  for (const [text, c] of rows.slice(0, 40)) {
    console.log(`${perBatch(c.ns)} ms ${(c.calls / batches).toFixed(1).padStart(5)} calls ${(c.rows / Math.max(1, c.calls)).toFixed(0).padStart(5)} rows/call  ${text}`);
  }
} finally {
  await handle.close();
  await server.stop();
}
