// Membership in Chromium: a demo world with Tuesday member days, tiers and rewards; an operator
// opens 会员积分 from the menu, looks a member up and adjusts their points with a reason, sees a
// tier gap refused in the tiers editor, reads the member-day lift chart, and finds the tier and
// balance on the customer 360.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/core/access/access.service.ts';
import { seedDemo } from '../../src/core/demo/demo.service.ts';
import { adjustPoints } from '../../src/core/membership/points.service.ts';
import { createReward } from '../../src/core/membership/rewards.service.ts';
import { saveSettings, DEFAULT_SETTINGS } from '../../src/core/membership/settings.service.ts';
import { recomputeTiers, replaceTiers } from '../../src/core/membership/tiers.service.ts';
import type { Tenant } from '../../src/db/schema.ts';
import { newTenant, testDb } from '../helpers.ts';
import { CHROMIUM, PASSWORD, SHOTS, closeConsole, logIn, serveConsole } from './browser.ts';

describe.skipIf(!existsSync(CHROMIUM))(`membership in Chromium (needs ${CHROMIUM})`, () => {
  let tenant: Tenant;
  let app: FastifyInstance | undefined;
  let browser: Browser | undefined;
  let base: string;
  let member: { id: string; name: string };

  beforeAll(async () => {
    const db = testDb().db;
    tenant = await newTenant('鲜果会员');
    await createUser(db, tenant.id, { email: 'member@example.com', name: '吴会员', password: PASSWORD, role: 'operator' });
    await seedDemo(testDb(), { tenantId: tenant.id, customers: 400, months: 14, seed: 3 });
    await saveSettings(db, tenant.id, { ...DEFAULT_SETTINGS, pointsEnabled: true, memberDayWeekdays: [2], memberDayMultiplier: 200 });
    await replaceTiers(db, tenant.id, [
      { name: '普通会员', minValue: 0, maxValue: 50_000, benefits: '积分兑换', memberPricePercent: null, couponTemplateIds: [] },
      { name: '银卡', minValue: 50_000, maxValue: 200_000, benefits: '会员价 95 折', memberPricePercent: 95, couponTemplateIds: [] },
      { name: '金卡', minValue: 200_000, maxValue: null, benefits: '会员价 9 折、生日礼', memberPricePercent: 90, couponTemplateIds: [] },
    ]);
    await recomputeTiers(db, tenant.id, { cause: 'recompute' });
    await createReward(db, tenant.id, { name: '环保购物袋', kind: 'goods', couponTemplateId: null, sku: 'BAG', pointsPrice: 200, stock: 50, status: 'active' });
    const top = (await sql<{ id: string; name: string }>`select id, name from customers where tenant_id = ${tenant.id} and name <> '' order by total_spent_fen desc limit 1`.execute(db)).rows[0];
    if (!top) throw new Error('demo has no customers');
    member = top;
    await adjustPoints(db, tenant.id, member.id, { points: 500, reason: '开卡礼', requestKey: 'welcome' }, 'test');
    ({ app, base, browser } = await serveConsole());
  }, 180_000);

  afterAll(async () => {
    await closeConsole({ app, browser });
  });

  it('looks a member up, adjusts with a reason, refuses a tier gap, and charts the member-day lift', async () => {
    if (!browser) throw new Error('no browser');
    const page = await browser.newPage({ viewport: { width: 1400, height: 950 } });
    await page.goto(`${base}/login`);
    await logIn(page, { tenant: tenant.slug, email: 'member@example.com', password: PASSWORD });
    await page.getByTestId('nav-membership').click();
    await page.getByTestId('membership-page').waitFor();

    await page.goto(`${base}/membership?customer=${member.id}`);
    await page.getByTestId('member-balance').waitFor();
    expect(await page.getByTestId('member-balance').innerText()).toMatch(/\d/);
    const before = Number((await page.getByTestId('member-balance').innerText()).replace(/\D/g, ''));
    const form = page.getByTestId('adjust-form');
    await form.locator('input').first().fill('-30');
    await form.locator('button[type=submit]').click();
    // no reason: the form refuses before anything is sent
    await page.getByText('调整积分必须写明原因').waitFor();
    await form.locator('input').nth(1).fill('门店补差');
    await form.locator('button[type=submit]').click();
    await page.getByText('门店补差').waitFor();
    expect(Number((await page.getByTestId('member-balance').innerText()).replace(/\D/g, ''))).toBe(before - 30);
    await page.screenshot({ path: path.join(SHOTS, 'membership-member.png'), fullPage: true });

    await page.getByRole('tab', { name: '会员等级' }).click();
    const tiers = page.getByTestId('tiers-panel');
    await tiers.getByText('金卡').or(tiers.locator('input[value="金卡"]')).first().waitFor();
    // make a gap: the silver tier now starts at ¥600 while the first ends at ¥500
    await tiers.locator('tbody tr').nth(1).locator('input').nth(1).fill('600');
    await tiers.getByRole('button', { name: /保\s*存/ }).click();
    await page.getByTestId('tier-problems').waitFor();
    // in the console's language, naming the row and the column, never the API's path or English
    const problems = await page.getByTestId('tier-problems').innerText();
    expect(problems).toContain('L1 银卡 · 消费从（含）：与 L0 之间有空档：¥500.00 到 ¥600.00 不属于任何等级');
    expect(problems).not.toMatch(/body\.|gap|tier/);
    await page.screenshot({ path: path.join(SHOTS, 'membership-tiers.png'), fullPage: true });

    await page.getByRole('tab', { name: '积分与会员日规则' }).click();
    await page.getByTestId('points-rules').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'membership-rules.png'), fullPage: true });

    await page.getByRole('tab', { name: '会员日效果' }).click();
    await page.getByTestId('member-day-daily').locator('canvas').waitFor();
    await page.getByText('日均订单倍数').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'membership-member-day.png'), fullPage: true });

    // the customer 360 shows the tier and the balance
    await page.goto(`${base}/customers/${member.id}`);
    await page.getByTestId('customer-membership').waitFor();
    expect(await page.getByTestId('customer-membership').innerText()).toContain(String(before - 30));
    await page.screenshot({ path: path.join(SHOTS, 'membership-customer360.png') });
    await page.close();
  }, 120_000);
});
