// The SOP calendar in Chromium: an operator sees a template's week, adds a slot by clicking the
// grid, is told why an overlapping slot is refused, and browses templates and runs; a guide on a
// phone-width screen searches the script library and copies a script, which is counted.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/core/access/access.service.ts';
import { newId } from '../../src/core/ids.ts';
import { seedDemoScripts } from '../../src/core/sop/demo-scripts.ts';
import { generateSopWork } from '../../src/core/sop/generate.service.ts';
import { applyTemplate } from '../../src/core/sop/templates.service.ts';
import type { Tenant } from '../../src/db/schema.ts';
import { buildWorld } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';
import { CHROMIUM, PASSWORD, SHOTS, closeConsole, logIn, serveConsole } from './browser.ts';

describe.skipIf(!existsSync(CHROMIUM))(`the SOP calendar in Chromium (needs ${CHROMIUM})`, () => {
  let tenant: Tenant;
  let app: FastifyInstance | undefined;
  let browser: Browser | undefined;
  let base: string;

  beforeAll(async () => {
    const db = testDb().db;
    tenant = await newTenant('鲜果坊');
    const world = await buildWorld(db, tenant.id);
    await createUser(db, tenant.id, { email: 'ops@example.com', name: '林运营', password: PASSWORD, role: 'operator' });
    await createUser(db, tenant.id, { email: 'li@example.com', name: '李娜', password: PASSWORD, role: 'guide', staffId: world.staff.li });
    await db.insertInto('customer_groups').values([
      { tenant_id: tenant.id, id: newId(), chat_id: 'wr-ft-1', name: '福田店水果群 1', kind: 'value', owner_staff_id: world.staff.li, store_id: world.stores.futian },
      { tenant_id: tenant.id, id: newId(), chat_id: 'wr-ft-2', name: '福田店水果群 2', kind: 'value', owner_staff_id: world.staff.wang, store_id: world.stores.futian },
      { tenant_id: tenant.id, id: newId(), chat_id: 'wr-ns-vip', name: '南山 VIP 会员群', kind: 'vip', owner_staff_id: world.staff.zhao, store_id: world.stores.nanshan },
    ]).execute();
    const operator = { tenantId: tenant.id, tenantSlug: tenant.slug, tenantName: tenant.name, timezone: tenant.timezone, role: 'operator' as const, staffId: null, userId: null, apiKeyId: null, name: '林运营' };
    await seedDemoScripts(db, operator);
    await applyTemplate(db, tenant.id, 'fruit-daily-rhythm', {}, 'test');
    // Some generated work to show: the window around now (what the 15-minute tick would make).
    await generateSopWork(db, tenant.id, new Date(), { channel: undefined, windows: { task: { from: new Date(Date.now() - 86_400_000), to: new Date() }, auto: { from: new Date(Date.now() - 86_400_000), to: new Date() } } });
    // 李娜 posted hers; 王强 did not.
    await db.updateTable('guide_tasks').set({ status: 'done', done_at: new Date() }).where('tenant_id', '=', tenant.id).where('staff_id', '=', world.staff.li).execute();
    ({ app, base, browser } = await serveConsole());
  }, 180_000);

  afterAll(async () => {
    await closeConsole({ app, browser });
  });

  it('edits the week: adds a slot from the grid and shows why an overlapping one is refused', async () => {
    if (!browser) throw new Error('no browser');
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/login`);
    await logIn(page, { tenant: tenant.slug, email: 'ops@example.com', password: PASSWORD });
    await page.getByTestId('dashboard-page').waitFor();
    await page.goto(`${base}/sop`);
    await page.getByTestId('sop-week').waitFor();
    // 4 daily slots in 7 columns + the Tuesday member day.
    await expect.poll(() => page.getByTestId('sop-slot').count(), { timeout: 20_000 }).toBe(29);
    await page.screenshot({ path: path.join(SHOTS, 'sop-calendar.png'), fullPage: true });

    await page.getByTestId('slot-new').click();
    await page.getByTestId('slot-time').fill('19:00');
    await page.getByTestId('slot-title').fill('晚间水果小知识');
    await page.getByTestId('slot-text').fill('晚上好，今天聊聊怎么挑一个甜的西瓜🍉');
    await page.getByTestId('slot-save').click();
    await expect.poll(() => page.getByTestId('sop-slot').count(), { timeout: 20_000 }).toBe(36);

    await page.getByTestId('slot-new').click();
    await page.getByTestId('slot-time').fill('15:10');
    await page.getByTestId('slot-title').fill('下午加推');
    await page.getByTestId('slot-text').fill('加推一条');
    await page.getByTestId('slot-save').click();
    await page.getByTestId('slot-refusal').waitFor();
    // The reason names both slots in the console's words, not the API's `slots.N` path.
    const reason = await page.getByTestId('slot-refusal').textContent();
    expect(reason).toMatch(/「每天 15:10–15:40 下午加推」与本计划的「每天 15:00–\d\d:\d\d .+」重叠/);
    expect(reason).not.toContain('slots.');
    await page.screenshot({ path: path.join(SHOTS, 'sop-calendar-overlap.png'), fullPage: true });

    await page.goto(`${base}/sop?tab=templates`);
    await expect.poll(() => page.getByTestId('sop-template').count(), { timeout: 20_000 }).toBe(6);
    await page.screenshot({ path: path.join(SHOTS, 'sop-templates.png'), fullPage: true });
    await page.getByRole('button', { name: /预\s*览/ }).nth(5).click();
    await page.getByRole('dialog').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'sop-template-preview.png') });
    await page.keyboard.press('Escape');

    await page.goto(`${base}/sop?tab=runs`);
    await page.locator('.ant-table-row').first().waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'sop-runs.png'), fullPage: true });
    await page.close();
  }, 240_000);

  it('lets a guide on a phone search the script library and counts a copy', async () => {
    if (!browser) throw new Error('no browser');
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, permissions: ['clipboard-read', 'clipboard-write'] });
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await logIn(page, { tenant: tenant.slug, email: 'li@example.com', password: PASSWORD });
    await page.waitForURL(/\/customers/);
    await page.goto(`${base}/sop/scripts`);
    await expect.poll(() => page.getByTestId('script-card').count(), { timeout: 20_000 }).toBe(9);
    await page.screenshot({ path: path.join(SHOTS, 'sop-scripts-phone.png'), fullPage: false });
    await page.getByTestId('scripts-search').locator('input').fill('控糖');
    await expect.poll(() => page.getByTestId('script-card').count(), { timeout: 20_000 }).toBe(1);
    await page.getByTestId('script-copy').click();
    await expect.poll(() => page.getByTestId('script-card').textContent(), { timeout: 20_000 }).toContain('我用 1 次');
    await page.screenshot({ path: path.join(SHOTS, 'sop-scripts-phone-copied.png'), fullPage: false });
    await context.close();
  }, 240_000);
});
