// The demo activity's selling and reach (see demo-activity.service.ts): a price rule, 秒杀 ended and
// scheduled, the model's questionnaire answered, 接龙 closed with its pickup list and one open,
// 拼团 formed and one waiting, a 群发 planned and handed to the guides, customers in the live
// journeys. Each part is found by its name (or its keys) on a second run and not made again.
import { sql } from 'kysely';
import type { DatabaseHandle, Db } from '../../db/connect.ts';
import type { Actor } from '../access/access.rules.ts';
import type { OperatingModel } from '../diagnosis/diagnosis.rules.ts';
import { inTransaction } from '../../db/transaction.ts';
import { YuchiError } from '../errors.ts';
import { buyFlashSale, createFlashSale, listFlashSales } from '../flash-sales/flash-sales.service.ts';
import { createForm, listForms, storeFormSubmission } from '../forms/forms.service.ts';
import { joinGroupBuy, openGroupBuy } from '../group-selling/group-buys.service.ts';
import { closeSolitaire, createSolitaire, joinSolitaire, listSolitaires } from '../group-selling/solitaires.service.ts';
import { entryOf } from '../journeys/journeys.graph.ts';
import { enrol, liveJourneys } from '../journeys/entry.service.ts';
import { publishJourney } from '../journeys/journeys.service.ts';
import { runDue } from '../journeys/runner.service.ts';
import { poolClients } from '../messaging/mass-plan-copy.ts';
import { channelFor } from '../channels/registry.ts';
import { dispatchDueMassSends } from '../messaging/mass-dispatch.service.ts';
import { createMassSend, listMassSends, runMassSendPlan } from '../messaging/mass-sends.service.ts';
import { saveTemplate } from '../messaging/templates.service.ts';
import { createPriceRule, listPriceRules } from '../promotions/price-rules.service.ts';
import { createTag, createTagGroup } from '../tags/tags.service.ts';
import { finishTask } from '../tasks/task-work.service.ts';
import { DAY_MS, HOUR_MS, drawAnswers, sample, type DemoActivityContent } from './demo-activity.rules.ts';
import type { Random } from './demo.rules.ts';

export interface Product { sku: string; name: string; priceFen: number }

export interface ActivityContext {
  handle: DatabaseHandle;
  db: Db;
  tenantId: string;
  slug: string;
  actor: Actor;
  model: OperatingModel;
  content: DemoActivityContent;
  now: Date;
  nowMs: number;
  /** Local midnights of the activity's days, oldest first, today last. */
  midnights: number[];
  todayMidnight: number;
  /** The instant of a local hour (fractions allowed) on the day of a local midnight. */
  localAt: (midnight: number, hour: number) => number;
  dateOf: (ms: number) => string;
  rng: (stream: number) => Random;
  products: Product[];
  buyers: { id: string; guideId: string | null; storeId: string | null }[];
  /** Friends the codes brought in this run (empty on a second run). */
  friends: { key: string; staffId: string; atMs: number; ordered: boolean }[];
}

const ACTOR = '演示运营';

/** Runs `run` over the items one after another: the activity has one connection, one transaction at a time. */
async function inTurns<T>(items: readonly T[], run: (item: T, index: number) => Promise<void>): Promise<void> {
  for (const [i, item] of items.entries()) await run(item, i);
}

export async function sellingActivity(ctx: ActivityContext, timed: <T>(step: string, run: () => Promise<T>) => Promise<T>): Promise<{
  flashSales: number; formSubmissions: number; solitaireEntries: number; groupBuys: number; massSends: number; journeyEntries: number;
}> {
  await priceRule(ctx);
  const group = await busiestStoreGroup(ctx);
  return {
    flashSales: await timed('flashSales', () => flashSales(ctx, group)),
    formSubmissions: await timed('forms', () => questionnaire(ctx)),
    solitaireEntries: group ? await timed('solitaires', () => solitaires(ctx, group)) : 0,
    groupBuys: group ? await timed('groupBuys', () => groupBuys(ctx, group)) : 0,
    massSends: group ? await timed('massSend', () => massSend(ctx, group)) : 0,
    journeyEntries: await timed('journeys', () => journeys(ctx)),
  };
}

