// The demo tenants' weeks of use: on a seeded world with its model's playbook, each area's own list
// service shows activity (coupons issued, redeemed and expired; points earned and spent; answers
// that tagged; 接龙 entries and the pickup list; 拼团 seats; referrals; a planned 群发 with guide
// tasks; code funnels with adds; customers in journeys); a second run writes nothing, and nothing
// lands outside the tenant.
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/core/access/access.rules.ts';
import { codeStats, listCodes } from '../../src/core/acquisition/codes.service.ts';
import { listCoupons } from '../../src/core/coupons/redeem.service.ts';
import { seedDemoActivity } from '../../src/core/demo/demo-activity.service.ts';
import { ACTIVITY_CONTENT } from '../../src/core/demo/demo-activity.rules.ts';
import { MODEL_DEMOS } from '../../src/core/demo/model-demos.ts';
import { seedDemo } from '../../src/core/demo/demo.service.ts';
import type { OperatingModel } from '../../src/core/diagnosis/diagnosis.rules.ts';
import { listFlashSales } from '../../src/core/flash-sales/flash-sales.service.ts';
import { formResults, listForms } from '../../src/core/forms/forms.service.ts';
import { getGroupBuy } from '../../src/core/group-selling/group-buys.service.ts';
import { getSolitaire, listSolitaires, pickupList } from '../../src/core/group-selling/solitaires.service.ts';
import { ledgerPage } from '../../src/core/membership/points.service.ts';
import { getMassSend, listMassSends } from '../../src/core/messaging/mass-sends.service.ts';
import { applyPlaybook } from '../../src/core/playbooks/playbooks.service.ts';
import { listPriceRules } from '../../src/core/promotions/price-rules.service.ts';
import { listPartners } from '../../src/core/referral/referral.service.ts';
import type { Tenant } from '../../src/db/schema.ts';
import { newTenant, testDb } from '../helpers.ts';

const NOW = new Date('2026-06-01T06:30:00Z'); // 14:30 in Shanghai, the day the world ends
const END = new Date('2026-06-01T04:00:00Z');

async function seeded(model: OperatingModel, customers: number): Promise<Tenant> {
  const tenant = await newTenant(MODEL_DEMOS[model].name);
  await seedDemo(testDb(), { tenantId: tenant.id, customers, months: 12, seed: 2, end: END, profile: MODEL_DEMOS[model].profile });
  const actor: Actor = {
    tenantId: tenant.id, tenantSlug: tenant.slug, tenantName: tenant.name, timezone: tenant.timezone,
    role: 'admin', staffId: null, userId: null, apiKeyId: null, name: '演示管理员',
  };
  await applyPlaybook(testDb().db, actor, model);
  return tenant;
}

/** Rows per table that has a tenant_id, for one tenant. */
async function rowCounts(tenantId: string): Promise<Record<string, number>> {
  const { pool } = testDb();
  const tables = await pool.query<{ name: string }>(
    `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
       join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped
      where n.nspname = current_schema() and c.relkind in ('r', 'p') and not c.relispartition order by 1`,
  );
  const out: Record<string, number> = {};
  for (const t of tables.rows) {
    const r = await pool.query<{ n: number }>(`select count(*)::int as n from "${t.name}" where tenant_id = $1`, [tenantId]);
    out[t.name] = r.rows[0]?.n ?? 0;
  }
  return out;
}

