// Orders of one day, store and channel recorded at once on two connections: each adds to its own
// slot of analytics_order_days (migration 0046), so neither waits for the other's commit, and the
// day's totals are the sum of the slots.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, inject, it } from 'vitest';
import { recordOrders } from '../../src/core/orders/record.service.ts';
import type { OrderInput } from '../../src/core/orders/record.rules.ts';
import { openDatabase, type DatabaseHandle } from '../../src/db/connect.ts';
import { newTenant, testDb, waitsForLock } from '../helpers.ts';

const run = randomBytes(4).toString('hex');
const db = () => testDb().db;

const order = (no: string, phone: string, paidFen: number): OrderInput => ({
  orderNo: `${run}-${no}`, customer: { phone }, channel: 'pos', totalFen: paidFen, paidFen, orderedAt: '2026-06-01T04:00:00Z',
  items: [{ sku: 'S', name: '拿铁', quantity: 1, unitPriceFen: paidFen }],
});

/** A one-connection pool whose backend writes to the given slot, or to any other than `not`. */
async function connectionWithSlot(name: string, not?: number): Promise<{ handle: DatabaseHandle; slot: number }> {
  for (let tries = 0; tries < 50; tries++) {
    const handle = openDatabase(inject('databaseUrl'), { max: 1, applicationName: name });
    const slot = (await sql<{ slot: number }>`select analytics_slot() as slot`.execute(handle.db)).rows[0]?.slot ?? -1;
    if (slot !== not) return { handle, slot };
    await handle.close();
  }
  throw new Error('no connection with another slot');
}

describe('order day rollups under concurrent writers', () => {
  it('lets two connections add to the same day, store and channel without waiting, and sums their slots', async () => {
    const tenant = await newTenant();
    const first = await connectionWithSlot(`slot-a-${run}`);
    const second = await connectionWithSlot(`slot-b-${run}`, first.slot);
    let release = (): void => {};
    const released = new Promise<void>((r) => { release = r; });
    let recorded = (): void => {};
    const held = new Promise<void>((r) => { recorded = r; });
    try {
      // The first records its order and keeps its transaction open.
      const holding = first.handle.db.transaction().execute(async (trx) => {
        expect((await recordOrders(trx, tenant.id, [order('a', '13800000001', 5_000)], { source: 'test' })).created).toBe(1);
        recorded();
        await released;
      });
      await held;
      const write = recordOrders(second.handle.db, tenant.id, [order('b', '13800000002', 7_000)], { source: 'test' });
      expect(await waitsForLock(`slot-b-${run}`, write)).toBe(false);
      expect((await write).created).toBe(1);
      release();
      await holding;
    } finally {
      release();
      await Promise.all([first.handle.close(), second.handle.close()]);
    }
    const rows = await sql<{ slot: number; orders: number; gmv: number }>`
      select slot, orders, gmv_fen::int as gmv from analytics_order_days where tenant_id = ${tenant.id} order by slot`.execute(db());
    expect(rows.rows.map((r) => r.slot).sort()).toEqual([first.slot, second.slot].sort());
    const total = await sql<{ orders: number; gmv: number }>`
      select sum(orders)::int as orders, sum(gmv_fen)::int as gmv from analytics_order_days where tenant_id = ${tenant.id} and day = '2026-06-01'`.execute(db());
    expect(total.rows[0]).toEqual({ orders: 2, gmv: 12_000 });
  });
});
