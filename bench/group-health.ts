// Group health at 百果园's scale: 25,000 groups with 90 days of messages (~50 M group_messages rows),
// then the recompute of every group's weekly figures and classification, timed.
//   npx tsx bench/group-health.ts                      # own embedded PostgreSQL in /tmp/yuchi-groupbench (kept for reruns)
//   DATABASE_URL=postgres://... npx tsx bench/group-health.ts [--groups 25000] [--days 90] [--runs 2] [--regenerate]
// Data is generated in SQL (generate_series, one statement per day so rows lie in time order as
// ingestion would write them) into its own tenant `groupbench`; nothing else is touched. Each group
// has a character — dead, spam, owner-talks (chicken rib) or lively (value) — so the classes spread.
// On its own server the load skips foreign-key triggers and builds the message indexes after the
// timed recomputes (which only scan). A rerun finds the tenant's messages and goes straight to timing.
import { openDatabase } from '../src/db/connect.ts';
import { startEmbedded, type DatabaseServer } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';
import { recomputeGroupHealth } from '../src/core/groups/health.service.ts';
import { createTenant, findTenantBySlug } from '../src/core/tenants/tenants.service.ts';
import { load } from './measure.ts';

const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const GROUPS = arg('groups', 25_000);
const DAYS = arg('days', 90);
const RUNS = arg('runs', 2);
const CUSTOMERS = Math.max(1_000, GROUPS * 20);
const REGENERATE = process.argv.includes('--regenerate');
const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

let server: DatabaseServer | undefined;
let url = process.env.DATABASE_URL;
if (!url) {
  server = await startEmbedded('/tmp/yuchi-groupbench');
  url = server.url;
}
const handle = openDatabase(url, { max: 2, applicationName: 'bench-group-health' });
const q = async (text: string, values: unknown[] = []): Promise<number> => (await handle.pool.query(text, values)).rowCount ?? 0;

try {
  await migrate(handle.pool);
  const slug = `groupbench-${GROUPS}`;
  let tenant = await findTenantBySlug(handle.db, slug);
  const generated = tenant ? await q('select 1 from group_messages where tenant_id = $1 limit 1', [tenant.id]) : 0;
  if (tenant && (REGENERATE || generated === 0)) {
    await q('delete from group_messages where tenant_id = $1', [tenant.id]);
    await q('delete from tenants where id = $1', [tenant.id]);
    tenant = undefined;
  }
  if (!tenant) {
    tenant = await createTenant(handle.db, { slug, name: '百果园 (group bench)' });
    await generate(tenant.id);
  }
  const t = tenant.id;
  const rows = await handle.pool.query<{ groups: string; members: string; messages: string }>(
    `select (select count(*) from customer_groups where tenant_id = $1) as groups, (select count(*) from group_members where tenant_id = $1) as members,
            (select count(*) from group_messages where tenant_id = $1) as messages`, [t]);
  const r = rows.rows[0];
  console.log(`tenant ${slug}: ${Number(r?.groups).toLocaleString('en')} groups, ${Number(r?.members).toLocaleString('en')} memberships, ${Number(r?.messages).toLocaleString('en')} group messages over ${DAYS} days`);
  // Planner statistics only: the first recompute reads pages never read before (hint bits), the
  // second shows the steady state.
  await q('analyze group_messages');
  for (const table of ['customer_groups', 'group_members', 'group_member_changes', 'group_health_weeks']) await q(`analyze ${table}`);

  // Judge as of the last generated day (a run stopped early, or data generated days ago, still
  // has its last complete week); this scan also reads every page once before the timed runs.
  const latest = await handle.pool.query<{ at: Date | null }>('select max(sent_at) as at from group_messages where tenant_id = $1', [t]);
  const lastAt = latest.rows[0]?.at ?? new Date();
  const now = new Date(Math.min(Date.now(), lastAt.getTime() + 86_400_000));
  console.log(`judged as of ${now.toISOString()}`);
  const weeksAll = Math.ceil(DAYS / 7) + 1;
  for (const weeks of [weeksAll, 2]) {
    for (let run = 1; run <= RUNS; run++) {
      const before = load();
      const cpu = process.cpuUsage();
      const pgCpu = await backendCpu();
      const started = performance.now();
      const result = await recomputeGroupHealth(handle.db, t, { weeks, now });
      const wall = performance.now() - started;
      const used = process.cpuUsage(cpu);
      const classes = await handle.pool.query<{ class: string; n: string }>('select class, count(*) as n from group_health where tenant_id = $1 group by 1 order by 1', [t]);
      console.log(`\nrecompute ${weeks} weeks, run ${run}: ${s(wall)} wall (load before ${before}, after ${load()}); Node CPU ${s((used.user + used.system) / 1000)}; PostgreSQL CPU ~${pgCpu === null ? '?' : s(((await backendCpu()) ?? 0) * 1000 - pgCpu * 1000)}`);
      console.log(`  ${result.groups.toLocaleString('en')} groups, ${result.weekRows.toLocaleString('en')} week rows from ${result.fromWeek}, ${result.classified.toLocaleString('en')} classified on week ${result.judgedWeek}: ${classes.rows.map((c) => `${c.class} ${c.n}`).join(', ')}`);
    }
  }
  if (server) {
    // The recompute scans; the group page's message list and merges need the indexes the load skipped.
    const t1 = performance.now();
    await q(`set maintenance_work_mem = '1GB'`);
    await q('create index if not exists group_messages_group on group_messages (tenant_id, group_id, sent_at)');
    await q('create index if not exists group_messages_sender on group_messages (tenant_id, sender_customer_id) where sender_customer_id is not null');
    console.log(`\nmessage indexes present (built in ${s(performance.now() - t1)} if missing; load ${load()})`);
  }
  const size = await handle.pool.query<{ s: string }>(`select pg_size_pretty(pg_total_relation_size('group_messages')) as s`);
  console.log(`\ngroup_messages on disk (all tenants, with indexes): ${size.rows[0]?.s}`);
} finally {
  await handle.close();
  await server?.stop();
}

