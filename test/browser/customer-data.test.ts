// The customer-data pages in Chromium, as an operator uses them on a new tenant: 标签 (a tag group
// and a coded tag, a rule tag, a pre-tag for a phone not seen yet), 数据导入 (a customers CSV with a
// bad row, imported as the worker does while the page polls its progress, then the same mistake in
// all-or-nothing mode storing nothing) and 问卷 (a questionnaire whose options map to tags, a
// submission, its results). The database is checked after each step.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, createUser } from '../../src/core/access/access.service.ts';
import type { Tenant } from '../../src/db/schema.ts';
import { sql } from 'kysely';
import { runImportJob } from '../../src/core/imports/import-jobs.service.ts';
import { newTenant, testDb } from '../helpers.ts';
import { CHROMIUM, PASSWORD, SHOTS, closeConsole, serveConsole, signedInPage } from './browser.ts';

const EMAIL = 'data@example.com';
const PRE_TAGGED = '13922220001';

describe.skipIf(!existsSync(CHROMIUM))(`customer data pages in Chromium (needs ${CHROMIUM})`, () => {
  let tenant: Tenant;
  let app: FastifyInstance | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let base: string;
  let key: string;

  const db = () => testDb().db;
  const tagsOf = async (phone: string): Promise<string[]> => {
    const rows = await db().selectFrom('customer_identities as i')
      .innerJoin('customer_tags as ct', (j) => j.onRef('ct.tenant_id', '=', 'i.tenant_id').onRef('ct.customer_id', '=', 'i.customer_id'))
      .innerJoin('tags as t', (j) => j.onRef('t.tenant_id', '=', 'ct.tenant_id').onRef('t.id', '=', 'ct.tag_id'))
      .select('t.name').where('i.tenant_id', '=', tenant.id).where('i.kind', '=', 'phone').where('i.value', '=', phone).execute();
    return rows.map((r) => r.name).sort();
  };
  // What the worker does with an upload, for this tenant's queued imports only: a worker of its own
  // here would also take the imports of tests running beside this one, in the same database.
  const runQueuedImports = async (): Promise<void> => {
    const queued = await db().selectFrom('import_jobs').select('id').where('tenant_id', '=', tenant.id).where('status', '=', 'queued').execute();
    for (const job of queued) {
      await sql`select graphile_worker.remove_job(${`import:${job.id}`})`.execute(db());
      await runImportJob(db(), tenant.id, job.id);
    }
  };
  const customers = async (): Promise<number> =>
    Number((await db().selectFrom('customers').select((e) => e.fn.countAll().as('n')).where('tenant_id', '=', tenant.id).executeTakeFirstOrThrow()).n);

  beforeAll(async () => {
    tenant = await newTenant('鲜果数据');
    await createUser(db(), tenant.id, { email: EMAIL, name: '钱数据', password: PASSWORD, role: 'operator' });
    key = (await createApiKey(db(), tenant.id, { role: 'admin', staffId: null })).key;
    ({ app, base, browser } = await serveConsole());
    page = await signedInPage(browser, base, { tenant: tenant.slug, email: EMAIL }, { height: 950 });
  }, 180_000);

  afterAll(async () => {
    await closeConsole({ app, browser });
  });

  it('makes a tag group with a coded tag, a rule tag, and a pre-tag for a phone not seen yet', async () => {
    await page.getByTestId('nav-tags').click();
    await page.getByTestId('tags-page').waitFor();
    await page.getByTestId('group-new').first().click();
    await page.getByTestId('group-name').fill('肤质');
    await page.getByTestId('group-exclusive').click();
    await page.locator('.ant-modal').getByRole('button', { name: /保\s*存|确\s*定/ }).click();
    const group = page.getByTestId('tag-group').filter({ hasText: '肤质' });
    await group.waitFor();

    await group.getByTestId('tag-new').click();
    await page.getByTestId('tag-name').fill('油皮');
    await page.getByTestId('tag-code').fill('3');
    await page.getByTestId('tag-save').click();
    await group.getByText('油皮').waitFor();

    // a rule tag: spent at least ¥2,000 in the last 90 days
    await group.getByTestId('tag-new').click();
    await page.getByTestId('tag-name').fill('高消费');
    await page.getByTestId('tag-kind').getByText('规则标签').click();
    // (Ant Design's number inputs carry the test id on the input itself or on its wrapper)
    const numberInput = (id: string) => page.locator(`input[data-testid=${id}], [data-testid=${id}] input`).first();
    await numberInput('rule-window').fill('90');
    await numberInput('rule-value').fill('2000');
    await page.getByTestId('tag-save').click();
    await group.getByText('高消费').waitFor();

    const saved = await db().selectFrom('tags').select(['name', 'code', 'kind', 'rule']).where('tenant_id', '=', tenant.id).orderBy('name').execute();
    expect(saved.map((t) => [t.name, t.code, t.kind])).toEqual([['油皮', '3', 'manual'], ['高消费', null, 'rule']]);
    expect(JSON.stringify(saved[1]?.rule)).toContain('200000');

    // a pre-tag: whoever turns up with this phone gets 油皮
    await page.getByTestId('pretag-new').click();
    await page.getByTestId('pretag-values').fill(PRE_TAGGED);
    await page.getByTestId('pretag-tags').click();
    await page.locator('.ant-select-dropdown').getByText('油皮').last().click();
    await page.keyboard.press('Escape');
    await page.locator('.ant-modal').getByRole('button', { name: /1/ }).click();
    await page.getByTestId('pretags').getByText('待生效').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'data-tags.png'), fullPage: true });
  }, 120_000);

  it('imports a customers CSV as the worker does, showing progress and the refused row; all-or-nothing stores nothing', async () => {
    await page.getByTestId('nav-imports').click();
    await page.getByTestId('imports-page').waitFor();
    const csv = ['手机号,姓名,城市', `${PRE_TAGGED},林小雨,深圳`, '12345,坏电话,深圳', '13922220003,周杰,广州'].join('\r\n') + '\r\n';
    await page.locator('.ant-upload input[type=file]').setInputFiles({ name: '门店会员.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    const job = page.getByTestId('import-job');
    await job.getByText('门店会员.csv').waitFor();
    await runQueuedImports();
    await job.getByTestId('import-result').waitFor({ timeout: 60_000 });
    expect(await job.getByTestId('import-imported').innerText()).toBe('2');
    expect(await job.getByTestId('import-rejected').innerText()).toBe('1');
    // the refused row by line and column, in Chinese
    const errorRow = job.locator('.ant-table-tbody tr.ant-table-row').first();
    expect(await errorRow.locator('td').nth(0).innerText()).toBe('3');
    expect(await errorRow.locator('td').nth(1).innerText()).toBe('手机号');
    expect(await errorRow.locator('td').nth(2).innerText()).toMatch(/[\u4e00-\u9fff]/);
    await page.screenshot({ path: path.join(SHOTS, 'data-import.png'), fullPage: true });
    expect(await customers()).toBe(2);
    // the pre-tag found its customer
    expect(await tagsOf(PRE_TAGGED)).toEqual(['油皮']);

    await page.getByTestId('import-mode').getByText('全部或不导入').click();
    const again = ['手机号,姓名,城市', '13922220004,吴桐,深圳', '99,坏电话,深圳'].join('\r\n') + '\r\n';
    await page.locator('.ant-upload input[type=file]').setInputFiles({ name: '第二批.csv', mimeType: 'text/csv', buffer: Buffer.from(again) });
    await job.getByText('第二批.csv').waitFor();
    await runQueuedImports();
    await job.getByText('全部或不导入：有行出错，本次没有导入任何数据。').waitFor({ timeout: 60_000 });
    expect(await customers()).toBe(2);
    await page.getByTestId('import-recent').getByText('第二批.csv').waitFor();
  }, 150_000);

  it('builds a questionnaire whose options tag, and shows a submission in its results', async () => {
    await page.getByTestId('nav-forms').click();
    await page.getByTestId('forms-page').waitFor();
    await page.getByTestId('form-new').click();
    await page.getByTestId('form-builder').waitFor();
    await page.getByTestId('form-name').fill('肤质小问卷');
    const question = page.getByTestId('question').first();
    await question.getByTestId('question-text').fill('您最想解决的皮肤问题？');
    await question.getByTestId('option-code').nth(0).fill('3');
    await question.getByTestId('option-label').nth(0).fill('痘痘、出油');
    await question.getByTestId('option-tag').nth(0).click();
    await page.locator('.ant-select-dropdown:visible').getByText('油皮').last().click();
    await question.getByTestId('option-code').nth(1).fill('4');
    await question.getByTestId('option-label').nth(1).fill('干燥、起皮');
    await page.getByTestId('form-save').click();
    await page.getByTestId('form-results').waitFor();
    const formId = page.url().split('/forms/')[1] ?? '';

    const stored = await db().selectFrom('forms').select(['name', 'questions']).where('tenant_id', '=', tenant.id).where('id', '=', formId).executeTakeFirstOrThrow();
    expect(stored.name).toBe('肤质小问卷');
    const oily = await db().selectFrom('tags').select('id').where('tenant_id', '=', tenant.id).where('name', '=', '油皮').executeTakeFirstOrThrow();
    expect(stored.questions).toMatchObject([{ text: '您最想解决的皮肤问题？', options: [{ code: '3', label: '痘痘、出油', tagId: oily.id }, { code: '4', label: '干燥、起皮' }] }]);

    // a customer answers from the mini-program: they are tagged by the codebook
    const res = await fetch(`${base}/api/v1/forms/${formId}/submissions`, {
      method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'mp-1', customer: { phone: '13922220003' }, answers: { [(stored.questions as { id: string }[])[0]?.id ?? 'q1']: '3' } }),
    });
    expect(res.status).toBe(201);
    expect(await tagsOf('13922220003')).toEqual(['油皮']);

    await page.reload();
    await page.getByTestId('form-results').getByTestId('submission-customer').getByText('周杰').waitFor();
    await page.getByTestId('question-result').first().locator('canvas').first().waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'data-form-results.png'), fullPage: true });
  }, 120_000);
});
