// Questionnaires with codebooks (seed 003, 高姿's 密码本) on the real database.
import { beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/core/access/access.rules.ts';
import { createForm, formResults, getForm, updateForm } from '../../src/core/forms/forms.service.ts';
import { recordFormSubmission } from '../../src/core/ingest/ingest.hooks.ts';
import { listCustomerTags } from '../../src/core/tags/customer-tags.service.ts';
import { createTag, createTagGroup, deleteTag, type TagView } from '../../src/core/tags/tags.service.ts';
import type { Tenant } from '../../src/db/schema.ts';
import { newTenant, testDb } from '../helpers.ts';
import { actorOf, addCustomer, tagEvents, tagIdsOf } from './tags-fixtures.ts';

const db = () => testDb().db;
let tenant: Tenant;
let operator: Actor;
let tags: Record<'dry' | 'acne' | 'whiten' | 'clearAcne', TagView>;

/** 高姿's questionnaire: "3" = 痘痘 → 肤质:痘痘肌; "D" = 最想解决痘痘 → 诉求:祛痘. */
interface QuestionInput { id: string; text: string; type: string; options?: { code: string; label: string; tagId?: string }[] }

function questionnaire(): QuestionInput[] {
  return [
    { id: 'concern', text: '主要肌肤困扰', type: 'single', options: [
      { code: '1', label: '干燥', tagId: tags.dry.id }, { code: '2', label: '出油' }, { code: '3', label: '痘痘', tagId: tags.acne.id },
    ] },
    { id: 'wish', text: '最想解决', type: 'multi', options: [
      { code: 'C', label: '美白', tagId: tags.whiten.id }, { code: 'D', label: '祛痘', tagId: tags.clearAcne.id },
    ] },
    { id: 'note', text: '还想告诉我们', type: 'text' },
  ];
}

beforeEach(async () => {
  tenant = await newTenant();
  operator = actorOf(tenant);
  const skin = await createTagGroup(db(), tenant.id, { name: '肤质', exclusive: true });
  const wish = await createTagGroup(db(), tenant.id, { name: '诉求' });
  tags = {
    dry: await createTag(db(), operator, { groupId: skin.id, name: '干皮', code: '1' }),
    acne: await createTag(db(), operator, { groupId: skin.id, name: '痘痘肌', code: '3' }),
    whiten: await createTag(db(), operator, { groupId: wish.id, name: '美白', code: 'C' }),
    clearAcne: await createTag(db(), operator, { groupId: wish.id, name: '祛痘', code: 'D' }),
  };
});

const submission = (formId: string, customerId: string, answers: Record<string, string | string[]>, eventKey: string, submittedAt = new Date()) =>
  ({ formId, customerId, answers, submittedAt, eventKey, actor: `user:${operator.userId}` });

describe('questionnaire submissions', () => {
  it('answers "3" and "D" tag the customer 痘痘肌 and 祛痘, from the form, on the timeline', async () => {
    const form = await createForm(db(), tenant.id, { name: '肌肤测试', questions: questionnaire() });
    const mei = await addCustomer(db(), tenant.id);
    const result = await recordFormSubmission(db(), tenant.id, submission(form.id, mei, { concern: '3', wish: ['D'], note: '下巴爱长痘' }, 'wx-form-1'));
    expect(result.duplicate).toBe(false);
    expect(result.tagsAdded.sort()).toEqual([tags.acne.id, tags.clearAcne.id].sort());
    const held = await listCustomerTags(db(), tenant.id, mei);
    expect(held.map((t) => [t.name, t.source, t.addedBy])).toEqual([
      ['痘痘肌', 'form', `form:${form.id}`],
      ['祛痘', 'form', `form:${form.id}`],
    ]);
    expect((await tagEvents(db(), tenant.id, mei)).map((e) => [e.type, e.source, e.actor])).toEqual([
      ['tag_added', 'form', `form:${form.id}`],
      ['tag_added', 'form', `form:${form.id}`],
    ]);
    const stored = await db().selectFrom('form_submissions').select(['id', 'answers', 'customer_id']).where('tenant_id', '=', tenant.id).execute();
    expect(stored).toEqual([{ id: result.submissionId, customer_id: mei, answers: { concern: '3', wish: ['D'], note: '下巴爱长痘' } }]);
  });

  it('a retried submission (same key) is stored once and tags once', async () => {
    const form = await createForm(db(), tenant.id, { name: '肌肤测试', questions: questionnaire() });
    const mei = await addCustomer(db(), tenant.id);
    const first = await recordFormSubmission(db(), tenant.id, submission(form.id, mei, { concern: '1' }, 'retry-1'));
    const again = await recordFormSubmission(db(), tenant.id, submission(form.id, mei, { concern: '1' }, 'retry-1'));
    expect(again).toEqual({ submissionId: first.submissionId, tagsAdded: [], duplicate: true });
    expect((await getForm(db(), tenant.id, form.id)).submissionCount).toBe(1);
    expect(await tagEvents(db(), tenant.id, mei)).toHaveLength(1);
  });

  it('a later answer in an exclusive group replaces the earlier tag', async () => {
    const form = await createForm(db(), tenant.id, { name: '肌肤测试', questions: questionnaire() });
    const mei = await addCustomer(db(), tenant.id);
    await recordFormSubmission(db(), tenant.id, submission(form.id, mei, { concern: '1' }, 'k-1'));
    await recordFormSubmission(db(), tenant.id, submission(form.id, mei, { concern: '3' }, 'k-2'));
    expect(await tagIdsOf(db(), tenant.id, mei)).toEqual([tags.acne.id]);
  });

  it('an unknown option code is refused naming answers.<question>, and nothing is stored', async () => {
    const form = await createForm(db(), tenant.id, { name: '肌肤测试', questions: questionnaire() });
    const mei = await addCustomer(db(), tenant.id);
    await expect(recordFormSubmission(db(), tenant.id, submission(form.id, mei, { concern: '3', wish: ['D', 'Z'] }, 'bad-1')))
      .rejects.toMatchObject({ code: 'invalid', details: [{ path: 'answers.wish', message: 'unknown option code "Z" (options: C, D)' }] });
    expect((await getForm(db(), tenant.id, form.id)).submissionCount).toBe(0);
    expect(await tagIdsOf(db(), tenant.id, mei)).toEqual([]);
    await expect(recordFormSubmission(db(), tenant.id, submission(form.id, '0190c3c0-0000-7000-8000-000000000000', { concern: '3' }, 'bad-2')))
      .rejects.toMatchObject({ details: [{ path: 'customerId', message: 'no such customer' }] });
  });

  it('a closed questionnaire takes no answers', async () => {
    const form = await createForm(db(), tenant.id, { name: '肌肤测试', questions: questionnaire() });
    await updateForm(db(), tenant.id, form.id, { status: 'closed' });
    const mei = await addCustomer(db(), tenant.id);
    await expect(recordFormSubmission(db(), tenant.id, submission(form.id, mei, { concern: '3' }, 'late-1'))).rejects.toMatchObject({ details: [{ path: 'formId' }] });
  });
});

describe('questionnaire definitions', () => {
  it('refuse unknown tags, other tenants\' tags and rule tags by the option path', async () => {
    const questions = questionnaire();
    const acneOption = questions[0]?.options?.[2];
    if (!acneOption) throw new Error('fixture changed');
    acneOption.tagId = '0190c3c0-0000-7000-8000-000000000000';
    await expect(createForm(db(), tenant.id, { name: 'x', questions })).rejects.toMatchObject({ details: [{ path: 'questions[0].options[2].tagId', message: 'no such tag' }] });

    const other = await newTenant();
    const foreign = await createTag(db(), actorOf(other), { groupId: (await createTagGroup(db(), other.id, { name: '肤质' })).id, name: '痘痘肌' });
    acneOption.tagId = foreign.id;
    await expect(createForm(db(), tenant.id, { name: 'x', questions })).rejects.toMatchObject({ details: [{ path: 'questions[0].options[2].tagId', message: 'no such tag' }] });

    const rule = await createTag(db(), operator, { groupId: tags.acne.groupId, name: '规则', kind: 'rule', rule: { lastOrderWithinDays: 1 } });
    acneOption.tagId = rule.id;
    await expect(createForm(db(), tenant.id, { name: 'x', questions })).rejects.toMatchObject({ details: [{ path: 'questions[0].options[2].tagId' }] });
  });

  it('a multiple choice may not code two tags of one exclusive group', async () => {
    const questions = [{ id: 'skin', text: '肤质', type: 'multi', options: [{ code: 'a', label: '干', tagId: tags.dry.id }, { code: 'b', label: '痘', tagId: tags.acne.id }] }];
    await expect(createForm(db(), tenant.id, { name: 'x', questions })).rejects.toMatchObject({ details: [{ path: 'questions[0].options' }] });
  });

  it('a tag a codebook uses cannot be deleted', async () => {
    await createForm(db(), tenant.id, { name: '肌肤测试', questions: questionnaire() });
    await expect(deleteTag(db(), operator, tags.acne.id)).rejects.toMatchObject({ code: 'conflict', message: 'questionnaire 肌肤测试 codes answers into this tag; change its codebook first' });
  });
});

describe('questionnaire results', () => {
  it('count each option per question with its share of those who answered, and list recent submissions', async () => {
    const form = await createForm(db(), tenant.id, { name: '肌肤测试', questions: questionnaire() });
    const people = [await addCustomer(db(), tenant.id, { name: '甲' }), await addCustomer(db(), tenant.id, { name: '乙' }), await addCustomer(db(), tenant.id, { name: '丙' }), await addCustomer(db(), tenant.id, { name: '丁' })];
    const answers: Record<string, string | string[]>[] = [
      { concern: '3', wish: ['D'] },
      { concern: '3', wish: ['C', 'D'] },
      { concern: '1', note: '换季干' },
      { wish: ['C'] },
    ];
    for (const [i, a] of answers.entries()) {
      await recordFormSubmission(db(), tenant.id, submission(form.id, people[i] ?? '', a, `r-${i}`, new Date(Date.UTC(2026, 5, 1 + i))));
    }
    const results = await formResults(db(), tenant.id, form.id, { recent: 2 });
    expect(results.submissions).toBe(4);
    expect(results.questions.map((q) => [q.id, q.answered, q.options.map((o) => [o.code, o.count, o.share])])).toEqual([
      ['concern', 3, [['1', 1, 0.3333], ['2', 0, 0], ['3', 2, 0.6667]]],
      ['wish', 3, [['C', 2, 0.6667], ['D', 2, 0.6667]]],
      ['note', 1, []],
    ]);
    expect(results.recent.map((r) => [r.customerName, r.submittedAt, r.answers])).toEqual([
      ['丁', '2026-06-04T00:00:00.000Z', { wish: ['C'] }],
      ['丙', '2026-06-03T00:00:00.000Z', { concern: '1', note: '换季干' }],
    ]);
  });
});
