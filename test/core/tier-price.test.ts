// A membership tier's member price (会员价) reaches the checkout quote as a rule of its own.
import { describe, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.ts';
import { quoteCheckout } from '../../src/core/promotions/price-rules.service.ts';
import { buildWorld } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';

const db = () => testDb().db;

describe('the tier member price at checkout', () => {
  it('takes the tier\'s share off the cart for a member of the tier, and nothing for others', async () => {
    const tenant = await newTenant();
    const world = await buildWorld(db(), tenant.id);
    const [silver, gold] = [newId(), newId()];
    await db().insertInto('membership_tiers').values([
      { tenant_id: tenant.id, id: silver, level: 0, name: '银卡', min_value: 0, max_value: 100_000, member_price_percent: null },
      { tenant_id: tenant.id, id: gold, level: 1, name: '金卡', min_value: 100_000, max_value: null, member_price_percent: 95 },
    ]).execute();
    await db().insertInto('customer_tiers').values([
      { tenant_id: tenant.id, customer_id: world.customers.mei, tier_id: gold, qualifying_value: 150_000 },
      { tenant_id: tenant.id, customer_id: world.customers.lei, tier_id: silver, qualifying_value: 2_000 },
    ]).execute();
    const items = [{ sku: 'CHERRY', name: '车厘子', quantity: 2, unitPriceFen: 6_000 }];
    const gilded = await quoteCheckout(db(), tenant.id, { customerId: world.customers.mei, channel: 'pos', items });
    expect(gilded.discountFen).toBe(600);
    expect(gilded.payableFen).toBe(11_400);
    expect(gilded.applied.map((a) => a.name)).toContain('会员价（金卡）');
    const plain = await quoteCheckout(db(), tenant.id, { customerId: world.customers.lei, channel: 'pos', items });
    expect(plain.discountFen).toBe(0);
  });
});
