// Refusals in Chromium, where the console used to show the server's English: points taken below
// the balance (会员积分) and WeCom settings that fail their checks (渠道设置) read in Chinese under
// the field that caused them, with the values that matter, and never show the API's path (body.…)
// or its English message; a dashboard period longer than the server allows reads in Chinese in the
// page's alert, and why a scoring run could not fit CLV reads in Chinese on the CLV tab.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/core/access/access.service.ts';
import { newId } from '../../src/core/ids.ts';
import { adjustPoints } from '../../src/core/membership/points.service.ts';
import { runScoring } from '../../src/core/scores/scores.service.ts';
import type { Tenant } from '../../src/db/schema.ts';
import { newTenant, testDb } from '../helpers.ts';
import { CHROMIUM, SHOTS, closeConsole, serveConsole, signedInPage } from './browser.ts';

const NO_API_TEXT = /body\.|balance|must |characters|leave it negative/;

describe.skipIf(!existsSync(CHROMIUM))(`refusals in Chromium (needs ${CHROMIUM})`, () => {
  let tenant: Tenant;
  let app: FastifyInstance | undefined;
  let browser: Browser | undefined;
  let base: string;
  const memberId = newId();

  beforeAll(async () => {
    const db = testDb().db;
    tenant = await newTenant('鲜果拒绝');
    await createUser(db, tenant.id, { email: 'admin@example.com', name: '钱管理', password: 'pond-keeper-2026', role: 'admin' });
    await db.insertInto('customers').values({ tenant_id: tenant.id, id: memberId, name: '冯小满' }).execute();
    await adjustPoints(db, tenant.id, memberId, { points: 30, reason: '开卡礼', requestKey: 'welcome' }, 'test');
    ({ app, base, browser } = await serveConsole());
  }, 180_000);

  afterAll(async () => {
    await closeConsole({ app, browser });
  });

  it('refuses taking 500 points from a balance of 30 under the points, in Chinese', async () => {
    if (!browser) throw new Error('no browser');
    const page = await signedInPage(browser, base, { tenant: tenant.slug, email: 'admin@example.com' });
    await page.goto(`${base}/membership?customer=${memberId}`);
    await page.getByTestId('member-balance').waitFor();
    const form = page.getByTestId('adjust-form');
    await form.locator('input').first().fill('-500');
    await form.locator('input').nth(1).fill('误发积分收回');
    await form.locator('button[type=submit]').click();
    const reason = '积分不足：余额 30 分，本次需扣 500 分';
    await page.getByText(reason).waitFor();
    const points = form.locator('.ant-form-item').first();
    expect(await points.innerText()).toContain(reason);
    expect(await page.locator('body').innerText()).not.toMatch(NO_API_TEXT);
    expect(await page.getByTestId('member-balance').innerText()).toBe('30');
    await page.screenshot({ path: path.join(SHOTS, 'refusals-points.png') });
    await page.close();
  }, 60_000);

  it('refuses a WeCom corp id, then an EncodingAESKey, under their fields, in Chinese', async () => {
    if (!browser) throw new Error('no browser');
    const page = await signedInPage(browser, base, { tenant: tenant.slug, email: 'admin@example.com' });
    await page.goto(`${base}/channels`);
    await page.getByTestId('channels-page').waitFor();
    const card = page.getByTestId('channel-wecom');
    await card.getByLabel('企业 ID (CorpID)').fill('ww 1436');
    await card.getByLabel('应用 AgentId').fill('1000002');
    await card.getByLabel('应用 Secret').fill('secret-of-the-app');
    await card.getByLabel('回调 Token').fill('pondtoken');
    await card.getByLabel('EncodingAESKey（43 位）').fill('abcdefghij');
    await page.getByTestId('save-wecom').click();
    const item = (label: string) => card.locator('.ant-form-item').filter({ has: page.getByLabel(label) });
    // The request's shape is checked first (the corp id) ...
    const corpIdReason = '须为企业 ID（字母、数字、_ 或 -），例如 ww1436e0e65a779aee';
    await card.getByText(corpIdReason).waitFor();
    expect(await item('企业 ID (CorpID)').innerText()).toContain(corpIdReason);
    expect(await card.innerText()).not.toMatch(NO_API_TEXT);
    // ... then the whole, secrets merged (the key's refinement).
    await card.getByLabel('企业 ID (CorpID)').fill('ww1436e0e65a779aee');
    await page.getByTestId('save-wecom').click();
    await card.getByText('须为 43 个字符（现在是 10 个）').waitFor();
    expect(await item('EncodingAESKey（43 位）').innerText()).toContain('须为 43 个字符（现在是 10 个）');
    expect(await card.innerText()).not.toMatch(NO_API_TEXT);
    await page.screenshot({ path: path.join(SHOTS, 'refusals-wecom.png') });
    await page.close();
  }, 60_000);

  it('refuses a dashboard period of six years with the longest it allows, in Chinese', async () => {
    if (!browser) throw new Error('no browser');
    const page = await signedInPage(browser, base, { tenant: tenant.slug, email: 'admin@example.com' });
    await page.goto(`${base}/`);
    await page.getByTestId('dashboard-page').waitFor();
    const [start, end] = [page.getByTestId('dashboard-filters').locator('input').nth(0), page.getByTestId('dashboard-filters').locator('input').nth(1)];
    await start.click();
    await start.fill('2020-01-01');
    await start.press('Enter');
    await end.fill('2026-01-01');
    await end.press('Enter');
    const reason = '时间范围最多 1098 天';
    const alert = page.locator('.ant-alert-error').filter({ hasText: reason });
    await alert.waitFor();
    expect(await alert.innerText()).not.toMatch(/query\.|range may span|must /);
    await page.screenshot({ path: path.join(SHOTS, 'refusals-dashboard-range.png') });
    await page.close();
  }, 60_000);

  it('says in Chinese why the scoring run could not fit CLV', async () => {
    if (!browser) throw new Error('no browser');
    await runScoring(testDb(), tenant.id, { trigger: 'manual' });
    const page = await signedInPage(browser, base, { tenant: tenant.slug, email: 'admin@example.com' });
    await page.goto(`${base}/layers?tab=clv`);
    const alert = page.getByTestId('clv-not-fitted');
    await alert.waitFor();
    expect(await alert.innerText()).toContain('本次未拟合 CLV 模型：还没有顾客下过单');
    expect(await alert.innerText()).not.toMatch(/ordered|customer/);
    await page.screenshot({ path: path.join(SHOTS, 'refusals-clv-reason.png') });
    await page.close();
  }, 60_000);
});
