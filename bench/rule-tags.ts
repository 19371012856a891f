// Rule tags and bulk tagging at scale, on a fresh embedded PostgreSQL: a tenant with N customers
// and ~3 orders each over the last 200 days, then the seeds' rule tags (VIP = ¥2,000 in 90 days,
// 高频 = 4 purchase days in 30, 沉睡 = no order in 60 days but ordered before). Prints the time of
// each rule tag's first evaluation, of a nightly sweep with nothing to change and with a month's
// drift, of the ingestion hook for a batch of 1,000 customers, and of bulk tagging a filtered list.
// Run: npx tsx bench/rule-tags.ts [--customers 100000] [--keep]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { startEmbedded } from '../src/db/embedded.ts';
import { openDatabase } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { createTenant } from '../src/core/tenants/tenants.service.ts';
import { refreshOrderAggregates } from '../src/core/customers/aggregates.service.ts';
import { listCustomers } from '../src/core/customers/customers.service.ts';
import { afterCustomersChanged } from '../src/core/ingest/ingest.hooks.ts';
import { bulkTagCustomers } from '../src/core/tags/customer-tags.service.ts';
import { sweepRuleTags } from '../src/core/tags/rules.service.ts';
import { createTag, createTagGroup } from '../src/core/tags/tags.service.ts';
import type { Actor } from '../src/core/access/access.rules.ts';
import { newId } from '../src/core/ids.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? fallback : fallback;
}

const customers = Number(arg('customers', '100000'));
const keep = process.argv.includes('--keep');
const dataDir = await mkdtemp(path.join(tmpdir(), 'yuchi-bench-tags-'));
const server = await startEmbedded(dataDir);
const handle = openDatabase(server.url, { max: 4 });

async function timed<T>(label: string, fn: () => Promise<T>, describe: (r: T) => string = () => ''): Promise<T> {
  const start = performance.now();
  const result = await fn();
  const ms = performance.now() - start;
  console.log(`${label.padEnd(58)} ${ms.toFixed(0).padStart(7)} ms  ${describe(result)}`);
  return result;
}

try {
  await migrate(handle.pool);
  const db = handle.db;
  const tenant = await createTenant(db, { slug: 'bench-tags', name: 'Bench' });
  const actor: Actor = { tenantId: tenant.id, tenantSlug: tenant.slug, tenantName: tenant.name, timezone: tenant.timezone, role: 'operator', staffId: null, userId: newId(), apiKeyId: null, name: 'bench' };

  await timed(`seed ${customers.toLocaleString('en')} customers, ~${(customers * 3).toLocaleString('en')} orders`, async () => {
    await sql`insert into customers (tenant_id, id, name, source_channel)
      select ${tenant.id}::uuid, gen_random_uuid(), '顾客' || g, (array['store_qr','order_card','miniprogram','ad'])[1 + g % 4]
        from generate_series(1, ${customers}::int) g`.execute(db);
    // 1–5 orders per customer (3 on average), ¥10–¥1,500 each, spread over the last 200 days
    await sql`insert into orders (tenant_id, id, order_no, customer_id, channel, status, total_fen, paid_fen, ordered_at)
      select ${tenant.id}::uuid, gen_random_uuid(), 'B-' || c.id || '-' || k, c.id, 'pos', 'paid', f, f, now() - (random() * 200) * interval '1 day'
        from customers c
        cross join lateral generate_series(1, 1 + (abs(hashtext(c.id::text)) % 5)) k
        cross join lateral (select (1000 + (abs(hashtext(c.id::text || k)) % 149000))::bigint as f) amount
       where c.tenant_id = ${tenant.id}`.execute(db);
    await refreshOrderAggregates(db, tenant.id);
    await sql`analyze`.execute(db);
  });

  const value = await createTagGroup(db, tenant.id, { name: '价值' });
  const life = await createTagGroup(db, tenant.id, { name: '生命周期' });
  const vip = await timed('create VIP (spent ≥ ¥2,000 in 90 days), evaluated at once', () =>
    createTag(db, actor, { groupId: value.id, name: 'VIP', kind: 'rule', rule: { metric: 'spent_fen', windowDays: 90, op: '>=', value: 200_000 } }), (t) => `${t.customerCount.toLocaleString('en')} customers`);
  await timed('create 高频 (order days ≥ 4 in 30 days)', () =>
    createTag(db, actor, { groupId: value.id, name: '高频', kind: 'rule', rule: { metric: 'order_days', windowDays: 30, op: '>=', value: 4 } }), (t) => `${t.customerCount.toLocaleString('en')} customers`);
  await timed('create 沉睡 (no order in 60 days, order count ≥ 1)', () =>
    createTag(db, actor, { groupId: life.id, name: '沉睡', kind: 'rule', rule: { all: [{ noOrderWithinDays: 60 }, { metric: 'order_count', op: '>=', value: 1 }] } }), (t) => `${t.customerCount.toLocaleString('en')} customers`);

  await timed('nightly sweep, nothing to change', () => sweepRuleTags(db, tenant.id), (r) => `${r.added} added, ${r.removed} removed`);
  await timed('nightly sweep as of 30 days later', () => sweepRuleTags(db, tenant.id, new Date(Date.now() + 30 * 86_400_000)), (r) => `${r.added.toLocaleString('en')} added, ${r.removed.toLocaleString('en')} removed`);
  await timed('nightly sweep back to today', () => sweepRuleTags(db, tenant.id), (r) => `${r.added.toLocaleString('en')} added, ${r.removed.toLocaleString('en')} removed`);

  const sample = (await sql<{ id: string }>`select id from customers where tenant_id = ${tenant.id} order by random() limit 10000`.execute(db)).rows.map((r) => r.id);
  const runs = 10;
  const start = performance.now();
  for (let i = 0; i < runs; i++) {
    await db.transaction().execute((trx) => afterCustomersChanged(trx, tenant.id, { customerIds: sample.slice(i * 1000, (i + 1) * 1000), newIdentities: [] }));
  }
  console.log(`${'ingestion hook, batch of 1,000 customers, 3 rule tags'.padEnd(58)} ${((performance.now() - start) / runs).toFixed(0).padStart(7)} ms  mean of ${runs}`);

  const campaign = await createTag(db, actor, { groupId: value.id, name: '双十一' });
  await timed('bulk tag: all-time spend ≥ ¥1,000', () => bulkTagCustomers(db, actor, { filter: { minSpentFen: 100_000 }, add: [campaign.id] }), (r) => `${r.matched.toLocaleString('en')} matched, ${r.changed.toLocaleString('en')} changed`);
  await timed('bulk tag again (nothing to change)', () => bulkTagCustomers(db, actor, { filter: { minSpentFen: 100_000 }, add: [campaign.id] }), (r) => `${r.matched.toLocaleString('en')} matched, ${r.changed} changed`);
  await timed('list page 1 filtered by VIP and 双十一 (with total)', () => listCustomers(db, actor, { tagIds: [vip.id, campaign.id] }, { page: 1, pageSize: 20 }), (p) => `${p.total.toLocaleString('en')} total`);
} finally {
  await handle.close();
  await server.stop();
  if (!keep) await rm(dataDir, { recursive: true, force: true });
}
