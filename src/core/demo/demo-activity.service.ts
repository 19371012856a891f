// A demo tenant's recent weeks of use (demo-activity.rules.ts), written through the areas' own
// services as the brand's people and customers would have caused it: codes scanned and friends
// added, partners' friends attributed and rewarded, points earned and spent, coupons issued and
// redeemed or left to expire, 秒杀 and 接龙 and 拼团, a questionnaire answered, a 群发 planned and
// handed to the guides, customers walking the playbook's journeys. Idempotent: each step either
// finds what it made (by name, request key, event id or entry key) or is skipped, so a second run
// writes nothing new.
import { sql } from 'kysely';
import type { DatabaseHandle, Db } from '../../db/connect.ts';
import { dbOnClient } from '../messaging/mass-plan-copy.ts';
import { inTransaction } from '../../db/transaction.ts';
import type { Actor } from '../access/access.rules.ts';
import { listCodes, updateCode, type CodeView } from '../acquisition/codes.service.ts';
import { answerScan } from '../acquisition/landing.service.ts';
import { redeemCoupon } from '../coupons/redeem.service.ts';
import { issueCoupons } from '../coupons/issue.service.ts';
import { listTemplates } from '../coupons/templates.service.ts';
import type { OperatingModel } from '../diagnosis/diagnosis.rules.ts';
import { YuchiError } from '../errors.ts';
import { isoWeekday } from '../time.ts';
import { ingestEvents } from '../ingest/ingest.service.ts';
import { MAX_EVENTS_PER_BATCH } from '../ingest/events.rules.ts';
import { addCredits } from '../membership/ledger.service.ts';
import { expiryOf, isMemberDay, pointsForOrder } from '../membership/membership.rules.ts';
import { redeemReward } from '../membership/points.service.ts';
import { createReward, listRewards } from '../membership/rewards.service.ts';
import { getSettings } from '../membership/settings.service.ts';
import { listTiers, recomputeTiers } from '../membership/tiers.service.ts';
import { attributeNewContacts } from '../referral/attribution.service.ts';
import { createReferralCode, getRewardRules, setRewardRules } from '../referral/referral.service.ts';
import { creditRewards } from '../referral/rewards.service.ts';
import { getTenant } from '../tenants/tenants.service.ts';
import { ACTIVITY_CONTENT, DAY_MS, HOUR_MS, drawnKey, hashUnit, planScans, sample } from './demo-activity.rules.ts';
import { sellingActivity, type ActivityContext, type Product } from './demo-activity.selling.ts';
import { demoWindow } from './demo.service.ts';
import { Random } from './demo.rules.ts';

/** Seeds of the activity's draws are apart from the world's and the chatter's. */
const ACTIVITY_STREAM = 3_000_017;
const ACTOR = '演示运营';
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '胡', '朱', '高', '林'];
const GIVEN = ['晓雯', '子涵', '浩然', '思琪', '一诺', '欣怡', '俊杰', '雨桐', '梓萱', '宇轩', '佳怡', '文博', '诗涵', '明哲'];

export interface DemoActivityOptions {
  model: OperatingModel;
  seed?: number;
  /** The moment the activity runs up to (default: now). */
  now?: Date;
  /** Weeks of activity (default 6). */
  weeks?: number;
}

export interface DemoActivityResult {
  scans: number;
  friends: number;
  referrals: number;
  pointsEntries: number;
  rewardsRedeemed: number;
  couponsIssued: number;
  couponsRedeemed: number;
  flashSales: number;
  formSubmissions: number;
  solitaireEntries: number;
  groupBuys: number;
  massSends: number;
  journeyEntries: number;
  seconds: number;
  /** Seconds of each step. */
  timings: Record<string, number>;
}

export async function seedDemoActivity(handle: DatabaseHandle, tenantId: string, options: DemoActivityOptions): Promise<DemoActivityResult> {
  // Hundreds of small transactions, one after another on one connection that does not wait for
  // each commit to reach the disk: a crash loses at most the last moments of a demo that a second
  // run completes, and the first boot does not wait on a flush per scan, coupon or answer.
  const client = await handle.pool.connect();
  try {
    await client.query('set synchronous_commit = off');
    return await seedOn(handle, dbOnClient(client), tenantId, options);
  } finally {
    // A connection that cannot be set back is dropped, never pooled: others rely on durable commits.
    try {
      await client.query('reset synchronous_commit');
      client.release();
    } catch (err) {
      client.release(err instanceof Error ? err : new Error(String(err)));
    }
  }
}

