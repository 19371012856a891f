// Groups in a real browser: three WeCom groups fed through the ingestion API last week — one where
// members answer each other, one flooded with links, one where only the owner posts — health
// recomputed through the API; Chromium then reads the list's badges, a group's reasons, chart and
// messages, and adds a moderation rule whose refused regex shows the reason in Chinese.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, createUser } from '../../src/core/access/access.service.ts';
import { newTenant, testDb } from '../helpers.ts';
import { CHROMIUM, PASSWORD, SHOTS, closeConsole, logIn, serveConsole } from './browser.ts';
import { buildWorld } from '../fixtures.ts';

const EMAIL = 'community@example.com';
const NAMES = ['陈美', '张磊', '陈芳', '刘军', '王丽', '赵强', '孙悦', '周婷', '吴昊', '郑爽', '冯雪', '何欢'];

describe.skipIf(!existsSync(CHROMIUM))(`groups in Chromium (needs ${CHROMIUM})`, () => {
  let app: FastifyInstance | undefined;
  let browser: Browser | undefined;
  let base: string;
  let slug: string;
  let key: string;

  async function call(method: string, url: string, body?: unknown): Promise<Record<string, unknown>> {
    const res = await fetch(base + url, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  }

  beforeAll(async () => {
    const { db } = testDb();
    const tenant = await newTenant('鲜果福田');
    slug = tenant.slug;
    const world = await buildWorld(db, tenant.id);
    await createUser(db, tenant.id, { email: EMAIL, name: '林运营', password: PASSWORD, role: 'admin' });
    key = (await createApiKey(db, tenant.id, { role: 'admin', staffId: null })).key;
    const li = await db.selectFrom('staff').select('wecom_user_id').where('tenant_id', '=', tenant.id).where('id', '=', world.staff.li).executeTakeFirstOrThrow();
    ({ app, base, browser } = await serveConsole());

    const lastWeek = Date.now() - 7 * 86_400_000;
    const at = (minutes: number) => new Date(lastWeek + minutes * 60_000).toISOString();
    const who = (i: number) => ({ externalUserId: `wm-${slug}-${i}` });
    const events: Record<string, unknown>[] = [];
    let n = 0;
    const ev = (type: string, customer: Record<string, string>, properties: Record<string, unknown>, minutes: number) => {
      const id = `e-${slug}-${++n}`;
      events.push({ id, type, occurredAt: at(minutes), customer, source: 'wecom', properties });
      return id;
    };
    const groups = [['wr-lively', '福田鲜果 1 群'], ['wr-spam', '南山拼团群'], ['wr-owner', '车厘子预售群']] as const;
    NAMES.forEach((name, i) => ev('profile_updated', who(i), { name }, -60 * 24 * 20));
    for (const [chatId, groupName] of groups) {
      NAMES.forEach((_, i) => ev('group_joined', who(i), { chatId, groupName, ownerWecomUserId: li.wecom_user_id }, -60 * 24 * 14 + i));
    }
    let previous = ev('message_sent', who(0), { chatId: 'wr-lively', staffWecomUserId: li.wecom_user_id, text: '今天到了智利车厘子，大家尝尝' }, 0);
    const chatter = ['甜！昨天买了两盒', '我家孩子特别爱吃', '福田店还有货吗？', '有的，我刚去买了', '周二会员日更便宜', '谢谢提醒', '求推荐芒果', '台农芒果不错', '明天一起去'];
    chatter.forEach((text, i) => { previous = ev('message_received', who(i % 8), { chatId: 'wr-lively', text, replyTo: previous }, 10 + i * 7); });
    for (let i = 0; i < 8; i++) ev('message_received', who(i), { chatId: 'wr-spam', text: `低价代购 https://spam${i}.example.com 加我` }, 30 + i);
    ev('group_left', who(7), { chatId: 'wr-owner' }, 400);
    for (let i = 0; i < 6; i++) ev('message_sent', who(0), { chatId: 'wr-owner', staffWecomUserId: li.wecom_user_id, text: `车厘子预售第 ${i + 1} 天，欢迎下单` }, 60 * i);
    await call('POST', '/api/v1/group-rules', { name: '营业时间', kind: 'auto_reply', match: 'keyword', pattern: '营业时间,几点开门', replyTemplate: '{nickname}您好，{group}门店每天 8:00–22:00 营业', action: 'reply' });
    await call('POST', '/api/v1/group-rules', { name: '广告链接', kind: 'link', match: 'any_link', action: 'flag' });
    const result = await call('POST', '/api/v1/events', { events });
    expect(result.rejected).toEqual([]);
    // group_joined two weeks ago made the groups then; they are judged on last week
    await db.updateTable('customer_groups').set({ created_at: new Date(Date.now() - 30 * 86_400_000) }).where('tenant_id', '=', tenant.id).execute();
    await call('POST', '/api/v1/groups/health/recompute', { weeks: 4 });
  });

  afterAll(async () => {
    await closeConsole({ app, browser });
  });

  it('lists groups with health badges, shows a group\'s reasons, chart and messages, and refuses a slow regex', async () => {
    if (!browser) throw new Error('no browser');
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    page.setDefaultTimeout(25_000);
    try {
      await walkThrough(page);
    } catch (err) {
      await page.screenshot({ path: path.join(SHOTS, 'groups-failure.png'), fullPage: true });
      throw err;
    }
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  async function walkThrough(page: import('playwright-core').Page): Promise<void> {
    await page.goto(`${base}/groups`);
    await page.waitForURL(/\/login\?next=/);
    await logIn(page, { tenant: slug, email: EMAIL, password: PASSWORD });
    const table = page.getByTestId('groups-table');
    await table.getByText('福田鲜果 1 群').waitFor();
    const row = (name: string) => table.locator('tr', { hasText: name });
    await expect(row('福田鲜果 1 群').getByTestId('health-badge').textContent()).resolves.toBe('价值群');
    await expect(row('南山拼团群').getByTestId('health-badge').textContent()).resolves.toBe('垃圾群');
    await expect(row('车厘子预售群').getByTestId('health-badge').textContent()).resolves.toBe('死亡群');
    await expect(row('福田鲜果 1 群').textContent()).resolves.toContain('网状链接');
    await expect(row('车厘子预售群').textContent()).resolves.toContain('中心辐射');
    await page.screenshot({ path: path.join(SHOTS, 'groups-list.png'), fullPage: true });

    await row('南山拼团群').getByRole('link', { name: '南山拼团群' }).click();
    const classification = page.getByTestId('group-classification');
    await classification.getByText(/成员消息中链接\/违规占 100%/).waitFor();
    await classification.getByText('清理广告与刷屏成员').waitFor();
    await page.getByTestId('group-weekly-chart').locator('canvas').waitFor();
    await page.getByText('违规').first().waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'groups-detail-spam.png'), fullPage: true });

    await page.goto(`${base}/groups`);
    await row('福田鲜果 1 群').getByRole('link', { name: '福田鲜果 1 群' }).click();
    await page.getByTestId('group-classification').getByText(/的回复发生在群友之间/).waitFor();
    await page.getByText('回复 陈美').first().waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'groups-detail-value.png'), fullPage: true });
    await page.getByRole('tab', { name: '入群/退群记录' }).click();
    await page.getByRole('tabpanel').getByText('入群', { exact: true }).first().waitFor();

    // Members: the tab counts those in the group now; who left is listed on request.
    await page.goto(`${base}/groups`);
    await row('车厘子预售群').getByRole('link', { name: '车厘子预售群' }).click();
    const membersTab = page.getByRole('tab', { name: `成员 (${NAMES.length - 1})` });
    await membersTab.click();
    const members = page.getByRole('tabpanel');
    // 11 in the group over two pages of 10; the one who left is on neither
    await members.locator('tbody tr').nth(9).waitFor();
    expect(await members.getByText(NAMES[7]!, { exact: true }).count()).toBe(0);
    await members.locator('.ant-pagination-item-2').click();
    await members.locator('tbody tr').first().waitFor();
    await expect.poll(() => members.locator('tbody tr').count()).toBe(1);
    expect(await members.getByText(NAMES[7]!, { exact: true }).count()).toBe(0);
    await page.getByTestId('member-status').getByText('已退群').click();
    await members.getByText(NAMES[7]!, { exact: true }).waitFor();
    expect(await members.locator('tbody tr').count()).toBe(1);
    await page.screenshot({ path: path.join(SHOTS, 'groups-detail-left.png'), fullPage: true });

    await page.goto(`${base}/groups/rules`);
    await page.getByTestId('group-rules-page').getByText('营业时间', { exact: true }).waitFor();
    await page.getByText('南山拼团群').first().waitFor();
    await page.getByTestId('rule-new').click();
    const dialog = page.locator('.ant-modal');
    await dialog.waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'groups-rule-form.png') });
    await dialog.getByLabel('规则名称').fill('回退');
    await dialog.getByLabel('关键词（逗号或空格分隔）或正则').fill('(a+)+$');
    await dialog.locator('.ant-select').nth(1).click();
    await page.locator('.ant-select-item-option', { hasText: '正则' }).click();
    await dialog.getByLabel('回复内容（可用 {nickname} 与 {group}）').fill('你好');
    await dialog.getByRole('button', { name: /保\s*存/ }).click();
    await dialog.getByText('这个正则在某些消息上可能极慢（嵌套或重叠的重复），请简化').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'groups-rules.png'), fullPage: true });
    const stored = await testDb().db.selectFrom('group_rules').select('name').where('name', '=', '回退').execute();
    expect(stored).toEqual([]);
  }
});
