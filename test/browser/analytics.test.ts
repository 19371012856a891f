// The analytics area in Chromium: a demo world, an operator logs in, opens 数据分析 from the menu and
// sees the trends chart, then the cohort heat map with its months and cohort sizes.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/core/access/access.service.ts';
import { seedDemo } from '../../src/core/demo/demo.service.ts';
import type { Tenant } from '../../src/db/schema.ts';
import { newTenant, testDb } from '../helpers.ts';
import { CHROMIUM, PASSWORD, SHOTS, closeConsole, logIn, serveConsole } from './browser.ts';


describe.skipIf(!existsSync(CHROMIUM))(`analytics in Chromium (needs ${CHROMIUM})`, () => {
  let tenant: Tenant;
  let app: FastifyInstance | undefined;
  let browser: Browser | undefined;
  let base: string;

  beforeAll(async () => {
    tenant = await newTenant('鲜果分析');
    await createUser(testDb().db, tenant.id, { email: 'analyst@example.com', name: '周分析', password: PASSWORD, role: 'operator' });
    await seedDemo(testDb(), { tenantId: tenant.id, customers: 400, months: 14, seed: 3 });
    ({ app, base, browser } = await serveConsole());
  }, 120_000);

  afterAll(async () => {
    await closeConsole({ app, browser });
  });

  it('opens the analytics page from the menu and renders the cohort heat map', async () => {
    if (!browser) throw new Error('no browser');
    const page = await browser.newPage({ viewport: { width: 1400, height: 950 } });
    await page.goto(`${base}/login`);
    await logIn(page, { tenant: tenant.slug, email: 'analyst@example.com', password: PASSWORD });
    await page.getByTestId('nav-analytics').click();
    await page.getByTestId('analytics-page').waitFor();
    await page.getByTestId('chart-trends-gmv').locator('canvas').first().waitFor();

    await page.getByTestId('tab-cohorts').click();
    const chart = page.getByTestId('chart-cohorts');
    await chart.locator('canvas').first().waitFor();
    expect(page.url()).toContain('view=cohorts');
    // The export link carries the same filters and asks for CSV.
    const href = await page.getByTestId('export-cohorts').getAttribute('href');
    expect(href).toMatch(/^\/api\/v1\/analytics\/cohorts\?from=\d{4}-\d{2}-01&to=\d{4}-\d{2}-\d{2}&format=csv$/);
    // The canvas is drawn: some pixels carry the heat map's blues.
    type Canvas = { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null };
    // (ECharts draws on several layered canvases.)
    await expect.poll(async () => chart.locator('canvas').evaluateAll((elements) => {
      let blue = 0;
      for (const element of elements) {
        const canvas = element as unknown as Canvas;
        const ctx = canvas.getContext('2d');
        if (!ctx) continue;
        const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
        for (let i = 0; i < data.length; i += 4) if ((data[i + 2] ?? 0) > 180 && (data[i] ?? 0) < 120) blue++;
      }
      return blue;
    }), { timeout: 10_000 }).toBeGreaterThan(1000);
    // The server's cohort sizes are what the page asked for.
    const api = await page.evaluate(async (url) => (await fetch(url)).json(), href?.replace('&format=csv', '') ?? '');
    expect((api as { cohorts: { size: number }[] }).cohorts.some((c) => c.size > 0)).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, 'analytics-cohorts.png'), fullPage: true });
    await page.close();
  });
});
