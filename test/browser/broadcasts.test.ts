// The broadcasts console in Chromium: an operator walks the mass-send wizard to the audience count
// after restraint, opens a send's results, reads the quota settings, and answers as a customer on
// the sandbox phone. Screenshots go to test-results/ for a person to look at.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/core/access/access.service.ts';
import { deliverDue } from '../../src/core/messaging/delivery.service.ts';
import { poolClients } from '../../src/core/messaging/mass-plan-copy.ts';
import { createMassSend, runMassSendPlan } from '../../src/core/messaging/mass-sends.service.ts';
import { MassSendInput } from '../../src/core/messaging/mass-sends.rules.ts';
import { DEFAULT_SETTINGS } from '../../src/core/messaging/settings.rules.ts';
import { putMessagingSettings } from '../../src/core/messaging/settings.service.ts';
import { saveTemplate } from '../../src/core/messaging/templates.service.ts';
import type { Tenant } from '../../src/db/schema.ts';
import { buildWorld } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';
import { CHROMIUM, PASSWORD, SHOTS, closeConsole, logIn, serveConsole } from './browser.ts';

describe.skipIf(!existsSync(CHROMIUM))(`the broadcasts console in Chromium (needs ${CHROMIUM})`, () => {
  let tenant: Tenant;
  let app: FastifyInstance | undefined;
  let browser: Browser | undefined;
  let base: string;

  beforeAll(async () => {
    tenant = await newTenant('鲜果坊');
    const db = testDb().db;
    const world = await buildWorld(db, tenant.id);
    await createUser(db, tenant.id, { email: 'ops@example.com', name: '林运营', password: PASSWORD, role: 'operator' });
    await putMessagingSettings(db, tenant.id, { ...DEFAULT_SETTINGS, quietHours: { ...DEFAULT_SETTINGS.quietHours, enabled: false } }, 'test');
    await db.insertInto('customer_consents').values({ tenant_id: tenant.id, customer_id: world.customers.jun, channel: 'wecom', granted: false, source: 'test', updated_at: new Date() }).execute();
    const template = await saveTemplate(db, tenant.id, { name: '周二会员日', content: { sandbox: { text: '{name}您好，{store}今天会员日，车厘子 8 折' } } });
    const sent = await createMassSend(db, tenant.id, MassSendInput.parse({ name: '会员日提醒', channel: 'sandbox', templateId: template.id, schedule: { now: true }, audience: { include: { kind: 'all' } } }), 'test');
    await runMassSendPlan(db, tenant.id, sent.id, poolClients(testDb().pool));
    await deliverDue(db, tenant.id, { budgetMs: 10_000 });
    ({ app, base, browser } = await serveConsole());
  }, 180_000);

  afterAll(async () => {
    await closeConsole({ app, browser });
  });

  it('walks the wizard to the audience count, shows results, settings and the sandbox phone', async () => {
    if (!browser) throw new Error('no browser');
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${base}/login`);
    await logIn(page, { tenant: tenant.slug, email: 'ops@example.com', password: PASSWORD });
    await page.getByTestId('dashboard-page').waitFor();

    await page.goto(`${base}/broadcasts`);
    await page.getByTestId('broadcasts-page').waitFor();
    await expect.poll(() => page.getByText('会员日提醒').count(), { timeout: 15_000 }).toBe(1);
    await page.screenshot({ path: path.join(SHOTS, 'broadcasts-list.png') });

    await page.getByTestId('mass-send-new').click();
    await page.getByTestId('mass-send-name').fill('新品到店');
    await page.getByTestId('mass-send-next').click();
    await page.getByTestId('mass-send-template').click();
    await page.getByTitle('周二会员日').click();
    await page.getByTestId('mass-send-preview-customer').click();
    await page.getByTitle('陈美').click();
    await expect.poll(() => page.getByTestId('mass-send-preview').textContent(), { timeout: 15_000 }).toContain('陈美您好，福田中心店今天会员日');
    await page.screenshot({ path: path.join(SHOTS, 'broadcasts-wizard-preview.png') });
    await page.getByTestId('mass-send-next').click();
    await page.getByTestId('mass-send-next').click();
    await page.getByTestId('mass-send-dry-run').click();
    // 4 customers: 刘军 withdrew consent; the other three got today's mass message already, so they move to tomorrow
    await expect.poll(() => page.getByTestId('mass-send-counts').textContent(), { timeout: 15_000 }).toContain('已撤回授权');
    const counts = await page.getByTestId('mass-send-counts').textContent();
    expect(counts).toContain('平台日额度已满');
    await page.screenshot({ path: path.join(SHOTS, 'broadcasts-wizard-counts.png') });
    await page.locator('.ant-modal-close').click();
    await page.locator('.ant-modal-wrap').waitFor({ state: 'hidden' });

    await page.getByTestId('mass-send-report').first().click();
    await page.getByTestId('lift-report').waitFor({ timeout: 15_000 });
    await page.screenshot({ path: path.join(SHOTS, 'broadcasts-report.png') });
    await page.keyboard.press('Escape');

    await page.goto(`${base}/broadcasts?tab=settings`);
    await page.getByTestId('messaging-settings').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'broadcasts-settings.png'), fullPage: true });

    await page.goto(`${base}/broadcasts?tab=sandbox`);
    await page.getByTestId('sandbox-phone').waitFor({ timeout: 15_000 });
    await page.getByTestId('sandbox-reply').fill('好的，下班去店里');
    await page.getByTestId('sandbox-reply').press('Enter');
    await expect.poll(() => page.getByTestId('sandbox-phone').textContent(), { timeout: 15_000 }).toContain('好的，下班去店里');
    await page.screenshot({ path: path.join(SHOTS, 'broadcasts-sandbox.png') });
  }, 180_000);
});
