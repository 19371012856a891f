// Entries that no event announces: birthdays (a date on the profile, at a local hour, optionally
// days before) and schedules (at a local time on chosen weekdays, everyone or a segment's members).
// The sweep runs every few minutes; entry keys ('birthday:2026', 'schedule:2026-05-01') make a
// repeated sweep enrol nobody twice, and the instance waits at its entry until the local hour.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { newEventId } from '../tags/tag-changes.ts';
import { startOfLocalDay, zoneOffsetMinutes } from '../time.ts';
import { entryOf } from './journeys.graph.ts';
import { liveJourneys } from './entry.service.ts';

/** The local calendar date of an instant in a zone, plus `days`. */
export function localDate(instant: Date, timeZone: string, days = 0): string {
  const local = new Date(instant.getTime() + zoneOffsetMinutes(instant, timeZone) * 60_000 + days * 86_400_000);
  return local.toISOString().slice(0, 10);
}

function atLocal(date: string, at: string, timeZone: string): Date {
  const [h, m] = at.split(':').map(Number);
  return new Date(startOfLocalDay(date, timeZone).getTime() + ((h ?? 0) * 60 + (m ?? 0)) * 60_000);
}

export async function sweepDateEntries(db: Db, tenantId: string, now: Date): Promise<number> {
  const tz = (await db.selectFrom('tenants').select('timezone').where('id', '=', tenantId).executeTakeFirst())?.timezone ?? 'Asia/Shanghai';
  const today = localDate(now, tz);
  let enrolled = 0;
  for (const j of await liveJourneys(db, tenantId)) {
    const entry = entryOf(j.graph);
    if (!entry) continue;
    const t = entry.trigger;
    const blockDays = j.graph.reEntry.mode === 'never' ? -1 : j.graph.reEntry.mode === 'always' ? 0 : j.graph.reEntry.days;
    let audience;
    let entryKey: string;
    if (t.kind === 'date') {
      const day = localDate(now, tz, t.daysBefore);
      audience = sql`select c.id from customers c where c.tenant_id = ${tenantId} and c.erased_at is null
                       and to_char(c.birthday, 'MM-DD') = ${day.slice(5)}`;
      entryKey = `birthday:${day.slice(0, 4)}`;
    } else if (t.kind === 'schedule') {
      const weekday = new Date(`${today}T00:00:00Z`).getUTCDay() || 7;
      if (!t.weekdays.includes(weekday)) continue;
      audience = t.segmentId
        ? sql`select m.customer_id as id from segment_members m where m.tenant_id = ${tenantId} and m.segment_id = ${t.segmentId}`
        : sql`select c.id from customers c where c.tenant_id = ${tenantId} and c.erased_at is null`;
      entryKey = `schedule:${today}`;
    } else continue;
    const at = atLocal(today, t.at, tz);
    const result = await sql`
      insert into journey_instances (tenant_id, id, journey_id, version, customer_id, entry_key, node_id, phase, wake_at, context, entered_at)
      select ${tenantId}, ${newEventId},
             ${j.id}, ${j.version}, a.id, ${entryKey}, ${entry.id}, 'arrive', ${at}, '{}', ${at}
        from (${audience}) a
       where not exists (
         select 1 from journey_instances i where i.tenant_id = ${tenantId} and i.journey_id = ${j.id} and i.customer_id = a.id
            and (i.status = 'active' or i.entry_key = ${entryKey} or ${blockDays}::int < 0
                 or (${blockDays}::int > 0 and i.entered_at > ${at}::timestamptz - ${blockDays}::int * interval '1 day')))
      on conflict do nothing`.execute(db);
    enrolled += Number(result.numAffectedRows ?? 0);
  }
  return enrolled;
}
