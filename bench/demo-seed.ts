// How fast the demo world loads: seeds a fresh tenant and prints rows, seconds and rows/s per
// table. Uses DATABASE_URL, or its own embedded PostgreSQL in a new temporary directory that is
// removed afterwards.
//
//   node --import tsx bench/demo-seed.ts [--customers 1000000] [--months 12] [--seed 1] [--per-row-keys] [--chatter]
//
// --chatter then writes the timeline and the groups' chatter as the first-boot demo does (5,000
// customers there) and prints their time; --activity then applies the shopping playbook and writes
// the demo's weeks of use (demo-activity.service.ts), as the first-boot demo does, and prints their
// time (wall, Node CPU, and the CPU of the PostgreSQL processes alive at the end).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/db/connect.ts';
import { startEmbedded, type DatabaseServer } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';
import { createTenant } from '../src/core/tenants/tenants.service.ts';
import { seedDemo } from '../src/core/demo/demo.service.ts';
import { seedDemoChatter } from '../src/core/demo/demo-chatter.service.ts';
import { writeDemoTimeline } from '../src/core/demo/demo-timeline.ts';
import { seedDemoActivity } from '../src/core/demo/demo-activity.service.ts';
import { applyPlaybook } from '../src/core/playbooks/playbooks.service.ts';
import { readdirSync, readFileSync } from 'node:fs';
import { cpuSeconds, load } from './measure.ts';

/** CPU seconds of the PostgreSQL server's live processes (the postmaster's children, on this machine). */
async function postgresCpu(pool: { query: (q: string) => Promise<{ rows: { pid: number }[] }> }): Promise<number> {
  const backend = (await pool.query('select pg_backend_pid() as pid')).rows[0]?.pid;
  const parentOf = (pid: string): string => readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1] ?? '';
  const postmaster = backend === undefined ? '' : parentOf(String(backend));
  let total = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (parentOf(pid) === postmaster) total += cpuSeconds(Number(pid));
    } catch { /* gone meanwhile */ }
  }
  return total;
}

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '1000000' },
    months: { type: 'string', default: '12' },
    seed: { type: 'string', default: '1' },
    'per-row-keys': { type: 'boolean', default: false },
    chatter: { type: 'boolean', default: false },
    activity: { type: 'boolean', default: false },
  },
});
const customers = Number(values.customers);
const months = Number(values.months);
const seed = Number(values.seed);

let server: DatabaseServer | undefined;
let dataDir: string | undefined;
let url = process.env.DATABASE_URL;
if (!url) {
  dataDir = await mkdtemp(path.join(tmpdir(), 'yuchi-bench-demo-'));
  server = await startEmbedded(dataDir);
  url = server.url;
}
const handle = openDatabase(url, { max: 4, applicationName: 'yuchi-bench' });
try {
  await migrate(handle.pool);
  const tenant = await createTenant(handle.db, { slug: `bench-${Date.now().toString(36)}`, name: '演示压测' });
  let lastLine = 0;
  const result = await seedDemo(handle, {
    tenantId: tenant.id,
    customers,
    months,
    seed,
    perRowKeyChecks: values['per-row-keys'],
    onProgress: ({ phase, done, total }) => {
      const now = Date.now();
      if (now - lastLine < 5000 && phase === 'customers' && done < total) return;
      lastLine = now;
      process.stderr.write(`  ${phase} ${done.toLocaleString('en')}/${total.toLocaleString('en')}\n`);
    },
  });

  const t = result.timings;
  const tables: [string, number, number][] = [
    ['stores', result.stores, t.stores],
    ['staff', result.staff, t.staff],
    ['customers', result.customers, t.customers],
    ['customer_identities', result.identities, t.identities],
    ['orders', result.orders, t.orders],
    ['order_items', result.orderItems, t.orderItems],
  ];
  const total = tables.reduce((s, [, rows]) => s + rows, 0);
  const sizes = await handle.pool.query<{ table: string; bytes: number }>(
    `select relname as table, pg_total_relation_size(oid)::bigint as bytes from pg_class
      where relname = any($1) and relkind = 'r'`,
    [tables.map(([name]) => name)],
  );
  const size = new Map(sizes.rows.map((r) => [r.table, Number(r.bytes)]));
  const fmt = (n: number): string => Math.round(n).toLocaleString('en');

  console.log(`demo seed: ${fmt(customers)} customers, ${months} months (${result.from} – ${result.to}), seed ${seed}`);
  console.log(`foreign keys: ${result.keysCheckedAtEnd ? 'checked set-wise before commit' : 'checked row by row'}`);
  console.log('table                       rows   COPY s      rows/s     on disk');
  for (const [name, rows, seconds] of tables) {
    const perSecond = seconds > 0 ? fmt(rows / seconds) : '-';
    console.log(`${name.padEnd(20)} ${fmt(rows).padStart(11)} ${seconds.toFixed(1).padStart(8)} ${perSecond.padStart(11)} ${`${fmt((size.get(name) ?? 0) / 1048576)} MB`.padStart(11)}`);
  }
  console.log(`generator (overlaps the COPYs)  ${t.generate.toFixed(1)} s`);
  if (values.chatter) {
    const t0 = performance.now();
    await writeDemoTimeline(handle.db, tenant.id);
    const t1 = performance.now();
    const cpu0 = cpuSeconds(process.pid);
    const chatter = await seedDemoChatter(handle.db, tenant.id, { seed });
    console.log(`timeline ${((t1 - t0) / 1000).toFixed(1)} s; chatter: ${chatter.messages} messages in ${chatter.groups} groups (${JSON.stringify(chatter.intents)}) in ${chatter.seconds.toFixed(1)} s wall, ${(cpuSeconds(process.pid) - cpu0).toFixed(1)} s Node CPU; health ${JSON.stringify(chatter.health)}; load average ${load()}`);
  }
  if (values.activity) {
    const t0 = performance.now();
    const cpu0 = cpuSeconds(process.pid);
    const pg0 = await postgresCpu(handle.pool);
    await applyPlaybook(handle.db, {
      tenantId: tenant.id, tenantSlug: tenant.slug, tenantName: tenant.name, timezone: tenant.timezone,
      role: 'admin', staffId: null, userId: null, apiKeyId: null, name: '演示管理员',
    }, 'shopping');
    const t1 = performance.now();
    const activity = await seedDemoActivity(handle, tenant.id, { model: 'shopping', seed });
    console.log(`playbook ${((t1 - t0) / 1000).toFixed(1)} s; activity ${activity.seconds.toFixed(1)} s wall, playbook + activity ${(cpuSeconds(process.pid) - cpu0).toFixed(1)} s Node CPU + ${((await postgresCpu(handle.pool)) - pg0).toFixed(1)} s PostgreSQL CPU; load average ${load()}`);
    console.log(`activity: ${JSON.stringify({ ...activity, seconds: undefined, timings: undefined })}`);
    console.log(`activity steps (s): ${JSON.stringify(activity.timings)}`);
  }
  console.log(`key check ${t.keyCheck.toFixed(1)} s, commit ${t.commit.toFixed(1)} s, analyze ${t.analyze.toFixed(1)} s`);
  console.log(`total ${fmt(total)} rows in ${result.seconds.toFixed(1)} s = ${fmt(total / result.seconds)} rows/s`);
  console.log(`peak resident memory of this process: ${fmt(process.resourceUsage().maxRSS / 1024)} MB`);
} finally {
  await handle.close();
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}
