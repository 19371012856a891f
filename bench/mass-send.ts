// Planning a mass send to every customer of the 1,000,000-customer bench tenant through the
// restraint engine (consent, global control group, platform quota, frequency caps, quiet hours at
// each recipient's local 10:00 tomorrow, campaign holdout), written durably: one mass_send_recipients
// row per recipient, planned (with its send time), held out or excluded with its reason; the
// planned ones become messages rows when the send's time comes (not timed here). Goal: ≤ 30 s.
//
//   DATABASE_URL=$(head -1 /tmp/benchdb.log) node --import tsx bench/mass-send.ts [--tenant-slug bench-...] [--prior 100000] [--keep] [--release]
//
// The database CPU is that of this bench's own backends, read before they close; work a query hands
// to parallel workers is not in it. For a complete figure run with
// PGOPTIONS='-c max_parallel_workers_per_gather=0' (the planner's own reads never use them).
//
// Before timing, --prior customers get earlier mass messages this week (one yesterday; every other one a second 3 days ago),
// so quotas and caps really bite, and the tenant's settings get a 5% global control group. The
// plan runs exactly as the worker's plan_mass_send task does (runMassSendPlan). Prints wall time,
// this process's CPU, the database backends' CPU, and load; then deletes what it wrote unless --keep.
// --release then brings the send time forward and times the release: every planned recipient's
// `messages` row (content rendered) written in chunks, as delivery does when the send time comes.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { newId } from '../src/core/ids.ts';
import { releaseDueMassSends } from '../src/core/messaging/mass-release.service.ts';
import { createMassSend, runMassSendPlan } from '../src/core/messaging/mass-sends.service.ts';
import { poolClients } from '../src/core/messaging/mass-plan-copy.ts';
import { MassSendInput } from '../src/core/messaging/mass-sends.rules.ts';
import { DEFAULT_SETTINGS } from '../src/core/messaging/settings.rules.ts';
import { getMessagingSettings, putMessagingSettings } from '../src/core/messaging/settings.service.ts';
import { saveTemplate } from '../src/core/messaging/templates.service.ts';
import { openDatabase } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { load } from './measure.ts';

const { values } = parseArgs({ options: { 'tenant-slug': { type: 'string' }, prior: { type: 'string', default: '100000' }, keep: { type: 'boolean', default: false }, release: { type: 'boolean', default: false } } });
const url = process.env.DATABASE_URL;
if (!url) throw new Error('set DATABASE_URL (the shared bench database: head -1 /tmp/benchdb.log)');
const APP = `mass-send-bench-${process.pid}`;
const handle = openDatabase(url, { max: 4, applicationName: APP });
const db = handle.db;

function procCpu(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}
/** CPU seconds of this bench's database backends (same machine), by their application name. */
async function backendsCpu(): Promise<number> {
  const pids = await sql<{ pid: number }>`select pid from pg_stat_activity where application_name = ${APP}`.execute(db);
  return pids.rows.reduce((s, r) => s + procCpu(r.pid), 0);
}

await migrate(handle.pool);
const tenant = await db.selectFrom('tenants').select(['id', 'slug'])
  .where('slug', values['tenant-slug'] ? '=' : 'like', values['tenant-slug'] ?? 'bench-%').orderBy('created_at').executeTakeFirstOrThrow();
const customers = (await sql<{ n: number }>`select count(*)::int as n from customers where tenant_id = ${tenant.id}`.execute(db)).rows[0]?.n ?? 0;
const before = await getMessagingSettings(db, tenant.id);
await putMessagingSettings(db, tenant.id, { ...DEFAULT_SETTINGS, globalHoldoutPercent: 5 }, 'bench');
const prior = Number(values.prior);
const priorSource = `bench-prior-${newId()}`;
// every prior customer had a mass message yesterday; every other one also had one 3 days ago (the cap of 2 in 7 days is reached)
await sql`insert into messages (tenant_id, id, customer_id, channel, purpose, priority, source_kind, source_id, dedupe_key, content, status, sent_at, not_before)
          select ${tenant.id}, gen_random_uuid(), c.id, 'sandbox', 'marketing', 50, 'mass_send', ${priorSource}, ${priorSource} || ':' || d.days || ':' || c.id,
                 '{"text":"本周的群发"}', 'sent', now() - make_interval(days => d.days), now() - make_interval(days => d.days)
            from (select id, row_number() over (order by id desc) as n from customers where tenant_id = ${tenant.id} order by id desc limit ${prior}) c
            cross join (values (1), (3)) as d(days)
           where d.days = 1 or c.n % 2 = 0`.execute(db);
