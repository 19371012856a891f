// Points ledger at scale: 10,000,000 ledger entries for the bench tenant of DATABASE_URL (slug
// starting with `bench-`, ~1M customers, ~7.8M orders), loaded by COPY, then the full recompute
// of every balance from the ledger and of every customer's tier (by 12-month spend over the
// orders, then by points over the ledger). Each tier recompute runs twice: after the rules changed
// (customers move) and again with nothing changed (the nightly steady state).
// Prints wall time, the PostgreSQL backend's CPU time (one connection does all the work, so its
// /proc counters are the query's CPU) and the load average.
//   DATABASE_URL=postgres://... npx tsx bench/points.ts [--entries 10000000] [--runs 2] [--regenerate] [--keep]
// Writes only membership tables (points_ledger, points_balances, membership_tiers, customer_tiers,
// tier_changes) and the tier_changed events it causes; without --keep it removes the tiers, their
// changes and those events at the end (the ledger stays for the next run; --regenerate reloads it).
// The generated entries have no lots: only balances and tiers are measured here.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import copyStreams from 'pg-copy-streams';
import { openDatabase } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { newId } from '../src/core/ids.ts';
import { rebuildBalances } from '../src/core/membership/ledger.service.ts';
import { recomputeTiers, replaceTiers } from '../src/core/membership/tiers.service.ts';
import { cpuSeconds, load } from './measure.ts';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('set DATABASE_URL to the bench database');
const arg = (name: string): string | undefined => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
};
const ENTRIES = Number(arg('--entries') ?? 10_000_000);
const REGENERATE = process.argv.includes('--regenerate');
const KEEP = process.argv.includes('--keep');
const RUNS = Number(arg('--runs') ?? 2);
const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

// One connection: the backend pid's CPU counters are then the work's CPU.
const handle = openDatabase(url, { max: 1, applicationName: 'bench-points' });

/** Wall time, backend CPU and Node CPU of one step. */
async function measure<T>(label: string, backendPid: number, work: () => Promise<T>): Promise<T> {
  const loadBefore = load();
  const cpu0 = cpuSeconds(backendPid);
  const node0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await work();
  const wall = performance.now() - t0;
  const node = process.cpuUsage(node0);
  console.log(`  ${label}: ${s(wall)} wall, PostgreSQL CPU ${(cpuSeconds(backendPid) - cpu0).toFixed(2)} s, Node CPU ${((node.user + node.system) / 1e6).toFixed(2)} s (load ${loadBefore} → ${load()}) → ${JSON.stringify(result)}`);
  return result;
}

/** A small deterministic generator, so every run loads the same ledger. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Ledger rows as COPY text, chunk by chunk: each customer gets 1..19 entries (10 on average) over
 * the last 13 months, earned, redeemed (never past the running balance) or expired.
 */
async function* ledgerRows(tenantId: string, customers: string[], total: number): AsyncGenerator<Buffer> {
  const random = mulberry32(20261201);
  const now = Date.now();
  const span = 395 * 86_400_000;
  let n = 0;
  let lines: string[] = [];
  for (let c = 0; n < total; c = (c + 1) % customers.length) {
    const customer = customers[c] ?? '';
    const k = 1 + Math.floor(random() * 19);
    let balance = 0;
    let at = now - span + Math.floor(random() * 30 * 86_400_000);
    for (let i = 0; i < k && n < total; i++, n++) {
      at += Math.floor(random() * (span / k));
      const roll = random();
      let kind = 'earn';
      let points = 1 + Math.floor(random() * 300);
      if (roll < 0.15 && balance >= 10) {
        kind = 'redeem';
        points = -Math.min(balance, 10 + Math.floor(random() * 90));
      } else if (roll < 0.2 && balance >= 1) {
        kind = 'expire';
        points = -Math.min(balance, 1 + Math.floor(random() * 50));
      }
      balance += points;
      lines.push(`${tenantId}\t${newId()}\t${customer}\t${kind}\t${points}\tbench:${n}\t${new Date(Math.min(at, now)).toISOString()}\n`);
      if (lines.length === 100_000) {
        yield Buffer.from(lines.join(''));
        lines = [];
      }
    }
  }
  if (lines.length > 0) yield Buffer.from(lines.join(''));
}

