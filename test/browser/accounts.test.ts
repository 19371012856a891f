// Accounts and keys in Chromium: a visitor enters a demo company from the sign-in page with one
// click; an administrator adds a guide account, creates an API key (shown once, then working),
// revokes it, and changes their own password from the user menu.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/core/access/access.service.ts';
import { DEMO_PASSWORD } from '../../src/core/demo/demo-tenant.ts';
import { newId } from '../../src/core/ids.ts';
import { newTenant, testDb } from '../helpers.ts';
import { CHROMIUM, PASSWORD, SHOTS, closeConsole, logIn, serveConsole } from './browser.ts';

describe.skipIf(!existsSync(CHROMIUM))(`accounts and keys in Chromium (needs ${CHROMIUM})`, () => {
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  let page: Page;
  let tenant: { id: string; slug: string };
  let demo: { id: string; slug: string };
  const admin = 'boss@example.com';

  beforeAll(async () => {
    const { db } = testDb();
    tenant = await newTenant('果然好');
    await createUser(db, tenant.id, { email: admin, name: '周店长', password: PASSWORD, role: 'admin' });
    await db.insertInto('staff').values({ tenant_id: tenant.id, id: newId(), store_id: null, name: '王小美', wecom_user_id: `wang-${tenant.slug}`, phone: null }).execute();
    demo = await newTenant('鲜果邻里（演示）');
    await createUser(db, demo.id, { email: 'admin@demo.test', name: '演示管理员', password: DEMO_PASSWORD, role: 'admin' });
    ({ app, base, browser } = await serveConsole({
      demoLogins: [{ slug: demo.slug, model: 'shopping', brand: '上海社区水果连锁', emails: ['admin@demo.test'] }],
    }));
    page = await browser.newPage({ viewport: { width: 1280, height: 860 }, locale: 'zh-CN' });
  }, 180_000);

  afterAll(async () => {
    await closeConsole({ app, browser });
  });

  it('enters a demo company from the sign-in page with one click', async () => {
    await page.goto(`${base}/login`);
    await page.getByTestId('login-demos').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'login-demos.png'), fullPage: true });
    expect(await page.getByTestId(`demo-${demo.slug}`).innerText()).toContain('购物参谋');
    await page.getByTestId(`demo-${demo.slug}-admin`).click();
    await page.getByTestId('header-tenant').waitFor();
    expect(await page.getByTestId('header-tenant').innerText()).toContain('鲜果邻里');
    await page.getByTestId('header-user').click();
    // the menu item itself, once the dropdown has opened (a click on its label while the menu
    // still slides in can miss under load)
    const signOut = page.getByRole('menuitem', { name: '退出登录' });
    await signOut.waitFor();
    await signOut.click();
    await page.getByTestId('login-submit').waitFor();
  }, 120_000);

  it('adds a guide account, creates a key shown once, revokes it, and changes the own password', async () => {
    await logIn(page, { tenant: tenant.slug, email: admin, password: PASSWORD });
    await page.getByTestId('nav-access').click();
    await page.getByTestId('access-page').waitFor();

    await page.getByTestId('add-account').click();
    const adding = page.locator('.add-account-modal');
    await page.getByTestId('account-email').fill('wang@example.com');
    await page.getByTestId('account-name').fill('王小美');
    await adding.getByTestId('account-role').getByText('导购', { exact: true }).click();
    await page.getByTestId('account-password').fill('guide-pass-1');
    await adding.getByRole('button', { name: /保\s*存/ }).click();
    // a guide needs a staff member: the form says so and nothing is created
    await adding.locator('.ant-form-item-explain-error').getByText('导购只能看到这位员工名下的顾客').waitFor();
    await adding.getByTestId('account-staff').click();
    await page.getByTitle('王小美').click();
    await adding.getByRole('button', { name: /保\s*存/ }).click();
    await page.getByTestId('accounts-table').getByText('wang@example.com').waitFor();
    const guide = await testDb().db.selectFrom('users').select(['role', 'staff_id']).where('tenant_id', '=', tenant.id).where('email', '=', 'wang@example.com').executeTakeFirstOrThrow();
    expect(guide.role).toBe('guide');
    expect(guide.staff_id).not.toBeNull();

    await page.getByTestId('add-key').click();
    await page.getByTestId('key-name').fill('收银系统');
    await page.locator('.ant-modal').filter({ hasText: '创建密钥' }).getByRole('button', { name: /保\s*存/ }).click();
    const shown = (await page.getByTestId('new-key').innerText()).trim();
    expect(shown).toMatch(/^yk_/);
    await page.screenshot({ path: path.join(SHOTS, 'access-key-once.png'), fullPage: true });
    const call = () => fetch(`${base}/api/v1/customers`, { headers: { authorization: `Bearer ${shown}` } }).then((r) => r.status);
    expect(await call()).toBe(200);
    await page.getByRole('button', { name: '我已保存' }).click();

    await page.getByTestId('revoke-收银系统').click();
    await page.getByRole('button', { name: /确\s*定|OK/ }).click();
    await page.getByTestId('keys-table').getByText('已吊销', { exact: false }).waitFor();
    expect(await call()).toBe(401);
    await page.screenshot({ path: path.join(SHOTS, 'access-page.png'), fullPage: true });

    await page.getByTestId('header-user').click();
    await page.getByTestId('change-password').click();
    await page.getByTestId('password-current').fill('not-my-password');
    await page.getByTestId('password-new').fill('a-new-password');
    await page.getByTestId('password-repeat').fill('a-new-password');
    await page.locator('.ant-modal').filter({ hasText: '修改密码' }).getByRole('button', { name: /保\s*存/ }).click();
    expect(await page.getByTestId('password-refusal').innerText()).toContain('当前密码不正确');
    await page.getByTestId('password-current').fill(PASSWORD);
    await page.locator('.ant-modal').filter({ hasText: '修改密码' }).getByRole('button', { name: /保\s*存/ }).click();
    await page.getByText('密码已修改').waitFor();
    const login = (password: string) => fetch(`${base}/api/v1/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tenant: tenant.slug, email: admin, password }),
    }).then((r) => r.status);
    expect(await login(PASSWORD)).toBe(401);
    expect(await login('a-new-password')).toBe(200);
  }, 180_000);
});
