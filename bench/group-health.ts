// Group health at 百果园's scale: 25,000 groups with 90 days of messages (~50 M messages), then the
// recompute of every group's weekly figures and classification, timed.
//   npx tsx bench/group-health.ts                      # own embedded PostgreSQL in /tmp/yuchi-groupbench (kept for reruns)
//   DATABASE_URL=postgres://... npx tsx bench/group-health.ts [--groups 25000] [--days 90] [--runs 2] [--regenerate] [--raw | --direct] [--parallel 2] [--messages-again]
// Data is generated in SQL into its own tenant `groupbench-<groups>`; nothing else is touched. Each
// group has a character — dead, spam, owner-talks (chicken rib) or lively (value) — so the classes
// spread. Health reads the weekly per-speaker rollup (group_speaker_weeks), so the generated
// messages are counted into it by the statement ingestion uses (addToSpeakerWeeks), seven days of
// messages per statement. The raw group_messages rows (the console's message list; pruned after
// 98 days) are not read by health: they are stored only with --raw, through the same
// insert-then-count statement shape as ingestion. Without --raw the ~50 M messages are generated
// and counted, not stored one by one (~17 µs of PostgreSQL CPU a message). With --direct (no
// per-message work at all) no single message is made: the rollup rows are generated straight, per group,
// week and speaker, from the same model (messages a day by character, the staff share, speakers
// among the first quarter or twentieth of the members, reply, link and flag rates), counts drawn
// around their expected values: the rollup has the shape and ~the totals the messages would give.
// Members (group_members, group_member_changes) are the same in every mode; the member rollup
// (group_member_weeks) is kept by its triggers as they are written.
// A rerun finds the tenant's rollup and goes straight to timing.
import { openDatabase } from '../src/db/connect.ts';
import { startEmbedded, type DatabaseServer } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';
import { recomputeGroupHealth } from '../src/core/groups/health.service.ts';
import { addToSpeakerWeeks } from '../src/core/groups/speaker-weeks.service.ts';
import { sql } from 'kysely';
import type { PoolClient } from 'pg';
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
const RAW = process.argv.includes('--raw');
const MESSAGES_AGAIN = process.argv.includes('--messages-again');
const DIRECT = process.argv.includes('--direct');
const PARALLEL = Math.max(1, arg('parallel', 2));
const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

let server: DatabaseServer | undefined;
let url = process.env.DATABASE_URL;
if (!url) {
  server = await startEmbedded('/tmp/yuchi-groupbench');
  url = server.url;
}
const handle = openDatabase(url, { max: PARALLEL + 2, applicationName: 'bench-group-health' });
const q = async (text: string, values: unknown[] = []): Promise<number> => (await handle.pool.query(text, values)).rowCount ?? 0;