async function seedOn(handle: DatabaseHandle, db: Db, tenantId: string, options: DemoActivityOptions): Promise<DemoActivityResult> {
  const started = performance.now();
  const now = options.now ?? new Date();
  const tenant = await getTenant(db, tenantId);
  const { clock } = demoWindow(tenant.timezone, now, 3);
  const weeks = options.weeks ?? 6;
  const nowMs = now.getTime();
  const todayMidnight = clock.midnight(clock.dateOf(nowMs));
  // each local midnight of the weeks up to today (today included: the day has begun)
  const midnights: number[] = [];
  for (let d = weeks * 7; d >= 0; d--) midnights.push(clock.midnight(clock.dateOf(todayMidnight - d * DAY_MS + DAY_MS / 2)));
  const actor: Actor = {
    tenantId, tenantSlug: tenant.slug, tenantName: tenant.name, timezone: tenant.timezone,
    role: 'admin', staffId: null, userId: null, apiKeyId: null, name: ACTOR,
  };
  const ctx: ActivityContext = {
    handle, db, tenantId, slug: tenant.slug, actor, model: options.model, content: ACTIVITY_CONTENT[options.model], now, nowMs, midnights, todayMidnight,
    localAt: (midnight, hour) => clock.midnight(clock.dateOf(midnight + DAY_MS / 2)) + hour * HOUR_MS,
    dateOf: (ms) => clock.dateOf(ms),
    rng: (stream) => new Random((options.seed ?? 1) * 7919 + ACTIVITY_STREAM + stream),
    products: await topProducts(db, tenantId),
    buyers: await recentBuyers(db, tenantId, nowMs - 60 * DAY_MS, nowMs),
    friends: [],
  };

  const result: DemoActivityResult = {
    scans: 0, friends: 0, referrals: 0, pointsEntries: 0, rewardsRedeemed: 0, couponsIssued: 0, couponsRedeemed: 0, flashSales: 0,
    formSubmissions: 0, solitaireEntries: 0, groupBuys: 0, massSends: 0, journeyEntries: 0, seconds: 0, timings: {},
  };
  const timed = async <T>(step: string, run: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await run();
    } finally {
      result.timings[step] = Math.round(performance.now() - t0) / 1000;
    }
  };
  Object.assign(result, await timed('friends', () => friendsFromCodes(ctx)));
  Object.assign(result, await timed('points', () => pointsAndTiers(ctx)));
  Object.assign(result, await timed('coupons', () => couponActivity(ctx)));
  Object.assign(result, await sellingActivity(ctx, timed));
  // the friends' first orders were made above: their partners' rewards follow
  await timed('rewards', () => creditRewards(db, tenantId, now));
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

/** The best-selling items of the last months, with their usual price: what 秒杀, 接龙 and 拼团 sell. */
async function topProducts(db: Db, tenantId: string): Promise<Product[]> {
  const rows = await sql<{ sku: string; name: string; price: number }>`
    select i.sku, min(i.name) as name, percentile_disc(0.5) within group (order by i.unit_price_fen)::int as price
      from order_items i where i.tenant_id = ${tenantId} and i.unit_price_fen > 0
     group by i.sku order by count(*) desc, i.sku limit 8`.execute(db);
  return rows.rows.map((r) => ({ sku: r.sku, name: r.name, priceFen: r.price }));
}

async function recentBuyers(db: Db, tenantId: string, fromMs: number, toMs: number): Promise<ActivityContext['buyers']> {
  const rows = await sql<{ id: string; guide_id: string | null; store_id: string | null }>`
    select id, guide_id, store_id from customers
     where tenant_id = ${tenantId} and last_order_at >= ${new Date(fromMs)} and last_order_at < ${new Date(toMs)} and erased_at is null
     order by id limit 4000`.execute(db);
  return rows.rows.map((r) => ({ id: r.id, guideId: r.guide_id, storeId: r.store_id }));
}