const template = await saveTemplate(db, tenant.id, { name: `bench ${newId()}`, content: { sandbox: { text: '{name}您好，{store}明天会员日，全场 9 折' } } });
const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
const input = MassSendInput.parse({
  name: 'bench 会员日', channel: 'sandbox', templateId: template.id, audience: { include: { kind: 'all' } },
  schedule: { date: tomorrow, localTime: '10:00' }, holdoutPercent: 10, priority: 40,
});
const massSend = await createMassSend(db, tenant.id, input, 'bench');
// the worker would take the plan_mass_send job; here the bench runs the same step itself
await sql`delete from graphile_worker.jobs where key = ${`plan_mass_send:${massSend.id}`}`.execute(db).catch(() => undefined);
console.log(`tenant ${tenant.slug}: ${customers.toLocaleString('en')} customers; ${prior.toLocaleString("en")} customers with mass messages earlier this week; load ${load()}`);

const cpu0 = process.cpuUsage();
const db0 = await backendsCpu();
const t0 = performance.now();
const counts = await runMassSendPlan(db, tenant.id, massSend.id, poolClients(handle.pool));
const wall = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const dbCpu = (await backendsCpu()) - db0;
const written = (await sql<{ n: number }>`select count(*)::int as n from mass_send_recipients where tenant_id = ${tenant.id} and mass_send_id = ${massSend.id}`.execute(db)).rows[0]?.n ?? 0;
console.log(`planned ${counts.audience.toLocaleString('en')} recipients in ${wall.toFixed(1)} s wall; bench process CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s; database backends CPU ${dbCpu.toFixed(1)} s (pool of 4, read at the end); load ${load()}`);
console.log(`recipient rows written: ${written.toLocaleString('en')} (planned ${counts.planned.toLocaleString('en')}, held out ${counts.heldOut.toLocaleString('en')})`);
console.log(`excluded: ${JSON.stringify(counts.excluded)}; moved: ${JSON.stringify(counts.moved)}`);
console.log(`goal ≤ 30 s: ${wall <= 30 ? 'met' : 'missed'}`);

if (values.release) {
  await sql`update mass_sends set send_at = now() where tenant_id = ${tenant.id} and id = ${massSend.id}`.execute(db);
  const rCpu0 = process.cpuUsage();
  const rDb0 = await backendsCpu();
  const r0 = performance.now();
  for (;;) {
    const step = await releaseDueMassSends(db, { tenantId: tenant.id, budgetMs: 3_600_000 });
    if (!step.more) break;
  }
  const rWall = (performance.now() - r0) / 1000;
  const rCpu = process.cpuUsage(rCpu0);
  const rDb = (await backendsCpu()) - rDb0;
  const messages = (await sql<{ n: number }>`select count(*)::int as n from messages where tenant_id = ${tenant.id} and mass_send_id = ${massSend.id}`.execute(db)).rows[0]?.n ?? 0;
  console.log(`released ${messages.toLocaleString('en')} messages in ${rWall.toFixed(1)} s wall; bench process CPU ${((rCpu.user + rCpu.system) / 1e6).toFixed(1)} s; database backends CPU ${rDb.toFixed(1)} s; load ${load()}`);
}

if (!values.keep) {
  await sql`delete from messages where tenant_id = ${tenant.id} and (mass_send_id = ${massSend.id} or source_id = ${priorSource})`.execute(db);
  await sql`delete from mass_send_recipients where tenant_id = ${tenant.id} and mass_send_id = ${massSend.id}`.execute(db);
  await db.deleteFrom('mass_sends').where('tenant_id', '=', tenant.id).where('id', '=', massSend.id).execute();
  await db.deleteFrom('message_templates').where('tenant_id', '=', tenant.id).where('id', '=', template.id).execute();
  await putMessagingSettings(db, tenant.id, before, 'bench');
}
await handle.close();
