// Kill -9 of the delivery worker in the middle of a 100,000-recipient send through the sandbox
// channel, then a restart: every recipient must have exactly one message.
//
//   DATABASE_URL=$(head -1 /tmp/benchdb.log) node --import tsx bench/send-crash.ts [--recipients 100000] [--kill-at 0.4] [--lease 5] [--keep]
//
// Creates its own tenant (crash-<hex>) with the recipients, asks for one message each through
// requestMessages, and runs the worker as a child process (this file with --worker) that loops
// deliverDue. When the sandbox has received --kill-at of them, the child is killed with SIGKILL
// (mid-batch: claims in 'sending', sends without recorded outcomes). After the claims' lease
// (--lease seconds) a second worker starts and runs to the end. Prints counts, times, CPU and load,
// then drops the tenant unless --keep.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { deliverDue } from '../src/core/messaging/delivery.service.ts';
import { requestMessages, type MessageRequest } from '../src/core/messaging/requests.ts';
import { DEFAULT_SETTINGS } from '../src/core/messaging/settings.rules.ts';
import { putMessagingSettings } from '../src/core/messaging/settings.service.ts';
import { createTenant } from '../src/core/tenants/tenants.service.ts';
import { openDatabase } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { cpuSeconds, load } from './measure.ts';

const { values } = parseArgs({ options: {
  worker: { type: 'boolean', default: false }, tenant: { type: 'string' }, recipients: { type: 'string', default: '100000' },
  'kill-at': { type: 'string', default: '0.4' }, lease: { type: 'string', default: '5' }, keep: { type: 'boolean', default: false },
} });
const url = process.env.DATABASE_URL;
if (!url) throw new Error('set DATABASE_URL (the shared bench database: head -1 /tmp/benchdb.log)');
const lease = Number(values.lease);
const BATCH = 1000;

if (values.worker) {
  // the worker process: deliver until nothing is due
  const handle = openDatabase(url, { max: 12, applicationName: 'send-crash-worker' });
  const tenantId = values.tenant ?? '';
  for (;;) {
    const { more } = await deliverDue(handle.db, tenantId, { batchSize: BATCH, concurrency: 16, leaseSeconds: lease, budgetMs: 60_000 });
    if (!more) break;
  }
  await handle.close();
  process.exit(0);
}

const handle = openDatabase(url, { max: 4, applicationName: 'send-crash-bench' });
const db = handle.db;
const n = Number(values.recipients);
await migrate(handle.pool);
const tenant = await createTenant(db, { slug: `crash-${randomBytes(4).toString('hex')}`, name: 'send-crash bench' });
// service messages under no quiet hours: the run is about the ledger, not restraint
await putMessagingSettings(db, tenant.id, { ...DEFAULT_SETTINGS, quietHours: { ...DEFAULT_SETTINGS.quietHours, enabled: false } }, 'bench');
const t0 = performance.now();
await sql`insert into customers (tenant_id, id, name) select ${tenant.id}, gen_random_uuid(), '顾客' || g from generate_series(1, ${n}) g`.execute(db);
const ids = (await sql<{ id: string }>`select id from customers where tenant_id = ${tenant.id} order by id`.execute(db)).rows.map((r) => r.id);
for (let i = 0; i < ids.length; i += 5000) {
  const requests: MessageRequest[] = ids.slice(i, i + 5000).map((customerId) => ({
    customerId, channel: 'sandbox', purpose: 'service', source: { kind: 'manual', id: 'send-crash' }, dedupeKey: `crash:${customerId}`, content: { text: '您的订单已发货' },
  }));
  await requestMessages(db, tenant.id, requests);
}
console.log(`tenant ${tenant.slug}: ${n.toLocaleString('en')} customers and messages requested in ${((performance.now() - t0) / 1000).toFixed(1)} s; load ${load()}`);

const inboxCount = async () => (await sql<{ n: number }>`select count(*)::int as n from sandbox_inbox where tenant_id = ${tenant.id}`.execute(db)).rows[0]?.n ?? 0;
function startWorker(): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--worker', '--tenant', tenant.id, '--lease', String(lease)], { stdio: 'inherit', env: process.env });
}
const exited = (child: ChildProcess) => new Promise<void>((resolve) => { if (child.exitCode !== null || child.signalCode !== null) resolve(); else child.once('exit', () => resolve()); });

