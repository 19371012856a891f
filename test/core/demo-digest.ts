// What a demo world consists of, and a digest of it per table, to tell two worlds apart or equal.
import { testDb } from '../helpers.ts';

export const DEMO_TABLES = ['stores', 'staff', 'customers', 'customer_identities', 'orders', 'order_items', 'customer_groups', 'customer_contacts', 'group_members'] as const;

/** One digest per table of its rows (without tenant_id) in a fixed order. */
export async function demoDigest(tenantId: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of DEMO_TABLES) {
    const r = await testDb().pool.query<{ md5: string | null; n: number }>(
      `select md5(string_agg(j, E'\\n' order by j)) as md5, count(*)::int as n
         from (select (to_jsonb(x) - 'tenant_id')::text as j from ${table} x where tenant_id = $1) rows`,
      [tenantId],
    );
    out[table] = `${r.rows[0]?.n}:${r.rows[0]?.md5}`;
  }
  return out;
}
