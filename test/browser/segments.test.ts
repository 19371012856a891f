// The segment builder in Chromium: an operator composes "women who spent at least ¥100" from the
// pickers, sees the live count, saves, and lands on the detail page with the members.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/core/access/access.service.ts';
import type { Tenant } from '../../src/db/schema.ts';
import { newId } from '../../src/core/ids.ts';
import { buildWorld, type World } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';
import { CHROMIUM, PASSWORD, SHOTS, closeConsole, logIn, serveConsole } from './browser.ts';


describe.skipIf(!existsSync(CHROMIUM))(`the segment builder in Chromium (needs ${CHROMIUM})`, () => {
  let tenant: Tenant;
  let app: FastifyInstance | undefined;
  let browser: Browser | undefined;
  let base: string;
  let world: World;

  beforeAll(async () => {
    tenant = await newTenant('鲜果坊');
    // the small world: 陈美 and 陈芳 are women; of them only 陈美 spent ¥100 or more (¥183.90)
    world = await buildWorld(testDb().db, tenant.id);
    await createUser(testDb().db, tenant.id, { email: 'ops@example.com', name: '林运营', password: PASSWORD, role: 'operator' });
    ({ app, base, browser } = await serveConsole());
  }, 180_000);

  afterAll(async () => {
    await closeConsole({ app, browser });
  });

  /** The operator, logged in, on an empty segment builder. */
  async function newSegmentPage(): Promise<Page> {
    if (!browser) throw new Error('no browser');
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${base}/login`);
    await logIn(page, { tenant: tenant.slug, email: 'ops@example.com', password: PASSWORD });
    await page.getByTestId('dashboard-page').waitFor();
    await page.goto(`${base}/segments`);
    await page.getByTestId('segment-new').click();
    await page.getByTestId('segment-builder').waitFor();
    return page;
  }

  it('builds a segment with a live count and saves it', async () => {
    const page = await newSegmentPage();
    await page.getByTestId('segment-name').fill('女性百元客');
    // the first row starts as 性别 等于 男: change the value to 女
    await page.getByTestId('condition-value').first().click();
    await page.getByTitle('女').click();
    await expect.poll(() => page.getByTestId('preview-count').textContent(), { timeout: 10_000 }).toBe('2 人');
    // add 累计消费（元） 至少 100
    await page.getByTestId('add-condition').first().click();
    await page.getByTestId('condition-field').nth(1).click();
    await page.keyboard.type('累计消费');
    await page.keyboard.press('Enter');
    await page.getByTestId('condition-op').nth(1).click();
    await page.getByTitle('至少').last().click();
    // left empty, the preview says so in Chinese, naming the condition by its field, not its path
    await page.getByTestId('condition-value').nth(1).fill('');
    await expect.poll(() => page.getByTestId('preview-error').textContent(), { timeout: 10_000 }).toBe('条件未填写完整：「累计消费（元）」：必填');
    expect(await page.getByTestId('preview-error').textContent()).not.toMatch(/definition|Invalid|expected/);
    await page.screenshot({ path: path.join(SHOTS, 'segment-builder-refusal.png') });
    await page.getByTestId('condition-value').nth(1).fill('100');
    await expect.poll(() => page.getByTestId('preview-count').textContent(), { timeout: 10_000 }).toBe('1 人');
    expect(await page.getByTestId('members-table').textContent()).toContain('陈美');
    await page.screenshot({ path: path.join(SHOTS, 'segment-builder.png'), fullPage: true });

    await page.getByTestId('segment-save').click();
    await page.getByTestId('segment-detail').waitFor();
    await expect.poll(() => page.getByTestId('segment-size').textContent()).toBe('1');
    await expect.poll(() => page.getByTestId('members-table').textContent(), { timeout: 10_000 }).toContain('陈美');
    await page.screenshot({ path: path.join(SHOTS, 'segment-detail.png'), fullPage: true });
    await page.close();
  }, 60_000);

  it('picks a group for a group condition by searching its name', async () => {
    const db = testDb().db;
    const [futian, nanshan] = [newId(), newId()];
    await db.insertInto('customer_groups').values([
      { tenant_id: tenant.id, id: futian, chat_id: `wr-${futian}`, name: '福田鲜果1群' },
      { tenant_id: tenant.id, id: nanshan, chat_id: `wr-${nanshan}`, name: '南山鲜果1群' },
    ]).execute();
    await db.insertInto('group_members').values({ tenant_id: tenant.id, group_id: futian, customer_id: world.customers.mei, joined_at: new Date() }).execute();
    const page = await newSegmentPage();
    await page.getByTestId('condition-field').first().click();
    await page.keyboard.type('社群');
    await page.keyboard.press('Enter');
    await page.getByTestId('condition-op').first().click();
    await page.getByTitle('属于', { exact: true }).last().click();
    await page.getByTestId('condition-group-picker').click();
    await page.keyboard.type('福田');
    await page.getByTitle(/^福田鲜果1群/).click();
    await expect.poll(() => page.getByTestId('preview-count').textContent(), { timeout: 10_000 }).toBe('1 人');
    expect(await page.getByTestId('members-table').textContent()).toContain('陈美');
    await page.screenshot({ path: path.join(SHOTS, 'segment-group-picker.png'), fullPage: true });
    await page.close();
  }, 60_000);
});
