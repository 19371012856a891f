// A playbook's set-up in the other areas on the real database: every model's codes, SOP plans,
// journeys and membership rules exist in their areas and are recorded against the application;
// a second apply suffixes names and keeps the tenant's membership; undo removes what is unused and
// pauses or archives what was used; a failure in the middle leaves nothing behind.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createCode } from '../../src/core/acquisition/codes.service.ts';
import { saveChannelSettings } from '../../src/core/channels/settings.service.ts';
import { answerScan } from '../../src/core/acquisition/landing.service.ts';
import { enrol } from '../../src/core/journeys/entry.service.ts';
import { getPlan } from '../../src/core/sop/plans.service.ts';
import { applyPlaybook, previewPlaybook, undoApplication } from '../../src/core/playbooks/playbooks.service.ts';
import { newId } from '../../src/core/ids.ts';
import { getSettings } from '../../src/core/membership/settings.service.ts';
import { listTiers, recomputeTiers } from '../../src/core/membership/tiers.service.ts';
import { recordOrders, type OrderInput } from '../../src/core/orders/record.service.ts';
import { buildWorld } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';
import { DOC_VECTOR } from '../fakes/wecom-vectors.ts';
import { adminOf } from './ingest-helpers.ts';

const db = () => testDb().db;
const AREA_KINDS = ['acquisition_code', 'sop_plan', 'journey', 'membership_settings', 'membership_tiers'];

async function idsOf(table: 'acquisition_codes' | 'sop_plans' | 'journeys' | 'coupon_templates' | 'segments' | 'tag_groups' | 'price_rules', tenantId: string): Promise<string[]> {
  return (await db().selectFrom(table).select('id').where('tenant_id', '=', tenantId).execute()).map((r) => r.id);
}

/** A QR on file for one guide: the playbook's codes then answer with that guide at once. */
async function qrOnFile(tenantId: string, staffId: string): Promise<void> {
  await createCode(db(), tenantId, { name: '已有门店码', kind: 'poster', rotation: [{ staffId, dailyCap: null, qrUrl: 'https://example.com/qr/li.png', backup: false }] });
}

