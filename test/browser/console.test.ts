// The console in a real browser against the real server: a small world of stores, guides,
// customers and orders is written to a fresh tenant, then Chromium logs in through the form and
// reads the numbers back from the dashboard, the customer list and a customer's page.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/core/access/access.service.ts';
import { refreshOrderAggregates } from '../../src/core/customers/aggregates.service.ts';
import { newId } from '../../src/core/ids.ts';
import type { Tenant } from '../../src/db/schema.ts';
import { newTenant, testDb } from '../helpers.ts';
import { CHROMIUM, PASSWORD, SHOTS, closeConsole, logIn, serveConsole } from './browser.ts';

const DAY = 86_400_000;

/** The test's own ¥ formatting, written independently of the console's helper. */
function yuan(fen: number): string {
  return `¥${(fen / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

interface World {
  tenant: Tenant;
  email: string;
  customers: number;
  orders: { orderNo: string; customer: string; paidFen: number; itemName: string }[];
  buyers: number;
  repeatBuyers: number;
  star: { name: string; phone: string; memberNo: string };
}

async function buildWorld(): Promise<World> {
  const { db } = testDb();
  const tenant = await newTenant('鲜果坊');
  const email = 'ops@example.com';
  await createUser(db, tenant.id, { email, name: '林运营', password: PASSWORD, role: 'admin' });

  const jingan = newId();
  const xuhui = newId();
  await db
    .insertInto('stores')
    .values([
      { tenant_id: tenant.id, id: jingan, code: 'SH001', name: '静安旗舰店', city: '上海', district: '静安区', address: '南京西路 1601 号', opens_at: '10:00', closes_at: '22:00', latitude: null, longitude: null },
      { tenant_id: tenant.id, id: xuhui, code: 'SH002', name: '徐汇店', city: '上海', district: '徐汇区', address: '天钥桥路 123 号', opens_at: '09:30', closes_at: '21:30', latitude: null, longitude: null },
    ])
    .execute();
  const wang = newId();
  const li = newId();
  await db
    .insertInto('staff')
    .values([
      { tenant_id: tenant.id, id: wang, store_id: jingan, name: '王小美', wecom_user_id: `wang-${tenant.slug}`, phone: '13600001234' },
      { tenant_id: tenant.id, id: li, store_id: xuhui, name: '李一帆', wecom_user_id: `li-${tenant.slug}`, phone: '13600005678' },
    ])
    .execute();

  const now = Date.now();
  const people = [
    { id: newId(), name: '张晓雨', gender: 'female' as const, phone: '13812345678', store: jingan, guide: wang, createdDaysAgo: 320 },
    { id: newId(), name: '陈浩', gender: 'male' as const, phone: '13900001111', store: xuhui, guide: li, createdDaysAgo: 300 },
    { id: newId(), name: '刘佳', gender: 'female' as const, phone: '13700002222', store: jingan, guide: null, createdDaysAgo: 100 },
    { id: newId(), name: '赵敏', gender: 'unknown' as const, phone: '13500003333', store: xuhui, guide: li, createdDaysAgo: 2 },
  ] as const;
  await db
    .insertInto('customers')
    .values(
      people.map((p) => ({
        tenant_id: tenant.id,
        id: p.id,
        name: p.name,
        gender: p.gender,
        birthday: null,
        city: '上海',
        source_channel: '门店扫码',
        store_id: p.store,
        guide_id: p.guide,
        created_at: new Date(now - p.createdDaysAgo * DAY),
      })),
    )
    .execute();
  const star = { name: people[0].name, phone: people[0].phone, memberNo: `M-${tenant.slug}` };
  await db
    .insertInto('customer_identities')
    .values([
      ...people.map((p) => ({ tenant_id: tenant.id, kind: 'phone' as const, value: p.phone, customer_id: p.id })),
      { tenant_id: tenant.id, kind: 'member_no', value: star.memberNo, customer_id: people[0].id },
      { tenant_id: tenant.id, kind: 'unionid', value: `oUnion-${tenant.slug}`, customer_id: people[0].id },
    ])
    .execute();

  // Days ago are well inside the dashboard's default period (the 12 months up to today) and on
  // different days, so 张晓雨 and 陈浩 are repeat buyers and 刘佳 is not.
  const sales = [
    { who: 0, store: jingan, staff: wang, channel: 'pos' as const, totalFen: 25_800, discountFen: 1_800, daysAgo: 200, item: '红心火龙果礼盒' },
    { who: 0, store: jingan, staff: wang, channel: 'miniprogram' as const, totalFen: 12_900, discountFen: 0, daysAgo: 30, item: '阳光玫瑰葡萄' },
    { who: 1, store: xuhui, staff: li, channel: 'pos' as const, totalFen: 56_800, discountFen: 6_800, daysAgo: 60, item: '车厘子 JJJ 级 2.5kg' },
    { who: 2, store: jingan, staff: null, channel: 'group_buy' as const, totalFen: 9_900, discountFen: 0, daysAgo: 10, item: '海南金煌芒' },
    { who: 1, store: xuhui, staff: li, channel: 'ecommerce' as const, totalFen: 19_999, discountFen: 0, daysAgo: 5, item: '新西兰奇异果' },
  ];
  const orders: World['orders'] = [];
  for (const [index, sale] of sales.entries()) {
    const person = people[sale.who];
    if (!person) throw new Error('sale of an unknown customer');
    const id = newId();
    const orderNo = `YC${tenant.slug.slice(2, 8).toUpperCase()}${String(index + 1).padStart(4, '0')}`;
    const paidFen = sale.totalFen - sale.discountFen;
    await db
      .insertInto('orders')
      .values({
        tenant_id: tenant.id, id, order_no: orderNo, customer_id: person.id, store_id: sale.store, staff_id: sale.staff,
        channel: sale.channel, status: 'paid', total_fen: sale.totalFen, discount_fen: sale.discountFen, paid_fen: paidFen,
        refunded_fen: 0, ordered_at: new Date(now - sale.daysAgo * DAY),
      })
      .execute();
    await db
      .insertInto('order_items')
      .values({ tenant_id: tenant.id, order_id: id, line_no: 1, sku: `SKU-${index + 1}`, name: sale.item, quantity: 1, unit_price_fen: sale.totalFen, amount_fen: sale.totalFen })
      .execute();
    orders.push({ orderNo, customer: person.name, paidFen, itemName: sale.item });
  }
  await refreshOrderAggregates(db, tenant.id);

  const days = new Map<number, Set<number>>();
  for (const sale of sales) days.set(sale.who, (days.get(sale.who) ?? new Set()).add(sale.daysAgo));
  return {
    tenant,
    email,
    customers: people.length,
    orders,
    buyers: days.size,
    repeatBuyers: [...days.values()].filter((d) => d.size >= 2).length,
    star,
  };
}

describe.skipIf(!existsSync(CHROMIUM))(`the console in Chromium (needs ${CHROMIUM})`, () => {
  let world: World;
  let app: FastifyInstance | undefined;
  let browser: Browser | undefined;
  let base: string;

  beforeAll(async () => {
    world = await buildWorld();
    ({ app, base, browser } = await serveConsole());
  });

  afterAll(async () => {
    await closeConsole({ app, browser });
  });

  async function login(page: Page, password: string): Promise<void> {
    await logIn(page, { tenant: world.tenant.slug, email: world.email, password });
  }

  it('logs in, shows the dashboard figures of the inserted orders, lists customers and opens one', async () => {
    if (!browser) throw new Error('no browser');
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));

    // Signed out, any page leads to the login form, remembering where the user was going.
    await page.goto(`${base}/org`);
    await page.waitForURL(/\/login\?next=%2Forg$/);
    await page.goto(`${base}/`);
    await page.waitForURL(/\/login$/);

    await login(page, 'not-the-password');
    await expect.poll(() => page.getByTestId('login-error').textContent()).toContain('企业标识、邮箱或密码错误');

    await login(page, PASSWORD);
    await page.waitForURL(`${base}/`);
    await page.getByTestId('dashboard-page').waitFor();
    await expect(page.getByTestId('header-tenant').textContent()).resolves.toContain('鲜果坊');

    const gmvFen = world.orders.reduce((sum, o) => sum + o.paidFen, 0);
    await page.getByTestId('kpi-gmv').waitFor();
    expect(await page.getByTestId('kpi-gmv').textContent()).toBe(yuan(gmvFen));
    expect(await page.getByTestId('kpi-orders').textContent()).toBe(String(world.orders.length));
    expect(await page.getByTestId('kpi-customers').textContent()).toBe(String(world.customers));
    expect(await page.getByTestId('kpi-average-ticket').textContent()).toBe(yuan(Math.round(gmvFen / world.orders.length)));
    expect(await page.getByTestId('kpi-repeat-share').textContent()).toBe(`${((world.repeatBuyers / world.buyers) * 100).toFixed(1)}%`);
    await expect(page.getByTestId('top-stores').textContent()).resolves.toContain('徐汇店');
    await page.screenshot({ path: path.join(SHOTS, 'console-dashboard.png'), fullPage: true });

    await page.getByTestId('nav-customers').click();
    await page.getByTestId('customers-page').waitFor();
    const row = page.locator('tr', { has: page.getByText(world.star.name, { exact: true }) });
    await row.waitFor();
    const masked = `${world.star.phone.slice(0, 3)}****${world.star.phone.slice(7)}`;
    await expect(row.textContent()).resolves.toContain(masked);
    await expect(page.locator('body').textContent()).resolves.not.toContain(world.star.phone);
    await page.screenshot({ path: path.join(SHOTS, 'console-customers.png'), fullPage: true });

    await page.getByTestId('customer-link').filter({ hasText: world.star.name }).click();
    await page.getByTestId('customer-detail-page').waitFor();
    const theirOrders = world.orders.filter((o) => o.customer === world.star.name);
    const ordersCard = page.getByTestId('customer-orders');
    for (const order of theirOrders) await ordersCard.getByText(order.orderNo, { exact: true }).waitFor();
    const identities = page.getByTestId('customer-identities');
    await expect(identities.textContent()).resolves.toContain('会员号');
    await expect(identities.textContent()).resolves.toContain(world.star.memberNo);
    expect(await page.getByTestId('customer-total-spent').textContent()).toBe(yuan(theirOrders.reduce((sum, o) => sum + o.paidFen, 0)));
    // The first (newest) order opens to show its line.
    const newest = theirOrders.at(-1);
    if (!newest) throw new Error('the star customer has no orders');
    await ordersCard.locator('tr', { hasText: newest.orderNo }).locator('.ant-table-row-expand-icon').click();
    await ordersCard.getByText(newest.itemName, { exact: true }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'console-customer.png'), fullPage: true });

    // English is one click away and survives a reload.
    await page.getByTestId('language-switch').getByText('EN', { exact: true }).click();
    await page.getByTestId('nav-customers').getByText('Customers', { exact: true }).waitFor();
    await page.reload();
    await page.getByTestId('nav-customers').getByText('Customers', { exact: true }).waitFor();

    expect(errors).toEqual([]);
    await page.close();
  });
});
