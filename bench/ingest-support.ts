// What the ingestion benchmarks share: the mixed event batches (bench/ingest.ts over HTTP, bench/ingest-breakdown.ts in
// process): ≈60% existing customers (by phone, WeCom external_userid or member number), ≈30% new people, ≈5%
// events that link two identities (a known phone with a new WeCom id, or — mergeShare — with the WeCom id of
// another profile: a merge), 5% by customer id; types: orders with items, group joins, messages, page views,
// WeCom contacts; and the CPU of an embedded PostgreSQL's processes by kind.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { cpuSeconds } from './measure.ts';

export interface BatchPools {
  phones: string[];
  externals: string[];
  members: string[];
  ids: string[];
  staff: string[];
}

/** Random known identities, customer ids and staff of a tenant, to name in the batches. */
export async function loadPools(pool: pg.Pool, tenantId: string): Promise<BatchPools> {
  const sample = async (kind: string): Promise<string[]> => (await pool.query<{ value: string }>(
    `select value from customer_identities where tenant_id = $1 and kind = $2 order by random() limit 50000`, [tenantId, kind])).rows.map((r) => r.value);
  const [phones, externals, members] = [await sample('phone'), await sample('external_userid'), await sample('member_no')];
  const ids = (await pool.query<{ id: string }>(`select id from customers where tenant_id = $1 order by random() limit 20000`, [tenantId])).rows.map((r) => r.id);
  const staff = (await pool.query<{ wecom_user_id: string }>(`select wecom_user_id from staff where tenant_id = $1 and wecom_user_id is not null`, [tenantId])).rows.map((r) => r.wecom_user_id);
  return { phones, externals, members, ids, staff };
}

const SKUS = [['CHERRY-5J', '车厘子 5斤', 12_800], ['KIWI-6', '奇异果 6个装', 2_990], ['BANANA', '香蕉', 800], ['MANGO-BOX', '芒果礼盒', 8_000], ['DURIAN', '榴莲', 6_600]] as const;

/** Makes batches of `size` events (as plain objects); `newPeople` counts the refs naming nobody known. */
export function batchMaker(pools: BatchPools, options: { size: number; mergeShare: number }): { next: () => { events: unknown[] }; newPeople: () => number } {
  const { phones, externals, members, ids, staff } = pools;
  const { size, mergeShare } = options;
  const run = randomBytes(3).toString('hex');
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)] as T;
  let newPeople = 0;
  const newPhone = (): string => `19${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;
  const customerRef = (): Record<string, string> => {
    const r = Math.random();
    if (r < 0.6) return Math.random() < 0.6 ? { phone: pick(phones) } : Math.random() < 0.7 ? { externalUserId: pick(externals) } : { memberNo: pick(members) };
    if (r < 0.9) {
      newPeople += 1;
      return Math.random() < 0.5 ? { phone: newPhone() } : { phone: newPhone(), unionId: `o${run}${randomBytes(10).toString('base64url')}` };
    }
    if (r < 0.95 - mergeShare) return { phone: pick(phones), externalUserId: `wm${run}${randomBytes(12).toString('base64url')}` };
    if (r < 0.95) return { phone: pick(phones), externalUserId: pick(externals) }; // two profiles, or one already
    return { customerId: pick(ids) };
  };
  let batchNo = 0;
  const next = (): { events: unknown[] } => {
    const b = ++batchNo;
    const now = Date.now();
    const events = Array.from({ length: size }, (_, i) => {
      const occurredAt = new Date(now - Math.floor(Math.random() * 3_600_000)).toISOString();
      const base = { id: `${run}-${b}-${i}`, occurredAt, customer: customerRef() };
      const t = Math.random();
      if (t < 0.15) {
        const lines = Array.from({ length: 1 + Math.floor(Math.random() * 3) }, () => {
          const [sku, name, price] = pick(SKUS);
          return { sku, name, quantity: 1 + Math.floor(Math.random() * 3), unitPriceFen: price };
        });
        const paidFen = lines.reduce((s, l) => s + l.quantity * l.unitPriceFen, 0);
        return { ...base, type: 'order_paid', properties: { orderNo: `B${run}-${b}-${i}`, paidFen, channel: pick(['pos', 'miniprogram', 'group_buy']), items: lines } };
      }
      if (t < 0.25) return { ...base, type: 'group_joined', properties: { chatId: `wr-bench-${Math.floor(Math.random() * 300)}`, groupName: '鲜果福利群' } };
      if (t < 0.3) return { ...base, type: 'contact_added', source: 'wecom', properties: { staffWecomUserId: pick(staff), state: `qr-${Math.floor(Math.random() * 50)}`, channel: 'store_qr' } };
      if (t < 0.65) return { ...base, type: 'message_received', properties: { staffWecomUserId: pick(staff), msgType: 'text', text: '今天车厘子还有吗？' } };
      return { ...base, type: 'page_viewed', properties: { url: `/products/${Math.floor(Math.random() * 500)}`, title: '商品详情' } };
    });
    return { events };
  };
  return { next, newPeople: () => newPeople };
}

/** CPU seconds of the embedded PostgreSQL's processes by kind (backend, autovacuum, walwriter, ...); exited ones under 'exited'. */
export function postgresCpuByKind(dataDir: string): Map<string, number> {
  const postmaster = Number(readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const out = new Map<string, number>([['postmaster', cpuSeconds(postmaster)], ['exited', cpuSeconds(postmaster, true) - cpuSeconds(postmaster)]]);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.replace(/^.*\) /, '').split(' ')[1]) !== postmaster) continue;
      const title = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      // a backend's title is "postgres: <user> <database> <host> <state>": the user (yuchi) names the backends
      const kind = title.replace(/^postgres: /, '').replace(/ .*$/, '').trim() || 'other';
      out.set(kind, (out.get(kind) ?? 0) + cpuSeconds(Number(entry)));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}
