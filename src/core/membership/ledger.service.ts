// Writing the points ledger. Every write locks the customer's balance row first, so concurrent
// writes to one customer queue behind each other and a redemption can never overspend; the
// entry, the lots it adds or spends and the balance change in one transaction.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { newId } from '../ids.ts';

export type EntryKind = 'earn' | 'redeem' | 'expire' | 'adjust' | 'reverse';

export interface NewCredit {
  customerId: string;
  kind: 'earn' | 'adjust';
  points: number;
  entryKey: string;
  orderId?: string | null;
  reason?: string;
  /** When earned (the order's time); the lot expires from here. */
  at: Date;
  expiresAt: Date | null;
}

/**
 * Adds points: ledger entries, their lots and the balances, in ONE statement (this runs on the
 * order path for every batch). An entry key seen before adds nothing. Returns the entry ids added.
 */
export async function addCredits(db: Db, tenantId: string, credits: NewCredit[], actor: string): Promise<string[]> {
  const rows = credits.filter((c) => c.points > 0);
  if (rows.length === 0) return [];
  const col = <T>(f: (c: NewCredit) => T): T[] => rows.map(f);
  const result = await sql<{ id: string }>`
    with x as (
      select * from unnest(${col(() => newId())}::uuid[], ${col((c) => c.customerId)}::uuid[], ${col((c) => c.kind)}::text[], ${col((c) => c.points)}::int[],
                           ${col((c) => c.entryKey)}::text[], ${col((c) => c.orderId ?? null)}::uuid[], ${col((c) => c.reason ?? '')}::text[],
                           ${col((c) => c.at)}::timestamptz[], ${col((c) => c.expiresAt)}::timestamptz[])
             as x(id, customer_id, kind, points, entry_key, order_id, reason, at, expires_at)
    ),
    e as (
      insert into points_ledger (tenant_id, id, customer_id, kind, points, entry_key, order_id, reason, actor, created_at)
      select ${tenantId}, id, customer_id, kind, points, entry_key, order_id, reason, ${actor}, at from x
      on conflict (tenant_id, entry_key) do nothing
      returning id, customer_id, points, created_at
    ),
    l as (
      insert into points_lots (tenant_id, entry_id, customer_id, earned_at, expires_at, remaining)
      select ${tenantId}, e.id, e.customer_id, e.created_at, x.expires_at, e.points from e join x on x.id = e.id
    ),
    b as (
      insert into points_balances (tenant_id, customer_id, balance)
      select ${tenantId}, customer_id, sum(points) from e group by customer_id
      on conflict (tenant_id, customer_id) do update set balance = points_balances.balance + excluded.balance, updated_at = now()
    )
    select id from e`.execute(db);
  return result.rows.map((r) => r.id);
}

/** Locks the balance rows of these customers (in id order: no deadlock between two writers) and reads them. */
export async function lockBalances(db: Db, tenantId: string, customerIds: string[]): Promise<Map<string, number>> {
  if (customerIds.length === 0) return new Map();
  const rows = await sql<{ customer_id: string; balance: number }>`
    select customer_id, balance from points_balances
     where tenant_id = ${tenantId} and customer_id = any(${[...new Set(customerIds)]}::uuid[])
     order by customer_id for update`.execute(db);
  return new Map(rows.rows.map((r) => [r.customer_id, r.balance]));
}

export interface NewDebit {
  customerId: string;
  kind: 'redeem' | 'expire' | 'adjust' | 'reverse';
  /** Positive: the points taken away. */
  points: number;
  entryKey: string;
  orderId?: string | null;
  rewardId?: string | null;
  quantity?: number | null;
  reason?: string;
}

/**
 * Takes points away. The caller has locked the balances (lockBalances) and made sure they cover
 * the debits. Spends lots first-expiring first. Returns the entries actually written (a key
 * seen before writes nothing).
 */
export async function addDebits(db: Db, tenantId: string, debits: NewDebit[], actor: string): Promise<{ id: string; customerId: string; points: number }[]> {
  const rows = debits.filter((d) => d.points > 0);
  if (rows.length === 0) return [];
  const col = <T>(f: (d: NewDebit) => T): T[] => rows.map(f);
  const written = await sql<{ id: string; customer_id: string; points: number }>`
    insert into points_ledger (tenant_id, id, customer_id, kind, points, entry_key, order_id, reward_id, quantity, reason, actor)
    select ${tenantId}, x.* , ${actor} from unnest(${col(() => newId())}::uuid[], ${col((d) => d.customerId)}::uuid[], ${col((d) => d.kind)}::text[],
                         ${col((d) => -d.points)}::int[], ${col((d) => d.entryKey)}::text[], ${col((d) => d.orderId ?? null)}::uuid[],
                         ${col((d) => d.rewardId ?? null)}::uuid[], ${col((d) => d.quantity ?? null)}::int[], ${col((d) => d.reason ?? '')}::text[]) as x
    on conflict (tenant_id, entry_key) do nothing
    returning id, customer_id, -points as points`.execute(db);
  const spent = new Map<string, number>();
  for (const r of written.rows) spent.set(r.customer_id, (spent.get(r.customer_id) ?? 0) + r.points);
  if (spent.size > 0) {
    const customers = [...spent.keys()];
    const amounts = customers.map((c) => spent.get(c) ?? 0);
    await sql`
      update points_balances b set balance = b.balance - n.amount, updated_at = now()
        from unnest(${customers}::uuid[], ${amounts}::int[]) as n(customer_id, amount)
       where b.tenant_id = ${tenantId} and b.customer_id = n.customer_id`.execute(db);
    await spendLots(db, tenantId, customers, amounts);
  }
  return written.rows.map((r) => ({ id: r.id, customerId: r.customer_id, points: r.points }));
}

