// What the browser tests share: Debian's Chromium, the built console, and the login form.
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { beforeEach } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Screenshots, for a person to look at after a run. */
export const SHOTS = path.join(ROOT, 'test-results');
export const PASSWORD = 'pond-keeper-2026';

/** The server serves web/dist: build it if the sources are newer (npm test has done so already). */
export async function prepareConsole(): Promise<void> {
  await promisify(execFile)(process.execPath, ['scripts/build-console.mjs', '--if-stale'], { cwd: ROOT });
  await mkdir(SHOTS, { recursive: true });
}

/**
 * Headless Chromium kept off the network (this machine refuses its background connections) and
 * asking for reduced motion: menus and dialogs then open in place, so a click under load never
 * lands on one still sliding in (the console honours the setting; motion.test.ts checks that).
 */
export async function launchChromium(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--force-prefers-reduced-motion'],
  });
  launched.add(browser);
  browser.on('disconnected', () => launched.delete(browser));
  return browser;
}

const launched = new Set<Browser>();

// When a test of a file that imports this fails, every page still open is kept as a screenshot
// (test-results/failed-<test>-<n>.png) and its address printed: what the page showed at the failure.
beforeEach(({ task, onTestFailed }) => {
  onTestFailed(async () => {
    const pages = [...launched].flatMap((browser) => browser.contexts().flatMap((context) => context.pages()));
    const name = task.name.replace(/[^\p{L}\p{N}]+/gu, '-').slice(0, 60);
    for (const [index, page] of pages.entries()) {
      const file = path.join(SHOTS, `failed-${name}-${index + 1}.png`);
      await page.screenshot({ path: file, fullPage: true, timeout: 10_000 }).catch(() => undefined);
      console.error(`page ${index + 1} at ${page.url()} when "${task.name}" failed: ${file}`);
    }
  });
});

/** A new page of the console, signed in (the header shows the tenant), in Chinese unless told. */
export async function signedInPage(browser: Browser, base: string, login: { tenant: string; email: string; password?: string },
  options: { width?: number; height?: number; locale?: string } = {}): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: options.width ?? 1400, height: options.height ?? 900 }, locale: options.locale ?? 'zh-CN' });
  await page.goto(`${base}/login`);
  await logIn(page, { tenant: login.tenant, email: login.email, password: login.password ?? PASSWORD });
  await page.getByTestId('header-tenant').waitFor();
  return page;
}

/** Fills in and submits the login form on the page it is on. */
export async function logIn(page: Page, login: { tenant: string; email: string; password: string }): Promise<void> {
  await page.getByTestId('login-tenant').fill(login.tenant);
  await page.getByTestId('login-email').fill(login.email);
  await page.getByTestId('login-password').fill(login.password);
  await page.getByTestId('login-submit').click();
}