interface StoreGroup { id: string; name: string; storeId: string; members: string[] }

/** The store group with the most members now: where the 接龙 and 拼团 happen. */
async function busiestStoreGroup(ctx: ActivityContext): Promise<StoreGroup | null> {
  const g = (await sql<{ id: string; name: string; store_id: string }>`
    select g.id, g.name, g.store_id from customer_groups g
     where g.tenant_id = ${ctx.tenantId} and g.status = 'active' and g.store_id is not null
     order by (select count(*) from group_members m where m.tenant_id = g.tenant_id and m.group_id = g.id and m.left_at is null) desc, g.id
     limit 1`.execute(ctx.db)).rows[0];
  if (!g) return null;
  const members = await sql<{ customer_id: string }>`
    select customer_id from group_members where tenant_id = ${ctx.tenantId} and group_id = ${g.id} and left_at is null order by customer_id`.execute(ctx.db);
  return { id: g.id, name: g.name, storeId: g.store_id, members: members.rows.map((m) => m.customer_id) };
}

async function priceRule(ctx: ActivityContext): Promise<void> {
  if ((await listPriceRules(ctx.db, ctx.tenantId)).length > 0) return;
  const r = ctx.content.priceRule;
  await createPriceRule(ctx.db, ctx.tenantId, { name: r.name, params: { kind: 'threshold', thresholdFen: r.thresholdFen, amountOffFen: r.amountOffFen, repeat: false }, stackable: true }, ACTOR);
}

/** One 秒杀 that ran nine days ago (15:00–16:00) and sold most of its stock, one set for the day after tomorrow. */
async function flashSales(ctx: ActivityContext, group: StoreGroup | null): Promise<number> {
  const product = ctx.products[1] ?? ctx.products[0];
  if (!product) return 0;
  const existing = new Set((await listFlashSales(ctx.db, ctx.tenantId)).map((s) => s.name));
  const price = Math.max(1, Math.round((product.priceFen * 0.7) / 10) * 10);
  const pastDay = ctx.midnights[ctx.midnights.length - 10] ?? ctx.todayMidnight - 9 * DAY_MS;
  const ended = `午后秒杀 · ${product.name}`;
  let sold = 0;
  if (!existing.has(ended)) {
    const startsAt = ctx.localAt(pastDay, 15);
    const sale = await createFlashSale(ctx.db, ctx.tenantId, {
      name: ended, sku: product.sku, itemName: product.name, priceFen: price, originalPriceFen: product.priceFen, stock: 40, perCustomerLimit: 2,
      storeId: group?.storeId ?? null, startsAt: new Date(startsAt).toISOString(), endsAt: new Date(startsAt + HOUR_MS).toISOString(),
    }, ACTOR);
    const rng = ctx.rng(11);
    // at most 2 each from 20 buyers: the 40 in stock never run out, whatever the order of arrival
    const buyers = sample(rng, group?.members ?? ctx.buyers.map((b) => b.id), 20).map((customerId) => ({ customerId, quantity: 1 + rng.below(2) }));
    await inTurns(buyers, async (b, i) => {
      try {
        await buyFlashSale(ctx.db, ctx.tenantId, sale.id, b, { actor: ACTOR, now: new Date(startsAt + (i + 1) * 70_000) });
        sold++;
      } catch (err) {
        if (!(err instanceof YuchiError)) throw err;
      }
    });
  }
  const next = `会员日秒杀 · ${product.name}`;
  if (!existing.has(next)) {
    const startsAt = ctx.localAt(ctx.todayMidnight + 2 * DAY_MS, 15);
    await createFlashSale(ctx.db, ctx.tenantId, {
      name: next, sku: product.sku, itemName: product.name, priceFen: price, originalPriceFen: product.priceFen, stock: 50, perCustomerLimit: 2,
      storeId: group?.storeId ?? null, startsAt: new Date(startsAt).toISOString(), endsAt: new Date(startsAt + HOUR_MS).toISOString(),
    }, ACTOR);
  }
  return sold;
}

