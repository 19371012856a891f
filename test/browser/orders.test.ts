// 订单 in Chromium: an operator sees the last 30 days' orders of every store with their customers,
// narrows them by channel, opens one's lines, and finds an older order by its number; a guide sees
// only the orders of their own customers.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, createUser } from '../../src/core/access/access.service.ts';
import type { Tenant } from '../../src/db/schema.ts';
import { buildWorld, type World } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';
import { CHROMIUM, PASSWORD, SHOTS, closeConsole, serveConsole, signedInPage } from './browser.ts';

describe.skipIf(!existsSync(CHROMIUM))(`orders in Chromium (needs ${CHROMIUM})`, () => {
  let tenant: Tenant;
  let world: World;
  let app: FastifyInstance | undefined;
  let browser: Browser | undefined;
  let base: string;
  const db = () => testDb().db;

  beforeAll(async () => {
    tenant = await newTenant('鲜果订单');
    world = await buildWorld(db(), tenant.id);
    await createUser(db(), tenant.id, { email: 'orders@example.com', name: '周订单', password: PASSWORD, role: 'operator' });
    await createUser(db(), tenant.id, { email: 'li@example.com', name: '李娜', password: PASSWORD, role: 'guide', staffId: world.staff.li });
    const key = (await createApiKey(db(), tenant.id, { role: 'admin', staffId: null })).key;
    ({ app, base, browser } = await serveConsole());
    const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();
    const recent = [
      { orderNo: 'R-1001', customer: { customerId: world.customers.mei }, storeId: world.stores.futian, channel: 'pos', totalFen: 5_800, paidFen: 5_800, orderedAt: daysAgo(2),
        items: [{ sku: 'CHERRY-2J', name: '车厘子 2斤', quantity: 1, unitPriceFen: 4_800 }, { sku: 'BANANA', name: '香蕉', quantity: 1, unitPriceFen: 1_000 }] },
      { orderNo: 'R-1002', customer: { customerId: world.customers.fang }, storeId: world.stores.nanshan, channel: 'miniprogram', totalFen: 3_200, paidFen: 3_200, orderedAt: daysAgo(5), items: [] },
      { orderNo: 'R-1003', customer: { customerId: world.customers.lei }, storeId: world.stores.futian, channel: 'pos', totalFen: 9_900, paidFen: 9_900, refundedFen: 9_900, status: 'refunded', orderedAt: daysAgo(10), items: [] },
    ];
    const res = await fetch(`${base}/api/v1/orders`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ orders: recent }) });
    if (!res.ok) throw new Error(`orders: ${res.status} ${await res.text()}`);
  }, 180_000);

  afterAll(async () => {
    await closeConsole({ app, browser });
  });

  it('lists the last 30 days with customers, filters by channel, opens lines and finds an older order by number', async () => {
    if (!browser) throw new Error('no browser');
    const page = await signedInPage(browser, base, { tenant: tenant.slug, email: 'orders@example.com' });
    await page.getByTestId('nav-orders').click();
    const table = page.getByTestId('orders-table');
    await table.getByText('R-1001').waitFor();
    // the world's spring orders are older than 30 days
    await expect.poll(() => page.getByTestId('orders-total').innerText()).toBe('共 3 笔');
    const first = table.locator('tr.ant-table-row').first();
    expect(await first.innerText()).toContain('陈美');
    await table.locator('tr', { hasText: 'R-1003' }).getByText('已退款').waitFor();

    await first.locator('.ant-table-row-expand-icon').click();
    await table.getByText('车厘子 2斤').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'orders.png') });

    await page.getByTestId('orders-channel').click();
    await page.locator('.ant-select-dropdown:visible').getByText('小程序', { exact: true }).click();
    await expect.poll(() => page.getByTestId('orders-total').innerText()).toBe('共 1 笔');
    await table.getByText('R-1002').waitFor();
    await page.getByTestId('orders-channel').locator('.ant-select-clear').click();

    const old = world.orders[3]?.orderNo ?? '';
    await page.getByTestId('orders-no').locator('input').fill(old);
    await page.getByTestId('orders-no').locator('input').press('Enter');
    await table.getByText(old).waitFor();
    await expect.poll(() => page.getByTestId('orders-total').innerText()).toBe('共 1 笔');
    await page.close();
  }, 120_000);

  it('shows a guide the orders of their own customers only', async () => {
    if (!browser) throw new Error('no browser');
    const page = await signedInPage(browser, base, { tenant: tenant.slug, email: 'li@example.com' });
    await page.goto(`${base}/orders`);
    const table = page.getByTestId('orders-table');
    await table.getByText('R-1001').waitFor();
    await expect.poll(() => page.getByTestId('orders-total').innerText()).toBe('共 1 笔');
    expect(await table.getByText('R-1002').count()).toBe(0);
    await page.close();
  }, 120_000);
});
