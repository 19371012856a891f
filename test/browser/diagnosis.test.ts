// The diagnosis in Chromium: an operator of a fruit chain with a year of orders answers the
// questionnaire (frequency, ticket and repurchase come from the orders) and reads the result.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/core/access/access.service.ts';
import { localDate } from '../../src/core/time.ts';
import { demoEndOf, seedDemo } from '../../src/core/demo/demo.service.ts';
import type { Tenant } from '../../src/db/schema.ts';
import { newTenant, testDb } from '../helpers.ts';
import { CHROMIUM, PASSWORD, SHOTS, closeConsole, logIn, serveConsole } from './browser.ts';

describe.skipIf(!existsSync(CHROMIUM))(`the diagnosis in Chromium (needs ${CHROMIUM})`, () => {
  let tenant: Tenant;
  let app: FastifyInstance | undefined;
  let browser: Browser | undefined;
  let base: string;

  beforeAll(async () => {
    tenant = await newTenant('鲜果时光');
    const today = localDate(new Date(), 'Asia/Shanghai');
    await seedDemo(testDb(), { tenantId: tenant.id, customers: 600, months: 14, seed: 9, end: demoEndOf(today, 'Asia/Shanghai') });
    await createUser(testDb().db, tenant.id, { email: 'ops@example.com', name: '林运营', password: PASSWORD, role: 'operator' });
    ({ app, base, browser } = await serveConsole());
  }, 180_000);

  afterAll(async () => {
    await closeConsole({ app, browser });
  });

  it('answers the questionnaire and shows the shopping-advisor model on the quadrant', async () => {
    if (!browser) throw new Error('no browser');
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${base}/login`);
    await logIn(page, { tenant: tenant.slug, email: 'ops@example.com', password: PASSWORD });
    await page.getByTestId('dashboard-page').waitFor();
    await page.getByTestId('nav-playbooks').click();
    await page.getByTestId('diag-wizard').waitFor();
    // the orders measured all three figures: they are shown, not asked
    expect(await page.getByText('来自你的订单数据').count()).toBe(3);
    await page.getByTestId('diag-industry').click();
    await page.getByTitle('生鲜水果').click();
    await page.screenshot({ path: path.join(SHOTS, 'diagnosis-wizard.png') });
    await page.getByTestId('diag-next').click();
    await page.getByTestId('diag-expertise').getByText('低').click();
    await page.getByTestId('diag-solution').getByText('能一站式满足').click();
    await page.getByTestId('diag-staff').fill('25');
    await page.getByTestId('diag-next').click();
    await page.getByTestId('diag-state').getByText('做过一次性促销、群发').click();
    await page.getByTestId('diag-next').click();
    await page.getByTestId('diag-result').waitFor();
    expect(await page.getByTestId('diag-model').locator('h2').textContent()).toBe('购物参谋');
    expect(await page.getByTestId('diag-verdict').textContent()).toContain('适合做私域');
    await page.getByTestId('diag-quadrant').locator('canvas').waitFor();
    await page.waitForTimeout(500); // the chart's entry animation
    await page.screenshot({ path: path.join(SHOTS, 'diagnosis-result.png'), fullPage: true });
    const stored = await testDb().db.selectFrom('diagnoses').select('id').where('tenant_id', '=', tenant.id).execute();
    expect(stored).toHaveLength(1);

    // the playbooks, the diagnosed one first: preview, apply, and its health
    await page.getByRole('tab', { name: '运营方案' }).click();
    await page.getByTestId('pb-preview-shopping').click();
    await page.getByTestId('pb-preview').waitFor();
    // the set-up in the other areas is listed with its names, and WeCom not being connected says the journeys stay drafts
    for (const kind of ['渠道活码', 'SOP 日历', '旅程', '积分规则', '会员等级']) expect(await page.getByTestId('pb-preview').getByText(kind, { exact: true }).count()).toBeGreaterThan(0);
    expect(await page.getByTestId('pb-preview').getByText('百果园式门店群日常节奏').count()).toBe(1);
    expect(await page.getByTestId('pb-preview').getByText('存为草稿', { exact: true }).count()).toBe(3);
    await page.screenshot({ path: path.join(SHOTS, 'playbook-preview.png') });
    await page.getByTestId('pb-preview').getByText('会员等级', { exact: true }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, 'playbook-preview-areas.png') });
    await page.getByTestId('pb-apply').click();
    await page.getByTestId('pb-history').getByText('生效中').waitFor();
    const applied = await testDb().db.selectFrom('playbook_objects').select('kind').where('tenant_id', '=', tenant.id).execute();
    expect(new Set(applied.map((o) => o.kind))).toEqual(new Set(['tag_group', 'tag', 'segment', 'coupon_template', 'price_rule', 'acquisition_code', 'sop_plan', 'journey', 'membership_settings', 'membership_tiers']));
    await page.getByRole('tab', { name: '方案成效' }).click();
    await page.getByTestId('pb-health').waitFor();
    expect(await page.getByTestId('pb-health').getByText('会员日销售倍数').count()).toBe(1);
    await page.screenshot({ path: path.join(SHOTS, 'playbook-health.png'), fullPage: true });

    // undo: each object of the new kinds says what became of it
    await page.getByRole('tab', { name: '运营方案' }).click();
    await page.getByTestId('pb-history').getByRole('button', { name: '撤 销' }).or(page.getByTestId('pb-history').getByRole('button', { name: '撤销' })).click();
    await page.locator('.ant-popconfirm').getByRole('button', { name: /确\s?定|OK/ }).click();
    await page.getByTestId('pb-history').getByText('已撤销').waitFor();
    await page.getByTestId('pb-history').locator('.ant-table-row-expand-icon').first().click();
    await page.getByTestId('pb-history').getByText('SOP 日历').first().waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'playbook-undone.png'), fullPage: true });

    // in English: the undo result and the preview of the same playbook again
    await page.getByTestId('language-switch').getByText('EN', { exact: true }).click();
    await page.getByTestId('pb-history').getByText('SOP calendar').first().waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'playbook-undone-en.png'), fullPage: true });
    await page.getByTestId('pb-preview-shopping').click();
    await page.getByTestId('pb-preview').getByText('Member tiers', { exact: true }).scrollIntoViewIfNeeded();
    expect(await page.getByTestId('pb-preview').getByText('saved as draft', { exact: true }).count()).toBe(3);
    await page.screenshot({ path: path.join(SHOTS, 'playbook-preview-en.png') });
  }, 300_000);
});
