// The weekly rollup group health reads (group_speaker_weeks): per group, tenant-local ISO week and
// speaker, how many messages, replies (to a member, to staff), links and flagged messages. One
// statement adds any set of group messages to it — ingestion's batch (the rows it has just stored),
// a rebuild from the raw messages, the bench's generated weeks — so every writer counts alike.
//
// Raw group_messages stay for what needs single messages: the group's message list in the console
// (sender, whom it answers, the text from events), each member's message count, and rebuilding the
// rollup (after a time-zone change). Nothing reads them beyond GROUP_MESSAGES_KEEP_DAYS, so the
// nightly task deletes older ones; the rollup keeps the history, the text stays on the timeline.
import { sql, type RawBuilder } from 'kysely';
import { PREPARED, type Db } from '../../db/connect.ts';

/** Raw group messages kept: 14 weeks, so the 13 complete weeks health looks back on can be rebuilt. */
export const GROUP_MESSAGES_KEEP_DAYS = 98;

/**
 * The statement that counts messages into the rollup. `source` is a relation (a CTE name or a
 * parenthesised query, aliased here as s) with the columns of group_messages that matter: group_id,
 * sent_at, sender_customer_id, sender_staff_id, reply_to_customer_id, reply_to_staff_id, has_link,
 * flagged. Its text is fixed for a fixed source, so ingestion runs it prepared. Rows are upserted in
 * key order, so two batches adding to the same speakers wait for each other instead of deadlocking.
 */
export function addToSpeakerWeeks(tenantId: string, source: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`
    insert into group_speaker_weeks as w (tenant_id, week, group_id, staff, speaker_id, messages, replies, to_member, to_staff, links, flagged)
    select ${tenantId}::uuid, (date_trunc('week', s.sent_at at time zone z.timezone))::date, s.group_id,
           s.sender_staff_id is not null, coalesce(s.sender_staff_id, s.sender_customer_id),
           count(*), count(*) filter (where s.reply_to_customer_id is not null or s.reply_to_staff_id is not null),
           count(*) filter (where s.reply_to_customer_id is not null), count(*) filter (where s.reply_to_staff_id is not null),
           count(*) filter (where s.has_link), count(*) filter (where s.flagged)
      from ${source} s cross join (select timezone from tenants where id = ${tenantId}) z
     group by 2, 3, 4, 5
     order by 2, 3, 4, 5
    on conflict (tenant_id, week, group_id, staff, speaker_id) do update
       set messages = w.messages + excluded.messages, replies = w.replies + excluded.replies,
           to_member = w.to_member + excluded.to_member, to_staff = w.to_staff + excluded.to_staff,
           links = w.links + excluded.links, flagged = w.flagged + excluded.flagged`;
}

/**
 * Recounts the rollup from `fromWeek` (a Monday) on from the raw messages kept, e.g. after the tenant
 * changed its time zone. Weeks older than the raw messages kept must not be asked for: they would
 * come back short.
 */
export async function rebuildSpeakerWeeks(db: Db, tenantId: string, fromWeek: string): Promise<number> {
  const tz = (await db.selectFrom('tenants').select('timezone').where('id', '=', tenantId).executeTakeFirstOrThrow()).timezone;
  await sql`delete from group_speaker_weeks where tenant_id = ${tenantId} and week >= ${fromWeek}::date`.execute(db);
  const added = await sql`${addToSpeakerWeeks(tenantId, sql`(
    select group_id, sent_at, sender_customer_id, sender_staff_id, reply_to_customer_id, reply_to_staff_id, has_link, flagged
      from group_messages where tenant_id = ${tenantId} and sent_at >= (${fromWeek}::date::timestamp at time zone ${tz}))`)}`.execute(db);
  return Number(added.numAffectedRows ?? 0);
}

/** A merge: the merged profiles' speaker rows are added to the survivor's (one person speaks once a week). */
export async function moveSpeakerWeeks(db: Db, tenantId: string, mergedIds: string[], survivorIds: string[]): Promise<void> {
  if (mergedIds.length === 0) return;
  await sql`${PREPARED}
    with moved as (
      delete from group_speaker_weeks x where x.tenant_id = ${tenantId} and not x.staff and x.speaker_id = any(${mergedIds}::uuid[])
      returning x.week, x.group_id, x.speaker_id, x.messages, x.replies, x.to_member, x.to_staff, x.links, x.flagged
    )
    insert into group_speaker_weeks as w (tenant_id, week, group_id, staff, speaker_id, messages, replies, to_member, to_staff, links, flagged)
    select ${tenantId}::uuid, d.week, d.group_id, false, m.survivor,
           sum(d.messages), sum(d.replies), sum(d.to_member), sum(d.to_staff), sum(d.links), sum(d.flagged)
      from moved d join unnest(${mergedIds}::uuid[], ${survivorIds}::uuid[]) as m(merged, survivor) on m.merged = d.speaker_id
     group by 2, 3, 5
     order by 2, 3, 5
    on conflict (tenant_id, week, group_id, staff, speaker_id) do update
       set messages = w.messages + excluded.messages, replies = w.replies + excluded.replies,
           to_member = w.to_member + excluded.to_member, to_staff = w.to_staff + excluded.to_staff,
           links = w.links + excluded.links, flagged = w.flagged + excluded.flagged`.execute(db);
}

/**
 * Deletes the tenant's raw group messages older than `keepDays`, group by group along the
 * (tenant, group, sent_at) index rather than scanning the whole table. The rollup is untouched.
 */
export async function pruneGroupMessages(db: Db, tenantId: string, options: { keepDays?: number; now?: Date } = {}): Promise<number> {
  const keepDays = Math.max(options.keepDays ?? GROUP_MESSAGES_KEEP_DAYS, 14);
  const before = new Date((options.now ?? new Date()).getTime() - keepDays * 86_400_000);
  const deleted = await sql`
    delete from group_messages m using customer_groups g
     where g.tenant_id = ${tenantId} and m.tenant_id = ${tenantId} and m.group_id = g.id and m.sent_at < ${before}`.execute(db);
  return Number(deleted.numAffectedRows ?? 0);
}