/** The model's questionnaire with its codebook (a tag group of its own), answered by new friends and buyers. */
async function questionnaire(ctx: ActivityContext): Promise<number> {
  const f = ctx.content.form;
  // made once with its answers: a later run would draw the answering customers from a changed world
  if ((await listForms(ctx.db, ctx.tenantId)).some((x) => x.name === f.name)) return 0;
  const group = await createTagGroup(ctx.db, ctx.tenantId, { name: f.tagGroup.name, description: f.tagGroup.description, exclusive: f.tagGroup.exclusive });
  const tagOf = new Map<string, string>();
  for (const q of f.questions) {
    for (const o of q.options) {
      if (o.tag && !tagOf.has(o.tag)) tagOf.set(o.tag, (await createTag(ctx.db, ctx.actor, { groupId: group.id, name: o.tag })).id);
    }
  }
  const form = await createForm(ctx.db, ctx.tenantId, {
    name: f.name, description: f.description, status: 'published',
    questions: f.questions.map((q) => ({
      id: q.id, text: q.text, type: q.type,
      options: q.options.map((o) => ({ code: o.code, label: o.label, ...(o.tag ? { tagId: tagOf.get(o.tag) } : {}) })),
    })),
  });
  // new friends answer a day after the add; a few earlier buyers answered through the weeks
  const rng = ctx.rng(12);
  const friendIds = await ctx.db.selectFrom('customer_identities').select(['customer_id', 'value'])
    .where('tenant_id', '=', ctx.tenantId).where('kind', '=', 'external_userid').where('value', 'in', ctx.friends.length > 0 ? ctx.friends.map((x) => `wmdemo${x.key}`) : ['-'])
    .execute();
  const friendAt = new Map(ctx.friends.map((x) => [`wmdemo${x.key}`, x.atMs]));
  const answering = [
    ...friendIds.sort((x, y) => x.value.localeCompare(y.value)).filter(() => rng.chance(0.35)).slice(0, 50)
      .map((r) => ({ customerId: r.customer_id, atMs: (friendAt.get(r.value) ?? ctx.nowMs) + DAY_MS })),
    ...sample(rng, ctx.buyers, 20).map((b) => ({ customerId: b.id, atMs: ctx.nowMs - (1 + rng.float() * (ctx.midnights.length - 2)) * DAY_MS })),
  ].filter((a) => a.atMs < ctx.nowMs).map((a) => ({ ...a, answers: drawAnswers(rng, f) }));
  let stored = 0;
  await inTurns(answering, async (a) => {
    const r = await storeFormSubmission(ctx.db, ctx.tenantId, {
      formId: form.id, customerId: a.customerId, answers: a.answers, submittedAt: new Date(Math.floor(a.atMs)),
      eventKey: `demo-activity:form:${form.id}:${a.customerId}`, actor: ACTOR,
    });
    if (!r.duplicate) stored++;
  });
  return stored;
}

/** A 接龙 five days ago, closed (its orders recorded, a pickup list per store) and one open today. */
async function solitaires(ctx: ActivityContext, group: StoreGroup): Promise<number> {
  const product = ctx.products[0];
  if (!product || group.members.length === 0) return 0;
  const existing = new Set((await listSolitaires(ctx.db, ctx.tenantId, {})).map((s) => s.title));
  const rng = ctx.rng(13);
  let entries = 0;
  const run = async (db: Db, title: string, openedAt: number, deadlineAt: number, people: number, close: boolean): Promise<void> => {
    if (existing.has(title)) return;
    const s = await createSolitaire(db, ctx.tenantId, {
      groupId: group.id, title, sku: product.sku, itemName: product.name, priceFen: Math.max(1, Math.round((product.priceFen * 0.85) / 10) * 10),
      stock: 80, perCustomerLimit: 5, storeId: group.storeId, deadlineAt: new Date(deadlineAt).toISOString(),
    }, { actor: ACTOR, now: new Date(openedAt) });
    for (const [i, customerId] of sample(rng, group.members, people).entries()) {
      const at = openedAt + (i + 1) * 6 * 60_000;
      if (at >= Math.min(deadlineAt, ctx.nowMs)) break;
      await joinSolitaire(db, ctx.tenantId, s.id, { customerId, quantity: 1 + rng.below(3) }, { now: new Date(at) });
      entries++;
    }
    if (close) await closeSolitaire(db, ctx.tenantId, s.id, { actor: ACTOR, now: new Date(deadlineAt) });
  };
  const past = ctx.midnights[ctx.midnights.length - 6] ?? ctx.todayMidnight - 5 * DAY_MS;
  // one transaction: its deadline has passed, so a running worker's sweep would close it between its entries
  await inTransaction(ctx.db, (trx) => run(trx, `${ctx.dateOf(past + HOUR_MS).slice(5)} ${product.name} 接龙`, ctx.localAt(past, 15), ctx.localAt(past, 20), 18, true));
  // today's: opened three hours ago, open until tomorrow noon
  const openedAt = ctx.nowMs - 3 * HOUR_MS;
  await run(ctx.db, `${ctx.dateOf(ctx.nowMs).slice(5)} ${product.name} 接龙`, openedAt, ctx.localAt(ctx.todayMidnight + DAY_MS, 12), 9, false);
  return entries;
}

