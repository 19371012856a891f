// The journeys area in Chromium: an operator starts a journey from the 5-day seeding + 6-day
// conversion template, sees it on the canvas, breaks it (a dropped node left unconnected), is told
// on the node itself, and sees the figures per node of a journey customers are walking.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/core/access/access.service.ts';
import { ingestEvents } from '../../src/core/ingest/ingest.service.ts';
import { drainInbox } from '../../src/core/journeys/entry.service.ts';
import { createJourney, publishJourney } from '../../src/core/journeys/journeys.service.ts';
import { runDue } from '../../src/core/journeys/runner.service.ts';
import { JOURNEY_TEMPLATES } from '../../src/core/journeys/templates.ts';
import type { Tenant } from '../../src/db/schema.ts';
import { adminOf } from '../core/ingest-helpers.ts';
import { buildWorld, type World } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';
import { CHROMIUM, PASSWORD, SHOTS, closeConsole, logIn, serveConsole } from './browser.ts';

describe.skipIf(!existsSync(CHROMIUM))(`journeys in Chromium (needs ${CHROMIUM})`, () => {
  let tenant: Tenant;
  let world: World;
  let app: FastifyInstance | undefined;
  let browser: Browser | undefined;
  let base: string;
  let liveId: string;

  beforeAll(async () => {
    tenant = await newTenant('鲜果旅程');
    world = await buildWorld(testDb().db, tenant.id);
    await createUser(testDb().db, tenant.id, { email: 'ops@example.com', name: '周运营', password: PASSWORD, role: 'operator' });
    // a live welcome journey that two customers have entered, one of whom has bought
    const actor = adminOf(tenant.id);
    const welcome = JOURNEY_TEMPLATES.find((t) => t.key === 'welcome_first_order');
    if (!welcome) throw new Error('no welcome template');
    const j = await createJourney(testDb().db, actor, { name: '新客欢迎', graph: welcome.graph });
    await publishJourney(testDb().db, actor, j.id);
    liveId = j.id;
    const now = Date.now();
    await ingestEvents(testDb().db, actor, [
      { id: `b-${j.id}-1`, type: 'contact_added', occurredAt: new Date(now - 60_000).toISOString(), customer: { customerId: world.customers.mei }, properties: { staffId: world.staff.li } },
      { id: `b-${j.id}-2`, type: 'contact_added', occurredAt: new Date(now - 60_000).toISOString(), customer: { customerId: world.customers.lei }, properties: { staffId: world.staff.wang } },
    ]);
    await drainInbox(testDb().db, tenant.id, new Date(now));
    await ingestEvents(testDb().db, actor, [
      { id: `b-${j.id}-3`, type: 'order_paid', occurredAt: new Date(now).toISOString(), customer: { customerId: world.customers.mei }, properties: { orderNo: `B-${j.id}`, paidFen: 9_900, channel: 'miniprogram' } },
    ]);
    await drainInbox(testDb().db, tenant.id, new Date(now + 1000));
    // 张磊 did not buy: four days later he is past the guide's task and waiting again
    await runDue(testDb().db, tenant.id, { now: new Date(now + 4 * 86_400_000) });
    ({ app, base, browser } = await serveConsole());
  }, 180_000);

  afterAll(async () => {
    await closeConsole({ app, browser });
  });

  it('starts from a template, shows a problem on the node it concerns, and draws figures on a live journey', async () => {
    if (!browser) throw new Error('no browser');
    const page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
    await page.goto(`${base}/login`);
    await logIn(page, { tenant: tenant.slug, email: 'ops@example.com', password: PASSWORD });
    await page.getByTestId('nav-journeys').click();
    await page.getByTestId('journeys-page').waitFor();
    await page.getByText('新客欢迎').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'journeys-list.png') });

    await page.getByTestId('journey-new').click();
    await page.getByTestId('template-seed5_convert6').click();
    await page.getByTestId('journey-builder').waitFor();
    await page.getByTestId('journey-node-seed5').waitFor();
    await page.getByTestId('journey-validate').click();
    await page.getByText('校验通过，可以发布').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'journeys-template.png') });

    // a message node dropped on the canvas and left unconnected: named on the node
    const canvas = page.locator('.journey-canvas');
    await page.getByTestId('palette-send_message').dragTo(canvas, { targetPosition: { x: 120, y: 120 } });
    await page.getByTestId('journey-node-send_message_1').waitFor();
    await page.getByTestId('journey-node-settings').waitFor();
    await page.getByTestId('journey-validate').click();
    const problem = page.getByTestId('journey-node-send_message_1').locator('.journey-node-problems');
    await problem.waitFor();
    expect(await problem.innerText()).toContain('从入口无法到达');
    await page.screenshot({ path: path.join(SHOTS, 'journeys-problem.png') });

    // its text emptied: the schema's refusal in Chinese, naming the node and the setting, no path
    await page.getByTestId('journey-node-settings').locator('textarea').fill('');
    await page.getByTestId('journey-validate').click();
    const problems = page.getByTestId('journey-problems');
    await problems.getByText('内容：不能为空').waitFor();
    expect(await problems.innerText()).not.toMatch(/graph\.|body\.|Too small|expected/);
    await page.screenshot({ path: path.join(SHOTS, 'journeys-refusal-zh.png') });

    await page.goto(`${base}/journeys/${liveId}`);
    await page.getByTestId('journey-stats-welcome').waitFor();
    expect(await page.getByTestId('journey-stats-welcome').innerText()).toContain('进入 2');
    expect(await page.getByTestId('journey-stats-bought').innerText()).toContain('转化 1');
    expect(await page.getByTestId('journey-totals').innerText()).toContain('达成目标 1');
    await page.screenshot({ path: path.join(SHOTS, 'journeys-stats.png') });
  }, 120_000);
});
