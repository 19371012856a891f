// What a batch of ingested events says about groups beyond present membership: every join and
// leave (group_member_changes), every message said in a group (group_messages, narrow, and counted
// into the weekly per-speaker rollup health reads, group_speaker_weeks, by the same statement),
// and what keyword auto-reply and moderation do about members' messages. Called inside the batch's
// transaction after group memberships are applied; a few set-wise statements per batch whatever
// its size, and none at all for a batch without group events.
//
// Group message events: message_received with properties.chatId is a member (the event's customer)
// speaking in the group; message_sent with properties.chatId is staff speaking (staffId or
// staffWecomUserId, else the group owner). properties.text is the text; properties.replyTo is the
// id of the event (message) it quotes, which tells whom it answers.
import { sql } from 'kysely';
import { PREPARED, type Db } from '../../db/connect.ts';
import { newId } from '../ids.ts';
import type { AcceptedEvent } from '../ingest/ingest.effects.ts';
import { requestMessages, type MessageRequest } from '../messaging/requests.ts';
import { createGuideTasks, type GuideTaskRequest } from '../tasks/guide-tasks.ts';
import { fillTemplate, hasLink, judgeMessage } from './moderation.rules.ts';
import { activeRules } from './rules.service.ts';
import { addToSpeakerWeeks } from './speaker-weeks.service.ts';

