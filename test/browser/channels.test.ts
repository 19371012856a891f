// Channels in Chromium: an admin opens 消息渠道, sets up WeCom against the local fake WeCom server,
// sees the callback URL to paste into WeCom admin and the secrets masked, and runs the connection test.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/core/access/access.service.ts';
import type { Tenant } from '../../src/db/schema.ts';
import { newTenant, testDb } from '../helpers.ts';
import { FakeWecom } from '../fakes/wecom.ts';
import { DOC_VECTOR } from '../fakes/wecom-vectors.ts';
import { CHROMIUM, PASSWORD, SHOTS, closeConsole, logIn, serveConsole } from './browser.ts';

describe.skipIf(!existsSync(CHROMIUM))(`channels in Chromium (needs ${CHROMIUM})`, () => {
  let tenant: Tenant;
  let app: FastifyInstance | undefined;
  let browser: Browser | undefined;
  let base: string;
  const fake = new FakeWecom(DOC_VECTOR.corpId, 'console-app-secret');

  beforeAll(async () => {
    tenant = await newTenant('鲜果渠道');
    await createUser(testDb().db, tenant.id, { email: 'admin@example.com', name: '周管理', password: PASSWORD, role: 'admin' });
    await fake.start();
    fake.contacts.set('li.na', ['wmAAAA0001']);
    ({ app, base, browser } = await serveConsole());
  }, 120_000);

  afterAll(async () => {
    await closeConsole({ app, browser });
    await fake.stop();
  });

  it('sets up WeCom, shows the callback URL and masked secrets, and tests the connection', { timeout: 120_000 }, async () => {
    if (!browser) throw new Error('no browser');
    const page = await browser.newPage({ viewport: { width: 1400, height: 1300 } });
    await page.goto(`${base}/login`);
    await logIn(page, { tenant: tenant.slug, email: 'admin@example.com', password: PASSWORD });
    await page.getByTestId('nav-channels').click();
    await page.getByTestId('channels-page').waitFor();
    const card = page.getByTestId('channel-wecom');
    await card.getByLabel('企业 ID (CorpID)').fill(DOC_VECTOR.corpId);
    await card.getByLabel('应用 AgentId').fill('1000002');
    await card.getByLabel('应用 Secret').fill(fake.secret);
    await card.getByLabel('回调 Token').fill(DOC_VECTOR.token);
    // A key one character short is refused by the server, under its field.
    await card.getByLabel('EncodingAESKey（43 位）').fill(DOC_VECTOR.encodingAesKey.slice(1));
    await card.getByLabel('API 地址（可选，默认 https://qyapi.weixin.qq.com）').fill(fake.url);
    await page.getByTestId('save-wecom').click();
    await expect.poll(() => card.textContent(), { timeout: 15_000 }).toContain('须为 43 个字符（现在是 42 个）');
    await card.getByLabel('EncodingAESKey（43 位）').fill(DOC_VECTOR.encodingAesKey);
    await page.getByTestId('save-wecom').click();
    await expect.poll(() => card.textContent(), { timeout: 15_000 }).toContain('已配置');
    expect(await page.getByTestId('callback-url').inputValue()).toBe(`${base}/callbacks/wecom/${tenant.slug}`);
    const text = (await card.textContent()) ?? '';
    expect(text).not.toContain(fake.secret);
    expect(text).toContain('已保存 ••••');

    await page.getByTestId('test-wecom').click();
    await page.getByTestId('result-wecom').waitFor();
    await expect.poll(() => page.getByTestId('result-wecom').textContent(), { timeout: 15_000 }).toContain('连接正常');
    expect(await page.getByTestId('result-wecom').textContent()).toContain('1 staff members');
    await page.screenshot({ path: path.join(SHOTS, 'channels.png'), fullPage: true });
  });
});