/** CPU seconds of the bench's own PostgreSQL (postmaster and its backends, from /proc), or null on a shared server. */
async function backendCpu(): Promise<number | null> {
  if (!server) return null;
  const { existsSync, readdirSync, readFileSync } = await import('node:fs');
  const pidFile = '/tmp/yuchi-groupbench/pg/postmaster.pid';
  if (!existsSync(pidFile)) return null;
  const postmaster = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  let ticks = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ').map(Number);
      if (Number(pid) !== postmaster && f[1] !== postmaster) continue;
      ticks += (f[11] ?? 0) + (f[12] ?? 0);
    } catch {
      // gone meanwhile
    }
  }
  return ticks / 100;
}

async function generate(t: string): Promise<void> {
  const started = performance.now();
  // One session (temporary tables); on the bench's own server, foreign-key triggers are skipped
  // (the generator makes every reference itself) and the message indexes are built after the load.
  const client = await handle.pool.connect();
  const q = async (text: string, values: unknown[] = []): Promise<number> => (await client.query(text, values)).rowCount ?? 0;
  await q('set synchronous_commit = off');
  if (server) await q('set session_replication_role = replica');
  const stores = Math.max(1, Math.round(GROUPS / 250));
  const staff = Math.max(1, Math.round(GROUPS / 10));
  await q(`insert into stores (tenant_id, id, code, name) select $1, gen_random_uuid(), 'S' || n, '门店 ' || n from generate_series(1, $2) n`, [t, stores]);
  await q(`create temp table bench_store as select row_number() over (order by code) as n, id from stores where tenant_id = $1`, [t]);
  await q(`insert into staff (tenant_id, id, store_id, name, wecom_user_id)
           select $1, gen_random_uuid(), s.id, '导购 ' || gs.n, 'gb' || gs.n from generate_series(1, $2) gs(n) join bench_store s on s.n = 1 + gs.n % $3`, [t, staff, stores]);
  await q(`create temp table bench_staff as select row_number() over (order by wecom_user_id) as n, id, store_id from staff where tenant_id = $1`, [t]);
  await q(`insert into customers (tenant_id, id, name, created_at) select $1, gen_random_uuid(), '顾客' || n, now() - interval '200 days' from generate_series(1, $2) n`, [t, CUSTOMERS]);
  await q(`create temp table bench_cust as select (row_number() over ()) - 1 as n, id from customers where tenant_id = $1`, [t]);
  await q('create unique index on bench_cust (n)');
  // character: 0 dead, 1 spam, 2–7 owner talks (chicken rib), 8–19 lively (value); size 30–480
  await q(`create temp table bench_group as
           select gs.n, gen_random_uuid() as id, (gs.n * 37) % 20 as character, 30 + (gs.n * 7919) % 451 as size, st.id as owner, st.store_id
             from generate_series(1, $1) gs(n) join bench_staff st on st.n = 1 + gs.n % $2`, [GROUPS, staff]);
  await q(`insert into customer_groups (tenant_id, id, chat_id, name, owner_staff_id, store_id, kind, created_at)
           select $1, id, 'wrbench' || n, '门店群 ' || n, owner, store_id,
                  case when n % 10 = 0 then 'group_buy' when n % 20 = 1 then 'interest' when n % 20 = 3 then 'vip' else 'value' end,
                  now() - make_interval(days => ${DAYS + 10})
             from bench_group`, [t]);
  // member k of group n is customer (n·7919 + k·104729) mod C: distinct within a group (104729 is prime)
  await q(`insert into group_members (tenant_id, group_id, customer_id, joined_at, left_at)
           select $1, g.id, c.id, now() - make_interval(days => ${DAYS + 5} - (k % ${DAYS})), case when k % 20 = 7 then now() - make_interval(days => k % 30) end
             from bench_group g cross join lateral generate_series(0, g.size - 1) k join bench_cust c on c.n = (g.n * 7919 + k * 104729) % $2`, [t, CUSTOMERS]);
  await q(`insert into group_member_changes (tenant_id, group_id, customer_id, at, action)
           select tenant_id, group_id, customer_id, joined_at, 'joined' from group_members where tenant_id = $1
           union all select tenant_id, group_id, customer_id, left_at, 'left' from group_members where tenant_id = $1 and left_at is not null`, [t]);
  console.log(`stores, staff, ${CUSTOMERS.toLocaleString('en')} customers, ${GROUPS.toLocaleString('en')} groups and members: ${s(performance.now() - started)} (load ${load()})`);

  if (server) {
    await q('drop index if exists group_messages_group');
    await q('drop index if exists group_messages_sender');
  }
  // messages a day by character: dead 1, spam 25, owner-talks 18, lively 28 → ~22 a group-day on average
  let total = 0;
  for (let d = DAYS; d >= 1; d--) {
    const t0 = performance.now();
    total += await q(`
      insert into group_messages (tenant_id, group_id, sent_at, event_id, sender_customer_id, sender_staff_id, reply_to_customer_id, reply_to_staff_id, text_length, has_link, flagged)
      select $1, x.id, x.at, gen_random_uuid(),
             case when x.staff then null else sc.id end, case when x.staff then x.owner end,
             case when x.reply = 1 then rc.id end, case when x.reply = 2 then x.owner end,
             (5 + random() * 60)::int, x.link, x.link and x.character = 1 and random() < 0.5
        from (
          select g.id, g.owner, g.character, g.n, g.size,
                 date_trunc('day', now()) - make_interval(days => $2) + make_interval(secs => 8 * 3600 + random() * 14 * 3600) as at,
                 random() < case g.character when 0 then 0.9 when 1 then 0.1 when 2 then 0.7 when 3 then 0.7 when 4 then 0.7 when 5 then 0.7 when 6 then 0.7 when 7 then 0.7 else 0.2 end as staff,
                 case when g.character >= 8 and random() < 0.5 then 1 when g.character >= 8 and random() < 0.3 then 2 when random() < 0.1 then 2 else 0 end as reply,
                 (g.character = 1 and random() < 0.6) or random() < 0.01 as link,
                 (random() * g.size * case when g.character >= 8 then 0.25 else 0.05 end)::int as speaker,
                 (random() * g.size * 0.25)::int as answered
            from bench_group g
            cross join lateral generate_series(1, case g.character when 0 then (random() * 2)::int when 1 then 25 when 8 then 28 else
                                                     case when g.character < 8 then 18 else 28 end end) k
        ) x
        join bench_cust sc on sc.n = (x.n * 7919 + x.speaker * 104729) % $3
        join bench_cust rc on rc.n = (x.n * 7919 + x.answered * 104729) % $3`, [t, d, CUSTOMERS]);
    if (d % 10 === 0 || d === 1) console.log(`  day -${d}: ${total.toLocaleString('en')} messages so far (${s(performance.now() - t0)} for the day, load ${load()})`);
  }
  client.release();
  console.log(`generated ${total.toLocaleString('en')} group messages in ${s(performance.now() - started)} (load ${load()})`);
}
