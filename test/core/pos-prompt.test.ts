// The prompt at the till against a straightforward reference: the one prepared statement must
// give what separate plain look-ups give, for every till and customer of a world with the awkward
// cases (a full group and a dissolved one, a friendship ended, a member who left, coupons expired,
// not yet valid, redeemed or for another store, a welcome coupon already given, an inactive
// template, a paused code, a routing-only store, a merged profile, unknown stores and people).
// The answer's JSON is also held to what the response schema's encoder would write.
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { PosPromptAnswer } from '../../src/api/routes/workbench.ts';
import { newId } from '../../src/core/ids.ts';
import { mergeCustomers } from '../../src/core/ingest/merge.service.ts';
import { normalizePhone } from '../../src/core/ingest/identity.rules.ts';
import { GROUP_CAPACITY, posPrompt, type PosPrompt } from '../../src/core/workbench/pos-prompt.service.ts';
import { posActions } from '../../src/core/workbench/workbench.rules.ts';
import { buildWorld, type World } from '../fixtures.ts';
import { newTenant, testDb } from '../helpers.ts';

const db = () => testDb().db;
type Who = { phone?: string; memberNo?: string };
type Till = { storeId: string | null; staffId: string | null; ownOnly: string | undefined };

/** The same answer from one plain query per fact, read off the tables as the rules state them. */
async function reference(t: string, who: Who, till: Till, now: Date): Promise<PosPrompt> {
  const kind = who.phone !== undefined ? 'phone' : 'member_no';
  const value = who.phone !== undefined ? normalizePhone(who.phone) ?? '' : (who.memberNo ?? '').trim();
  const customer = await db().selectFrom('customer_identities as i').innerJoin('customers as c', (j) => j.onRef('c.tenant_id', '=', 'i.tenant_id').onRef('c.id', '=', 'i.customer_id'))
    .select(['c.id', 'c.name', 'c.store_id', 'c.guide_id']).where('i.tenant_id', '=', t).where('i.kind', '=', kind).where('i.value', '=', value).executeTakeFirst();
  const staffStore = till.staffId
    ? (await db().selectFrom('staff').select('store_id').where('tenant_id', '=', t).where('id', '=', till.staffId).executeTakeFirst())?.store_id ?? null
    : null;
  const storeId = till.storeId ?? staffStore ?? customer?.store_id ?? null;
  const store = storeId ? await db().selectFrom('stores').select(['id', 'name']).where('tenant_id', '=', t).where('id', '=', storeId).executeTakeFirst() : undefined;
  const codes = store
    ? await db().selectFrom('acquisition_codes').selectAll().where('tenant_id', '=', t).where('store_id', '=', store.id).where('status', '=', 'active').where('kind', '!=', 'store_routing').execute()
    : [];
  codes.sort((a, b) => Number(b.kind === 'store_counter') - Number(a.kind === 'store_counter') || a.created_at.getTime() - b.created_at.getTime());
  const code = codes[0];
  const slug = (await db().selectFrom('tenants').select('slug').where('id', '=', t).executeTakeFirstOrThrow()).slug;
  let isFriend = false;
  let inGroup = false;
  let groupWithRoom: { id: string; name: string; members: number } | null = null;
  let heldCoupon: { code: string; name: string; validTo: string } | null = null;
  if (customer) {
    isFriend = (await db().selectFrom('customer_contacts').select('staff_id').where('tenant_id', '=', t).where('customer_id', '=', customer.id).where('deleted_at', 'is', null).execute()).length > 0;
    const memberships = await db().selectFrom('group_members as m').innerJoin('customer_groups as g', (j) => j.onRef('g.tenant_id', '=', 'm.tenant_id').onRef('g.id', '=', 'm.group_id'))
      .select('g.status').where('m.tenant_id', '=', t).where('m.customer_id', '=', customer.id).where('m.left_at', 'is', null).execute();
    inGroup = memberships.some((m) => m.status === 'active');
    if (store) {
      const groups = await db().selectFrom('customer_groups').select(['id', 'name', 'created_at']).where('tenant_id', '=', t).where('store_id', '=', store.id).where('status', '=', 'active')
        .orderBy('created_at', 'desc').execute();
      for (const g of groups) {
        const members = (await db().selectFrom('group_members').select('customer_id').where('tenant_id', '=', t).where('group_id', '=', g.id).where('left_at', 'is', null).execute()).length;
        if (members < GROUP_CAPACITY) {
          groupWithRoom = { id: g.id, name: g.name, members };
          break;
        }
      }
    }
    const held = (await db().selectFrom('coupons as c').innerJoin('coupon_templates as ct', (j) => j.onRef('ct.tenant_id', '=', 'c.tenant_id').onRef('ct.id', '=', 'c.template_id'))
      .select(['c.code', 'ct.name', 'c.valid_to', 'ct.store_ids']).where('c.tenant_id', '=', t).where('c.customer_id', '=', customer.id).where('c.status', '=', 'issued').execute())
      .filter((c) => c.valid_to.getTime() > now.getTime() && (c.store_ids.length === 0 || (store !== undefined && c.store_ids.includes(store.id))))
      .sort((a, b) => a.valid_to.getTime() - b.valid_to.getTime());
    const valid = [];
    for (const c of held) {
      const from = (await db().selectFrom('coupons').select('valid_from').where('tenant_id', '=', t).where('code', '=', c.code).executeTakeFirstOrThrow()).valid_from;
      if (from.getTime() <= now.getTime()) valid.push(c);
    }
    const first = valid[0];
    heldCoupon = first ? { code: first.code, name: first.name, validTo: first.valid_to.toISOString() } : null;
  }
  let welcomeTemplate: { id: string; name: string } | null = null;
  if (code?.welcome_coupon_template_id) {
    const template = await db().selectFrom('coupon_templates').select(['id', 'name', 'status']).where('tenant_id', '=', t).where('id', '=', code.welcome_coupon_template_id).executeTakeFirst();
    const given = customer
      ? (await db().selectFrom('coupons').select('id').where('tenant_id', '=', t).where('customer_id', '=', customer.id).where('template_id', '=', code.welcome_coupon_template_id).execute()).length > 0
      : false;
    if (template && template.status === 'active' && !given) welcomeTemplate = { id: template.id, name: template.name };
  }
  return {
    customer: customer ? { id: customer.id, name: till.ownOnly === undefined || till.ownOnly === customer.guide_id ? customer.name : '', isFriend, inGroup } : null,
    store: store ? { id: store.id, name: store.name } : null,
    actions: posActions({
      known: customer !== undefined, isFriend, inGroup,
      storeCode: code ? { id: code.id, name: code.name, landingPath: `/q/${slug}/${code.code_key}` } : null,
      groupWithRoom, heldCoupon, welcomeTemplate,
    }),
  };
}

