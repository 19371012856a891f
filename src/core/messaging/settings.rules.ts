// A tenant's restraint settings (克制): the platform quota, frequency caps, quiet hours, consent,
// what happens to a lower-priority message when a cap is reached, and the global control group.
// One zod schema validates the PUT, types the engine and documents the API.
import { z } from 'zod';

export const RESTRAINED_CHANNELS = ['wecom', 'email', 'sms', 'webhook', 'sandbox'] as const;
const Channel = z.enum(RESTRAINED_CHANNELS);
const ClockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM');
const CapPolicy = z.enum(['reschedule', 'drop']).describe('reschedule: to the next allowed time; drop: not sent, recorded with the reason');

/**
 * Automatic posts to customer groups (SOP 'auto' slots). A group is not a customer: no consent or
 * holdout, but quiet hours of its own (groups are read at leisure, so later than a private message;
 * the tenant's zone), WeCom's per-group mass-message quota (platformQuota, when it covers wecom)
 * and Yuchi's own daily cap of pushes per group. A held post becomes the owner's task, with why.
 */
export const GroupSendSettings = z.object({
  quietHours: z.object({ enabled: z.boolean(), start: ClockTime, end: ClockTime })
    .refine((q) => q.start !== q.end, { message: 'start and end must differ', path: ['end'], params: { code: 'same_start_end' } }),
  dailyCap: z.number().int().min(0).max(20).describe('automatic posts a group may receive per local day'),
});
export type GroupSendSettings = z.infer<typeof GroupSendSettings>;
export const DEFAULT_GROUP_SENDS: GroupSendSettings = { quietHours: { enabled: true, start: '22:30', end: '07:30' }, dailyCap: 3 };

export const MessagingSettings = z.object({
  platformQuota: z.object({
    perDay: z.number().int().min(0).max(10).describe('WeCom: mass messages a customer may receive per local day (platform default 1)'),
    perWeek: z.number().int().min(0).max(70).describe('per local week (Monday first); WeCom lets admins choose 7'),
    perMonth: z.number().int().min(0).max(310).describe('per local calendar month (older WeCom rule: 4)'),
    channels: z.array(Channel).max(5).describe('channels the platform quota applies to (the sandbox stands in for WeCom)'),
  }),
  frequencyCaps: z.array(z.object({
    channel: Channel,
    max: z.number().int().min(0).max(100),
    days: z.number().int().min(1).max(90),
  })).max(10).describe('marketing messages per channel in any window of N days'),
  quietHours: z.object({
    enabled: z.boolean(),
    start: ClockTime,
    end: ClockTime,
    appliesTo: z.enum(['marketing', 'all']),
  }).refine((q) => q.start !== q.end, { message: 'start and end must differ', path: ['end'], params: { code: 'same_start_end' } }),
  consent: z.object({
    requireGrantFor: z.array(Channel).max(5).describe('marketing on these channels needs a recorded grant; a withdrawn consent always stops marketing'),
  }),
  priorities: z.object({
    onCapReached: CapPolicy,
    bySource: z.record(z.string().regex(/^[a-z][a-z_]{0,31}$/, 'must be a source kind such as mass_send'), CapPolicy).describe('per source kind, overrides onCapReached'),
    rescheduleWithinDays: z.number().int().min(1).max(60).describe('a message that finds no slot within this many days is dropped'),
  }),
  globalHoldoutPercent: z.number().min(0).max(20).describe('stable share of customers (by hash) kept from all marketing as a control group'),
  groupSends: GroupSendSettings.default(DEFAULT_GROUP_SENDS).describe('automatic posts to customer groups (SOP): quiet hours, daily cap'),
});
export type MessagingSettings = z.infer<typeof MessagingSettings>;

/** WeCom's own default (one mass message a day, PRODUCT.md) and a restrained 2 marketing messages a week. */
export const DEFAULT_SETTINGS: MessagingSettings = {
  platformQuota: { perDay: 1, perWeek: 7, perMonth: 31, channels: ['wecom', 'sandbox'] },
  frequencyCaps: [
    { channel: 'wecom', max: 2, days: 7 },
    { channel: 'sandbox', max: 2, days: 7 },
    { channel: 'sms', max: 1, days: 7 },
    { channel: 'email', max: 2, days: 7 },
  ],
  quietHours: { enabled: true, start: '21:00', end: '09:00', appliesTo: 'marketing' },
  consent: { requireGrantFor: ['sms', 'email'] },
  priorities: { onCapReached: 'reschedule', bySource: {}, rescheduleWithinDays: 14 },
  globalHoldoutPercent: 0,
  groupSends: DEFAULT_GROUP_SENDS,
};

/** Stored settings over the defaults, so a row written before a field existed still reads whole. */
export function settingsFrom(stored: unknown): MessagingSettings {
  if (typeof stored !== 'object' || stored === null) return DEFAULT_SETTINGS;
  const parsed = MessagingSettings.safeParse({ ...DEFAULT_SETTINGS, ...stored });
  return parsed.success ? parsed.data : DEFAULT_SETTINGS;
}
