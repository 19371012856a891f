// Seeds the demo's group chatter (demo-chatter.rules.ts) through ingestion, as a WeCom integration
// would send it: the events land on the timeline, group_messages and the weekly speaker rollup are
// written by the groups area, and the demo's moderation rules (a keyword auto-reply, a link rule, a
// banned-word rule) act on them. Then group health is recomputed, so the groups page shows verdicts
// and trends on a first look. Event ids derive from the group and the draw, so a second run only
// finds duplicates.
import type { Db } from '../../db/connect.ts';
import type { Actor } from '../access/access.rules.ts';
import { recomputeGroupHealth } from '../groups/health.service.ts';
import { createGroupRule } from '../groups/rules.service.ts';
import { ingestEvents } from '../ingest/ingest.service.ts';
import { MAX_EVENTS_PER_BATCH } from '../ingest/events.rules.ts';
import { getTenant } from '../tenants/tenants.service.ts';
import { chatterIntents, groupChatter, type ChatterDay, type ChatterEvent, type ChatterIntent } from './demo-chatter.rules.ts';
import { demoWindow } from './demo.service.ts';

const DAY_MS = 86_400_000;
/** Seeds of the chatter's draws are apart from the world's (demo.world.ts uses seed + 1_000_003). */
const CHATTER_STREAM = 2_000_029;

export interface DemoChatterResult {
  groups: number;
  messages: number;
  intents: Record<ChatterIntent, number>;
  /** Health verdicts after the recompute, by class. */
  health: Record<string, number>;
  seconds: number;
}

/** The demo's moderation rules: what a fruit chain's groups would set up first. */
const DEMO_RULES = [
  { name: '营业时间自动回复', kind: 'auto_reply', match: 'keyword', pattern: '几点关门,营业时间', replyTemplate: '{nickname}您好，{group}门店每天 8:00–22:00 营业', action: 'reply' },
  { name: '外部链接', kind: 'link', match: 'any_link', action: 'flag' },
  { name: '刷单代购', kind: 'banned_word', match: 'keyword', pattern: '刷单,代购', action: 'remove' },
] as const;

export async function seedDemoChatter(db: Db, tenantId: string, options: { seed: number; weeks?: number; end?: Date }): Promise<DemoChatterResult> {
  const started = performance.now();
  const weeks = options.weeks ?? 4;
  const end = options.end ?? new Date();
  const tenant = await getTenant(db, tenantId);
  const { clock, endMs } = demoWindow(tenant.timezone, end, 2);
  // the weeks up to yesterday, local days
  const days: ChatterDay[] = [];
  for (let d = weeks * 7; d >= 1; d--) {
    const midnightMs = clock.midnight(clock.dateOf(endMs - d * DAY_MS + DAY_MS / 2));
    days.push({ midnightMs });
  }

  const groups = await db.selectFrom('customer_groups').select(['id', 'chat_id', 'owner_staff_id'])
    .where('tenant_id', '=', tenantId).where('status', '=', 'active').where('chat_id', 'is not', null).where('owner_staff_id', 'is not', null)
    .orderBy('chat_id').execute();
  const members = await db.selectFrom('group_members').select(['group_id', 'customer_id', 'joined_at', 'left_at'])
    .where('tenant_id', '=', tenantId).orderBy('group_id').orderBy('joined_at').orderBy('customer_id').execute();
  const byGroup = new Map<string, { customerId: string; joinedMs: number; leftMs: number | null }[]>();
  for (const m of members) {
    const list = byGroup.get(m.group_id) ?? [];
    list.push({ customerId: m.customer_id, joinedMs: m.joined_at.getTime(), leftMs: m.left_at?.getTime() ?? null });
    byGroup.set(m.group_id, list);
  }
  const intents = chatterIntents(groups.map((g) => g.chat_id ?? ''));
  const counted: Record<ChatterIntent, number> = { value: 0, chicken_rib: 0, dead: 0, spam: 0 };
  const events: ChatterEvent[] = [];
  groups.forEach((g, i) => {
    const intent = intents.get(g.chat_id ?? '') ?? 'value';
    counted[intent] += 1;
    events.push(...groupChatter({ chatId: g.chat_id ?? '', ownerStaffId: g.owner_staff_id ?? '', members: byGroup.get(g.id) ?? [] }, intent, days,
      options.seed * 7919 + CHATTER_STREAM + i));
  });
  // Every group's messages in time order across groups, so replies always come after what they answer.
  events.sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : 0));

  const existing = await db.selectFrom('group_rules').select('name').where('tenant_id', '=', tenantId).execute();
  for (const rule of DEMO_RULES) {
    if (!existing.some((r) => r.name === rule.name)) await createGroupRule(db, tenantId, rule);
  }
  const actor: Actor = {
    tenantId, tenantSlug: tenant.slug, tenantName: tenant.name, timezone: tenant.timezone,
    role: 'admin', staffId: null, userId: null, apiKeyId: null, name: '演示群聊',
  };
  for (let from = 0; from < events.length; from += MAX_EVENTS_PER_BATCH) {
    const result = await ingestEvents(db, actor, events.slice(from, from + MAX_EVENTS_PER_BATCH));
    if (result.rejected.length > 0) throw new Error(`demo chatter: ${result.rejected.length} events refused, first: ${result.rejected[0]?.message ?? ''}`);
  }
  await recomputeGroupHealth(db, tenantId, { weeks: weeks + 1, now: end });
  const verdicts = await db.selectFrom('group_health').select(['class']).select((eb) => eb.fn.countAll<string>().as('n'))
    .where('tenant_id', '=', tenantId).groupBy('class').execute();
  return {
    groups: groups.length, messages: events.length, intents: counted,
    health: Object.fromEntries(verdicts.map((v) => [v.class, Number(v.n)])), seconds: (performance.now() - started) / 1000,
  };
}