/** A 拼团 of three formed three days ago and one opened two hours ago waiting for its last seat. */
async function groupBuys(ctx: ActivityContext, group: StoreGroup): Promise<number> {
  const product = ctx.products[2] ?? ctx.products[0];
  const any = await ctx.db.selectFrom('group_buys').select('id').where('tenant_id', '=', ctx.tenantId).limit(1).executeTakeFirst();
  if (!product || any || group.members.length < 6) return 0;
  const rng = ctx.rng(14);
  const [a, b, c, d, e] = sample(rng, group.members, 5);
  if (!a || !b || !c || !d || !e) return 0;
  const input = { sku: product.sku, itemName: product.name, priceFen: Math.max(1, Math.round((product.priceFen * 0.8) / 10) * 10), originalPriceFen: product.priceFen, targetSize: 3, timeLimitMinutes: 24 * 60, storeId: group.storeId };
  const formedAt = ctx.localAt(ctx.todayMidnight - 3 * DAY_MS, 19.5);
  // one transaction: its time limit has passed, so a running worker's sweep would cancel it before it formed
  await inTransaction(ctx.db, async (trx) => {
    const formed = await openGroupBuy(trx, ctx.tenantId, { ...input, leaderCustomerId: a }, { actor: ACTOR, now: new Date(formedAt) });
    await joinGroupBuy(trx, ctx.tenantId, formed.shareToken, { customerId: b }, { actor: ACTOR, now: new Date(formedAt + 12 * 60_000) });
    await joinGroupBuy(trx, ctx.tenantId, formed.shareToken, { customerId: c }, { actor: ACTOR, now: new Date(formedAt + 41 * 60_000) });
  });
  const waitingAt = ctx.nowMs - 2 * HOUR_MS;
  const waiting = await openGroupBuy(ctx.db, ctx.tenantId, { ...input, leaderCustomerId: d }, { actor: ACTOR, now: new Date(waitingAt) });
  await joinGroupBuy(ctx.db, ctx.tenantId, waiting.shareToken, { customerId: e }, { actor: ACTOR, now: new Date(waitingAt + 25 * 60_000) });
  return 2;
}

/**
 * A 群发 through WeCom to the store group's members four days ago. The demo has no WeCom
 * connection, so each guide was handed the text and their customers to send by hand
 * (mass-dispatch.service.ts); the first half of the guides have sent it, the others have not yet.
 */
