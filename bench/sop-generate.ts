// SOP generation for 10,000 groups and one day of slots.
//
//   DATABASE_URL=... node --import tsx bench/sop-generate.ts [--groups 10000] [--date 2026-12-01]
//
// Creates (or re-creates) its own tenant `sop-bench-10k` with 50 stores, 500 guides and the groups
// (70% value, 20% interest, 10% VIP), and three plans from the ready-made templates: 百果园's daily
// rhythm on value groups (4 daily slots, one of them automatic, + Tuesday member day), the interest
// community plan and the eight levers on VIP groups. Then generates one whole local day (a Tuesday by
// default) in one call — every slot's runs and guide tasks; automatic slots go to the channel when one
// is registered, else fall back to tasks — and prints the wall time, this process's CPU time, the
// PostgreSQL backends' CPU time (when the server runs on this machine) and the rows written; then runs
// the same day again, which must write nothing. Touches no other tenant.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { newId } from '../src/core/ids.ts';
import { generateSopWork } from '../src/core/sop/generate.service.ts';
import { applyTemplate } from '../src/core/sop/templates.service.ts';
import { createTenant } from '../src/core/tenants/tenants.service.ts';
import { startOfLocalDay, nextDate } from '../src/core/time.ts';
import { openDatabase } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { load } from './measure.ts';

const SLUG = 'sop-bench-10k';
const { values } = parseArgs({ options: { groups: { type: 'string', default: '10000' }, date: { type: 'string', default: '2026-12-01' } } });
const groupCount = Number(values.groups);
const date = values.date ?? '2026-12-01';
const url = process.env.DATABASE_URL;
if (!url) throw new Error('set DATABASE_URL');

function backendCpuMs(pids: number[]): number | undefined {
  let total = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      total += ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
    } catch {
      return undefined;
    }
  }
  return total;
}

const handle = openDatabase(url, { max: 2, applicationName: 'sop-generate-bench' });
const db = handle.db;
try {
  await migrate(handle.pool);
  const old = await db.selectFrom('tenants').select('id').where('slug', '=', SLUG).executeTakeFirst();
  if (old) await db.deleteFrom('tenants').where('id', '=', old.id).execute();
  const tenant = await createTenant(db, { slug: SLUG, name: 'SOP 生成基准' });
  const stores = Array.from({ length: 50 }, (_, i) => ({ tenant_id: tenant.id, id: newId(), code: `S${i}`, name: `门店 ${i + 1}` }));
  await db.insertInto('stores').values(stores).execute();
  const staff = Array.from({ length: 500 }, (_, i) => ({ tenant_id: tenant.id, id: newId(), store_id: stores[i % 50]?.id ?? null, name: `导购 ${i + 1}`, wecom_user_id: `guide.${i}` }));
  await db.insertInto('staff').values(staff).execute();
  const kindOf = (i: number) => (i % 10 < 7 ? 'value' as const : i % 10 < 9 ? 'interest' as const : 'vip' as const);
  for (let i = 0; i < groupCount; i += 2000) {
    await db.insertInto('customer_groups').values(Array.from({ length: Math.min(2000, groupCount - i) }, (_, j) => {
      const n = i + j;
      const owner = staff[n % staff.length];
      return { tenant_id: tenant.id, id: newId(), chat_id: `wrBench${n}`, name: `社群 ${n + 1}`, kind: kindOf(n), owner_staff_id: owner?.id ?? null, store_id: owner?.store_id ?? null };
    })).execute();
  }
  await applyTemplate(db, tenant.id, 'fruit-daily-rhythm', { target: { kind: 'group_kind', groupKind: 'value' } }, 'bench');
  await applyTemplate(db, tenant.id, 'interest-community', { target: { kind: 'group_kind', groupKind: 'interest' } }, 'bench');
  await applyTemplate(db, tenant.id, 'eight-levers', { target: { kind: 'group_kind', groupKind: 'vip' } }, 'bench');

  const from = startOfLocalDay(date, tenant.timezone);
  const to = startOfLocalDay(nextDate(date), tenant.timezone);
  const windows = { task: { from, to }, auto: { from, to } };
  console.log(`tenant ${SLUG}: ${groupCount.toLocaleString('en')} groups, 3 plans, local day ${date} (${tenant.timezone}); load ${load()}`);

  // Generation runs on one pinned connection, so one backend's CPU time covers all its SQL.
  await db.connection().execute(async (conn) => { for (const label of ['first run', 're-run (idempotent)']) {
    const pids = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(conn)).rows.map((r) => r.pid);
    const cpu0 = process.cpuUsage();
    const pg0 = backendCpuMs(pids);
    const t0 = performance.now();
    const result = await generateSopWork(conn, tenant.id, from, { windows });
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const pg1 = backendCpuMs(pids);
    const pgCpu = pg0 !== undefined && pg1 !== undefined ? `${(pg1 - pg0).toFixed(0)} ms` : 'n/a';
    console.log(`${label}: ${wall.toFixed(0)} ms wall; node CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms; PostgreSQL backend CPU ${pgCpu}; `
      + `runs ${result.runs.toLocaleString('en')}, tasks ${result.tasks.toLocaleString('en')}, sent ${result.sent}, fell back ${result.fallbacks.toLocaleString('en')}; load ${load()}`);
  } });
  const rows = await sql<{ runs: number; tasks: number }>`
    select (select count(*)::int from sop_runs where tenant_id = ${tenant.id}) as runs,
           (select count(*)::int from guide_tasks where tenant_id = ${tenant.id}) as tasks`.execute(db);
  console.log(`rows in the tenant: sop_runs ${rows.rows[0]?.runs.toLocaleString('en')}, guide_tasks ${rows.rows[0]?.tasks.toLocaleString('en')}`);
} finally {
  await handle.close();
}
