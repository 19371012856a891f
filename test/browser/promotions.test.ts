// Promotions in Chromium: the server's refusals of a price rule and a flash sale appear under the
// field that caused them, in Chinese, with amounts in yuan as the form takes them — never the API's
// path (body.params.amountOffFen) or its English message.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/core/access/access.service.ts';
import type { Tenant } from '../../src/db/schema.ts';
import { newTenant, testDb } from '../helpers.ts';
import { CHROMIUM, PASSWORD, SHOTS, closeConsole, logIn, serveConsole } from './browser.ts';

const NO_API_TEXT = /body\.|Fen\b|must |exceed/;

describe.skipIf(!existsSync(CHROMIUM))(`promotions refusals in Chromium (needs ${CHROMIUM})`, () => {
  let tenant: Tenant;
  let app: FastifyInstance | undefined;
  let browser: Browser | undefined;
  let base: string;

  beforeAll(async () => {
    tenant = await newTenant('鲜果促销');
    await createUser(testDb().db, tenant.id, { email: 'promo@example.com', name: '郑运营', password: PASSWORD, role: 'operator' });
    ({ app, base, browser } = await serveConsole());
  }, 180_000);

  afterAll(async () => {
    await closeConsole({ app, browser });
  });

  async function promotionsTab(tab: string): Promise<Page> {
    if (!browser) throw new Error('no browser');
    const page = await browser.newPage({ viewport: { width: 1400, height: 950 } });
    await page.goto(`${base}/login`);
    await logIn(page, { tenant: tenant.slug, email: 'promo@example.com', password: PASSWORD });
    await page.getByTestId('dashboard-page').waitFor();
    await page.goto(`${base}/promotions?tab=${tab}`);
    await page.getByTestId('promotions-page').waitFor();
    return page;
  }

  it('refuses 满100减120 under the amount off, in Chinese and in yuan', async () => {
    const page = await promotionsTab('price-rules');
    await page.getByTestId('rule-new').click();
    const form = page.getByTestId('rule-form');
    await form.waitFor();
    await form.getByLabel('名称').fill('满100减120');
    await form.getByLabel('使用门槛（满 X 元）').fill('100');
    await form.getByLabel('减免金额（元）').fill('120');
    await page.getByRole('button', { name: /保\s*存/ }).click();
    const refusal = page.getByText('减免金额不能超过门槛 100 元，否则实付为负');
    await refusal.waitFor();
    // under the amount-off input, not elsewhere
    const item = form.locator('.ant-form-item').filter({ has: page.getByLabel('减免金额（元）') });
    expect(await item.innerText()).toContain('减免金额不能超过门槛 100 元');
    expect(await form.innerText()).not.toMatch(NO_API_TEXT);
    await page.screenshot({ path: path.join(SHOTS, 'promotions-rule-refusal.png') });
    await page.close();
  }, 60_000);

  it('refuses a flash sale priced above its list price under the sale price', async () => {
    const page = await promotionsTab('flash-sales');
    await page.getByTestId('sale-new').click();
    const form = page.getByTestId('sale-form');
    await form.waitFor();
    await form.getByLabel('活动').fill('车厘子秒杀');
    await form.getByLabel('SKU').fill('CHERRY-1');
    await form.getByLabel('商品名称').fill('车厘子 500g');
    await form.getByLabel('秒杀价（元）').fill('80');
    await form.getByLabel('原价（元）').fill('50');
    await page.getByRole('button', { name: /保\s*存/ }).click();
    await page.getByText('秒杀价不能高于原价 50 元').waitFor();
    const item = form.locator('.ant-form-item').filter({ has: page.getByLabel('秒杀价（元）') });
    expect(await item.innerText()).toContain('秒杀价不能高于原价 50 元');
    expect(await form.innerText()).not.toMatch(NO_API_TEXT);
    await page.screenshot({ path: path.join(SHOTS, 'promotions-sale-refusal.png') });
    await page.close();
  }, 60_000);
});