describe('seedDemoActivity', () => {
  it('shows every area of the shopping demo in use, writes nothing on a second run and stays in its tenant', { timeout: 240_000 }, async () => {
    const { db } = testDb();
    const bystander = await newTenant('旁观');
    const before = await rowCounts(bystander.id);
    const tenant = await seeded('shopping', 600);
    const result = await seedDemoActivity(testDb(), tenant.id, { model: 'shopping', seed: 2, now: NOW });
    const t = tenant.id;

    // codes: live, scanned, friends added (and some kept, some ordered)
    const codes = await listCodes(db, t);
    expect(codes.length).toBeGreaterThan(0);
    expect(codes.every((c) => c.status === 'active')).toBe(true);
    const stats = await codeStats(db, t, { from: new Date(NOW.getTime() - 60 * 86_400_000), to: NOW });
    const sum = (k: 'scans' | 'adds' | 'kept' | 'ordered'): number => stats.reduce((s, x) => s + x[k], 0);
    expect(sum('scans')).toBe(result.scans);
    expect(sum('adds')).toBeGreaterThan(0);
    expect(sum('adds')).toBeLessThanOrEqual(sum('scans'));
    expect(sum('kept')).toBeGreaterThan(0);
    expect(sum('ordered')).toBeGreaterThan(0);

    // coupons: issued (welcome on the adds, campaigns), some redeemed on orders, some past their window
    const coupons = await listCoupons(db, t, {}, 5000);
    expect(coupons.some((c) => c.source === 'welcome' && c.status === 'redeemed')).toBe(true);
    const redeemed = coupons.filter((c) => c.status === 'redeemed');
    expect(redeemed.length).toBeGreaterThan(0);
    expect(redeemed.every((c) => c.orderNo !== null && c.redeemedAt !== null && c.redeemedAt >= c.validFrom && c.redeemedAt < c.validTo)).toBe(true);
    expect(coupons.some((c) => c.status === 'issued' && Date.parse(c.validTo) < NOW.getTime())).toBe(true);
    expect((await listPriceRules(db, t)).length).toBeGreaterThan(0);
    const sales = await listFlashSales(db, t);
    expect(sales.some((s) => Date.parse(s.endsAt) < NOW.getTime() && s.orders > 0 && s.remaining < s.stock)).toBe(true);
    expect(sales.some((s) => Date.parse(s.startsAt) > NOW.getTime())).toBe(true);

    // membership: points earned from orders, a few spent in the points mall, customers at several tiers
    const earner = await db.selectFrom('points_ledger').select('customer_id').where('tenant_id', '=', t).where('kind', '=', 'earn').limit(1).executeTakeFirstOrThrow();
    const page = await ledgerPage(db, t, earner.customer_id, { page: 1, pageSize: 20 });
    expect(page.items.length).toBeGreaterThan(0);
    const kinds = await db.selectFrom('points_ledger').select('kind').where('tenant_id', '=', t).groupBy('kind').execute();
    expect(kinds.map((k) => k.kind)).toEqual(expect.arrayContaining(['earn', 'redeem']));
    const tiers = await db.selectFrom('customer_tiers').select('tier_id').where('tenant_id', '=', t).groupBy('tier_id').execute();
    expect(tiers.length).toBeGreaterThanOrEqual(2);

    // the questionnaire: answered, and its codebook tagged the answering customers
    const form = (await listForms(db, t)).find((f) => f.name === ACTIVITY_CONTENT.shopping.form.name);
    expect(form).toBeDefined();
    const results = await formResults(db, t, form?.id ?? '');
    expect(results.submissions).toBe(result.formSubmissions);
    expect(results.submissions).toBeGreaterThan(0);
    const tagged = await db.selectFrom('customer_tags').select('customer_id').where('tenant_id', '=', t).where('added_by', '=', `form:${form?.id ?? ''}`).execute();
    expect(tagged.length).toBeGreaterThan(0);

    // 接龙: one closed with its orders and pickup list, one open with entries
    const solitaires = await listSolitaires(db, t, {});
    const closed = solitaires.find((s) => s.status === 'closed');
    const open = solitaires.find((s) => s.status === 'open');
    expect(closed && open).toBeTruthy();
    expect((await getSolitaire(db, t, closed?.id ?? '')).entries.length).toBeGreaterThan(0);
    expect((await getSolitaire(db, t, open?.id ?? '')).entries.length).toBeGreaterThan(0);
    expect((await pickupList(db, t, { solitaireId: closed?.id ?? '' })).length).toBeGreaterThan(0);

    // 拼团: one formed with its three seats, one waiting
    const buys = await db.selectFrom('group_buys').select(['id', 'status']).where('tenant_id', '=', t).orderBy('created_at').execute();
    expect(buys.map((b) => b.status)).toEqual(['succeeded', 'open']);
    const formed = await getGroupBuy(db, t, { id: buys[0]?.id ?? '' });
    expect(formed.members).toHaveLength(3);

    // referrals: partners whose codes brought attributed friends
    const partners = await listPartners(db, t);
    expect(partners.length).toBeGreaterThan(0);
    const referrals = await db.selectFrom('referrals').select('customer_id').where('tenant_id', '=', t).execute();
    expect(referrals.length).toBeGreaterThan(0);

    // 群发 through WeCom, not connected: handed to each guide whose customers it reached, to send by
    // hand; the first half have sent it (their messages sent), the rest wait
    const sends = await listMassSends(db, t);
    expect(sends).toHaveLength(1);
    const send = sends[0];
    expect(send?.channel).toBe('wecom');
    expect(send?.counts.planned ?? 0).toBeGreaterThan(0);
    const tasks = await db.selectFrom('guide_tasks').select(['staff_id', 'kind', 'status', 'detail']).where('tenant_id', '=', t).where('source_kind', '=', 'mass_send').orderBy('staff_id').execute();
    expect(tasks.length).toBeGreaterThan(1);
    expect(new Set(tasks.map((x) => x.kind))).toEqual(new Set(['mass_send_confirm']));
    expect(tasks.map((x) => x.status)).toEqual(tasks.map((_x, i) => (i < Math.ceil(tasks.length / 2) ? 'done' : 'open')));
    expect(tasks[0]?.detail).toMatchObject({ manual: true, text: expect.stringContaining('您好') });
    const view = await getMassSend(db, t, send?.id ?? '');
    expect(view.staff.map((x) => x.status).sort()).toEqual(tasks.map((x) => (x.status === 'done' ? 'confirmed' : 'handed_over')).sort());
    const byStaff = new Map(view.staff.map((x) => [x.staffId, x.messages]));
    const handedOver = (done: boolean) => tasks.filter((x) => (x.status === 'done') === done).reduce((n, x) => n + (byStaff.get(x.staff_id ?? '') ?? 0), 0);
    expect(view.progress).toMatchObject({ sent: handedOver(true), awaiting_confirmation: handedOver(false) });

    // journeys: customers entered the playbook's journeys
    expect(result.journeyEntries).toBeGreaterThan(0);

    // a second run finds everything and writes nothing
    const first = await rowCounts(t);
    const again = await seedDemoActivity(testDb(), t, { model: 'shopping', seed: 2, now: NOW });
    expect(await rowCounts(t)).toEqual(first);
    expect(again).toMatchObject({ scans: 0, friends: 0, couponsIssued: 0, couponsRedeemed: 0, formSubmissions: 0, solitaireEntries: 0, groupBuys: 0, journeyEntries: 0 });

    // nothing of it in another tenant, and every coupon, entry and ledger row names this tenant's customers
    expect(await rowCounts(bystander.id)).toEqual(before);
    const strays = await testDb().pool.query<{ n: number }>(
      `select (select count(*) from coupons x where x.tenant_id = $1 and not exists (select 1 from customers c where c.tenant_id = $1 and c.id = x.customer_id))
            + (select count(*) from points_ledger x where x.tenant_id = $1 and not exists (select 1 from customers c where c.tenant_id = $1 and c.id = x.customer_id))
            + (select count(*) from solitaire_entries x where x.tenant_id = $1 and not exists (select 1 from customers c where c.tenant_id = $1 and c.id = x.customer_id))
            + (select count(*) from form_submissions x where x.tenant_id = $1 and not exists (select 1 from customers c where c.tenant_id = $1 and c.id = x.customer_id)) as n`,
      [t],
    );
    expect(Number(strays.rows[0]?.n)).toBe(0);
  });

  it('gives the formula brand its baby-feeding questionnaire, whose month-of-age codes tag one stage per customer', { timeout: 180_000 }, async () => {
    const { db } = testDb();
    const tenant = await seeded('expert', 300);
    await seedDemoActivity(testDb(), tenant.id, { model: 'expert', seed: 2, now: NOW });
    const form = (await listForms(db, tenant.id)).find((f) => f.name === '宝宝喂养情况问卷');
    expect(form?.status).toBe('published');
    const results = await formResults(db, tenant.id, form?.id ?? '');
    expect(results.submissions).toBeGreaterThan(0);
    const age = results.questions.find((q) => q.id === 'age');
    expect(age?.answered).toBe(results.submissions);
    // the stages are one exclusive tag group: no customer holds two
    const stages = await db.selectFrom('customer_tags').select(['customer_id']).select((eb) => eb.fn.countAll<string>().as('n'))
      .where('tenant_id', '=', tenant.id).where('added_by', '=', `form:${form?.id ?? ''}`).groupBy('customer_id').execute();
    expect(stages.length).toBeGreaterThan(0);
    expect(stages.every((s) => Number(s.n) === 1)).toBe(true);
    expect((await listCoupons(db, tenant.id, { status: 'redeemed' })).length + (await listCoupons(db, tenant.id, { status: 'issued' })).length).toBeGreaterThan(0);
  });
});