const killAt = Math.floor(n * Number(values['kill-at']));
const t1 = performance.now();
const first = startWorker();
let firstCpu = 0;
for (;;) {
  await new Promise((r) => setTimeout(r, 50));
  firstCpu = Math.max(firstCpu, cpuSeconds(first.pid));
  if (first.exitCode !== null) throw new Error('the first worker finished before it could be killed; raise --recipients or lower --kill-at');
  // kill mid-send: part of a batch has reached the phones, and none of its outcomes is recorded
  const progress = (await sql<{ inbox: number; sent: number }>`
    select (select count(*)::int from sandbox_inbox where tenant_id = ${tenant.id}) as inbox,
           (select count(*)::int from messages where tenant_id = ${tenant.id} and status = 'sent') as sent`.execute(db)).rows[0];
  if (progress && progress.inbox >= killAt && progress.inbox > progress.sent && progress.inbox % BATCH !== 0) break;
}
first.kill('SIGKILL');
await exited(first);
// a statement the dead worker had already sent still completes on the server: let it land before counting
await new Promise((r) => setTimeout(r, 1000));
const killedAfter = (performance.now() - t1) / 1000;
const atKill = await sql<{ status: string; n: number }>`select status, count(*)::int as n from messages where tenant_id = ${tenant.id} group by status order by status`.execute(db);
const receivedAtKill = await inboxCount();
const unrecorded = receivedAtKill - (atKill.rows.find((r) => r.status === 'sent')?.n ?? 0);
console.log(`killed -9 after ${killedAfter.toFixed(1)} s (worker CPU ${firstCpu.toFixed(1)} s): inbox ${receivedAtKill.toLocaleString('en')} (${unrecorded} of them delivered but not recorded); messages ${atKill.rows.map((r) => `${r.status} ${r.n}`).join(', ')}; load ${load()}`);

await new Promise((r) => setTimeout(r, (lease + 1) * 1000)); // the dead worker's claims outlive their lease
const t2 = performance.now();
const second = startWorker();
let secondCpu = 0;
const poll = setInterval(() => { secondCpu = Math.max(secondCpu, cpuSeconds(second.pid)); }, 200);
await exited(second);
clearInterval(poll);
const restartSeconds = (performance.now() - t2) / 1000;

const final = await sql<{ status: string; n: number }>`select status, count(*)::int as n from messages where tenant_id = ${tenant.id} group by status order by status`.execute(db);
const inbox = (await sql<{ rows: number; customers: number; once: number; redelivered: number }>`
  select count(*)::int as rows, count(distinct customer_id)::int as customers,
         (select count(*)::int from (select customer_id from sandbox_inbox where tenant_id = ${tenant.id} group by customer_id having count(*) = 1) x) as once,
         coalesce(sum(redeliveries), 0)::int as redelivered
    from sandbox_inbox where tenant_id = ${tenant.id}`.execute(db)).rows[0];
console.log(`restart ran to the end in ${restartSeconds.toFixed(1)} s (worker CPU ${secondCpu.toFixed(1)} s); load ${load()}`);
console.log(`messages: ${final.rows.map((r) => `${r.status} ${r.n.toLocaleString('en')}`).join(', ')}`);
console.log(`sandbox inbox: ${inbox?.rows.toLocaleString('en')} messages for ${inbox?.customers.toLocaleString('en')} customers; exactly one for ${inbox?.once.toLocaleString('en')} of ${n.toLocaleString('en')}; resends absorbed by the message-id key: ${inbox?.redelivered}`);
const ok = inbox?.rows === n && inbox.once === n && final.rows.length === 1 && final.rows[0]?.status === 'sent';
console.log(ok ? 'EXACTLY ONCE: every recipient received one message, none lost, none twice' : 'NOT EXACTLY ONCE');
if (!values.keep) await db.deleteFrom('tenants').where('id', '=', tenant.id).execute();
await handle.close();
process.exit(ok ? 0 : 1);