describe('playbook set-up in the areas', () => {
  it.each(['shopping', 'expert', 'advisor', 'interest'] as const)('%s: codes, SOP calendar, journeys and membership exist in their areas, recorded against the application', async (model) => {
    const tenant = await newTenant();
    const world = await buildWorld(db(), tenant.id);
    await qrOnFile(tenant.id, world.staff.li);
    const actor = adminOf(tenant.id);
    const preview = await previewPlaybook(db(), tenant.id, model);
    for (const kind of AREA_KINDS) expect(preview.items.some((i) => i.kind === kind)).toBe(true);
    const app = await applyPlaybook(db(), actor, model);
    const recorded = (kind: string) => app.objects.filter((o) => o.kind === kind);

    // every preview item that creates something is an object of the application, under the previewed name
    const creating = preview.items.filter((i) => i.action !== 'keep_existing' && i.action !== 'skip' && AREA_KINDS.includes(i.kind));
    expect(app.objects.filter((o) => AREA_KINDS.includes(o.kind)).map((o) => o.name)).toEqual(creating.map((i) => i.finalName));

    const codes = await db().selectFrom('acquisition_codes').selectAll().where('tenant_id', '=', tenant.id).where('id', 'in', recorded('acquisition_code').map((o) => o.objectId)).execute();
    expect(codes.length).toBe(recorded('acquisition_code').length);
    for (const code of codes) {
      expect(code.status).toBe('active');
      expect(code.rotation.map((m) => m.staffId)).toEqual([world.staff.li]);
      expect(code.welcome_text).not.toBe('');
    }
    const plans = recorded('sop_plan');
    expect(plans.length).toBeGreaterThan(0);
    for (const p of plans) expect((await getPlan(db(), tenant.id, p.objectId)).slots.length).toBeGreaterThan(0);
    const journeys = await db().selectFrom('journeys').select(['id', 'status', 'name']).where('tenant_id', '=', tenant.id).where('id', 'in', recorded('journey').map((o) => o.objectId)).execute();
    expect(journeys.length).toBe(recorded('journey').length);
    // WeCom is not configured: journeys that message stay drafts; those that only ask guides go live
    for (const j of journeys) {
      const item = preview.items.find((i) => i.kind === 'journey' && i.finalName === j.name);
      expect(j.status).toBe(item?.action === 'create_draft' ? 'draft' : 'live');
      if (item?.action === 'create_draft') expect(item.note).toBe('channel_not_configured');
    }
    const settings = await db().selectFrom('membership_settings').selectAll().where('tenant_id', '=', tenant.id).executeTakeFirstOrThrow();
    const tiers = await db().selectFrom('membership_tiers').select(['id', 'name', 'level']).where('tenant_id', '=', tenant.id).orderBy('level').execute();
    expect(tiers.length).toBe(3);
    expect(recorded('membership_tiers')[0]?.objectId).toBe(tiers[0]?.id);

    if (model === 'shopping') {
      const welcome = recorded('coupon_template').find((o) => o.name === '新人 5 元券');
      const memberDay = recorded('coupon_template').find((o) => o.name === '周二会员日 9 折券');
      expect(codes.every((c) => c.welcome_coupon_template_id === welcome?.objectId)).toBe(true);
      expect(settings.member_day_weekdays).toEqual([2]);
      expect(settings.member_day_multiplier).toBe(200);
      expect(settings.member_day_template_id).toBe(memberDay?.objectId);
      const rhythm = await getPlan(db(), tenant.id, plans[0]?.objectId ?? '');
      expect(rhythm.target).toEqual({ kind: 'group_kind', groupKind: 'value' });
      expect(rhythm.slots.find((s) => s.weekday === 2)?.content.couponTemplateId).toBe(memberDay?.objectId);
      expect(rhythm.slots.map((s) => s.time)).toEqual(expect.arrayContaining(['08:30', '15:00']));
      const winback = await db().selectFrom('journeys').select('draft').where('tenant_id', '=', tenant.id).where('name', '=', '购物参谋：流失挽回').executeTakeFirstOrThrow();
      const lapsing = recorded('segment').find((o) => o.name === '30 天未复购老客');
      expect(JSON.stringify(winback.draft)).toContain(lapsing?.objectId);
    }
    if (model === 'advisor') {
      expect(settings.points_enabled).toBe(false);
      expect(settings.tier_window_months).toBe(24);
      expect(journeys.find((j) => j.name === '专属顾问：一对一跟进节奏')?.status).toBe('live');
      expect(codes[0]?.kind).toBe('store_routing');
    }
  });

  it('a second apply suffixes names, pauses the overlapping SOP plan and keeps the membership rules; no staff: the code is skipped', async () => {
    const tenant = await newTenant();
    const world = await buildWorld(db(), tenant.id);
    const actor = adminOf(tenant.id);
    const first = await applyPlaybook(db(), actor, 'shopping');
    // no QR on file for anyone: the codes list every active staff member and wait, paused
    const firstCode = await db().selectFrom('acquisition_codes').select(['status', 'rotation']).where('tenant_id', '=', tenant.id)
      .where('id', '=', first.objects.find((o) => o.kind === 'acquisition_code')?.objectId ?? newId()).executeTakeFirstOrThrow();
    expect(firstCode.status).toBe('paused');
    expect(firstCode.rotation.map((m) => m.staffId).sort()).toEqual(Object.values(world.staff).sort());

    const preview = await previewPlaybook(db(), tenant.id, 'shopping');
    const item = (kind: string) => preview.items.filter((i) => i.kind === kind);
    expect(item('acquisition_code').map((i) => i.finalName)).toEqual(['门店海报码 · 新人券（2）', '外卖卡码（2）']);
    expect(item('sop_plan')[0]).toMatchObject({ finalName: '百果园式门店群日常节奏（2）', action: 'create_paused', note: 'sop_overlap', clash: true });
    expect(item('journey').map((i) => i.finalName)).toEqual(['购物参谋：新客欢迎 → 首单（2）', '购物参谋：流失挽回（2）', '购物参谋：生日关怀（2）']);
    expect(item('membership_settings')[0]).toMatchObject({ action: 'keep_existing', note: 'membership_exists' });
    expect(item('membership_tiers')[0]).toMatchObject({ action: 'keep_existing', note: 'tiers_exist', noteDetail: '普通会员 / 银卡会员 / 金卡会员' });

    const tiersBefore = await db().selectFrom('membership_tiers').select(['id', 'name']).where('tenant_id', '=', tenant.id).orderBy('level').execute();
    const second = await applyPlaybook(db(), actor, 'shopping');
    expect(second.objects.some((o) => o.kind === 'membership_settings' || o.kind === 'membership_tiers')).toBe(false);
    expect(await db().selectFrom('membership_tiers').select(['id', 'name']).where('tenant_id', '=', tenant.id).orderBy('level').execute()).toEqual(tiersBefore);
    const plan = await getPlan(db(), tenant.id, second.objects.find((o) => o.kind === 'sop_plan')?.objectId ?? '');
    expect(plan).toMatchObject({ name: '百果园式门店群日常节奏（2）', status: 'paused' });

    const empty = await newTenant();
    const noStaff = await previewPlaybook(db(), empty.id, 'expert');
    expect(noStaff.items.find((i) => i.kind === 'acquisition_code')).toMatchObject({ action: 'skip', note: 'no_active_staff' });
    const applied = await applyPlaybook(db(), adminOf(empty.id), 'expert');
    expect(applied.objects.some((o) => o.kind === 'acquisition_code')).toBe(false);
    expect(await idsOf('acquisition_codes', empty.id)).toEqual([]);
  });

  it('undo removes what nobody used, pauses a scanned code, archives a journey customers entered, pauses a plan that posted', async () => {
    const tenant = await newTenant();
    const world = await buildWorld(db(), tenant.id);
    await qrOnFile(tenant.id, world.staff.li);
    const actor = adminOf(tenant.id);
    // WeCom connected: the journeys are published
    await saveChannelSettings(db(), actor, 'wecom', { corpId: DOC_VECTOR.corpId, agentId: '1000002', secret: 's', token: DOC_VECTOR.token, encodingAesKey: DOC_VECTOR.encodingAesKey, apiBaseUrl: 'http://127.0.0.1:9' });
    const preview = await previewPlaybook(db(), tenant.id, 'shopping');
    expect(preview.items.filter((i) => i.kind === 'journey').map((i) => i.action)).toEqual(['create', 'create', 'create']);
    const app = await applyPlaybook(db(), actor, 'shopping');
    const obj = (kind: string, name?: string) => {
      const o = app.objects.find((x) => x.kind === kind && (name === undefined || x.name === name));
      if (!o) throw new Error(`no ${kind} ${name ?? ''}`);
      return o;
    };
    // a scan of the poster code, through its landing page
    const poster = obj('acquisition_code', '门店海报码 · 新人券');
    const key = await db().selectFrom('acquisition_codes').select('code_key').where('tenant_id', '=', tenant.id).where('id', '=', poster.objectId).executeTakeFirstOrThrow();
    expect((await answerScan(db(), tenant.slug, key.code_key, 'declined')).kind).toBe('staff');
    // a customer in the (published) birthday journey
    const birthday = obj('journey', '购物参谋：生日关怀');
    expect((await db().selectFrom('journeys').select('status').where('tenant_id', '=', tenant.id).where('id', '=', birthday.objectId).executeTakeFirstOrThrow()).status).toBe('live');
    expect(await enrol(db(), tenant.id, [{ journeyId: birthday.objectId, version: 1, customerId: world.customers.mei, entryKey: 'birthday:2026', entryNodeId: 'entry', at: new Date(), event: {}, reEntry: { mode: 'after_days', days: 300 } }])).toBe(1);
    // a post the daily rhythm made in a group
    const plan = await getPlan(db(), tenant.id, obj('sop_plan').objectId);
    const groupId = newId();
    await db().insertInto('customer_groups').values({ tenant_id: tenant.id, id: groupId, chat_id: `wr-${groupId}`, kind: 'value', owner_staff_id: world.staff.li }).execute();
    await db().insertInto('sop_runs').values({ tenant_id: tenant.id, id: newId(), plan_id: plan.id, slot_id: plan.slots[0]?.id ?? '', group_id: groupId, local_date: '2026-12-01', due_at: new Date(), mode: 'task', outcome: 'task' }).execute();

    const undone = await undoApplication(db(), actor, app.id);
    const outcome = (kind: string, name?: string) => undone.objects.find((x) => x.kind === kind && (name === undefined || x.name === name))?.outcome;
    expect(outcome('acquisition_code', '门店海报码 · 新人券')).toBe('paused');
    expect(outcome('acquisition_code', '外卖卡码')).toBe('removed');
    expect(outcome('journey', '购物参谋：生日关怀')).toBe('archived');
    expect(outcome('journey', '购物参谋：流失挽回')).toBe('removed');
    expect(outcome('sop_plan')).toBe('paused');
    expect(outcome('membership_settings')).toBe('removed');
    expect(outcome('membership_tiers')).toBe('removed');
    // the paused code still offers the welcome coupon template: ended, not deleted
    expect(outcome('coupon_template', '新人 5 元券')).toBe('ended');
    expect(outcome('coupon_template', '周二会员日 9 折券')).toBe('removed');
    expect(undone.objects.find((o) => o.kind === 'acquisition_code' && o.outcome === 'paused')?.outcomeReason).toContain('1 scans');

    const codes = await db().selectFrom('acquisition_codes').select(['id', 'status']).where('tenant_id', '=', tenant.id).execute();
    expect(codes.find((c) => c.id === poster.objectId)?.status).toBe('paused');
    expect(codes.length).toBe(2); // the operators' own code and the paused one
    const journeys = await db().selectFrom('journeys').select(['id', 'status']).where('tenant_id', '=', tenant.id).execute();
    expect(journeys).toEqual([{ id: birthday.objectId, status: 'archived' }]);
    expect((await getPlan(db(), tenant.id, plan.id)).status).toBe('paused');
    expect(await db().selectFrom('membership_settings').select('tenant_id').where('tenant_id', '=', tenant.id).execute()).toEqual([]);
    expect(await db().selectFrom('membership_tiers').select('id').where('tenant_id', '=', tenant.id).execute()).toEqual([]);
  });

  it('undo turns points off but keeps balances once points were earned, and keeps tiers customers are placed in', async () => {
    const tenant = await newTenant();
    const world = await buildWorld(db(), tenant.id);
    const actor = adminOf(tenant.id);
    const app = await applyPlaybook(db(), actor, 'shopping');
    const settings = await getSettings(db(), tenant.id);
    expect(settings.pointsEnabled).toBe(true);
    // a member buys after the playbook: points are earned and the tier ladder places them
    const order: OrderInput = {
      orderNo: `PB-${tenant.id.slice(0, 8)}`, customer: { customerId: world.customers.mei }, channel: 'pos', totalFen: 88_800, paidFen: 88_800,
      refundedFen: 0, orderedAt: new Date().toISOString(), items: [{ sku: 'FRUIT-BOX', name: '果切礼盒', quantity: 1, unitPriceFen: 88_800 }],
    };
    expect((await recordOrders(db(), tenant.id, [order], { source: 'pos' })).created).toBe(1);
    await recomputeTiers(db(), tenant.id, { cause: 'recompute' });
    const balance = await db().selectFrom('points_balances').select('balance').where('tenant_id', '=', tenant.id).where('customer_id', '=', world.customers.mei).executeTakeFirstOrThrow();
    expect(balance.balance).toBeGreaterThan(0);
    const placed = await db().selectFrom('customer_tiers').select('customer_id').where('tenant_id', '=', tenant.id).execute();
    expect(placed.length).toBeGreaterThan(0);
    const tiersBefore = await listTiers(db(), tenant.id);

    const undone = await undoApplication(db(), actor, app.id);
    const outcome = (kind: string) => undone.objects.find((x) => x.kind === kind);
    expect(outcome('membership_settings')).toMatchObject({ outcome: 'disabled', outcomeReason: 'points already earned stay on the customers\' balances' });
    expect(outcome('membership_tiers')).toMatchObject({ outcome: 'kept', outcomeReason: `${placed.length} customers are placed in these tiers` });
    const after = await getSettings(db(), tenant.id);
    expect(after).toMatchObject({ pointsEnabled: false, memberDayWeekdays: [], memberDayTemplateId: null });
    expect(after.pointsPerYuan).toBe(settings.pointsPerYuan);
    const kept = await db().selectFrom('points_balances').select('balance').where('tenant_id', '=', tenant.id).where('customer_id', '=', world.customers.mei).executeTakeFirstOrThrow();
    expect(kept.balance).toBe(balance.balance);
    expect(await listTiers(db(), tenant.id)).toEqual(tiersBefore);
    expect((await db().selectFrom('customer_tiers').select('customer_id').where('tenant_id', '=', tenant.id).execute()).length).toBe(placed.length);
  });

  it('all or nothing: a failure in the middle (creating the journeys) leaves no object in any area', async () => {
    const tenant = await newTenant();
    const world = await buildWorld(db(), tenant.id);
    await qrOnFile(tenant.id, world.staff.li);
    const before = { codes: await idsOf('acquisition_codes', tenant.id) };
    const fn = `pb_fail_${tenant.id.replace(/-/g, '')}`;
    // The journeys come after the tags, segments, coupons, codes and SOP plans: refuse the first one.
    await sql.raw(`create function ${fn}() returns trigger language plpgsql as $$ begin
      if new.tenant_id = '${tenant.id}' then raise exception 'journey storage failed'; end if; return new; end $$;
      create trigger ${fn} before insert on journeys for each row execute function ${fn}();`).execute(db());
    try {
      await expect(applyPlaybook(db(), adminOf(tenant.id), 'shopping')).rejects.toThrow(/journey storage failed/);
    } finally {
      await sql.raw(`drop trigger ${fn} on journeys; drop function ${fn}();`).execute(db());
    }
    expect(await idsOf('acquisition_codes', tenant.id)).toEqual(before.codes);
    for (const table of ['sop_plans', 'journeys', 'coupon_templates', 'segments', 'tag_groups', 'price_rules'] as const) {
      expect(await idsOf(table, tenant.id)).toEqual([]);
    }
    expect(await db().selectFrom('membership_settings').select('tenant_id').where('tenant_id', '=', tenant.id).execute()).toEqual([]);
    expect(await db().selectFrom('playbook_applications').select('id').where('tenant_id', '=', tenant.id).execute()).toEqual([]);
    // and the same playbook then applies cleanly, under its own names
    const app = await applyPlaybook(db(), adminOf(tenant.id), 'shopping');
    expect(app.objects.find((o) => o.kind === 'sop_plan')?.name).toBe('百果园式门店群日常节奏');
  });
});
