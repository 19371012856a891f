// Small helpers shared by the SOP pages.
import type { Translate } from '../../i18n/i18n.tsx';
import type { PlanTarget } from '../../api-sop.ts';

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