/** A code's QR is live once each guide's own contact-way QR is on file (the playbook left it paused for that). */
async function liveCodes(ctx: ActivityContext): Promise<CodeView[]> {
  const codes = await listCodes(ctx.db, ctx.tenantId);
  const out: CodeView[] = [];
  for (const c of codes) {
    if (c.status === 'active' && c.rotation.every((m) => m.qrUrl !== '')) {
      out.push(c);
      continue;
    }
    if (c.rotation.length === 0) continue;
    out.push(await updateCode(ctx.db, ctx.tenantId, c.id, {
      name: c.name, kind: c.kind, storeId: c.store?.id ?? null, campaign: c.campaign, state: c.state,
      rotation: c.rotation.map((m) => ({ staffId: m.staffId, dailyCap: m.dailyCap, backup: m.backup, qrUrl: m.qrUrl || `https://wework.example/qr/${m.staffId}.png` })),
      worksFrom: c.worksFrom, worksTo: c.worksTo, tagIds: c.tagIds, welcomeText: c.welcomeText, welcomePersona: c.welcomePersona,
      welcomeCouponTemplateId: c.welcomeCouponTemplateId, routingRadiusKm: c.routingRadiusKm, status: 'active',
    }));
  }
  return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

/**
 * Scans of the codes (each counted by the landing page as a real scan is) and, for those who went
 * on, the WeCom events an integration would send: the add with the code's state, a delete now and
 * then, a first order. A few loyal customers are partners whose own codes bring friends too.
 * Skipped as a whole once the codes have scans.
 */
async function friendsFromCodes(ctx: ActivityContext): Promise<{ scans: number; friends: number; referrals: number }> {
  const { db, tenantId } = ctx;
  const codes = await liveCodes(ctx);
  const scanned = await db.selectFrom('code_scans').select('id').where('tenant_id', '=', tenantId).limit(1).executeTakeFirst();
  if (codes.length === 0 || scanned) return { scans: 0, friends: 0, referrals: 0 };
  const rng = ctx.rng(1);
  const staffStore = new Map((await db.selectFrom('staff').select(['id', 'store_id']).where('tenant_id', '=', tenantId).execute()).map((s) => [s.id, s.store_id]));
  const events: Record<string, unknown>[] = [];
  const name = (): string => `${SURNAMES[rng.below(SURNAMES.length)] ?? '王'}${GIVEN[rng.below(GIVEN.length)] ?? '晓雯'}`;
  const friendEvents = (key: string, staffId: string, state: string, atMs: number, deletedAfterMs: number | null, orderAfterMs: number | null): void => {
    const customer = { externalUserId: `wmdemo${key}` };
    events.push({ id: `demo-activity:add:${key}`, type: 'contact_added', occurredAt: new Date(atMs).toISOString(), customer, source: 'wecom', properties: { staffId, state, name: name() } });
    if (deletedAfterMs !== null && atMs + deletedAfterMs < ctx.nowMs) {
      events.push({ id: `demo-activity:delete:${key}`, type: 'contact_deleted', occurredAt: new Date(atMs + deletedAfterMs).toISOString(), customer, source: 'wecom', properties: { staffId } });
    }
    if (orderAfterMs !== null && atMs + orderAfterMs < ctx.nowMs && ctx.products.length > 0) {
      const lines = sample(rng, ctx.products, 1 + rng.below(3)).map((p) => ({ sku: p.sku, name: p.name, quantity: 1 + rng.below(2), unitPriceFen: p.priceFen }));
      const paidFen = lines.reduce((s, l) => s + l.quantity * l.unitPriceFen, 0);
      const storeId = staffStore.get(staffId) ?? null;
      events.push({
        id: `demo-activity:order:${key}`, type: 'order_paid', occurredAt: new Date(atMs + orderAfterMs).toISOString(), customer, source: 'pos',
        properties: { orderNo: `DA${key.toUpperCase()}`, channel: 'pos', ...(storeId ? { storeId } : {}), staffId, totalFen: paidFen, paidFen, items: lines },
      });
    }
    ctx.friends.push({ key, staffId, atMs, ordered: orderAfterMs !== null && atMs + orderAfterMs < ctx.nowMs });
  };

  const scans = planScans(rng, codes.length, ctx.midnights, ctx.nowMs, ctx.model === 'shopping' ? 3 : 2);
  const keys = scans.map(() => drawnKey(rng));
  let friends = 0;
  for (const [i, s] of scans.entries()) {
    const code = codes[s.codeIndex];
    if (!code) continue;
    const answer = await answerScan(db, ctx.slug, code.codeKey, code.kind === 'store_routing' ? 'declined' : null, new Date(s.at));
    if (answer.kind !== 'staff' || !s.added) continue;
    friendEvents(keys[i] ?? drawnKey(rng), answer.staff.id, code.state, s.at + (1 + (i % 10)) * 60_000, s.deletedAfterMs, s.orderAfterMs);
    friends++;
  }

  // partners: the most loyal buyers who have a guide, each with a code that brings a few friends
  const rules = await getRewardRules(db, tenantId);
  if (rules.length === 0) await setRewardRules(db, tenantId, [{ level: 1, kind: 'percent_first_order', percentBp: ctx.content.referralPercentBp }]);
  const loyal = await sql<{ id: string; guide_id: string }>`
    select id, guide_id from customers where tenant_id = ${tenantId} and guide_id is not null and erased_at is null
     order by order_count desc, id limit 5`.execute(db);
  let referrals = 0;
  for (const p of loyal.rows) {
    const { code } = await createReferralCode(db, tenantId, { customerId: p.id });
    const brought = 2 + rng.below(3);
    for (let i = 0; i < brought; i++) {
      const at = ctx.nowMs - (1 + rng.float() * (ctx.midnights.length - 2)) * DAY_MS;
      friendEvents(drawnKey(rng), p.guide_id, code, Math.floor(at), null, rng.chance(0.6) ? (0.5 + rng.float() * 5) * DAY_MS : null);
      referrals++;
    }
  }

  await welcomeCouponsOnTheDay(ctx, events, new Map(codes.map((c) => [c.state, c.welcomeCouponTemplateId])));
  events.sort((a, b) => String(a.occurredAt).localeCompare(String(b.occurredAt)));
  for (let from = 0; from < events.length; from += MAX_EVENTS_PER_BATCH) {
    const r = await ingestEvents(db, ctx.actor, events.slice(from, from + MAX_EVENTS_PER_BATCH));
    if (r.rejected.length > 0) throw new Error(`demo activity: ${r.rejected.length} events refused, first: ${r.rejected[0]?.message ?? ''}`);
  }
  // what the every-minute sweep would decide: who brought whom
  await attributeNewContacts(db, tenantId);
  return { scans: scans.length, friends, referrals };
}

/**
 * The welcome coupon a code gives is issued when its batch arrives, which for weeks of history sent
 * at once would date every coupon today. So the friends' profiles come first (as their first
 * mini-program visit would make them) and each day's friends get the code's coupon under the
 * welcome request key on that day; the add then finds the coupon already issued.
 */
async function welcomeCouponsOnTheDay(ctx: ActivityContext, events: Record<string, unknown>[], templateOf: Map<string, string | null>): Promise<void> {
  const adds = events.filter((e) => e.type === 'contact_added' && typeof templateOf.get(String((e.properties as { state?: string }).state)) === 'string');
  if (adds.length === 0) return;
  const profiles = adds.map((e) => ({
    id: `demo-activity:profile:${String(e.id).slice('demo-activity:add:'.length)}`, type: 'profile_updated', occurredAt: e.occurredAt, customer: e.customer, source: 'miniprogram',
    properties: { name: (e.properties as { name?: string }).name },
  }));
  for (let from = 0; from < profiles.length; from += MAX_EVENTS_PER_BATCH) {
    const r = await ingestEvents(ctx.db, ctx.actor, profiles.slice(from, from + MAX_EVENTS_PER_BATCH));
    if (r.rejected.length > 0) throw new Error(`demo activity: ${r.rejected.length} profiles refused, first: ${r.rejected[0]?.message ?? ''}`);
  }
  const ids = new Map((await ctx.db.selectFrom('customer_identities').select(['value', 'customer_id']).where('tenant_id', '=', ctx.tenantId)
    .where('kind', '=', 'external_userid').where('value', 'in', adds.map((e) => (e.customer as { externalUserId: string }).externalUserId)).execute())
    .map((r) => [r.value, r.customer_id]));
  // one issue per template and local day, at that day's last add
  const groups = new Map<string, { templateId: string; at: number; customers: string[] }>();
  for (const e of adds) {
    const templateId = templateOf.get(String((e.properties as { state?: string }).state)) ?? '';
    const at = Date.parse(String(e.occurredAt));
    const customerId = ids.get((e.customer as { externalUserId: string }).externalUserId);
    if (!customerId) continue;
    const key = `${templateId}:${ctx.dateOf(at)}`;
    const g = groups.get(key) ?? { templateId, at, customers: [] };
    g.at = Math.max(g.at, at);
    g.customers.push(customerId);
    groups.set(key, g);
  }
  for (const g of groups.values()) {
    try {
      await issueCoupons(ctx.db, ctx.tenantId, g.templateId, g.customers, { requestKey: 'welcome', source: 'welcome', actor: 'acquisition', partial: true, now: new Date(g.at) });
    } catch (err) {
      if (!(err instanceof YuchiError)) throw err; // a paused or ended template: the add gives none either
    }
  }
}

/**
 * Points from the orders since membership began (the last weeks), as the order path would have
 * credited them, the tiers placed, and a few redemptions in the points mall. Entry keys are the
 * order path's own, so nothing is credited twice.
 */
async function pointsAndTiers(ctx: ActivityContext): Promise<{ pointsEntries: number; rewardsRedeemed: number }> {
  const { db, tenantId } = ctx;
  const settings = await getSettings(db, tenantId);
  const tiers = await listTiers(db, tenantId);
  let pointsEntries = 0;
  let rewardsRedeemed = 0;
  if (settings.saved && settings.pointsEnabled) {
    // the orders paid in full since membership began; each earns as the order path reckons it,
    // under the order path's entry key, in one ledger write
    const since = new Date(ctx.midnights[0] ?? ctx.nowMs);
    const orders = await sql<{ id: string; customer_id: string; paid_fen: number; channel: string; store_id: string | null; ordered_at: Date; items: { sku: string; amountFen: number }[] | null }>`
      select o.id, o.customer_id, o.paid_fen, o.channel, o.store_id, o.ordered_at,
             (select jsonb_agg(jsonb_build_object('sku', i.sku, 'amountFen', i.amount_fen)) from order_items i where i.tenant_id = o.tenant_id and i.order_id = o.id) as items
        from orders o
       where o.tenant_id = ${tenantId} and o.ordered_at >= ${since} and o.ordered_at < ${ctx.now} and o.customer_id is not null and o.status = 'paid'
         and not exists (select 1 from points_ledger l where l.tenant_id = o.tenant_id and l.entry_key = 'earn:' || o.id)
       order by o.ordered_at, o.id`.execute(db);
    // both depend only on the local date, and each asks Intl for the zone: asked once per date
    const byDate = new Map<string, { memberDay: boolean; expiresAt: Date | null }>();
    const dayOf = (at: Date): { memberDay: boolean; expiresAt: Date | null } => {
      const date = ctx.dateOf(at.getTime());
      let d = byDate.get(date);
      if (!d) {
        d = { memberDay: isMemberDay(at, settings.memberDayWeekdays, settings.timezone), expiresAt: expiryOf(at, settings.expiryMonths, settings.timezone) };
        byDate.set(date, d);
      }
      return d;
    };
    const credits = orders.rows.map((o) => ({
      customerId: o.customer_id, kind: 'earn' as const, entryKey: `earn:${o.id}`, orderId: o.id, at: o.ordered_at,
      points: pointsForOrder(settings, { paidFen: o.paid_fen, channel: o.channel, storeId: o.store_id, items: o.items ?? [], onMemberDay: dayOf(o.ordered_at).memberDay }),
      expiresAt: dayOf(o.ordered_at).expiresAt,
    }));
    pointsEntries = (await inTransaction(db, (trx) => addCredits(trx, tenantId, credits, 'yuchi'))).length;

    const rewards = await listRewards(db, tenantId);
    const top = await sql<{ customer_id: string; balance: number }>`
      select customer_id, balance from points_balances where tenant_id = ${tenantId} and balance > 0 order by balance desc, customer_id limit 40`.execute(db);
    const middle = top.rows[Math.floor(top.rows.length / 2)]?.balance ?? 0;
    if (rewards.length === 0 && middle > 0 && ctx.products[0]) {
      const price = Math.max(50, Math.round((middle * 0.5) / 50) * 50);
      await createReward(db, tenantId, { name: `积分兑换：${ctx.products[0].name}`, kind: 'goods', couponTemplateId: null, sku: ctx.products[0].sku, pointsPrice: price, stock: 200, status: 'active' });
      if (ctx.products[1]) {
        await createReward(db, tenantId, { name: `积分兑换：${ctx.products[1].name}`, kind: 'goods', couponTemplateId: null, sku: ctx.products[1].sku, pointsPrice: price * 2, stock: 100, status: 'active' });
      }
    }
    const reward = (await listRewards(db, tenantId)).filter((r) => r.status === 'active' && r.kind === 'goods').sort((a, b) => a.pointsPrice - b.pointsPrice)[0];
    const redeemedBefore = await db.selectFrom('points_ledger').select('id').where('tenant_id', '=', tenantId).where('entry_key', 'like', 'redeem:demo-activity:%').limit(1).executeTakeFirst();
    if (reward && !redeemedBefore) {
      for (const c of sample(ctx.rng(2), top.rows, 12)) {
        try {
          await redeemReward(db, tenantId, c.customer_id, { rewardId: reward.id, quantity: 1, requestKey: `demo-activity:${c.customer_id}` }, ACTOR);
          rewardsRedeemed++;
        } catch (err) {
          if (!(err instanceof YuchiError)) throw err; // too few points or out of stock: that customer does not redeem
        }
      }
    }
  }
  if (tiers.length > 0) await recomputeTiers(db, tenantId, { cause: 'recompute', now: ctx.now });
  return { pointsEntries, rewardsRedeemed };
}

/**
 * Coupons the operators issued: every active template but the welcome ones (the codes issue those
 * on each add) goes to a few dozen recent buyers on several days; the member-day coupon on the
 * member days. Then what customers did with them: a coupon used with an order inside its window
 * is redeemed on it (three in four), the rest stay issued and expire.
 */
async function couponActivity(ctx: ActivityContext): Promise<{ couponsIssued: number; couponsRedeemed: number }> {
  const { db, tenantId } = ctx;
  const rng = ctx.rng(3);
  const settings = await getSettings(db, tenantId);
  const welcome = new Set((await listCodes(db, tenantId)).map((c) => c.welcomeCouponTemplateId).filter((id): id is string => id !== null));
  const templates = (await listTemplates(db, tenantId)).filter((t) => t.status === 'active' && !welcome.has(t.id)).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  let couponsIssued = 0;
  // issued once: a later run would draw its customers from a world the first run changed
  const issuedBefore = await db.selectFrom('coupons').select('id').where('tenant_id', '=', tenantId).where('issue_key', 'like', 'demo-activity:%').limit(1).executeTakeFirst();
  if (issuedBefore) templates.length = 0;
  const pool = sample(rng, ctx.buyers.map((b) => b.id).sort(), 2000);
  let next = 0;
  for (const t of templates) {
    const memberDay = settings.memberDayTemplateId === t.id && settings.memberDayWeekdays.length > 0;
    const days = ctx.midnights.filter((m, i) => (memberDay ? settings.memberDayWeekdays.includes(isoWeekday(ctx.dateOf(m + HOUR_MS))) : i % 7 === 3) && m < ctx.todayMidnight);
    for (const midnight of days) {
      const customers = pool.slice(next, next + 25);
      next = (next + 25) % Math.max(1, pool.length - 25);
      if (customers.length === 0) break;
      const r = await issueCoupons(db, tenantId, t.id, customers, {
        requestKey: `demo-activity:${t.id}:${ctx.dateOf(midnight + HOUR_MS)}`, source: memberDay ? 'member_day' : 'campaign', actor: ACTOR, partial: true,
        now: new Date(ctx.localAt(midnight, 9)),
      });
      couponsIssued += r.issued.length;
    }
  }

  // each still-issued coupon with an order of its customer inside its window
  const usable = await sql<{ code: string; customer_id: string; order_no: string; store_id: string | null; channel: string; paid_fen: number; ordered_at: Date }>`
    select c.code, c.customer_id, o.order_no, o.store_id, o.channel, o.paid_fen, o.ordered_at
      from coupons c
      join lateral (select * from orders o where o.tenant_id = c.tenant_id and o.customer_id = c.customer_id and o.ordered_at >= c.valid_from
                      and o.ordered_at < c.valid_to and o.ordered_at < ${ctx.now} and o.status = 'paid'
                      and not exists (select 1 from coupons u where u.tenant_id = o.tenant_id and u.order_no = o.order_no)
                    order by o.ordered_at limit 1) o on true
     where c.tenant_id = ${tenantId} and c.status = 'issued'
     order by c.customer_id, c.code`.execute(db);
  let couponsRedeemed = 0;
  for (const u of usable.rows) {
    if (hashUnit(u.code) >= 0.75) continue;
    try {
      await redeemCoupon(db, tenantId, { code: u.code, customerId: u.customer_id, order: { orderNo: u.order_no, storeId: u.store_id, channel: u.channel, totalFen: u.paid_fen } },
        { actor: ACTOR, source: 'pos', now: u.ordered_at });
      couponsRedeemed++;
    } catch (err) {
      if (!(err instanceof YuchiError)) throw err; // below the threshold, another store: the till would not take it either
    }
  }
  return { couponsIssued, couponsRedeemed };
}

