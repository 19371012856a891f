// Codes and the workbench in Chromium: an operator opens 渠道活码 and sees each code's QR image and
// funnel; a guide opens 导购工作台 on a phone-width screen and completes a task, and one a 群发
// handed to them by hand (WeCom not connected) with its text and customers.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/core/access/access.service.ts';
import { createCode } from '../../src/core/acquisition/codes.service.ts';
import { newId } from '../../src/core/ids.ts';
import { dispatchDueMassSends } from '../../src/core/messaging/mass-dispatch.service.ts';
import { poolClients } from '../../src/core/messaging/mass-plan-copy.ts';
import { createMassSend, runMassSendPlan } from '../../src/core/messaging/mass-sends.service.ts';
import { MassSendInput } from '../../src/core/messaging/mass-sends.rules.ts';
import { saveTemplate } from '../../src/core/messaging/templates.service.ts';
import { createGuideTasks } from '../../src/core/tasks/guide-tasks.ts';
import type { Tenant } from '../../src/db/schema.ts';
import { buildWorld, type World } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';
import { CHROMIUM, PASSWORD, SHOTS, closeConsole, logIn, serveConsole, signedInPage } from './browser.ts';

describe.skipIf(!existsSync(CHROMIUM))(`codes and workbench in Chromium (needs ${CHROMIUM})`, () => {
  let tenant: Tenant;
  let world: World;
  let app: FastifyInstance | undefined;
  let browser: Browser | undefined;
  let base: string;

  beforeAll(async () => {
    tenant = await newTenant('鲜果门店');
    const db = testDb().db;
    world = await buildWorld(db, tenant.id);
    await createUser(db, tenant.id, { email: 'ops@example.com', name: '周运营', password: PASSWORD, role: 'operator' });
    await createUser(db, tenant.id, { email: 'li@example.com', name: '李娜', password: PASSWORD, role: 'guide', staffId: world.staff.li });
    const code = await createCode(db, tenant.id, {
      name: '福田收银台码', kind: 'store_counter', storeId: world.stores.futian, campaign: '会员日',
      rotation: [
        { staffId: world.staff.li, dailyCap: 200, qrUrl: 'https://wework.example/li.png', backup: false },
        { staffId: world.staff.wang, dailyCap: 200, qrUrl: 'https://wework.example/wang.png', backup: false },
        { staffId: world.staff.zhao, dailyCap: null, qrUrl: 'https://wework.example/zhao.png', backup: true },
      ],
      welcomeText: '{nickname} 你好，我是{store}的{guide}', welcomePersona: '果果',
    });
    await db.insertInto('code_scans').values([1, 2, 3, 4, 5, 6].map(() => ({ tenant_id: tenant.id, id: newId(), code_id: code.id }))).execute();
    await db.insertInto('customer_contacts').values([
      { tenant_id: tenant.id, customer_id: world.customers.mei, staff_id: world.staff.li, state: code.state, added_at: new Date(Date.now() - 3_600_000) },
      { tenant_id: tenant.id, customer_id: world.customers.lei, staff_id: world.staff.li, state: code.state, added_at: new Date(Date.now() - 7_200_000) },
    ]).execute();
    await createGuideTasks(db, tenant.id, [
      { staffId: world.staff.li, customerId: world.customers.mei, kind: 'welcome_friend', title: '欢迎新好友陈美，发送新人券', dueAt: new Date(Date.now() - 60_000), source: { kind: 'manual', id: 'x' }, dedupeKey: 'b1' },
      { staffId: world.staff.li, kind: 'sop_post', title: '15:00 爆品接龙：车厘子', dueAt: new Date(Date.now() + 60_000), source: { kind: 'manual', id: 'x' }, dedupeKey: 'b2' },
    ]);
    ({ app, base, browser } = await serveConsole());
  }, 180_000);

  afterAll(async () => {
    await closeConsole({ app, browser });
  });

  it('shows codes with their QR image and funnel', async () => {
    if (!browser) throw new Error('no browser');
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${base}/login`);
    await logIn(page, { tenant: tenant.slug, email: 'ops@example.com', password: PASSWORD });
    await page.getByTestId('nav-codes').click();
    await page.getByTestId('code-funnel').first().waitFor();
    const loaded = await page.locator('img.code-qr').first().evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth);
    expect(loaded).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(SHOTS, 'codes-1280.png'), fullPage: true });
    await page.getByTestId('code-edit').first().click();
    await page.getByTestId('rotation-editor').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'codes-edit-1280.png'), fullPage: true });
    // A rotation of backups only is refused, and the reason reads in Chinese.
    const editor = page.getByTestId('rotation-editor');
    const off = editor.locator('button.ant-switch:not(.ant-switch-checked)');
    while (await off.count() > 0) await off.first().click();
    await page.locator('.ant-modal').getByRole('button', { name: /保\s*存/ }).click();
    await page.getByText('轮值成员都是备用：至少要有一位日常接待').waitFor();
    await page.locator('.ant-modal').getByRole('button', { name: /取\s*消/ }).click();
    // An operator's workbench: the team's progress today; a guide's row opens their workbench.
    await page.goto(`${base}/workbench`);
    await page.locator('.ant-table-row', { hasText: '李娜' }).click();
    await page.getByTestId('workbench-task').first().waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'workbench-operator-1280.png'), fullPage: true });
    await page.close();
  }, 150_000);

  it('lets a guide complete a task on a phone-width screen', async () => {
    if (!browser) throw new Error('no browser');
    for (const width of [390, 1280]) {
      const page = await browser.newPage({ viewport: { width, height: 844 } });
      await page.goto(`${base}/login`);
      await logIn(page, { tenant: tenant.slug, email: 'li@example.com', password: PASSWORD });
      await page.waitForURL((url) => !url.pathname.startsWith('/login'));
      await page.goto(`${base}/workbench`);
      await page.getByTestId('workbench-task').first().waitFor();
      await page.screenshot({ path: path.join(SHOTS, `workbench-${width}.png`), fullPage: true });
      if (width === 390) {
        const overflow = await page.locator('html').evaluate((html) => { const e = html as unknown as { scrollWidth: number; clientWidth: number }; return e.scrollWidth - e.clientWidth; });
        expect(overflow).toBeLessThanOrEqual(0);
        await page.getByTestId('task-complete').first().click();
        await expect.poll(() => page.getByTestId('workbench-task').count(), { timeout: 30_000 }).toBe(1);
      }
      await page.close();
    }
  }, 150_000);
  it('hands a WeCom 群发 to the guide by hand while WeCom is not connected: the text to copy, the customers, and done marks them sent', async () => {
    if (!browser) throw new Error('no browser');
    const db = testDb().db;
    const template = await saveTemplate(db, tenant.id, { name: '周末上新', content: { wecom: { text: '{store}周末上新：阳光玫瑰到店' } } });
    const send = await createMassSend(db, tenant.id, MassSendInput.parse({ name: '周末上新', channel: 'wecom', templateId: template.id, schedule: { now: true }, audience: { include: { kind: 'all' } } }), 'test');
    await runMassSendPlan(db, tenant.id, send.id, poolClients(testDb().pool));
    await dispatchDueMassSends(db, undefined, tenant.id);
    const page = await signedInPage(browser, base, { tenant: tenant.slug, email: 'li@example.com' }, { width: 390, height: 844 });
    await page.goto(`${base}/workbench`);
    const task = page.getByTestId('workbench-task').filter({ hasText: '手动群发：周末上新（1 位客户）' });
    await task.waitFor();
    const detail = task.getByTestId('task-detail');
    await expect.poll(() => detail.innerText()).toContain('福田中心店周末上新：阳光玫瑰到店');
    expect(await detail.innerText()).toContain('企业微信尚未接入');
    expect(await detail.getByRole('link', { name: '陈美' }).count()).toBe(1);
    expect(await detail.getByRole('button', { name: '复制' }).count()).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(SHOTS, 'workbench-mass-send-by-hand-390.png'), fullPage: true });
    await task.getByTestId('task-complete').click();
    await task.waitFor({ state: 'detached' });
    const messages = await db.selectFrom('messages').select(['customer_id', 'status']).where('tenant_id', '=', tenant.id).where('mass_send_id', '=', send.id).where('staff_id', '=', world.staff.li).execute();
    expect(messages).toEqual([{ customer_id: world.customers.mei, status: 'sent' }]);
    await page.close();
  }, 150_000);
});