/**
 * Spends `amounts` from each customer's open lots, first-expiring first (lots that never expire
 * last): a running sum over the lots says how much of each is still needed.
 */
async function spendLots(db: Db, tenantId: string, customers: string[], amounts: number[]): Promise<void> {
  await sql`
    with need as (select * from unnest(${customers}::uuid[], ${amounts}::int[]) as n(customer_id, amount)),
    open as (
      select l.entry_id, l.customer_id, l.remaining,
             sum(l.remaining) over (partition by l.customer_id order by l.expires_at nulls last, l.earned_at, l.entry_id) - l.remaining as before
        from points_lots l join need n on n.customer_id = l.customer_id
       where l.tenant_id = ${tenantId} and l.remaining > 0
    )
    update points_lots l set remaining = l.remaining - least(l.remaining, n.amount - o.before)
      from open o join need n on n.customer_id = o.customer_id
     where l.tenant_id = ${tenantId} and l.entry_id = o.entry_id and o.before < n.amount`.execute(db);
}

/**
 * Expires every lot whose time has come: an `expire` entry for what is left of it, the lot
 * emptied, the balance lowered. Balances are locked first, so a redemption running meanwhile
 * either spends the lot before (nothing left to expire) or waits.
 */
export async function expirePoints(db: Db, tenantId: string, now: Date): Promise<{ entries: number; points: number }> {
  const due = await sql<{ customer_id: string }>`
    select distinct customer_id from points_lots
     where tenant_id = ${tenantId} and remaining > 0 and expires_at <= ${now}`.execute(db);
  if (due.rows.length === 0) return { entries: 0, points: 0 };
  await lockBalances(db, tenantId, due.rows.map((r) => r.customer_id));
  const result = await sql<{ entries: number; points: number }>`
    with old as (
      select entry_id, customer_id, remaining from points_lots
       where tenant_id = ${tenantId} and remaining > 0 and expires_at <= ${now} for update
    ),
    emptied as (
      update points_lots l set remaining = 0 from old where l.tenant_id = ${tenantId} and l.entry_id = old.entry_id
    ),
    entries as (
      insert into points_ledger (tenant_id, id, customer_id, kind, points, entry_key, reason, actor, created_at)
      select ${tenantId}, ${sql.raw(NEW_ID)}, customer_id, 'expire', -remaining, 'expire:' || entry_id, 'lot expired', 'yuchi', ${now} from old
      returning customer_id, points
    ),
    lowered as (
      update points_balances b set balance = b.balance + s.points, updated_at = now()
        from (select customer_id, sum(points)::int as points from entries group by customer_id) s
       where b.tenant_id = ${tenantId} and b.customer_id = s.customer_id
    )
    select count(*)::int as entries, coalesce(-sum(points), 0)::int as points from entries`.execute(db);
  return result.rows[0] ?? { entries: 0, points: 0 };
}

/**
 * Rebuilds every balance of a tenant from its ledger (a repair, and the benchmark's measure of
 * "every balance is derivable"). Writes only balances that differ; returns how many did.
 */
export async function rebuildBalances(db: Db, tenantId: string): Promise<{ customers: number; changed: number }> {
  const result = await sql<{ customers: number; changed: number }>`
    with sums as (
      select customer_id, sum(points)::int as balance from points_ledger where tenant_id = ${tenantId} group by customer_id
    ),
    written as (
      insert into points_balances (tenant_id, customer_id, balance)
      select ${tenantId}, customer_id, balance from sums
      on conflict (tenant_id, customer_id) do update set balance = excluded.balance, updated_at = now()
       where points_balances.balance <> excluded.balance
      returning 1
    )
    select (select count(*)::int from sums) as customers, (select count(*)::int from written) as changed`.execute(db);
  return result.rows[0] ?? { customers: 0, changed: 0 };
}

/** A UUIDv7 made in SQL (time-ordered like newId()), for rows written set-wise. */
export const NEW_ID = `encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
  placing substring(int8send((extract(epoch from clock_timestamp()) * 1000)::bigint) from 3) from 1 for 6), 52, 1), 53, 1), 'hex')::uuid`;