describe('the prompt at the till, against a plain reference', () => {
  let world: World;
  const now = new Date();
  const day = 86_400_000;
  const at = (days: number): Date => new Date(now.getTime() + days * day);

  beforeAll(async () => {
    world = await buildWorld(db(), (await newTenant()).id);
    const t = world.tenantId;
    const { futian, nanshan } = world.stores;
    const { mei, lei, fang, jun } = world.customers;
    const welcome = newId();
    const retired = newId();
    const anywhere = newId();
    const nanshanOnly = newId();
    await db().insertInto('coupon_templates').values([
      { tenant_id: t, id: welcome, name: '¥5 新人券', kind: 'amount', amount_off_fen: 500, valid_days: 30 },
      { tenant_id: t, id: retired, name: '旧新人券', kind: 'amount', amount_off_fen: 300, valid_days: 30, status: 'ended' },
      { tenant_id: t, id: anywhere, name: '满 50 减 10', kind: 'threshold', amount_off_fen: 1000, threshold_fen: 5000, valid_days: 30 },
      { tenant_id: t, id: nanshanOnly, name: '南山店 8 折', kind: 'percent', percent: 80, valid_days: 30, store_ids: [nanshan] },
    ]).execute();
    const code = (over: Record<string, unknown>) => ({
      tenant_id: t, id: newId(), code_key: newId().replace(/-/g, '').slice(-10), state: newId().replace(/-/g, '').slice(-16), rotation: JSON.stringify([{ staffId: world.staff.li, dailyCap: null, qrUrl: 'https://wework.example/li', backup: false }]), ...over,
    });
    // 福田: an older poster and a newer store-counter code (the counter code wins), a paused one;
    // 南山: a routing-only code and a poster whose welcome template is retired.
    await db().insertInto('acquisition_codes').values([
      code({ name: '福田海报', kind: 'poster', store_id: futian, created_at: at(-10) }),
      code({ name: '福田收银台', kind: 'store_counter', store_id: futian, welcome_coupon_template_id: welcome, created_at: at(-5) }),
      code({ name: '福田停用', kind: 'store_counter', store_id: futian, status: 'paused', created_at: at(-20) }),
      code({ name: '南山导购', kind: 'store_routing', store_id: nanshan, created_at: at(-20) }),
      code({ name: '南山海报', kind: 'poster', store_id: nanshan, welcome_coupon_template_id: retired, created_at: at(-3) }),
    ] as never).execute();
    await db().insertInto('customer_contacts').values([
      { tenant_id: t, customer_id: mei, staff_id: world.staff.li, added_at: at(-30) },
      { tenant_id: t, customer_id: lei, staff_id: world.staff.wang, added_at: at(-30), deleted_at: at(-2) },
      { tenant_id: t, customer_id: fang, staff_id: world.staff.zhao, added_at: at(-30) },
      { tenant_id: t, customer_id: jun, staff_id: world.staff.zhao, added_at: at(-30) },
    ]).execute();
    // 福田: the newest active group is full, an older one has room, the newest of all is dissolved.
    const full = newId();
    const room = newId();
    const gone = newId();
    const southRoom = newId();
    await db().insertInto('customer_groups').values([
      { tenant_id: t, id: room, chat_id: `room-${room}`, name: '福田 1 群', store_id: futian, created_at: at(-60) },
      { tenant_id: t, id: full, chat_id: `full-${full}`, name: '福田 2 群', store_id: futian, created_at: at(-30) },
      { tenant_id: t, id: gone, chat_id: `gone-${gone}`, name: '福田 3 群', store_id: futian, status: 'dissolved', created_at: at(-1) },
      { tenant_id: t, id: southRoom, chat_id: `south-${southRoom}`, name: '南山 1 群', store_id: nanshan, created_at: at(-40) },
    ]).execute();
    const filler = await sql<{ id: string }>`
      insert into customers (tenant_id, id, name) select ${t}::uuid, gen_random_uuid(), 'filler ' || g from generate_series(1, ${GROUP_CAPACITY}) g returning id`.execute(db());
    await db().insertInto('group_members').values([
      ...filler.rows.map((r) => ({ tenant_id: t, group_id: full, customer_id: r.id, joined_at: at(-20) })),
      { tenant_id: t, group_id: room, customer_id: fang, joined_at: at(-20) },
      { tenant_id: t, group_id: room, customer_id: lei, joined_at: at(-20), left_at: at(-3) },
      { tenant_id: t, group_id: gone, customer_id: jun, joined_at: at(-20) },
    ]).execute();
    const coupon = (customer: string, template: string, from: Date, to: Date, status: 'issued' | 'redeemed' = 'issued') => ({
      tenant_id: t, id: newId(), template_id: template, code: newId().replace(/\D/g, '').slice(-12).padStart(12, '7'), customer_id: customer, issue_key: newId(),
      valid_from: from, valid_to: to, status, ...(status === 'redeemed' ? { redeemed_at: at(-1), order_no: `o-${newId()}` } : {}),
    });
    await db().insertInto('coupons').values([
      coupon(mei, anywhere, at(-10), at(-1)), // expired
      coupon(mei, anywhere, at(1), at(5)), // not yet valid
      coupon(mei, anywhere, at(-1), at(3), 'redeemed'),
      coupon(mei, nanshanOnly, at(-1), at(2)), // only in 南山, and the soonest to expire
      coupon(mei, anywhere, at(-1), at(9)),
      coupon(mei, welcome, at(-5), at(-4)), // the welcome coupon, given (and expired) already
      coupon(fang, nanshanOnly, at(-1), at(4)),
    ]).execute();
    // 刘军's profile was merged into 张磊's: his phone now finds 张磊.
    await mergeCustomers(db(), t, [{ survivorId: lei, mergedIds: [jun], identities: [{ kind: 'phone', value: world.phones.jun }] }], { source: 'test' });
  });

  it('gives the reference\'s answer for every till and customer', async () => {
    const t = world.tenantId;
    const suffix = t.replace(/\D/g, '').slice(-7).padStart(7, '0');
    const whos: Who[] = [
      ...Object.values(world.phones).map((phone) => ({ phone })),
      { phone: `+86 ${world.phones.fang}` }, { memberNo: ` M${suffix}01 ` }, { memberNo: 'nobody' }, { phone: '13100000009' },
    ];
    const tills: Till[] = [
      { storeId: world.stores.futian, staffId: null, ownOnly: undefined },
      { storeId: world.stores.nanshan, staffId: null, ownOnly: undefined },
      { storeId: null, staffId: world.staff.zhao, ownOnly: world.staff.zhao },
      { storeId: null, staffId: world.staff.li, ownOnly: world.staff.li },
      { storeId: null, staffId: null, ownOnly: undefined },
      { storeId: newId(), staffId: null, ownOnly: undefined },
    ];
    const seen = new Set<string>();
    for (const who of whos) {
      for (const till of tills) {
        const answer = await posPrompt(db(), t, who, till, now);
        expect(answer, JSON.stringify({ who, till })).toEqual(await reference(t, who, till, now));
        // written as JSON.stringify writes it: the same bytes as the schema's encoder
        expect(JSON.stringify(answer)).toBe(JSON.stringify(PosPromptAnswer.parse(answer)));
        for (const a of answer.actions) seen.add(a.kind === 'offer_coupon' ? (a.coupon ? 'held coupon' : 'welcome coupon') : a.kind);
        if (answer.customer?.name === '') seen.add('name hidden');
      }
    }
    // the comparison covered every kind of answer
    expect([...seen].sort()).toEqual(['add_friend', 'held coupon', 'invite_to_group', 'name hidden', 'welcome coupon']);
  });
});
