// The restraint engine's rules (克制), pure: given one message, what is known of its customer and
// the messages that already hold a slot, decide whether it goes, when, or why not. The delivery
// worker and the mass-send planner both call decide(), so a plan and a send agree by construction.
import type { MessageChannel, MessagePurpose } from '../../db/schema.ts';
import {
  clockMinutes, DAY, fromLocalWall, localWall, wallDayStart, wallMonthStart, wallNextMonthStart, wallWeekStart,
} from './local-time.ts';
import type { MessagingSettings } from './settings.rules.ts';

export interface Candidate {
  id: string;
  channel: MessageChannel;
  purpose: MessagePurpose;
  priority: number;
  sourceKind: string;
  /** Not before this instant (its schedule); the decision is never earlier than now either. */
  notBefore: number;
}

export interface CustomerFacts {
  /** The customer's consent on the candidate's channel: true granted, false withdrawn, null never recorded. */
  consent: boolean | null;
  timeZone: string;
  inGlobalHoldout: boolean;
}

/** Another message of the same customer that has used or reserved a slot. */
export interface SlotHolder {
  id: string;
  at: number;
  channel: MessageChannel;
  purpose: MessagePurpose;
  priority: number;
  /** sent (or being sent): holds its slot whatever its priority; reserved: queued for later. */
  state: 'sent' | 'reserved';
}

export type DropReason =
  | 'global_holdout' | 'consent_withdrawn' | 'no_consent' | 'no_slot'
  | 'platform_quota_day' | 'platform_quota_week' | 'platform_quota_month' | 'frequency_cap';
export type CapReason = 'platform_quota_day' | 'platform_quota_week' | 'platform_quota_month' | 'frequency_cap';
export type MoveReason = 'quiet_hours' | CapReason;

export type Decision =
  | { verdict: 'send'; at: number; movedBy: MoveReason | null }
  | { verdict: 'drop'; reason: DropReason };

/** Consent is recorded per contact channel; the sandbox stands in for WeCom, a webhook needs none. */
export function consentChannelOf(channel: MessageChannel): 'wecom' | 'sms' | 'email' | null {
  if (channel === 'sandbox' || channel === 'wecom') return 'wecom';
  if (channel === 'sms' || channel === 'email') return channel;
  return null;
}

/**
 * A reserved message holds its slot against this candidate only if it ranks higher: a higher
 * priority, or the same priority and asked first (ids are time-ordered). So a higher-priority
 * message takes the slot, and the lower one, when its turn comes, is moved or dropped.
 */
export function holdsSlotAgainst(holder: SlotHolder, candidate: Candidate): boolean {
  if (holder.id === candidate.id) return false;
  if (holder.state === 'sent') return true;
  if (holder.priority !== candidate.priority) return holder.priority > candidate.priority;
  return holder.id < candidate.id;
}

/** The instant after quiet hours when `at` falls inside them, else `at`. */
export function afterQuietHours(at: number, zone: string, quiet: MessagingSettings['quietHours']): number {
  if (!quiet.enabled) return at;
  const wall = localWall(at, zone);
  const day = wallDayStart(wall);
  const minute = (wall - day) / 60_000;
  const start = clockMinutes(quiet.start);
  const end = clockMinutes(quiet.end);
  if (start > end) {
    // across midnight, e.g. 21:00–09:00
    if (minute >= start) return fromLocalWall(day + DAY + end * 60_000, zone);
    if (minute < end) return fromLocalWall(day + end * 60_000, zone);
    return at;
  }
  if (minute >= start && minute < end) return fromLocalWall(day + end * 60_000, zone);
  return at;
}

interface Window { reason: Exclude<CapReason, 'frequency_cap'>; limit: number; from: number; to: number }

export function platformWindows(at: number, zone: string, quota: MessagingSettings['platformQuota']): Window[] {
  const wall = localWall(at, zone);
  const day = wallDayStart(wall);
  const week = wallWeekStart(wall);
  const month = wallMonthStart(wall);
  return [
    { reason: 'platform_quota_day', limit: quota.perDay, from: fromLocalWall(day, zone), to: fromLocalWall(day + DAY, zone) },
    { reason: 'platform_quota_week', limit: quota.perWeek, from: fromLocalWall(week, zone), to: fromLocalWall(week + 7 * DAY, zone) },
    { reason: 'platform_quota_month', limit: quota.perMonth, from: fromLocalWall(month, zone), to: fromLocalWall(wallNextMonthStart(wall), zone) },
  ];
}

