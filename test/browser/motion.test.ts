// Motion in Chromium: a system that asks for reduced motion gets menus that open in place, with
// AntD's motion durations at zero; one that does not gets the animations. The user menu lives in
// the sticky header, so it stays under its button while the page scrolls beneath it.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/core/access/access.service.ts';
import { newTenant, testDb } from '../helpers.ts';
import { CHROMIUM, PASSWORD, SHOTS, closeConsole, logIn, serveConsole } from './browser.ts';

/** The little of the DOM these checks read (the tests are typed without the DOM library). */
interface BrowserElement {
  classList: Iterable<string>;
  getAnimations(options: { subtree: boolean }): unknown[];
  getBoundingClientRect(): { top: number; bottom: number };
}
interface BrowserWindow {
  document: { querySelector(selector: string): BrowserElement | null };
  matchMedia(query: string): { matches: boolean };
  getComputedStyle(element: BrowserElement): { getPropertyValue(name: string): string };
  scrollTo(x: number, y: number): void;
  scrollY: number;
}

describe.skipIf(!existsSync(CHROMIUM))(`motion in Chromium (needs ${CHROMIUM})`, () => {
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  let tenant: { id: string; slug: string };
  const email = 'still@example.com';

  beforeAll(async () => {
    tenant = await newTenant('静一点');
    await createUser(testDb().db, tenant.id, { email, name: '林店长', password: PASSWORD, role: 'admin' });
    ({ app, base, browser } = await serveConsole());
  }, 180_000);

  afterAll(async () => {
    await closeConsole({ app, browser });
  });

  /** Signs in on a short window (the dashboard scrolls in it) and opens the user menu. */
  async function openUserMenu(reducedMotion: 'reduce' | 'no-preference'): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 600 }, locale: 'zh-CN', reducedMotion });
    await page.goto(`${base}/login`);
    await logIn(page, { tenant: tenant.slug, email, password: PASSWORD });
    await page.getByTestId('dashboard-page').waitFor();
    await page.getByTestId('header-user').click();
    await page.getByRole('menuitem', { name: '退出登录' }).waitFor();
    return page;
  }

  /** What the open user menu says about motion. */
  function menuMotion(page: Page) {
    return page.evaluate(() => {
      const window = globalThis as unknown as BrowserWindow;
      const menu = window.document.querySelector('.header-bar .ant-dropdown');
      if (!menu) throw new Error('the user menu is not inside the header');
      return {
        reduced: window.matchMedia('(prefers-reduced-motion: reduce)').matches,
        duration: window.getComputedStyle(menu).getPropertyValue('--ant-motion-duration-mid').trim(),
        motionClasses: [...menu.classList].filter((name) => /-(appear|enter)/.test(name)),
        running: menu.getAnimations({ subtree: true }).length,
      };
    });
  }

  it('opens menus in place when the system asks for reduced motion, and animates them otherwise', async () => {
    const still = await openUserMenu('reduce');
    expect(await menuMotion(still)).toEqual({ reduced: true, duration: '0s', motionClasses: [], running: 0 });
    await still.close();

    const moving = await openUserMenu('no-preference');
    const motion = await menuMotion(moving);
    expect(motion.reduced).toBe(false);
    expect(motion.duration).toBe('0.2s');
    await moving.close();
  }, 120_000);

  it('keeps the user menu under its button while the page scrolls', async () => {
    const page = await openUserMenu('reduce');
    // scroll and measure in one task: a menu positioned on the page would only follow at the next
    // scroll event, after this measurement
    const gaps = await page.evaluate(() => {
      const window = globalThis as unknown as BrowserWindow;
      const button = window.document.querySelector('[data-testid="header-user"]')!;
      const menu = window.document.querySelector('.ant-dropdown')!;
      const gap = () => menu.getBoundingClientRect().top - button.getBoundingClientRect().bottom;
      const before = gap();
      window.scrollTo(0, 200);
      return { scrolled: window.scrollY, before, after: gap() };
    });
    expect(gaps.scrolled).toBe(200);
    expect(gaps.after).toBeCloseTo(gaps.before, 0);
    expect(Math.abs(gaps.before)).toBeLessThan(20);
    await page.screenshot({ path: path.join(SHOTS, 'user-menu-scrolled.png') });
    await page.getByRole('menuitem', { name: '退出登录' }).click();
    await page.getByTestId('login-submit').waitFor();
    await page.close();
  }, 120_000);
});
