import { beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { newTenant, testDb } from '../helpers.ts';
import { api, bearer, keyFor } from './harness.ts';

let app: FastifyInstance;
let tenantId: string;
let operator: Record<string, string>;
let guide: Record<string, string>;
let otherOperator: Record<string, string>;
let tags: Record<'acne' | 'dry' | 'clearAcne' | 'whiten', string>;
let formId: string;
const suffix = String(Date.now()).slice(-6);
const phone = (n: number) => `186${suffix}${String(n).padStart(2, '0')}`;

async function post(url: string, payload: unknown, headers = operator) {
  return app.inject({ method: 'POST', url, headers, payload: payload as Record<string, unknown> });
}

async function tagNames(customerId: string): Promise<string[]> {
  return (await app.inject({ url: `/api/v1/customers/${customerId}/tags`, headers: operator })).json().items.map((t: { name: string }) => t.name).sort();
}

beforeAll(async () => {
  app = await api();
  const tenant = await newTenant();
  tenantId = tenant.id;
  operator = bearer(await keyFor(tenant.id, 'operator'));
  const staff = await testDb().db.insertInto('staff').values({ tenant_id: tenant.id, id: '0190c3c0-0000-7000-8000-0000000000aa', name: '导购', store_id: null, wecom_user_id: null, phone: null }).returning('id').executeTakeFirstOrThrow();
  guide = bearer(await keyFor(tenant.id, 'guide', staff.id));
  otherOperator = bearer(await keyFor((await newTenant()).id, 'operator'));
  const skin = (await post('/api/v1/tag-groups', { name: '肤质', exclusive: true })).json().id;
  const wish = (await post('/api/v1/tag-groups', { name: '诉求' })).json().id;
  const tag = async (groupId: string, name: string, code: string) => (await post('/api/v1/tags', { groupId, name, code })).json().id;
  tags = { dry: await tag(skin, '干皮', '1'), acne: await tag(skin, '痘痘肌', '3'), whiten: await tag(wish, '美白', 'C'), clearAcne: await tag(wish, '祛痘', 'D') };
  const form = await post('/api/v1/forms', {
    name: '肌肤测试',
    questions: [
      { id: 'concern', text: '主要肌肤困扰', type: 'single', options: [{ code: '1', label: '干燥', tagId: tags.dry }, { code: '2', label: '出油' }, { code: '3', label: '痘痘', tagId: tags.acne }] },
      { id: 'wish', text: '最想解决', type: 'multi', options: [{ code: 'C', label: '美白', tagId: tags.whiten }, { code: 'D', label: '祛痘', tagId: tags.clearAcne }] },
    ],
  });
  expect(form.statusCode).toBe(201);
  formId = form.json().id;
});

describe('POST /api/v1/forms/:id/submissions', () => {
  it('creates the customer from a phone, tags them by the codebook and puts the submission on the timeline', async () => {
    const res = await post(`/api/v1/forms/${formId}/submissions`, { id: `sub-${suffix}-1`, customer: { phone: phone(1) }, answers: { concern: '3', wish: ['D'] } });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.duplicate).toBe(false);
    expect(body.tagsAdded.sort()).toEqual([tags.acne, tags.clearAcne].sort());
    expect(await tagNames(body.customerId)).toEqual(['痘痘肌', '祛痘'].sort());
    const timeline = await testDb().db.selectFrom('events').select(['type', 'event_key']).where('tenant_id', '=', tenantId).where('customer_id', '=', body.customerId).execute();
    expect(timeline.map((e) => e.type).sort()).toEqual(['form_submitted', 'tag_added', 'tag_added']);
    expect(timeline.find((e) => e.type === 'form_submitted')?.event_key).toBe(`sub-${suffix}-1`);

    const retry = await post(`/api/v1/forms/${formId}/submissions`, { id: `sub-${suffix}-1`, customer: { phone: phone(1) }, answers: { concern: '3', wish: ['D'] } });
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toEqual({ submissionId: body.submissionId, customerId: body.customerId, tagsAdded: [], duplicate: true });
  });

  it('refuses an unknown option code naming answers.<question>, creating nobody', async () => {
    const res = await post(`/api/v1/forms/${formId}/submissions`, { id: `sub-${suffix}-2`, customer: { phone: phone(2) }, answers: { concern: 'Z' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual([{ path: 'answers.concern', message: 'unknown option code "Z" (options: 1, 2, 3)', code: 'unknown_option', params: { code: 'Z', options: '1, 2, 3' } }]);
    const created = await testDb().db.selectFrom('customer_identities').select('customer_id').where('tenant_id', '=', tenantId).where('value', '=', phone(2)).execute();
    expect(created).toEqual([]);
  });

  it('applies a pre-tag when the submission brings a new customer with the pre-tagged phone', async () => {
    const group = (await post('/api/v1/tag-groups', { name: '渠道' })).json().id;
    const offline = (await post('/api/v1/tags', { groupId: group, name: '线下沙龙' })).json().id;
    expect((await post('/api/v1/pre-tags', { kind: 'phone', values: [phone(3)], tagIds: [offline] })).json()).toEqual({ created: 1, applied: 0 });
    const res = await post(`/api/v1/forms/${formId}/submissions`, { id: `sub-${suffix}-3`, customer: { phone: phone(3) }, answers: { concern: '1' } });
    expect(res.statusCode).toBe(201);
    expect(await tagNames(res.json().customerId)).toEqual(['干皮', '线下沙龙'].sort());
  });

  it('a form_submitted event through ingestion tags the customer the same way', async () => {
    const res = await post('/api/v1/events', { events: [{
      id: `evt-${suffix}-4`, type: 'form_submitted', occurredAt: new Date().toISOString(), customer: { phone: phone(4) },
      properties: { formId, answers: { concern: '3', wish: ['C', 'D'] } },
    }] });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ accepted: 1, duplicates: 0, rejected: [] });
    const owner = await testDb().db.selectFrom('customer_identities').select('customer_id').where('tenant_id', '=', tenantId).where('kind', '=', 'phone').where('value', '=', phone(4)).executeTakeFirstOrThrow();
    expect(await tagNames(owner.customer_id)).toEqual(['痘痘肌', '祛痘', '美白'].sort());
  });
});

describe('questionnaire definitions and results over HTTP', () => {
  it('refuses unknown tag ids naming the option, and guides', async () => {
    const res = await post('/api/v1/forms', { name: 'x', questions: [{ id: 'q', text: 'q', type: 'single', options: [{ code: 'A', label: 'a', tagId: '0190c3c0-0000-7000-8000-000000000000' }] }] });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual([{ path: 'questions[0].options[0].tagId', message: 'no such tag', code: 'unknown_tag', params: {} }]);
    expect((await post('/api/v1/forms', { name: 'x', questions: [{ id: 'q', text: 'q', type: 'text' }] }, guide)).statusCode).toBe(403);
  });

  it('another tenant cannot see or answer the questionnaire', async () => {
    expect((await app.inject({ url: `/api/v1/forms/${formId}`, headers: otherOperator })).statusCode).toBe(404);
    expect((await post(`/api/v1/forms/${formId}/submissions`, { id: `x-${suffix}`, customer: { phone: phone(9) }, answers: { concern: '1' } }, otherOperator)).statusCode).toBe(404);
  });

  it('reports per-option counts and shares', async () => {
    const res = await app.inject({ url: `/api/v1/forms/${formId}/results?recent=1`, headers: operator });
    expect(res.statusCode).toBe(200);
    const results = res.json();
    // submissions so far in this file: {3, D}, {1}, and the event's {3, C D}
    expect(results.submissions).toBe(3);
    const concern = results.questions.find((q: { id: string }) => q.id === 'concern');
    expect(concern.answered).toBe(3);
    expect(concern.options.map((o: { code: string; count: number; share: number }) => [o.code, o.count, o.share])).toEqual([['1', 1, 0.3333], ['2', 0, 0], ['3', 2, 0.6667]]);
    expect(results.recent).toHaveLength(1);
  });

  it('a closed questionnaire refuses answers', async () => {
    const patched = await app.inject({ method: 'PATCH', url: `/api/v1/forms/${formId}`, headers: operator, payload: { status: 'closed' } });
    expect(patched.json().status).toBe('closed');
    const res = await post(`/api/v1/forms/${formId}/submissions`, { id: `sub-${suffix}-5`, customer: { phone: phone(5) }, answers: { concern: '1' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].path).toBe('formId');
  });
});
