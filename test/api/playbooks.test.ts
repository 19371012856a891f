// Playbooks over HTTP: preview, apply all four on one tenant (every definition valid), names that
// clash get a suffix, undo says what became of each object, health judges the KPIs.
import { beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { issueCoupons } from '../../src/core/coupons/issue.service.ts';
import { localDate } from '../../src/core/time.ts';
import { demoEndOf, seedDemo } from '../../src/core/demo/demo.service.ts';
import { newTenant, testDb } from '../helpers.ts';
import { api, bearer, keyFor } from './harness.ts';

let app: FastifyInstance;
let tenantId: string;
let operator: Record<string, string>;
let guide: Record<string, string>;
let other: Record<string, string>;

beforeAll(async () => {
  app = await api();
  tenantId = (await newTenant()).id;
  await seedDemo(testDb(), { tenantId, customers: 500, months: 6, seed: 4, end: demoEndOf(localDate(new Date(), 'Asia/Shanghai'), 'Asia/Shanghai') });
  operator = bearer(await keyFor(tenantId, 'operator'));
  const staff = await testDb().db.selectFrom('staff').select('id').where('tenant_id', '=', tenantId).where('title', '=', 'guide').executeTakeFirstOrThrow();
  guide = bearer(await keyFor(tenantId, 'guide', staff.id));
  other = bearer(await keyFor((await newTenant()).id, 'admin'));
}, 120_000);

const db = () => testDb().db;

describe('playbooks', () => {
  it('previews, applies every model, suffixes names that clash, and undoes', async () => {
    const preview = await app.inject({ url: '/api/v1/playbooks/shopping', headers: operator });
    expect(preview.statusCode).toBe(200);
    expect(preview.json().items.every((i: { clash: boolean }) => !i.clash)).toBe(true);

    const applied: Record<string, { id: string; objects: { kind: string; objectId: string; name: string }[] }> = {};
    for (const model of ['shopping', 'expert', 'advisor', 'interest']) {
      const res = await app.inject({ method: 'POST', url: `/api/v1/playbooks/${model}/apply`, headers: operator });
      expect(res.statusCode).toBe(201);
      applied[model] = res.json();
    }
    const shopping = applied.shopping;
    if (!shopping) throw new Error('not applied');
    expect(shopping.objects.map((o) => o.kind)).toEqual(['tag_group', 'tag', 'tag', 'segment', 'segment', 'segment', 'coupon_template', 'coupon_template', 'coupon_template', 'price_rule',
      'acquisition_code', 'acquisition_code', 'sop_plan', 'journey', 'journey', 'journey', 'membership_settings', 'membership_tiers']);
    // the later playbooks keep the membership rules the first one set, and say so in the preview
    expect(applied.expert?.objects.some((o) => o.kind === 'membership_tiers')).toBe(false);
    const segmentIds = shopping.objects.filter((o) => o.kind === 'segment').map((o) => o.objectId);
    const segments = await db().selectFrom('segments').select(['name', 'status']).where('tenant_id', '=', tenantId).where('id', 'in', segmentIds).execute();
    expect(segments.map((s) => s.status)).toEqual(['active', 'active', 'active']);

    // the same playbook again: nothing overwritten, every name suffixed
    const again = await app.inject({ url: '/api/v1/playbooks/shopping', headers: operator });
    expect(again.json().items.map((i: { finalName: string }) => i.finalName)).toContain('新人 5 元券（2）');
    expect(again.json().items.find((i: { kind: string }) => i.kind === 'membership_tiers')).toMatchObject({ action: 'keep_existing', note: 'tiers_exist' });
    expect(again.json().items.find((i: { kind: string }) => i.kind === 'journey')).toMatchObject({ finalName: '购物参谋：新客欢迎 → 首单（2）', action: 'create_draft', note: 'channel_not_configured', noteDetail: 'wecom' });
    const second = await app.inject({ method: 'POST', url: '/api/v1/playbooks/shopping/apply', headers: operator });
    expect(second.json().objects.find((o: { kind: string }) => o.kind === 'tag_group').name).toBe('消费频次（2）');

    // a coupon issued from the second application's welcome template keeps that template (ended)
    const welcome = second.json().objects.find((o: { kind: string; name: string }) => o.kind === 'coupon_template' && o.name.startsWith('新人'));
    const customer = await db().selectFrom('customers').select('id').where('tenant_id', '=', tenantId).limit(1).executeTakeFirstOrThrow();
    await issueCoupons(db(), tenantId, welcome.objectId, [customer.id], { requestKey: 'playbook-test', source: 'test', actor: 'test' });
    const undo = await app.inject({ method: 'POST', url: `/api/v1/playbook-applications/${second.json().id}/undo`, headers: operator });
    expect(undo.statusCode).toBe(200);
    const outcomes = Object.fromEntries(undo.json().objects.map((o: { name: string; outcome: string }) => [o.name, o.outcome]));
    expect(outcomes['新人 5 元券（2）']).toBe('ended');
    expect(outcomes['满 99 减 15（2）']).toBe('removed');
    expect(outcomes['消费频次（2）']).toBe('removed');
    expect(outcomes['新客未复购（2）']).toBe('removed');
    expect(outcomes['购物参谋：流失挽回（2）']).toBe('removed');
    expect(outcomes['百果园式门店群日常节奏（2）']).toBe('removed');
    const archived = await db().selectFrom('segments').select('status').where('tenant_id', '=', tenantId).where('name', '=', '新客未复购（2）').executeTakeFirstOrThrow();
    expect(archived.status).toBe('archived');
    const twice = await app.inject({ method: 'POST', url: `/api/v1/playbook-applications/${second.json().id}/undo`, headers: operator });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.code).toBe('already_undone');
  });

  it('reports health against the targets, keeps guides and other tenants out', async () => {
    const list = await app.inject({ url: '/api/v1/playbook-applications', headers: operator });
    const first = list.json().find((a: { model: string; status: string }) => a.model === 'shopping' && a.status === 'applied');
    const health = await app.inject({ url: `/api/v1/playbook-applications/${first.id}/health`, headers: operator });
    expect(health.statusCode).toBe(200);
    const kpis = health.json().kpis;
    expect(kpis.map((k: { key: string }) => k.key)).toEqual(['new_friends_per_store_week', 'friend_retention_7d', 'group_join_rate', 'group_retention_7d', 'first_order_rate_14d', 'repurchase_30d', 'member_day_lift']);
    // the demo world has Tuesday ×1.3: its member-day lift is measured, above 1
    const lift = kpis.find((k: { key: string }) => k.key === 'member_day_lift');
    expect(lift.value).toBeGreaterThan(1);
    expect((await app.inject({ method: 'POST', url: '/api/v1/playbooks/expert/apply', headers: guide })).statusCode).toBe(403);
    expect((await app.inject({ url: `/api/v1/playbook-applications/${first.id}`, headers: other })).statusCode).toBe(404);
  });
});
