// What the browser tests share: Debian's Chromium, the built console, and the login form.
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';

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

/** Headless Chromium kept off the network: this machine refuses its background connections. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

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