/** The earliest instant ≥ at that no quota, cap or quiet hour forbids, with what moved it; null if none within the horizon. */
function nextAllowed(
  candidate: Candidate, facts: CustomerFacts, holders: SlotHolder[], settings: MessagingSettings, start: number,
): { at: number; movedBy: MoveReason | null; capped: CapReason | null } | null {
  const horizon = start + settings.priorities.rescheduleWithinDays * DAY;
  const marketing = candidate.purpose === 'marketing';
  const quietApplies = settings.quietHours.appliesTo === 'all' || marketing;
  const platform = marketing && settings.platformQuota.channels.includes(candidate.channel);
  const caps = marketing ? settings.frequencyCaps.filter((c) => c.channel === candidate.channel) : [];
  const sameChannel = holders.filter((h) => h.channel === candidate.channel && h.purpose === 'marketing');
  const minLimit = Math.min(settings.platformQuota.perDay, settings.platformQuota.perWeek, settings.platformQuota.perMonth);
  let at = start;
  let movedBy: MoveReason | null = null;
  let capped: CapReason | null = null;
  for (let round = 0; round < 64; round++) {
    if (at > horizon) return null;
    let moved = false;
    if (quietApplies) {
      const after = afterQuietHours(at, facts.timeZone, settings.quietHours);
      if (after !== at) { at = after; movedBy ??= 'quiet_hours'; moved = true; }
    }
    // with no earlier marketing on the channel, no quota or cap can be reached (the common case: skip the calendar)
    if (platform && sameChannel.length >= minLimit) {
      for (const w of platformWindows(at, facts.timeZone, settings.platformQuota)) {
        const used = sameChannel.filter((h) => h.at >= w.from && h.at < w.to).length;
        if (used >= w.limit) { at = w.to; movedBy ??= w.reason; capped ??= w.reason; moved = true; break; }
      }
      if (moved) continue;
    }
    for (const cap of sameChannel.length > 0 || caps.some((c) => c.max === 0) ? caps : []) {
      // at most `max` in any window of `days`: the slots within `days` on either side of `at` count
      const span = cap.days * DAY;
      const near = sameChannel.filter((h) => h.at > at - span && h.at < at + span).map((h) => h.at).sort((a, b) => a - b);
      if (near.length >= cap.max) {
        const earliest = near.find((t) => t <= at);
        at = (earliest ?? near[near.length - 1] ?? at) + span;
        movedBy ??= 'frequency_cap'; capped ??= 'frequency_cap'; moved = true;
        break;
      }
    }
    if (!moved) return { at, movedBy, capped };
  }
  return null;
}

/** One message, one decision. `now` and every time are epoch milliseconds. */
export function decide(candidate: Candidate, facts: CustomerFacts, holders: readonly SlotHolder[], settings: MessagingSettings, now: number): Decision {
  if (candidate.purpose === 'marketing') {
    if (facts.inGlobalHoldout) return { verdict: 'drop', reason: 'global_holdout' };
    const consentChannel = consentChannelOf(candidate.channel);
    if (consentChannel !== null && facts.consent === false) return { verdict: 'drop', reason: 'consent_withdrawn' };
    if (facts.consent === null && settings.consent.requireGrantFor.includes(candidate.channel)) return { verdict: 'drop', reason: 'no_consent' };
  }
  const blocking = holders.filter((h) => holdsSlotAgainst(h, candidate));
  const slot = nextAllowed(candidate, facts, blocking, settings, Math.max(now, candidate.notBefore));
  if (slot === null) return { verdict: 'drop', reason: 'no_slot' };
  if (slot.capped !== null) {
    const policy = settings.priorities.bySource[candidate.sourceKind] ?? settings.priorities.onCapReached;
    if (policy === 'drop') return { verdict: 'drop', reason: slot.capped };
  }
  return { verdict: 'send', at: slot.at, movedBy: slot.movedBy };
}

/**
 * A customer's stable bucket 0–9999 for a salt (FNV-1a, then a final mix so close ids spread):
 * cheap enough for a million recipients, and the same bucket on every run.
 */
export function holdoutBucket(salt: string, customerId: string): number {
  return holdoutBuckets(salt)(customerId);
}

/** holdoutBucket for one salt and many customers: the salt's part of the hash is taken once. */
export function holdoutBuckets(salt: string): (customerId: string) => number {
  let prefix = 0x811c9dc5;
  const head = `${salt}:`;
  for (let i = 0; i < head.length; i++) {
    prefix ^= head.charCodeAt(i);
    prefix = Math.imul(prefix, 0x01000193);
  }
  return (customerId) => {
    let h = prefix;
    for (let i = 0; i < customerId.length; i++) {
      h ^= customerId.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return (h >>> 0) % 10_000;
  };
}

export function inHoldout(salt: string, customerId: string, percent: number): boolean {
  return percent > 0 && holdoutBucket(salt, customerId) < Math.round(percent * 100);
}

/** inHoldout for one salt and many customers. */
export function holdoutDraw(salt: string, percent: number): (customerId: string) => boolean {
  if (percent <= 0) return () => false;
  const bucket = holdoutBuckets(salt);
  const below = Math.round(percent * 100);
  return (customerId) => bucket(customerId) < below;
}
