// What the journeys' trigger on `events` costs ingestion: the same 1,000-row insert statement as
// ingestion's (unnest → events, on conflict do nothing) timed with the trigger off, on with no
// journey listening, and on with a live journey listening to order_paid (≈15% of the rows: they
// are copied to journey_inbox and one journey_events job is queued per statement). The three
// modes take turns, round after round, so a busy machine slows them alike; medians are compared.
//
//   node --import tsx bench/journeys-trigger.ts [--rounds 40] [--batch 1000]
//
// Runs on its own embedded PostgreSQL in a temporary directory (it turns the trigger off and on).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { newId } from '../src/core/ids.ts';
import { createTenant } from '../src/core/tenants/tenants.service.ts';
import { openDatabase } from '../src/db/connect.ts';
import { startEmbedded } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';
import { load, pct } from './measure.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '40' }, batch: { type: 'string', default: '1000' } } });
const rounds = Number(values.rounds);
const batch = Number(values.batch);

const dir = await mkdtemp(path.join(tmpdir(), 'yuchi-bench-journeys-trigger-'));
const server = await startEmbedded(dir);
const handle = openDatabase(server.url, { max: 2, applicationName: 'yuchi-bench-journeys-trigger' });
const db = handle.db;
try {
  await migrate(handle.pool);
  const tenant = await createTenant(db, { slug: `journeys-trigger-${randomBytes(3).toString('hex')}`, name: '触发器压测' });
  const customers = Array.from({ length: 10_000 }, () => newId());
  await sql`insert into customers (tenant_id, id) select ${tenant.id}, unnest(${customers}::uuid[])`.execute(db);
  const run = randomBytes(3).toString('hex');
  let seq = 0;
  const TYPES = ['page_viewed', 'message_received', 'group_joined', 'order_paid', 'contact_added', 'page_viewed'];
  const insertBatch = async (): Promise<number> => {
    const rows = Array.from({ length: batch }, () => {
      seq += 1;
      const type = Math.random() < 0.15 ? 'order_paid' : (TYPES[seq % TYPES.length] === 'order_paid' ? 'page_viewed' : TYPES[seq % TYPES.length]) ?? 'page_viewed';
      return { id: newId(), key: `${run}-${seq}`, type, customer: customers[seq % customers.length] ?? '', at: new Date().toISOString(), properties: JSON.stringify({ n: seq }) };
    });
    const col = <T>(f: (r: (typeof rows)[number]) => T): T[] => rows.map(f);
    const started = performance.now();
    await sql`
      insert into events (tenant_id, id, event_key, type, customer_id, occurred_at, source, actor, properties)
      select ${tenant.id}, x.id, x.key, x.type, x.customer_id, x.at, 'api', 'bench', x.properties
        from unnest(${col((r) => r.id)}::uuid[], ${col((r) => r.key)}::text[], ${col((r) => r.type)}::text[], ${col((r) => r.customer)}::uuid[],
                    ${col((r) => r.at)}::timestamptz[], ${col((r) => r.properties)}::jsonb[]) as x(id, key, type, customer_id, at, properties)
      on conflict (tenant_id, event_key) do nothing`.execute(db);
    return performance.now() - started;
  };
  type Mode = 'trigger off' | 'no journey listening' | 'order_paid listened';
  const modes: Mode[] = ['trigger off', 'no journey listening', 'order_paid listened'];
  const times: Record<Mode, number[]> = { 'trigger off': [], 'no journey listening': [], 'order_paid listened': [] };
  for (let i = 0; i < 5; i++) await insertBatch(); // warm up
  console.log(`${rounds} rounds × 3 modes × ${batch} events per statement; load before ${load()}`);
  for (let r = 0; r < rounds; r++) {
    for (const mode of r % 2 === 0 ? modes : [...modes].reverse()) {
      await sql`alter table events ${sql.raw(mode === 'trigger off' ? 'disable' : 'enable')} trigger journey_events_listen`.execute(db);
      await sql`delete from journey_listens`.execute(db);
      if (mode === 'order_paid listened') await sql`insert into journey_listens (tenant_id, type) values (${tenant.id}, 'order_paid')`.execute(db);
      times[mode].push(await insertBatch());
    }
  }
  const inbox = (await sql<{ n: number }>`select count(*)::int as n from journey_inbox`.execute(db)).rows[0]?.n ?? 0;
  const jobs = (await sql<{ n: number }>`select count(*)::int as n from graphile_worker.jobs where task_identifier = 'journey_events'`.execute(db)).rows[0]?.n ?? 0;
  const base = [...times['trigger off']].sort((a, b) => a - b);
  const p50 = (xs: number[]) => Number(pct([...xs].sort((a, b) => a - b), 50));
  for (const mode of modes) {
    const sorted = [...times[mode]].sort((a, b) => a - b);
    const delta = p50(sorted) - p50(base);
    console.log(`  ${mode.padEnd(22)} p50 ${pct(sorted, 50)} ms  p90 ${pct(sorted, 90)} ms per ${batch} events${mode === 'trigger off' ? '' : `  (${delta >= 0 ? '+' : ''}${delta.toFixed(1)} ms, ${((delta / p50(base)) * 100).toFixed(1)}%)`}`);
  }
  console.log(`  inbox rows copied ${inbox.toLocaleString('en')}, journey_events jobs queued ${jobs} (one job key per tenant); load after ${load()}`);
} finally {
  await handle.close();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}
