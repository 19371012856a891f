// A mass send (群发) as asked for: audience, content, schedule, priority and holdout.
import { z } from 'zod';
import { DAY, clockMinutes, fromLocalWall } from './local-time.ts';

const AudienceSet = z.object({
  kind: z.enum(['all', 'segment', 'tag', 'group']),
  ids: z.array(z.uuid({ error: 'must be an id (UUID)' })).max(100).default([]),
}).refine((a) => a.kind === 'all' || a.ids.length > 0, { message: 'name at least one segment, tag or group', path: ['ids'], params: { code: 'audience_needed' } });

export const Audience = z.object({
  include: AudienceSet,
  exclude: AudienceSet.optional().describe('customers in this set are left out'),
});
export type Audience = z.infer<typeof Audience>;

export const Schedule = z.union([
  z.object({ at: z.iso.datetime({ offset: true }).describe('one instant for everyone') }),
  z.object({
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD'),
    localTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM').describe('each recipient at this time in their own zone'),
  }),
  z.object({ now: z.literal(true) }),
]);
export type Schedule = z.infer<typeof Schedule>;

export const MassSendInput = z.object({
  name: z.string().min(1).max(100),
  channel: z.enum(['wecom', 'email', 'sms', 'sandbox']),
  templateId: z.uuid({ error: 'must be an id (UUID)' }),
  audience: Audience,
  schedule: Schedule,
  priority: z.number().int().min(0).max(100).default(40),
  holdoutPercent: z.number().min(0).max(50).default(0).describe('share of eligible recipients kept back to measure lift'),
  conversionDays: z.number().int().min(1).max(90).default(7),
  couponTemplateId: z.uuid().nullable().optional().describe('{couponCode} is the newest unused coupon of this template'),
});
export type MassSendInput = z.infer<typeof MassSendInput>;

/** When one recipient's message may go: the schedule's instant, or its local time in the recipient's zone. */
export function sendTimeFor(schedule: Schedule, zone: string, now: number): number {
  if ('at' in schedule) return Date.parse(schedule.at);
  if ('now' in schedule) return now;
  return fromLocalWall(Date.parse(`${schedule.date}T00:00:00Z`) + clockMinutes(schedule.localTime) * 60_000, zone);
}

/** The earliest instant of a schedule anywhere (zones run from UTC−12 to UTC+14). */
export function earliestSendTime(schedule: Schedule, now: number): number {
  if ('date' in schedule) return Date.parse(`${schedule.date}T00:00:00Z`) + clockMinutes(schedule.localTime) * 60_000 - 14 * 3_600_000;
  return sendTimeFor(schedule, 'UTC', now);
}

export { DAY };
