// The fission page in Chromium: an operator opens 裂变 from the menu, sees a live 接龙 with the text
// to paste, an open 拼团 with its countdown, a two-level referral tree, the superuser leaderboard and
// the settlement. Screenshots go to test-results/ for a person to look at.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/core/access/access.service.ts';
import { newId } from '../../src/core/ids.ts';
import { recordOrders } from '../../src/core/orders/record.service.ts';
import { createSolitaire, joinSolitaire } from '../../src/core/group-selling/solitaires.service.ts';
import { joinGroupBuy, openGroupBuy } from '../../src/core/group-selling/group-buys.service.ts';
import { attributeByRequest } from '../../src/core/referral/attribution.service.ts';
import { createReferralCode, setRewardRules } from '../../src/core/referral/referral.service.ts';
import { runReferralSweep } from '../../src/core/referral/sweep.service.ts';
import { buildWorld, type World } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';
import { CHROMIUM, PASSWORD, SHOTS, closeConsole, logIn, serveConsole } from './browser.ts';

describe.skipIf(!existsSync(CHROMIUM))(`fission in Chromium (needs ${CHROMIUM})`, () => {
  let world: World;
  let slug: string;
  let app: FastifyInstance | undefined;
  let browser: Browser | undefined;
  let base: string;
  const db = () => testDb().db;

  beforeAll(async () => {
    const tenant = await newTenant('百果园南山');
    slug = tenant.slug;
    world = await buildWorld(db(), tenant.id);
    await createUser(db(), tenant.id, { email: 'ops@example.com', name: '吴运营', password: PASSWORD, role: 'operator' });
    const t = tenant.id;
    const groupId = newId();
    await db().insertInto('customer_groups').values({ tenant_id: t, id: groupId, chat_id: `wr${groupId}`, name: '南山鲜果福利群', owner_staff_id: world.staff.zhao, store_id: world.stores.nanshan }).execute();
    const names = ['小美', '阿强', '芳芳', '老王', 'Lily', '陈姐', '大卫', '果果'];
    const people = names.map(() => newId());
    await db().insertInto('customers').values(people.map((id, i) => ({ tenant_id: t, id, name: names[i] ?? '' }))).execute();
    await db().insertInto('group_members').values(people.map((id) => ({ tenant_id: t, group_id: groupId, customer_id: id, joined_at: new Date() }))).execute();
    const sol = await createSolitaire(db(), t, { groupId, title: '车厘子季 199元5斤', sku: 'CHERRY-5J', itemName: '智利车厘子 5斤装', priceFen: 19900, stock: 30, storeId: world.stores.nanshan, deadlineAt: new Date(Date.now() + 5 * 3_600_000).toISOString() }, { actor: 'test' });
    for (const [i, p] of people.slice(0, 6).entries()) await joinSolitaire(db(), t, sol.id, { customerId: p, quantity: (i % 3) + 1 });
    const [p0, p1, p2, p3, p4, p5, p6] = people as [string, string, string, string, string, string, string, string];
    const gb = await openGroupBuy(db(), t, { leaderCustomerId: p0, sku: 'DURIAN', itemName: '金枕榴莲 一个', priceFen: 9900, originalPriceFen: 15900, targetSize: 5, timeLimitMinutes: 90 }, { actor: 'test' });
    await joinGroupBuy(db(), t, gb.shareToken, { customerId: p1 }, { actor: 'test' });
    await joinGroupBuy(db(), t, gb.shareToken, { customerId: p2 }, { actor: 'test' });
    const done = await openGroupBuy(db(), t, { leaderCustomerId: p3, sku: 'MANGO', itemName: '芒果礼盒', priceFen: 5900, originalPriceFen: 8900, targetSize: 2, timeLimitMinutes: 60 }, { actor: 'test' });
    await joinGroupBuy(db(), t, done.shareToken, { customerId: p4 }, { actor: 'test' });

    await setRewardRules(db(), t, [{ level: 1, kind: 'percent_first_order', percentBp: 1000 }, { level: 2, kind: 'percent_first_order', percentBp: 500 }]);
    await createReferralCode(db(), t, { customerId: world.customers.mei, code: 'MEI2026' });
    await attributeByRequest(db(), t, { customerId: p5, code: 'MEI2026' }, 'test');
    await attributeByRequest(db(), t, { customerId: world.customers.mei, code: 'MEI2026' }, 'test'); // self-referral: refused and logged
    await attributeByRequest(db(), t, { customerId: p6, code: 'MEI2026' }, 'test');
    const { code } = await createReferralCode(db(), t, { customerId: p5 });
    await attributeByRequest(db(), t, { customerId: people[7] ?? '', code }, 'test');
    const later = new Date(Date.now() + 60_000).toISOString();
    await recordOrders(db(), t, [p5, p6, people[7] ?? ''].map((c, i) => ({
      orderNo: `REF-${t}-${i}`, customer: { customerId: c }, channel: 'miniprogram' as const, paidFen: 12_800 + i * 3000, totalFen: 12_800 + i * 3000, discountFen: 0, orderedAt: later,
      items: [{ sku: 'CHERRY', name: '车厘子', quantity: 1, unitPriceFen: 12_800 + i * 3000 }],
    })), { source: 'test' });
    await runReferralSweep(db(), t, new Date(Date.now() + 120_000));

    ({ app, base, browser } = await serveConsole());
  }, 120_000);

  afterAll(async () => {
    await closeConsole({ app, browser });
  });

  it('shows 接龙, 拼团, the referral tree, superusers and the settlement', async () => {
    if (!browser) throw new Error('no browser');
    const page = await browser.newPage({ viewport: { width: 1440, height: 950 } });
    await page.goto(`${base}/login`);
    await logIn(page, { tenant: slug, email: 'ops@example.com', password: PASSWORD });
    await page.getByTestId('nav-referral').click();
    await page.getByTestId('referral-page').waitFor();
    await page.getByText('车厘子季 199元5斤').first().click();
    const text = page.getByTestId('solitaire-text');
    await text.waitFor();
    const pasted = await text.inputValue();
    expect(pasted.split('\n').slice(0, 2)).toEqual(['#接龙 车厘子季 199元5斤', '商品：智利车厘子 5斤装']);
    expect(pasted).toContain('1. 小美 1');
    expect(pasted).toContain('6. 陈姐 3');
    await page.screenshot({ path: path.join(SHOTS, 'fission-solitaire.png') });
    await page.keyboard.press('Escape');

    await page.getByRole('tab', { name: '拼团' }).click();
    await page.getByTestId('gb-countdown').first().waitFor();
    expect(await page.getByTestId('gb-countdown').first().innerText()).toMatch(/^01:(2\d|29):\d\d$/);
    await page.screenshot({ path: path.join(SHOTS, 'fission-group-buys.png') });

    await page.getByRole('tab', { name: '推荐网络' }).click();
    await page.getByRole('row', { name: /陈美/ }).click();
    await page.getByTestId('referral-tree').waitFor();
    await expect.poll(() => page.getByTestId('referral-tree').innerText()).toContain('果果');
    await page.screenshot({ path: path.join(SHOTS, 'fission-tree.png') });

    await page.getByRole('tab', { name: '超级用户' }).click();
    // The first ranked row (antd's rows carry .ant-table-row; its measuring row does not).
    await expect.poll(() => page.getByTestId('superusers').locator('tbody tr.ant-table-row').first().innerText(), { timeout: 30_000 }).toContain('陈美');
    await page.screenshot({ path: path.join(SHOTS, 'fission-superusers.png') });

    await page.getByRole('tab', { name: '奖励规则' }).click();
    await page.getByTestId('rules-save').waitFor();
    await expect.poll(() => page.getByText('自己推荐自己').count()).toBe(1);
    // Levels paying 80% + 30% of an order: refused, and the page says why.
    await page.getByRole('spinbutton').first().fill('80');
    await page.getByRole('spinbutton').nth(1).fill('30');
    await page.getByTestId('rules-save').click();
    await expect.poll(() => page.getByTestId('rules-error').innerText()).toContain('两级佣金合计 110%，超过订单本身的收入');
    expect(await page.getByTestId('rules-error').innerText()).not.toMatch(/body\.|more than the order/);
    await page.screenshot({ path: path.join(SHOTS, 'fission-rules.png') });

    await page.getByRole('tab', { name: '结算' }).click();
    await page.getByText('合计').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'fission-settlement.png') });
  }, 180_000);
});
