// Acquisition on the real database: a friend added through a code gets its tags, one welcome
// coupon and one welcome message (also when the event is replayed); scans pick staff and are
// counted; the funnel reads scans → adds → kept → ordered.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/core/access/access.rules.ts';
import { codeStats, createCode, type CodeInput } from '../../src/core/acquisition/codes.service.ts';
import { answerScan } from '../../src/core/acquisition/landing.service.ts';
import { newId } from '../../src/core/ids.ts';
import { ingestEvents } from '../../src/core/ingest/ingest.service.ts';
import { YuchiError } from '../../src/core/errors.ts';
import { buildWorld, type World } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';
import { adminOf } from './ingest-helpers.ts';

const db = () => testDb().db;
const run = randomBytes(4).toString('hex');
let seq = 0;
const ev = (type: string, customer: Record<string, string>, properties: Record<string, unknown>, occurredAt = new Date().toISOString()) =>
  ({ id: `acq-${run}-${++seq}`, type, occurredAt, customer, properties });

describe('acquisition codes', () => {
  let world: World;
  let actor: Actor;
  let slug: string;
  let tagId: string;
  let templateId: string;
  let liWecom: string;

  beforeAll(async () => {
    const tenant = await newTenant();
    slug = tenant.slug;
    world = await buildWorld(db(), tenant.id);
    actor = adminOf(tenant.id);
    const groupId = newId();
    tagId = newId();
    templateId = newId();
    await db().insertInto('tag_groups').values({ tenant_id: tenant.id, id: groupId, name: '来源' }).execute();
    await db().insertInto('tags').values({ tenant_id: tenant.id, id: tagId, group_id: groupId, name: '门店扫码' }).execute();
    await db().insertInto('coupon_templates').values({ tenant_id: tenant.id, id: templateId, name: '¥5 新人券', kind: 'amount', amount_off_fen: 500, valid_days: 30 }).execute();
    const li = await db().selectFrom('staff').select('wecom_user_id').where('tenant_id', '=', tenant.id).where('id', '=', world.staff.li).executeTakeFirstOrThrow();
    liWecom = li.wecom_user_id ?? '';
  });

  const counterCode = (over: Partial<CodeInput> = {}): CodeInput => ({
    name: '福田收银台', kind: 'store_counter', storeId: world.stores.futian,
    rotation: [
      { staffId: world.staff.li, dailyCap: 2, qrUrl: 'https://wework.example/li.png', backup: false },
      { staffId: world.staff.wang, dailyCap: 2, qrUrl: 'https://wework.example/wang.png', backup: false },
      { staffId: world.staff.zhao, dailyCap: null, qrUrl: 'https://wework.example/zhao.png', backup: true },
    ],
    tagIds: [tagId], welcomeText: '{nickname} 你好，我是{store}的{guide}，送你一张新人券', welcomePersona: '果果', welcomeCouponTemplateId: templateId,
    ...over,
  });

  it('refuses a code whose rotation has no staff, naming the reason', async () => {
    const err = await createCode(db(), actor.tenantId, counterCode({ rotation: [] })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(YuchiError);
    expect((err as YuchiError).details).toContainEqual({ path: 'body.rotation', message: expect.stringMatching(/no staff/), code: 'rotation_empty' });
    const codes = await db().selectFrom('acquisition_codes').select('id').where('tenant_id', '=', actor.tenantId).execute();
    expect(codes).toEqual([]);
  });

  it('welcomes a friend added through the code once: tags, one coupon, one message with the welcome code', async () => {
    const code = await createCode(db(), actor.tenantId, counterCode({ state: `ft-${run}` }));
    const ext = `wm-${run}-new`;
    const added = ev('contact_added', { externalUserId: ext }, { staffWecomUserId: liWecom, state: code.state, welcomeCode: 'WELCOME-CODE-1', name: '小雨' });
    const first = await ingestEvents(db(), actor, [added]);
    expect(first).toMatchObject({ accepted: 1, duplicates: 0 });
    const replay = await ingestEvents(db(), actor, [added]);
    expect(replay).toMatchObject({ accepted: 0, duplicates: 1 });

    const customer = await db().selectFrom('customer_identities').select('customer_id')
      .where('tenant_id', '=', actor.tenantId).where('kind', '=', 'external_userid').where('value', '=', ext).executeTakeFirstOrThrow();
    const messages = await db().selectFrom('messages').selectAll().where('tenant_id', '=', actor.tenantId).where('customer_id', '=', customer.customer_id).execute();
    expect(messages).toHaveLength(1);
    const coupons = await db().selectFrom('coupons').select(['code', 'source']).where('tenant_id', '=', actor.tenantId).where('customer_id', '=', customer.customer_id).execute();
    expect(coupons).toEqual([{ code: expect.any(String), source: 'welcome' }]);
    expect(messages[0]).toMatchObject({
      purpose: 'service', priority: 90, channel: 'wecom', status: 'requested', staff_id: world.staff.li, source_kind: 'welcome', source_id: code.id,
      dedupe_key: `welcome:${added.id}`,
      content: {
        text: '小雨 你好，我是福田中心店的李娜，送你一张新人券\n—— 果果', welcomeCode: 'WELCOME-CODE-1',
        attachments: [{ kind: 'coupon', code: coupons[0]?.code, templateId }],
      },
    });
    const tags = await db().selectFrom('customer_tags').select(['tag_id', 'source']).where('tenant_id', '=', actor.tenantId).where('customer_id', '=', customer.customer_id).execute();
    expect(tags).toEqual([{ tag_id: tagId, source: 'event' }]);

    // Added again later by another guide through the same code: a second welcome, no second coupon.
    const wang = await db().selectFrom('staff').select('wecom_user_id').where('tenant_id', '=', actor.tenantId).where('id', '=', world.staff.wang).executeTakeFirstOrThrow();
    await ingestEvents(db(), actor, [ev('contact_added', { externalUserId: ext }, { staffWecomUserId: wang.wecom_user_id, state: code.state })]);
    const after = await sql<{ messages: number; coupons: number }>`
      select (select count(*)::int from messages where tenant_id = ${actor.tenantId} and customer_id = ${customer.customer_id}) as messages,
             (select count(*)::int from coupons where tenant_id = ${actor.tenantId} and customer_id = ${customer.customer_id}) as coupons`.execute(db());
    expect(after.rows[0]).toEqual({ messages: 2, coupons: 1 });
  });

  it('still welcomes, without a coupon, when the welcome coupon template is paused', async () => {
    const paused = newId();
    await db().insertInto('coupon_templates').values({ tenant_id: actor.tenantId, id: paused, name: '暂停券', kind: 'amount', amount_off_fen: 300, valid_days: 7, status: 'paused' }).execute();
    const code = await createCode(db(), actor.tenantId, counterCode({ name: '海报', kind: 'poster', welcomeCouponTemplateId: paused, tagIds: [] }));
    const result = await ingestEvents(db(), actor, [ev('contact_added', { externalUserId: `wm-${run}-p` }, { staffWecomUserId: liWecom, state: code.state })]);
    expect(result.accepted).toBe(1);
    const rows = await sql<{ content: { text: string; attachments?: unknown } }>`
      select m.content from messages m where m.tenant_id = ${actor.tenantId} and m.source_id = ${code.id}`.execute(db());
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0]?.content.attachments).toBeUndefined();
    expect(rows.rows[0]?.content.text).toMatch(/^朋友 你好/);
  });

  it('asks for nothing when the state belongs to no code', async () => {
    const before = await db().selectFrom('messages').select(sql<number>`count(*)::int`.as('n')).where('tenant_id', '=', actor.tenantId).executeTakeFirstOrThrow();
    await ingestEvents(db(), actor, [ev('contact_added', { externalUserId: `wm-${run}-x` }, { staffWecomUserId: liWecom, state: 'no-such-code' })]);
    const after = await db().selectFrom('messages').select(sql<number>`count(*)::int`.as('n')).where('tenant_id', '=', actor.tenantId).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('spreads scans over the rotation, falls back to the backup when capped, and counts every scan', async () => {
    const tenant = await newTenant();
    const w = await buildWorld(db(), tenant.id);
    const code = await createCode(db(), tenant.id, {
      name: '外卖卡片', kind: 'order_card', rotation: [
        { staffId: w.staff.li, dailyCap: 1, qrUrl: 'https://wework.example/li.png', backup: false },
        { staffId: w.staff.wang, dailyCap: 1, qrUrl: 'https://wework.example/wang.png', backup: false },
        { staffId: w.staff.zhao, dailyCap: 1, qrUrl: 'https://wework.example/zhao.png', backup: true },
      ],
    });
    const now = new Date();
    const picks: (string | null)[] = [];
    for (let i = 0; i < 2; i++) {
      const a = await answerScan(db(), tenant.slug, code.codeKey, null, now);
      picks.push(a.kind === 'staff' ? a.staff.id : null);
    }
    expect(picks.sort()).toEqual([w.staff.li, w.staff.wang].sort());
    // Both regular members reach their cap of one add today: the backup answers, then nobody.
    await db().insertInto('customer_contacts').values([
      { tenant_id: tenant.id, customer_id: w.customers.mei, staff_id: w.staff.li, state: code.state, added_at: now },
      { tenant_id: tenant.id, customer_id: w.customers.lei, staff_id: w.staff.wang, state: code.state, added_at: now },
    ]).execute();
    const third = await answerScan(db(), tenant.slug, code.codeKey, null, now);
    expect(third).toMatchObject({ kind: 'staff', why: 'backup', staff: { id: w.staff.zhao, name: '赵敏', qrUrl: 'https://wework.example/zhao.png' } });
    await db().insertInto('customer_contacts').values({ tenant_id: tenant.id, customer_id: w.customers.fang, staff_id: w.staff.zhao, state: code.state, added_at: now }).execute();
    expect(await answerScan(db(), tenant.slug, code.codeKey, null, now)).toEqual({ kind: 'full', codeName: '外卖卡片' });
    expect(await answerScan(db(), tenant.slug, 'nosuchkey', null, now)).toEqual({ kind: 'not_found' });
    const scans = await db().selectFrom('code_scans').select(['staff_id']).where('tenant_id', '=', tenant.id).execute();
    expect(scans).toHaveLength(4);
  });

  it('routes a scanner with coordinates to the nearest open store\'s code', async () => {
    const tenant = await newTenant();
    const w = await buildWorld(db(), tenant.id);
    const rotation = [{ staffId: w.staff.zhao, dailyCap: null, qrUrl: 'https://wework.example/zhao.png', backup: false }];
    const nanshan = await createCode(db(), tenant.id, { name: '南山门店码', kind: 'store_counter', storeId: w.stores.nanshan, rotation });
    const routing = await createCode(db(), tenant.id, { name: '官网找门店', kind: 'store_routing', rotation, routingRadiusKm: 5 });
    const noon = new Date('2026-06-01T04:00:00Z');
    expect(await answerScan(db(), tenant.slug, routing.codeKey, null, noon)).toEqual({ kind: 'ask_location', codeName: '官网找门店' });
    expect(await answerScan(db(), tenant.slug, routing.codeKey, { lat: 22.54, lng: 113.955 }, noon))
      .toMatchObject({ kind: 'redirect', path: nanshan.landingPath, storeName: '南山科技园店' });
    // Near 福田, which has no code of its own: the routing code's own rotation answers.
    expect(await answerScan(db(), tenant.slug, routing.codeKey, { lat: 22.541, lng: 114.057 }, noon)).toMatchObject({ kind: 'staff', staff: { id: w.staff.zhao } });
  });

  it('counts the funnel: scans → adds → kept after 7 days → ordered', async () => {
    const tenant = await newTenant();
    const w = await buildWorld(db(), tenant.id);
    const code = await createCode(db(), tenant.id, { name: '广告', kind: 'ad', rotation: [{ staffId: w.staff.li, dailyCap: null, qrUrl: 'https://wework.example/li.png', backup: false }] });
    const day = 86_400_000;
    const now = Date.now();
    await db().insertInto('code_scans').values([0, 1, 2, 3, 4].map(() => ({ tenant_id: tenant.id, id: newId(), code_id: code.id, scanned_at: new Date(now - 20 * day) }))).execute();
    await db().insertInto('customer_contacts').values([
      // kept, ordered after the add
      { tenant_id: tenant.id, customer_id: w.customers.mei, staff_id: w.staff.li, state: code.state, added_at: new Date(now - 20 * day) },
      // deleted within 7 days
      { tenant_id: tenant.id, customer_id: w.customers.lei, staff_id: w.staff.li, state: code.state, added_at: new Date(now - 20 * day), deleted_at: new Date(now - 18 * day) },
      // added 2 days ago: not yet counted as kept
      { tenant_id: tenant.id, customer_id: w.customers.fang, staff_id: w.staff.li, state: code.state, added_at: new Date(now - 2 * day) },
    ]).execute();
    await db().insertInto('orders').values({
      tenant_id: tenant.id, id: newId(), order_no: `acq-${run}`, customer_id: w.customers.mei, channel: 'pos', total_fen: 1000, paid_fen: 1000, ordered_at: new Date(now - 10 * day),
    }).execute();
    const [stats] = await codeStats(db(), tenant.id, { from: new Date(now - 30 * day), to: new Date(now + day) }, code.id);
    expect(stats).toEqual({ codeId: code.id, scans: 5, adds: 3, kept: 1, ordered: 1 });
    const [outside] = await codeStats(db(), tenant.id, { from: new Date(now - 5 * day), to: new Date(now + day) }, code.id);
    expect(outside).toEqual({ codeId: code.id, scans: 0, adds: 1, kept: 0, ordered: 0 });
  });
});