interface GroupMessageFact {
  eventKey: string;
  chatId: string;
  at: Date;
  customerId: string;
  fromStaff: boolean;
  staffId: string | null;
  staffWecom: string | null;
  replyTo: string | null;
  text: string;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

function messageFact(a: AcceptedEvent): GroupMessageFact | null {
  if (a.event.type !== 'message_received' && a.event.type !== 'message_sent') return null;
  const p: unknown = JSON.parse(a.event.propertiesJson);
  if (typeof p !== 'object' || p === null) return null;
  const props = p as Record<string, unknown>;
  const chatId = str(props.chatId);
  if (chatId === null) return null;
  const text = typeof props.text === 'string' ? props.text : typeof props.content === 'string' ? props.content : '';
  return {
    eventKey: a.event.key, chatId, at: a.event.occurredAt, customerId: a.customerId, fromStaff: a.event.type === 'message_sent',
    staffId: str(props.staffId)?.toLowerCase() ?? null, staffWecom: str(props.staffWecomUserId), replyTo: str(props.replyTo), text,
  };
}

export async function recordGroupActivity(db: Db, tenantId: string, accepted: AcceptedEvent[]): Promise<void> {
  await recordMemberChanges(db, tenantId, accepted);
  const facts = accepted.flatMap((a) => {
    const f = messageFact(a);
    return f ? [f] : [];
  });
  if (facts.length > 0) await recordGroupMessages(db, tenantId, facts);
}

async function recordMemberChanges(db: Db, tenantId: string, accepted: AcceptedEvent[]): Promise<void> {
  const changes = accepted.flatMap((a) => (a.event.effect.kind === 'group'
    ? [{ chatId: a.event.effect.chatId, customerId: a.customerId, at: a.event.occurredAt.toISOString(), action: a.event.effect.action }] : []));
  if (changes.length === 0) return;
  await sql`${PREPARED}
    insert into group_member_changes (tenant_id, group_id, customer_id, at, action)
    select ${tenantId}, g.id, u.customer_id, u.at, u.action
      from unnest(${changes.map((c) => c.chatId)}::text[], ${changes.map((c) => c.customerId)}::uuid[],
                  ${changes.map((c) => c.at)}::timestamptz[], ${changes.map((c) => c.action)}::text[]) as u(chat_id, customer_id, at, action)
      join customer_groups g on g.tenant_id = ${tenantId} and g.chat_id = u.chat_id`.execute(db);
}

interface GroupRow { id: string; chat_id: string; name: string; owner_staff_id: string | null; store_id: string | null }

async function groupsByChat(db: Db, tenantId: string, chatIds: string[]): Promise<Map<string, GroupRow>> {
  const read = async () => (await sql<GroupRow>`${PREPARED}
    select id, chat_id, name, owner_staff_id, store_id from customer_groups where tenant_id = ${tenantId} and chat_id = any(${chatIds}::text[])`.execute(db)).rows;
  let rows = await read();
  if (rows.length < chatIds.length) {
    // Messages may arrive before anyone's join: the group is registered on first sight, as joins do.
    const known = new Set(rows.map((r) => r.chat_id));
    const missing = chatIds.filter((c) => !known.has(c));
    await sql`insert into customer_groups (tenant_id, id, chat_id) select ${tenantId}, x.* from unnest(${missing.map(() => newId())}::uuid[], ${missing}::text[]) as x
              on conflict (tenant_id, chat_id) do nothing`.execute(db);
    rows = await read();
  }
  return new Map(rows.map((r) => [r.chat_id, r]));
}

async function recordGroupMessages(db: Db, tenantId: string, facts: GroupMessageFact[]): Promise<void> {
  const groups = await groupsByChat(db, tenantId, [...new Set(facts.map((f) => f.chatId))].sort());
  const fromMembers = facts.filter((f) => !f.fromStaff);
  const rules = fromMembers.length > 0 ? await activeRules(db, tenantId) : [];
  const flagged = new Set<string>();
  const moderation: { groupId: string; ruleId: string; customerId: string; eventKey: string; action: string; detail: string }[] = [];
  const tasks: GuideTaskRequest[] = [];
  const replies: { fact: GroupMessageFact; group: GroupRow; ruleId: string; template: string }[] = [];
  if (rules.length > 0) {
    for (const f of fromMembers) {
      const group = groups.get(f.chatId);
      if (!group) continue;
      const j = judgeMessage(rules, group.id, f.text);
      if (j.flagged) flagged.add(f.eventKey);
      for (const r of j.moderated) {
        moderation.push({ groupId: group.id, ruleId: r.id, customerId: f.customerId, eventKey: f.eventKey, action: r.action, detail: JSON.stringify({ rule: r.name, excerpt: f.text.slice(0, 80) }) });
      }
      if (j.remove) {
        tasks.push({
          staffId: group.owner_staff_id, storeId: group.store_id, customerId: f.customerId, groupId: group.id, kind: 'remove_from_group',
          title: `移出群成员：${group.name || f.chatId}`, detail: { ruleId: j.remove.id, rule: j.remove.name, excerpt: f.text.slice(0, 80) },
          dueAt: new Date(), source: { kind: 'group_moderation', id: j.remove.id }, dedupeKey: `group-remove:${group.id}:${f.customerId}`,
        });
      }
      if (j.reply) {
        replies.push({ fact: f, group, ruleId: j.reply.id, template: j.reply.replyTemplate });
        moderation.push({ groupId: group.id, ruleId: j.reply.id, customerId: f.customerId, eventKey: f.eventKey, action: 'reply', detail: JSON.stringify({ rule: j.reply.name }) });
      }
    }
  }

  const col = <T>(pick: (f: GroupMessageFact) => T): T[] => facts.map(pick);
  // The messages are stored and counted into the weekly rollup health reads in one statement.
  await sql`${PREPARED}
    with added as (
    insert into group_messages (tenant_id, group_id, sent_at, event_id, sender_customer_id, sender_staff_id,
                                reply_to_customer_id, reply_to_staff_id, text_length, has_link, flagged)
    select ${tenantId}, g.id, u.at, e.id,
           case when u.from_staff then null else e.customer_id end,
           case when u.from_staff then coalesce(s1.id, s2.id, g.owner_staff_id) end,
           case when r.type = 'message_received' then r.customer_id end,
           case when r.type = 'message_sent' then coalesce(rs1.id, rs2.id, g.owner_staff_id) end,
           u.text_length, u.has_link, u.flagged
      from unnest(${col((f) => f.eventKey)}::text[], ${col((f) => f.chatId)}::text[], ${col((f) => f.at.toISOString())}::timestamptz[],
                  ${col((f) => f.fromStaff)}::boolean[], ${col((f) => f.staffId)}::uuid[], ${col((f) => f.staffWecom)}::text[],
                  ${col((f) => f.replyTo)}::text[], ${col((f) => f.text.length)}::integer[], ${col((f) => hasLink(f.text))}::boolean[],
                  ${col((f) => flagged.has(f.eventKey))}::boolean[])
           as u(event_key, chat_id, at, from_staff, staff_id, staff_wecom, reply_to, text_length, has_link, flagged)
      join customer_groups g on g.tenant_id = ${tenantId} and g.chat_id = u.chat_id
      join events e on e.tenant_id = ${tenantId} and e.event_key = u.event_key
      left join staff s1 on s1.tenant_id = ${tenantId} and s1.id = u.staff_id
      left join staff s2 on s2.tenant_id = ${tenantId} and s2.wecom_user_id = u.staff_wecom
      left join events r on r.tenant_id = ${tenantId} and r.event_key = u.reply_to
      left join staff rs1 on rs1.tenant_id = ${tenantId} and r.type = 'message_sent' and rs1.id::text = r.properties->>'staffId'
      left join staff rs2 on rs2.tenant_id = ${tenantId} and r.type = 'message_sent' and rs2.wecom_user_id = r.properties->>'staffWecomUserId'
     where not u.from_staff or coalesce(s1.id, s2.id, g.owner_staff_id) is not null
    returning group_id, sent_at, sender_customer_id, sender_staff_id, reply_to_customer_id, reply_to_staff_id, has_link, flagged
    )
    ${addToSpeakerWeeks(tenantId, sql`added`)}`.execute(db);

  if (moderation.length > 0) {
    const m = <T>(pick: (x: (typeof moderation)[number]) => T): T[] => moderation.map(pick);
    await sql`
      insert into group_moderation_log (tenant_id, id, group_id, rule_id, customer_id, event_id, action, detail)
      select ${tenantId}, u.id, u.group_id, u.rule_id, u.customer_id, e.id, u.action, u.detail
        from unnest(${m(() => newId())}::uuid[], ${m((x) => x.groupId)}::uuid[], ${m((x) => x.ruleId)}::uuid[], ${m((x) => x.customerId)}::uuid[],
                    ${m((x) => x.eventKey)}::text[], ${m((x) => x.action)}::text[], ${m((x) => x.detail)}::jsonb[])
             as u(id, group_id, rule_id, customer_id, event_key, action, detail)
        left join events e on e.tenant_id = ${tenantId} and e.event_key = u.event_key`.execute(db);
  }
  if (tasks.length > 0) await createGuideTasks(db, tenantId, tasks);
  if (replies.length > 0) await requestAutoReplies(db, tenantId, replies);
}

async function requestAutoReplies(db: Db, tenantId: string, replies: { fact: GroupMessageFact; group: GroupRow; ruleId: string; template: string }[]): Promise<void> {
  const ids = [...new Set(replies.map((r) => r.fact.customerId))];
  const names = new Map((await db.selectFrom('customers').select(['id', 'name']).where('tenant_id', '=', tenantId).where('id', 'in', ids).execute())
    .map((c) => [c.id, c.name]));
  const requests: MessageRequest[] = replies.map((r) => ({
    customerId: r.fact.customerId, channel: 'wecom', purpose: 'service', priority: 70,
    source: { kind: 'auto_reply', id: r.ruleId }, dedupeKey: `auto-reply:${r.fact.eventKey}`, staffId: r.group.owner_staff_id,
    content: { text: fillTemplate(r.template, { nickname: names.get(r.fact.customerId) ?? '', group: r.group.name }) },
  }));
  await requestMessages(db, tenantId, requests);
}