async function massSend(ctx: ActivityContext, group: StoreGroup): Promise<number> {
  const m = ctx.content.massSend;
  let send = (await listMassSends(ctx.db, ctx.tenantId)).find((s) => s.name === m.name);
  if (!send) {
    const template = await saveTemplate(ctx.db, ctx.tenantId, { name: m.name, content: { wecom: { text: m.text } } });
    send = await createMassSend(ctx.db, ctx.tenantId, {
      name: m.name, channel: 'wecom', templateId: template.id, audience: { include: { kind: 'group', ids: [group.id] } },
      schedule: { at: new Date(ctx.localAt(ctx.todayMidnight - 4 * DAY_MS, 10)).toISOString() }, priority: 40, holdoutPercent: 10, conversionDays: 7,
    }, ACTOR);
    // planned now rather than by the worker, so the send's counts are there on a first look; where
    // a worker runs (the model demos are built beside it) and has taken the job already, its plan is awaited
    // (remove_job deletes a job no worker holds; one a worker holds it returns too, still locked)
    const removed = await sql<{ id: string | null; locked_at: Date | null }>`
      select j.id, j.locked_at from graphile_worker.remove_job(${`plan_mass_send:${send.id}`}) j`.execute(ctx.db);
    const job = removed.rows[0];
    if (job?.id && !job.locked_at) await runMassSendPlan(ctx.db, ctx.tenantId, send.id, poolClients(ctx.handle.pool));
    else await plannedByWorker(ctx, send.id);
  }
  await dispatchDueMassSends(ctx.db, channelFor, ctx.tenantId);
  const handed = await ctx.db.selectFrom('guide_tasks').select(['id', 'staff_id']).where('tenant_id', '=', ctx.tenantId)
    .where('kind', '=', 'mass_send_confirm').where('source_id', '=', send.id).where('status', '=', 'open').orderBy('staff_id').execute();
  for (const task of handed.slice(0, Math.ceil(handed.length / 2))) {
    await finishTask(ctx.db, ctx.actor, task.id, 'done', new Date(new Date(send.sendAt).getTime() + 3 * HOUR_MS));
  }
  return 1;
}

async function plannedByWorker(ctx: ActivityContext, massSendId: string): Promise<void> {
  for (let waited = 0; waited < 120_000; waited += 250) {
    const row = await ctx.db.selectFrom('mass_sends').select('status').where('tenant_id', '=', ctx.tenantId).where('id', '=', massSendId).executeTakeFirst();
    if (row?.status !== 'planning') return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the worker took the demo 群发 to plan and has not finished in two minutes');
}

/** Customers in each live journey: the new friends first, then recent buyers, entered over the last weeks and walked to now. */
async function journeys(ctx: ActivityContext): Promise<number> {
  // The playbook leaves a journey that sends through WeCom a draft while no channel is set up; a
  // brand months in has been running them, so the demo publishes them (their WeCom steps are
  // refused at delivery, as the codes' welcome messages are, until a channel is configured).
  const drafts = await sql<{ id: string }>`
    select j.id from journeys j join playbook_objects p on p.tenant_id = j.tenant_id and p.object_id = j.id and p.kind = 'journey'
     where j.tenant_id = ${ctx.tenantId} and j.status = 'draft' and j.live_version is null order by j.id`.execute(ctx.db);
  for (const d of drafts.rows) {
    try {
      await publishJourney(ctx.db, ctx.actor, d.id);
    } catch (err) {
      if (!(err instanceof YuchiError)) throw err; // a journey that does not pass the publishing checks stays a draft
    }
  }
  const live = await liveJourneys(ctx.db, ctx.tenantId);
  if (live.length === 0) return 0;
  const rng = ctx.rng(15);
  const candidates = ctx.buyers.map((b) => b.id);
  let entered = 0;
  for (const j of live.sort((x, y) => x.id.localeCompare(y.id))) {
    const entry = entryOf(j.graph);
    const before = await ctx.db.selectFrom('journey_instances').select('id').where('tenant_id', '=', ctx.tenantId).where('journey_id', '=', j.id)
      .where('entry_key', '=', `demo-activity:${j.id}`).limit(1).executeTakeFirst();
    if (!entry || before) continue;
    const chosen = sample(rng, candidates, 24);
    entered += await enrol(ctx.db, ctx.tenantId, chosen.map((customerId) => ({
      journeyId: j.id, version: j.version, customerId, entryKey: `demo-activity:${j.id}`, entryNodeId: entry.id,
      at: new Date(Math.floor(ctx.nowMs - (0.5 + rng.float() * 20) * DAY_MS)), reEntry: j.graph.reEntry,
    })));
  }
  if (entered > 0) await runDue(ctx.db, ctx.tenantId, { now: ctx.now, maxBatches: 10 });
  return entered;
}