try {
  await migrate(handle.pool);
  const slug = `groupbench-${GROUPS}`;
  let tenant = await findTenantBySlug(handle.db, slug);
  const generated = tenant ? await q('select 1 from group_speaker_weeks where tenant_id = $1 limit 1', [tenant.id]) : 0;
  // a run stopped after the groups and members were made (the member history is their last statement) resumes at the messages
  // (or, with --messages-again, counts the messages again from nothing)
  const setUp = tenant && !REGENERATE && (generated === 0 || MESSAGES_AGAIN) ? await q('select 1 from group_member_changes where tenant_id = $1 limit 1', [tenant.id]) : 0;
  if (tenant && setUp > 0) {
    await q('delete from group_speaker_weeks where tenant_id = $1', [tenant.id]);
    await generateMessages(tenant.id);
  }
  else if (tenant && (REGENERATE || generated === 0)) {
    await q('delete from group_messages where tenant_id = $1', [tenant.id]);
    await q('delete from group_speaker_weeks where tenant_id = $1', [tenant.id]);
    await q('delete from tenants where id = $1', [tenant.id]);
    tenant = undefined;
  }
  if (!tenant) {
    tenant = await createTenant(handle.db, { slug, name: '百果园 (group bench)' });
    await generate(tenant.id);
  }
  const t = tenant.id;
  const rows = await handle.pool.query<{ groups: string; members: string; messages: string; rollup: string; counted: string }>(
    `select (select count(*) from customer_groups where tenant_id = $1) as groups, (select count(*) from group_members where tenant_id = $1) as members,
            (select count(*) from group_messages where tenant_id = $1) as messages,
            (select count(*) from group_speaker_weeks where tenant_id = $1) as rollup, (select sum(messages) from group_speaker_weeks where tenant_id = $1) as counted`, [t]);
  const r = rows.rows[0];
  const n = (x: string | undefined): string => Number(x ?? 0).toLocaleString('en');
  console.log(`tenant ${slug}: ${n(r?.groups)} groups, ${n(r?.members)} memberships; ${n(r?.counted)} group messages over ${DAYS} days counted into ${n(r?.rollup)} group-week-speaker rows; ${n(r?.messages)} raw group_messages rows stored`);
  // Planner statistics only: the first recompute reads pages never read before (hint bits), the
  // second shows the steady state.
  for (const table of ['group_speaker_weeks', 'customer_groups', 'group_members', 'group_member_changes', 'group_health_weeks']) await q(`analyze ${table}`);

  // Judge as of the last generated day (a run stopped early, or data generated days ago, still
  // has its last complete week); this scan also reads every page once before the timed runs.
  const latest = await handle.pool.query<{ at: Date | null }>(`select (max(week)::timestamp at time zone 'Asia/Shanghai') + interval '7 days' as at from group_speaker_weeks where tenant_id = $1`, [t]);
  const lastAt = latest.rows[0]?.at ?? new Date();
  const now = new Date(Math.min(Date.now(), lastAt.getTime() - 3_600_000));
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
  if (server && RAW) {
    // The recompute does not read raw messages; the group page's message list and merges need the indexes the load skipped.
    const t1 = performance.now();
    await q(`set maintenance_work_mem = '1GB'`);
    await q('create index if not exists group_messages_group on group_messages (tenant_id, group_id, sent_at)');
    await q('create index if not exists group_messages_sender on group_messages (tenant_id, sender_customer_id) where sender_customer_id is not null');
    console.log(`\nmessage indexes present (built in ${s(performance.now() - t1)} if missing; load ${load()})`);
  }
  const size = await handle.pool.query<{ s: string; r: string }>(`select pg_size_pretty(pg_total_relation_size('group_speaker_weeks')) as r, pg_size_pretty(pg_total_relation_size('group_messages')) as s`);
  console.log(`\non disk (all tenants, with indexes): group_speaker_weeks ${size.rows[0]?.r}, group_messages ${size.rows[0]?.s}`);
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

/** The bench customer number n's id, as SQL over an integer expression. */
function customerId(n: string): string {
  return `('b0000000-0000-7000-8000-' || lpad(to_hex(${n}), 12, '0'))::uuid`;
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
  // customer n has an id computed from n, so 50 M generated messages name their speakers without a look-up
  await q(`insert into customers (tenant_id, id, name, created_at) select $1, ${customerId('n')}, '顾客' || n, now() - interval '200 days' from generate_series(0, $2 - 1) n`, [t, CUSTOMERS]);
  await q(`create temp table bench_cust as select n, ${customerId('n')} as id from generate_series(0, $1 - 1) n`, [CUSTOMERS]);
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

  if (server && RAW) {
    await q('drop index if exists group_messages_group');
    await q('drop index if exists group_messages_sender');
  }
  client.release();
  await generateMessages(t);
}

/** The bench groups of the tenant, in a session's temporary table, rebuilt from customer_groups (a resumed run has no session of the setup). */
async function benchGroups(client: PoolClient, t: string): Promise<void> {
  await client.query(`create temp table if not exists bench_group as
    select substr(chat_id, 8)::int as n, id, (substr(chat_id, 8)::int * 37) % 20 as character, 30 + (substr(chat_id, 8)::int * 7919) % 451 as size,
           owner_staff_id as owner, store_id
      from customer_groups where tenant_id = $1 and chat_id like 'wrbench%'`, [t]);
  // temporary tables are never analysed by autovacuum: the plans below need their statistics
  await client.query('analyze bench_group');
}

/**
 * Messages, seven days per statement, counted into the rollup by ingestion's statement; the 7-day
 * chunks go round-robin to --parallel sessions (rows upserted in key order: sessions wait, never deadlock).
 */
async function generateMessages(t: string): Promise<void> {
  const started = performance.now();
  // messages a day by character: dead 1, spam 25, owner-talks 18, lively 28 → ~22 a group-day on average
  const generatedDays = (fromDay: number, toDay: number) => sql`(
      select x.id as group_id, x.at as sent_at,
             case when x.staff then null else ${sql.raw(customerId(`(x.n * 7919 + x.speaker * 104729) % ${CUSTOMERS}`))} end as sender_customer_id,
             case when x.staff then x.owner end as sender_staff_id,
             case when x.reply = 1 then ${sql.raw(customerId(`(x.n * 7919 + x.answered * 104729) % ${CUSTOMERS}`))} end as reply_to_customer_id,
             case when x.reply = 2 then x.owner end as reply_to_staff_id,
             x.link as has_link, x.link and x.character = 1 and random() < 0.5 as flagged
        from (
          select g.id, g.owner, g.character, g.n, g.size,
                 date_trunc('day', now()) - make_interval(days => d.d) + make_interval(secs => 8 * 3600 + random() * 14 * 3600) as at,
                 random() < case g.character when 0 then 0.9 when 1 then 0.1 when 2 then 0.7 when 3 then 0.7 when 4 then 0.7 when 5 then 0.7 when 6 then 0.7 when 7 then 0.7 else 0.2 end as staff,
                 case when g.character >= 8 and random() < 0.5 then 1 when g.character >= 8 and random() < 0.3 then 2 when random() < 0.1 then 2 else 0 end as reply,
                 (g.character = 1 and random() < 0.6) or random() < 0.01 as link,
                 (random() * g.size * case when g.character >= 8 then 0.25 else 0.05 end)::int as speaker,
                 (random() * g.size * 0.25)::int as answered
            from generate_series(${fromDay}::int, ${toDay}::int, -1) d(d) cross join bench_group g
            cross join lateral generate_series(1, case g.character when 0 then (random() * 2)::int when 1 then 25 when 8 then 28 else
                                                     case when g.character < 8 then 18 else 28 end end) k
        ) x)`;
  let rollupRows = 0;
  const chunks: number[] = [];
  for (let d = DAYS; d >= 1; d -= 7) chunks.push(d);
  const session = async (k: number): Promise<void> => {
    const client = await handle.pool.connect();
    try {
      await client.query('set synchronous_commit = off');
      // The counting aggregates a week of messages per statement: room for it rather than spill.
      await client.query(`set work_mem = '256MB'`);
      await benchGroups(client, t);
      for (const d of chunks.filter((_, i) => i % PARALLEL === k)) {
        const t0 = performance.now();
        const cpu0 = await backendCpu();
        const days = generatedDays(d, Math.max(1, d - 6));
        // without --raw: counted straight into the rollup; with it: stored, then counted, as ingestion does
        const statement = DIRECT ? directWeeks(t, d, Math.max(1, d - 6)) : RAW
          ? sql`with added as (
              insert into group_messages (tenant_id, group_id, sent_at, event_id, sender_customer_id, sender_staff_id, reply_to_customer_id, reply_to_staff_id, text_length, has_link, flagged)
              select ${t}::uuid, s.group_id, s.sent_at, gen_random_uuid(), s.sender_customer_id, s.sender_staff_id, s.reply_to_customer_id, s.reply_to_staff_id,
                     (5 + random() * 60)::int, s.has_link, s.flagged
                from ${days} s
              returning group_id, sent_at, sender_customer_id, sender_staff_id, reply_to_customer_id, reply_to_staff_id, has_link, flagged)
            ${addToSpeakerWeeks(t, sql`added`)}`
          : addToSpeakerWeeks(t, days);
        const compiled = statement.compile(handle.db);
        const upserted = (await client.query(compiled.sql, [...compiled.parameters])).rowCount ?? 0;
        rollupRows += upserted;
        console.log(`  days -${d}…-${Math.max(1, d - 6)}: ${upserted.toLocaleString('en')} group-week-speaker rows added to (${s(performance.now() - t0)} wall, server CPU meanwhile ~${cpu0 === null ? '?' : s(((await backendCpu()) ?? 0) * 1000 - cpu0 * 1000)}, load ${load()})`);
      }
    } finally {
      client.release();
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, (_, k) => session(k)));
  console.log(`generated ${DAYS} days of group messages${RAW ? ' (stored and counted)' : DIRECT ? ' (rollup rows generated directly)' : ' (counted)'}, ${rollupRows.toLocaleString('en')} rollup upserts, in ${s(performance.now() - started)} with ${PARALLEL} sessions (load ${load()})`);
}

/**
 * --direct: the rollup rows of days fromDay…toDay ago, per group, tenant-local week and speaker,
 * without the single messages. Per group-week: T = days × messages a day (dead: 0–2 a day); the
 * owner's row holds T × staff share; the rest is spread over the speakers 0…⌊size × share⌋ (share
 * ¼ for lively groups, 1/20 otherwise) as the per-message generator picks them, each speaker's
 * count drawn uniformly around the mean (0–2×); replies, replies to members / to staff, links and
 * flags are the speaker's count times the generator's rates, rounded at random. Days of a week
 * split across two calls are added to the same rows.
 */
function directWeeks(t: string, fromDay: number, toDay: number) {
  const r = (x: string): string => `floor(${x} + random())::int`;
  const ctes = sql`
    with days as (
      select (date_trunc('week', (now() at time zone 'Asia/Shanghai')::date - d))::date as week, count(*)::int as days
        from generate_series(${toDay}::int, ${fromDay}::int) d group by 1
    ), groups as (
      select g.n, g.id, g.owner, g.character,
             case g.character when 0 then random() * 2 when 1 then 25 when 8 then 28 else case when g.character < 8 then 18 else 28 end end as daily,
             case g.character when 0 then 0.9 when 1 then 0.1 when 2 then 0.7 when 3 then 0.7 when 4 then 0.7 when 5 then 0.7 when 6 then 0.7 when 7 then 0.7 else 0.2 end as staff_share,
             1 + floor(g.size * case when g.character >= 8 then 0.25 else 0.05 end)::int as speakers
        from bench_group g
    )
  `;
  return sql`${ctes}
    insert into group_speaker_weeks as w (tenant_id, week, group_id, staff, speaker_id, messages, replies, to_member, to_staff, links, flagged)
    select ${t}::uuid, x.week, x.id, x.staff, x.speaker_id, x.messages,
           x.to_member + least(x.to_staff, x.messages - x.to_member), x.to_member, least(x.to_staff, x.messages - x.to_member),
           ${sql.raw(r('x.messages * case when x.character = 1 then 0.604 else 0.01 end'))},
           case when x.character = 1 then ${sql.raw(r('x.messages * 0.302'))} else 0 end
      from (
        select y.*, ${sql.raw(r('y.messages * case when y.character >= 8 then 0.5 else 0 end'))} as to_member,
               ${sql.raw(r('y.messages * case when y.character >= 8 then 0.15 else 0.1 end'))} as to_staff
          from (
            select d.week, g.id, g.character, true as staff, g.owner as speaker_id,
                   ${sql.raw(r('d.days * g.daily * g.staff_share'))} as messages
              from days d cross join groups g
            union all
            select d.week, g.id, g.character, false, ${sql.raw(customerId(`(g.n * 7919 + k * 104729) % ${CUSTOMERS}`))},
                   floor(d.days * g.daily * (1 - g.staff_share) / g.speakers * 2 * random() + random())::int
              from days d cross join groups g cross join lateral generate_series(0, g.speakers - 1) k
          ) y
         where y.messages > 0
      ) x
     order by 2, 3, 4, 5
    on conflict (tenant_id, week, group_id, staff, speaker_id) do update
       set messages = w.messages + excluded.messages, replies = w.replies + excluded.replies,
           to_member = w.to_member + excluded.to_member, to_staff = w.to_staff + excluded.to_staff,
           links = w.links + excluded.links, flagged = w.flagged + excluded.flagged`;
}
