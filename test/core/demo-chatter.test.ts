import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { chatterIntents, groupChatter, INTENT_CYCLE, type ChatterDay, type ChatterGroup } from '../../src/core/demo/demo-chatter.rules.ts';
import { seedDemoChatter } from '../../src/core/demo/demo-chatter.service.ts';
import { seedDemo } from '../../src/core/demo/demo.service.ts';
import { hasLink } from '../../src/core/groups/moderation.rules.ts';
import { newTenant, testDb } from '../helpers.ts';

const DAY = 86_400_000;
const END = new Date('2026-06-03T04:00:00Z'); // a Wednesday in Shanghai
const days: ChatterDay[] = Array.from({ length: 28 }, (_, i) => ({ midnightMs: Date.parse('2026-05-05T16:00:00Z') + i * DAY }));
const group: ChatterGroup = {
  chatId: 'wr-test-g1', ownerStaffId: '019aa951-6bba-7b21-a8ac-dce007e557c9',
  members: Array.from({ length: 80 }, (_, i) => ({ customerId: `c${i}`, joinedMs: Date.parse('2026-01-01T00:00:00Z') + i * DAY, leftMs: i === 5 ? Date.parse('2026-05-20T00:00:00Z') : null })),
};

describe('demo chatter rules', () => {
  it('draws the same events for a seed and other events for another seed', () => {
    expect(groupChatter(group, 'value', days, 7)).toEqual(groupChatter(group, 'value', days, 7));
    expect(groupChatter(group, 'value', days, 8)).not.toEqual(groupChatter(group, 'value', days, 7));
  });

  it('talks as the intended health: many members answering each other, the owner alone, silence, ads with links', () => {
    const memberMessages = (intent: Parameters<typeof groupChatter>[1]) => groupChatter(group, intent, days, 3).filter((e) => e.type === 'message_received');
    const value = groupChatter(group, 'value', days, 3);
    const valueMembers = value.filter((e) => e.type === 'message_received');
    expect(new Set(valueMembers.map((e) => e.customer.customerId)).size).toBeGreaterThan(20);
    expect(valueMembers.length).toBeGreaterThan(value.length / 2);
    const said = new Map(value.map((e) => [e.id, e]));
    const memberToMember = valueMembers.filter((e) => e.properties.replyTo && said.get(e.properties.replyTo)?.type === 'message_received');
    expect(memberToMember.length).toBeGreaterThan(valueMembers.length / 4);
    // replies answer something said before, in the same group
    for (const e of value) if (e.properties.replyTo) expect(said.get(e.properties.replyTo)!.occurredAt <= e.occurredAt).toBe(true);

    const rib = groupChatter(group, 'chicken_rib', days, 3);
    expect(rib.filter((e) => e.type === 'message_sent').length).toBeGreaterThan(2 * memberMessages('chicken_rib').length);
    expect(memberMessages('dead').length).toBeLessThan(8);
    expect(groupChatter(group, 'dead', days, 3).length).toBeGreaterThan(0);
    const spam = memberMessages('spam');
    expect(spam.filter((e) => hasLink(e.properties.text)).length).toBeGreaterThan(spam.length * 0.4);
    // nobody speaks before joining or after leaving
    for (const e of value) {
      const m = group.members.find((x) => x.customerId === e.customer.customerId)!;
      if (e.type === 'message_received') expect(m.joinedMs < Date.parse(e.occurredAt) && (m.leftMs === null || m.leftMs > Date.parse(e.occurredAt))).toBe(true);
    }
  });

  it('gives every kind of intent to a demo’s groups, value the most', () => {
    const intents = [...chatterIntents(Array.from({ length: 22 }, (_, i) => `g${String(i).padStart(2, '0')}`)).values()];
    const count = (k: string) => intents.filter((x) => x === k).length;
    expect(count('value')).toBeGreaterThan(count('chicken_rib'));
    for (const k of new Set(INTENT_CYCLE)) expect(count(k)).toBeGreaterThan(0);
  });
});

describe('seedDemoChatter', () => {
  it('seeds every demo group’s messages through ingestion, once, and health tells the groups apart', async () => {
    const db = testDb().db;
    const tenant = await newTenant();
    await seedDemo(testDb(), { tenantId: tenant.id, customers: 2000, months: 3, seed: 4, end: END });
    const first = await seedDemoChatter(db, tenant.id, { seed: 4, end: END });
    expect(first.groups).toBeGreaterThan(10);

    const perGroup = await sql<{ id: string; n: number }>`
      select g.id, count(m.group_id)::int as n from customer_groups g left join group_messages m on m.tenant_id = g.tenant_id and m.group_id = g.id
       where g.tenant_id = ${tenant.id} group by g.id`.execute(db);
    expect(perGroup.rows).toHaveLength(first.groups);
    for (const g of perGroup.rows) expect(g.n).toBeGreaterThan(0);
    const total = perGroup.rows.reduce((a, g) => a + g.n, 0);
    expect(total).toBe(first.messages);
    // the text is on the event, as for real messages; the rollup health reads is written
    const texts = await sql<{ n: number }>`select count(*)::int as n from events where tenant_id = ${tenant.id} and type in ('message_received', 'message_sent') and properties->>'text' <> ''`.execute(db);
    expect(texts.rows[0]?.n).toBe(first.messages);
    const speakers = await sql<{ n: number }>`select coalesce(sum(messages), 0)::int as n from group_speaker_weeks where tenant_id = ${tenant.id}`.execute(db);
    expect(speakers.rows[0]?.n).toBe(first.messages);
    // the demo's moderation rules acted: links flagged, an auto-reply requested
    const log = await sql<{ action: string }>`select distinct action from group_moderation_log where tenant_id = ${tenant.id} order by action`.execute(db);
    expect(log.rows.map((r) => r.action)).toEqual(expect.arrayContaining(['flag', 'reply']));

    expect(Object.keys(first.health).length).toBeGreaterThan(1);
    expect(first.health.value).toBeGreaterThan(0);
    expect(first.health.dead).toBeGreaterThan(0);
    expect(first.health.spam).toBeGreaterThan(0);

    // a second run finds only duplicates
    const again = await seedDemoChatter(db, tenant.id, { seed: 4, end: END });
    expect(again.messages).toBe(first.messages);
    const after = await sql<{ n: number }>`select count(*)::int as n from group_messages where tenant_id = ${tenant.id}`.execute(db);
    expect(after.rows[0]?.n).toBe(total);
    const rules = await sql<{ n: number }>`select count(*)::int as n from group_rules where tenant_id = ${tenant.id}`.execute(db);
    expect(rules.rows[0]?.n).toBe(3);
  });
});
