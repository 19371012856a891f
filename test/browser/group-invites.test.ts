// 自动邀请入群 in Chromium: an operator opens it from 社群, makes a rule that invites the VIP-tagged
// customers into their store's VIP group, and runs it: the one-seat group of 福田 fills, the next of
// its series is created with a task to create it in WeCom, and 南山 (no VIP group) is counted as
// unrouted. The tasks and the new group are checked in the database; a second run invites nobody.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, createUser } from '../../src/core/access/access.service.ts';
import { newId } from '../../src/core/ids.ts';
import type { Tenant } from '../../src/db/schema.ts';
import { buildWorld, type World } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';
import { CHROMIUM, PASSWORD, SHOTS, closeConsole, serveConsole, signedInPage } from './browser.ts';

describe.skipIf(!existsSync(CHROMIUM))(`auto-invite rules in Chromium (needs ${CHROMIUM})`, () => {
  let tenant: Tenant;
  let world: World;
  let app: FastifyInstance | undefined;
  let browser: Browser | undefined;
  let base: string;
  const db = () => testDb().db;

  beforeAll(async () => {
    tenant = await newTenant('鲜果邀请');
    world = await buildWorld(db(), tenant.id);
    await createUser(db(), tenant.id, { email: 'invite@example.com', name: '孙社群', password: PASSWORD, role: 'operator' });
    const key = (await createApiKey(db(), tenant.id, { role: 'admin', staffId: null })).key;
    ({ app, base, browser } = await serveConsole());
    const call = async (url: string, body: unknown): Promise<{ id: string }> => {
      const res = await fetch(base + url, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
      return (await res.json()) as { id: string };
    };
    const group = await call('/api/v1/tag-groups', { name: '会员等级' });
    const vip = await call('/api/v1/tags', { groupId: group.id, name: 'VIP' });
    for (const c of [world.customers.mei, world.customers.lei, world.customers.fang]) await call(`/api/v1/customers/${c}/tags`, { tagIds: [vip.id] });
    // 福田's VIP group has one seat left (刘军 holds the other); 南山 has no group of the kind
    const vipGroup = newId();
    await db().insertInto('customer_groups').values({
      tenant_id: tenant.id, id: vipGroup, chat_id: `wr-vip-${tenant.slug}`, name: '福田 VIP 1 群', kind: 'vip', owner_staff_id: world.staff.li, store_id: world.stores.futian, capacity: 2,
    }).execute();
    await db().insertInto('group_members').values({ tenant_id: tenant.id, group_id: vipGroup, customer_id: world.customers.jun, joined_at: new Date() }).execute();
  }, 180_000);

  afterAll(async () => {
    await closeConsole({ app, browser });
  });

  it('makes a rule, runs it, and says who was invited, which group rolled over and who has no group', async () => {
    if (!browser) throw new Error('no browser');
    const page = await signedInPage(browser, base, { tenant: tenant.slug, email: 'invite@example.com' });
    const uncaught: string[] = [];
    page.on('pageerror', (error) => uncaught.push(error.message));
    await page.getByTestId('nav-groups').click();
    await page.getByTestId('invites-link').click();
    await page.getByTestId('group-invites-page').waitFor();
    await page.getByTestId('invite-rules').getByText('还没有邀请规则').waitFor();

    await page.getByTestId('invite-new').click();
    const dialog = page.locator('.ant-modal');
    // nothing picked: the form says what is missing, and nothing is stored (clicked once the form
    // is there: on a loaded machine the refusal once never came after a click as the dialog opened)
    await page.getByTestId('invite-name').waitFor();
    await dialog.getByRole('button', { name: /保\s*存/ }).click();
    await dialog.getByText('请填写规则名称').waitFor();
    await dialog.getByText('请选择标签').waitFor();
    expect(await db().selectFrom('group_invite_rules').select('id').where('tenant_id', '=', tenant.id).execute()).toEqual([]);

    await page.getByTestId('invite-name').fill('VIP 进 VIP 群');
    await page.getByTestId('invite-tag').click();
    await page.locator('.ant-select-dropdown:visible').getByText('VIP', { exact: true }).click();
    await page.getByTestId('invite-kind').click();
    await page.locator('.ant-select-dropdown:visible').getByText('VIP 群', { exact: true }).click();
    await dialog.getByRole('button', { name: /保\s*存/ }).click();
    const row = page.getByTestId('invite-rules').locator('tr', { hasText: 'VIP 进 VIP 群' });
    await row.getByText('会员等级:VIP').waitFor();
    await row.getByText('客户所属门店').waitFor();

    await row.getByTestId('invite-run').click();
    await page.getByText('已为 2 位客户派发邀请任务；群已满，新建 福田 VIP 2 群，已派发建群任务；1 位客户的门店没有这类群').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'group-invites.png') });

    const tasks = await db().selectFrom('guide_tasks').select(['kind', 'customer_id', 'staff_id']).where('tenant_id', '=', tenant.id).orderBy('kind').execute();
    expect(tasks.filter((t) => t.kind === 'invite_to_group').map((t) => t.customer_id).sort()).toEqual([world.customers.mei, world.customers.lei].sort());
    expect(tasks.filter((t) => t.kind === 'create_group').map((t) => t.staff_id)).toEqual([world.staff.li]);
    const groups = await db().selectFrom('customer_groups').select('name').where('tenant_id', '=', tenant.id).where('kind', '=', 'vip').orderBy('name').execute();
    expect(groups.map((g) => g.name)).toEqual(['福田 VIP 1 群', '福田 VIP 2 群']);

    // everyone is invited once per rule
    await row.getByTestId('invite-run').click();
    await page.getByText('已为 0 位客户派发邀请任务；1 位客户的门店没有这类群').waitFor();
    expect(await db().selectFrom('guide_tasks').select('id').where('tenant_id', '=', tenant.id).execute()).toHaveLength(3);
    // a save the form refused (above) left no unhandled rejection behind
    expect(uncaught).toEqual([]);
    await page.close();
  }, 120_000);
});
