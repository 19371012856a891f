// 客户分层 in Chromium: a scored demo world; an operator opens the page from the menu and sees the
// R×F heat map and the eight cells with the server's counts (and, where quintile ties leave a score
// empty, the sentence that says why), the lifecycle chart and flow, and the CLV tab's model,
// histograms and the valuable customers at risk.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, createUser } from '../../src/core/access/access.service.ts';
import { seedDemo } from '../../src/core/demo/demo.service.ts';
import { runScoring } from '../../src/core/scores/scores.service.ts';
import type { Tenant } from '../../src/db/schema.ts';
import { newTenant, testDb } from '../helpers.ts';
import { CHROMIUM, PASSWORD, SHOTS, closeConsole, serveConsole, signedInPage } from './browser.ts';

interface RfmOverview {
  buyers: number;
  grid: { r: number; f: number; customers: number }[];
  cells: { cell: string; customers: number }[];
}

describe.skipIf(!existsSync(CHROMIUM))(`customer layers in Chromium (needs ${CHROMIUM})`, () => {
  let tenant: Tenant;
  let app: FastifyInstance | undefined;
  let browser: Browser | undefined;
  let base: string;
  let key: string;
  let sparse: Tenant;

  async function get<T>(url: string): Promise<T> {
    const res = await fetch(base + url, { headers: { authorization: `Bearer ${key}` } });
    if (!res.ok) throw new Error(`${url}: ${res.status}`);
    return (await res.json()) as T;
  }

  beforeAll(async () => {
    tenant = await newTenant('鲜果分层');
    const { db } = testDb();
    await createUser(db, tenant.id, { email: 'layers@example.com', name: '郑分层', password: PASSWORD, role: 'operator' });
    key = (await createApiKey(db, tenant.id, { role: 'admin', staffId: null })).key;
    await seedDemo(testDb(), { tenantId: tenant.id, customers: 500, months: 14, seed: 11 });
    await runScoring(testDb(), tenant.id, { trigger: 'manual' });
    // A shop where most buyers came once: ten one-day buyers and three regulars (2, 3 and 4 days)
    // put the first three F cut points at one day, so F2 and F3 stay empty.
    sparse = await newTenant('鲜果单次');
    await createUser(db, sparse.id, { email: 'layers@example.com', name: '郑分层', password: PASSWORD, role: 'operator' });
    const days = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 3, 4];
    const orders = days.flatMap((n, i) => Array.from({ length: n }, (_, d) => ({
      orderNo: `S${i}-${d}`, customer: { phone: `1390000${String(i).padStart(4, '0')}` }, channel: 'pos',
      totalFen: 3000, paidFen: 3000, orderedAt: new Date(Date.now() - (3 + d * 9 + i) * 86_400_000).toISOString(), items: [],
    })));
    const sparseKey = (await createApiKey(db, sparse.id, { role: 'admin', staffId: null })).key;
    ({ app, base, browser } = await serveConsole());
    const posted = await fetch(`${base}/api/v1/orders`, { method: 'POST', headers: { authorization: `Bearer ${sparseKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ orders }) });
    expect(posted.status).toBe(200);
    await runScoring(testDb(), sparse.id, { trigger: 'manual' });
  }, 180_000);

  afterAll(async () => {
    await closeConsole({ app, browser });
  });

  it('shows the RFM grid and cells as the server counts them, the lifecycle flow and the customers at risk', async () => {
    if (!browser) throw new Error('no browser');
    const rfm = await get<RfmOverview>('/api/v1/analytics/rfm');
    expect(rfm.buyers).toBeGreaterThan(0);
    const page = await signedInPage(browser, base, { tenant: tenant.slug, email: 'layers@example.com' }, { height: 950 });
    await page.getByTestId('nav-layers').click();
    await page.getByTestId('rfm-tab').waitFor();
    await page.getByTestId('rfm-heatmap').locator('canvas').first().waitFor();

    // each of the eight cards carries the server's count
    const cards = page.getByTestId('rfm-cells');
    await cards.getByText('重要价值').waitFor();
    const important = rfm.cells.find((c) => c.cell === 'important_value')?.customers ?? 0;
    expect(important).toBeGreaterThan(0);
    await expect.poll(() => cards.locator('.cell-card', { hasText: '重要价值' }).locator('.cell-count').innerText()).toBe(important.toLocaleString('zh-CN'));
    const shown = await cards.locator('.cell-count').allInnerTexts();
    const total = rfm.cells.reduce((sum, c) => sum + c.customers, 0);
    expect(shown.reduce((sum, text) => sum + Number(text.replace(/,/g, '')), 0)).toBe(total);

    // a score nobody has is explained, and only then
    const emptyF = [1, 2, 3, 4, 5].filter((s) => !rfm.grid.some((g) => g.f === s && g.customers > 0));
    const skipped = page.getByTestId('rfm-skipped');
    if (emptyF.length > 0) {
      await skipped.getByText(`${emptyF.map((s) => `F${s}`).join('、')} 无人：购买天数相同的客户得分相同`, { exact: false }).waitFor();
    } else {
      expect(await skipped.count()).toBe(0);
    }
    await page.screenshot({ path: path.join(SHOTS, 'layers-rfm.png'), fullPage: true });

    await page.getByRole('tab', { name: '生命周期' }).click();
    await page.getByTestId('lifecycle-chart').locator('canvas').first().waitFor();
    await page.getByTestId('lifecycle-flow').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'layers-lifecycle.png'), fullPage: true });

    await page.getByRole('tab', { name: '预测 CLV' }).click();
    await page.getByTestId('clv-model').waitFor();
    await page.getByTestId('clv-histogram').locator('canvas').first().waitFor();
    const atRisk = await get<{ total: number; items: { name: string }[] }>('/api/v1/analytics/clv/at-risk?page=1&pageSize=10&pAliveBelow=0.3');
    const table = page.getByTestId('at-risk');
    if (atRisk.total > 0) {
      await table.getByText(atRisk.items[0]?.name || '—', { exact: true }).first().waitFor();
      await expect.poll(() => table.locator('tbody tr.ant-table-row').count()).toBe(Math.min(10, atRisk.total));
    } else {
      await table.locator('.ant-empty').waitFor();
    }
    await page.screenshot({ path: path.join(SHOTS, 'layers-clv.png'), fullPage: true });
    await page.close();
  });

  it('says why F2 and F3 are empty when most buyers came on one day only', async () => {
    if (!browser) throw new Error('no browser');
    const page = await signedInPage(browser, base, { tenant: sparse.slug, email: 'layers@example.com' }, { height: 950 });
    await page.getByTestId('nav-layers').click();
    await page.getByTestId('rfm-heatmap').locator('canvas').first().waitFor();
    await page.getByTestId('rfm-skipped').getByText('F2、F3 无人：购买天数相同的客户得分相同', { exact: false }).waitFor();
    await page.getByTestId('rfm-cells').getByText('重要价值').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'layers-rfm-ties.png') });
    await page.close();
  });
});
