// Restraint (克制) for automatic posts to customer groups, pure. A group is not a customer: no
// consent, control group or priorities apply, but a post should not land in the night, WeCom lets a
// group receive only so many mass messages per day/week/month (PRODUCT.md: one a day by default),
// and a tenant caps how many automatic posts a group gets a day. A post that may not go is not
// moved (a 21:30 good-night post makes no sense the next morning): it is handed to the group's
// owner as a task, with the reason.
import { DAY, localWall, wallDayStart, fromLocalWall } from '../messaging/local-time.ts';
import { afterQuietHours, platformWindows } from '../messaging/restraint.rules.ts';
import type { MessagingSettings } from '../messaging/settings.rules.ts';

export type GroupHoldReason = 'quiet_hours' | 'platform_quota_day' | 'platform_quota_week' | 'platform_quota_month' | 'group_daily_cap';

export type GroupSendDecision = { verdict: 'send' } | { verdict: 'hold'; reason: GroupHoldReason; detail: string };

/**
 * One post to one group at `at` (epoch ms), given the instants of the automatic posts the group
 * already received (or that this run already let through), in the tenant's zone.
 */
export function decideGroupSend(at: number, zone: string, sentAts: readonly number[], settings: MessagingSettings): GroupSendDecision {
  const quiet = settings.groupSends.quietHours;
  if (afterQuietHours(at, zone, { ...quiet, appliesTo: 'all' }) !== at) {
    return { verdict: 'hold', reason: 'quiet_hours', detail: `group quiet hours ${quiet.start}–${quiet.end} (${zone})` };
  }
  if (settings.platformQuota.channels.includes('wecom')) {
    const names = { platform_quota_day: 'a day', platform_quota_week: 'a week', platform_quota_month: 'a month' } as const;
    for (const w of platformWindows(at, zone, settings.platformQuota)) {
      const used = sentAts.filter((t) => t >= w.from && t < w.to).length;
      if (used >= w.limit) return { verdict: 'hold', reason: w.reason, detail: `WeCom lets a group receive ${w.limit} mass message(s) ${names[w.reason]}; ${used} already sent` };
    }
  }
  const day = wallDayStart(localWall(at, zone));
  const from = fromLocalWall(day, zone);
  const to = fromLocalWall(day + DAY, zone);
  const today = sentAts.filter((t) => t >= from && t < to).length;
  if (today >= settings.groupSends.dailyCap) {
    return { verdict: 'hold', reason: 'group_daily_cap', detail: `at most ${settings.groupSends.dailyCap} automatic post(s) a day per group; ${today} already sent` };
  }
  return { verdict: 'send' };
}

/** The reason written on the run and the task: the rule's code, then what it said. */
export function holdReasonText(d: Extract<GroupSendDecision, { verdict: 'hold' }>): string {
  return `held_by_restraint: ${d.reason}: ${d.detail}`.slice(0, 300);
}
