// Small helpers shared by the SOP pages.
import type { Translate } from '../../i18n/i18n.tsx';
import type { ApiError } from '../../api.ts';
import type { PlanTarget, SlotInput } from '../../api-sop.ts';
import { reasonText } from '../../refusal-text.ts';

/** '08:30' → 510 (0 for anything else, so a half-typed time still draws). */
export function minutesOf(time: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(time);
  return m ? Number(m[1]) * 60 + Number(m[2]) : 0;
}

export function targetSummary(t: Translate, target: PlanTarget): string {
  return target.kind === 'group_kind'
    ? t('sop.plan.targetSummaryKind', { kind: t(`sop.kind.${target.groupKind}`) })
    : t('sop.plan.targetSummaryGroups', { count: target.groupIds.length });
}

export function repeatLabel(t: Translate, weekday: number | null): string {
  return weekday === null ? t('sop.everyDay') : t(`sop.weekday.${weekday}` as Parameters<Translate>[0]);
}

function slotLabel(t: Translate, weekday: number | null, start: string, end: string | null, title: string): string {
  return `${repeatLabel(t, weekday)} ${end ? `${start}–${end}` : start} ${title}`.trim();
}

function endOf(slot: SlotInput): string {
  const end = minutesOf(slot.time) + (slot.durationMinutes ?? 30);
  return `${String(Math.floor(end / 60)).padStart(2, '0')}:${String(end % 60).padStart(2, '0')}`;
}

/**
 * A refused save's reasons in the console's words: an overlap names both slots by day, time and
 * title (the server's `slots.N` index points into the slots that were sent). Anything else is worded
 * by its code (reasonText: a shared reason, or a bound or format generically), else the server's message.
 */
export function refusalReasons(t: Translate, err: ApiError, sent: readonly SlotInput[]): string[] {
  return err.details.map((d) => {
    const index = /^slots\.(\d+)$/.exec(d.path)?.[1];
    const slot = index === undefined ? undefined : sent[Number(index)];
    const p = d.params ?? {};
    if (!slot || (d.code !== 'overlaps_own_slot' && d.code !== 'overlaps_other_plan')) {
      // a slot by its day, time and title; a bound or format worded generically
      return slot ? t('refusal.named', { field: slotLabel(t, slot.weekday, slot.time, endOf(slot), slot.title), reason: reasonText(t, d) }) : reasonText(t, d);
    }
    const weekday = typeof p.weekday === 'number' ? p.weekday : null;
    const other = slotLabel(t, weekday, String(p.start ?? ''), typeof p.end === 'string' ? p.end : null, String(p.title ?? ''));
    const mine = slotLabel(t, slot.weekday, slot.time, endOf(slot), slot.title);
    return d.code === 'overlaps_own_slot'
      ? t('sop.overlapOwn', { slot: mine, other })
      : t('sop.overlapPlan', { slot: mine, other, plan: String(p.plan ?? '') });
  });
}
