// What the browser tests share: Debian's Chromium, the built console, the login form, and what a failed test leaves to look at.
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { beforeEach } from 'vitest';
import { buildApp, type AppOptions } from '../../src/api/app.ts';
import { testDb } from '../helpers.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Screenshots, for a person to look at after a run. */
export const SHOTS = path.join(ROOT, 'test-results');
export const PASSWORD = 'pond-keeper-2026';

/** The server serves web/dist: build it if the sources are newer (npm test has done so already). */
async function prepareConsole(): Promise<void> {
  await promisify(execFile)(process.execPath, ['scripts/build-console.mjs', '--if-stale'], { cwd: ROOT });
  await mkdir(SHOTS, { recursive: true });
}

/** The platform serving the built console on a free port, and a Chromium to look at it. */
export interface ServedConsole {
  app: FastifyInstance;
  base: string;
  browser: Browser;
}

/** Serves the console on the test database (with the app options given) and launches Chromium. */
export async function serveConsole(options: Omit<AppOptions, 'handle'> = {}): Promise<ServedConsole> {
  await prepareConsole();
  const app = await buildApp({ handle: testDb(), ...options });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, base, browser: await launchChromium() };
}

/** Closes what `serveConsole` opened, as much of it as was opened. */
export async function closeConsole(served: { app?: FastifyInstance | undefined; browser?: Browser | undefined }): Promise<void> {
  await served.browser?.close();
  await served.app?.close();
}

/**
 * Headless Chromium kept off the network (this machine refuses its background connections) and
 * asking for reduced motion: menus and dialogs then open in place, so a click under load never
 * lands on one still sliding in (the console honours the setting; motion.test.ts checks that).
 */
async function launchChromium(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--force-prefers-reduced-motion'],
  });
  launched.add(browser);
  browser.on('disconnected', () => launched.delete(browser));
  const open = browser.newPage.bind(browser);
  browser.newPage = async (options) => {
    const page = await open(options);
    await keepTroubles(page);
    return page;
  };
  return browser;
}

const launched = new Set<Browser>();
const troubles = new WeakMap<Page, string[]>();

/**
 * The page's last errors (uncaught, logged, failed or answered 5xx requests) and the elements its
 * presses, releases and clicks reached, printed if its test fails.
 */
async function keepTroubles(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const name = (target: EventTarget | null): string => {
      const element = target as { tagName?: string; getAttribute?(name: string): string | null; textContent?: string | null } | null;
      if (!element?.tagName) return String(target);
      const testId = element.getAttribute?.('data-testid');
      return `${element.tagName.toLowerCase()}${testId ? `[${testId}]` : ''} "${(element.textContent ?? '').trim().slice(0, 16)}"`;
    };
    const window = globalThis as unknown as { addEventListener(type: string, listener: (event: { target: EventTarget | null }) => void, capture: boolean): void };
    for (const type of ['pointerdown', 'pointerup', 'click']) {
      window.addEventListener(type, (event) => console.debug(`input: ${type} ${name(event.target)}`), true);
    }
  });
  const kept: string[] = [];
  troubles.set(page, kept);
  const note = (line: string): void => {
    kept.push(`${new Date().toISOString().slice(11, 23)} ${line}`);
    if (kept.length > 20) kept.shift();
  };
  page.on('pageerror', (error) => note(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.text().startsWith('input: ')) note(`console: ${message.text()}`);
  });
  page.on('requestfailed', (request) => note(`request failed: ${request.method()} ${request.url()} ${request.failure()?.errorText ?? ''}`));
  page.on('response', (response) => { if (response.status() >= 500) note(`${response.status()}: ${response.request().method()} ${response.url()}`); });
}

// When a test of a file that imports this fails, every page still open is kept as a screenshot
// (test-results/failed-<test>-<n>.png) and its address and last errors printed: what the page
// showed at the failure.
beforeEach(({ task, onTestFailed }) => {
  onTestFailed(async () => {
    const pages = [...launched].flatMap((browser) => browser.contexts().flatMap((context) => context.pages()));
    const name = task.name.replace(/[^\p{L}\p{N}]+/gu, '-').slice(0, 60);
    for (const [index, page] of pages.entries()) {
      const file = path.join(SHOTS, `failed-${name}-${index + 1}.png`);
      await page.screenshot({ path: file, fullPage: true, timeout: 10_000 }).catch(() => undefined);
      const lines = troubles.get(page) ?? [];
      console.error([`page ${index + 1} at ${page.url()} when "${task.name}" failed: ${file}`, ...lines.map((line) => `  ${line}`)].join('\n'));
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