try {
  // migrate needs two connections (its lock and graphile-worker's own migrations)
  const migrating = openDatabase(url, { max: 2, applicationName: 'bench-points-migrate' });
  try {
    await migrate(migrating.pool);
  } finally {
    await migrating.close();
  }
  const found = await handle.pool.query<{ id: string; slug: string }>(
    `select t.id, t.slug from tenants t where t.slug like 'bench-%' order by (select count(*) from customers c where c.tenant_id = t.id) desc limit 1`);
  const tenant = found.rows[0];
  if (!tenant) throw new Error('no bench- tenant in this database');
  const backendPid = (await handle.pool.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]?.pid ?? 0;
  const counts = await handle.pool.query<{ customers: string; orders: string; entries: string }>(
    `select (select count(*) from customers where tenant_id = $1) as customers, (select count(*) from orders where tenant_id = $1) as orders,
            (select count(*) from points_ledger where tenant_id = $1) as entries`, [tenant.id]);
  const c = counts.rows[0];
  console.log(`tenant ${tenant.slug}: ${Number(c?.customers).toLocaleString('en')} customers, ${Number(c?.orders).toLocaleString('en')} orders, ${Number(c?.entries).toLocaleString('en')} ledger entries (load ${load()})`);

  if (REGENERATE || Number(c?.entries) < ENTRIES) {
    await measure('clear the bench tenant\'s ledger', backendPid, async () => {
      await handle.pool.query('delete from points_ledger where tenant_id = $1', [tenant.id]);
      await handle.pool.query('delete from points_balances where tenant_id = $1', [tenant.id]);
      return 'ok';
    });
    const ids = (await handle.pool.query<{ id: string }>('select id from customers where tenant_id = $1 order by id', [tenant.id])).rows.map((r) => r.id);
    await measure(`COPY ${ENTRIES.toLocaleString('en')} ledger entries`, backendPid, async () => {
      const client = await handle.pool.connect();
      try {
        const stream = client.query(copyStreams.from('copy points_ledger (tenant_id, id, customer_id, kind, points, entry_key, created_at) from stdin'));
        await pipeline(Readable.from(ledgerRows(tenant.id, ids, ENTRIES)), stream);
      } finally {
        client.release();
      }
      return { entries: ENTRIES };
    });
    await handle.pool.query('analyze points_ledger');
  }

  for (let run = 1; run <= RUNS; run++) {
    console.log(`\nrun ${run}`);
    await measure('balances of every customer rebuilt from the ledger', backendPid, () => rebuildBalances(handle.db, tenant.id));
    await replaceTiers(handle.db, tenant.id, [
      { name: '普通会员', minValue: 0, maxValue: 50_000, benefits: '', memberPricePercent: null, couponTemplateIds: [] },
      { name: '银卡', minValue: 50_000, maxValue: 200_000, benefits: '95折', memberPricePercent: 95, couponTemplateIds: [] },
      { name: '金卡', minValue: 200_000, maxValue: null, benefits: '9折', memberPricePercent: 90, couponTemplateIds: [] },
    ]);
    await measure('tiers of every customer by 12-month spend (orders)', backendPid, () => recomputeTiers(handle.db, tenant.id, { cause: 'recompute', basis: 'spend' }));
    await measure('  again, nothing changed', backendPid, () => recomputeTiers(handle.db, tenant.id, { cause: 'recompute', basis: 'spend' }));
    await replaceTiers(handle.db, tenant.id, [
      { name: '普通会员', minValue: 0, maxValue: 500, benefits: '', memberPricePercent: null, couponTemplateIds: [] },
      { name: '银卡', minValue: 500, maxValue: 2_000, benefits: '95折', memberPricePercent: 95, couponTemplateIds: [] },
      { name: '金卡', minValue: 2_000, maxValue: null, benefits: '9折', memberPricePercent: 90, couponTemplateIds: [] },
    ]);
    await measure('tiers of every customer by 12-month points (ledger)', backendPid, () => recomputeTiers(handle.db, tenant.id, { cause: 'recompute', basis: 'points' }));
    await measure('  again, nothing changed', backendPid, () => recomputeTiers(handle.db, tenant.id, { cause: 'recompute', basis: 'points' }));
  }
  const check = await handle.pool.query<{ wrong: string }>(
    `select count(*) as wrong from (select customer_id, sum(points) as s from points_ledger where tenant_id = $1 group by customer_id) l
       left join points_balances b on b.tenant_id = $1 and b.customer_id = l.customer_id where b.balance is distinct from l.s`, [tenant.id]);
  console.log(`\nbalances differing from their ledger sums: ${check.rows[0]?.wrong ?? '?'}`);

  if (!KEEP) {
    await handle.pool.query(`delete from events where tenant_id = $1 and type = 'tier_changed' and event_key like 'yuchi:tier_changed:%'`, [tenant.id]);
    await handle.pool.query('delete from tier_changes where tenant_id = $1', [tenant.id]);
    await handle.pool.query('delete from customer_tiers where tenant_id = $1', [tenant.id]);
    await handle.pool.query('delete from membership_tiers where tenant_id = $1', [tenant.id]);
    console.log('tiers, tier changes and tier_changed events of the run removed (the ledger and balances stay)');
  }
} finally {
  await handle.close();
}
