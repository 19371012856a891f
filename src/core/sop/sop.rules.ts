// The SOP calendar as values: slot times, which plans reach the same group, which slots clash, and
// which slot occurrences fall in a generation window in the tenant's zone. No IO.
import type { ErrorDetail } from '../errors.ts';
import type { GroupKind } from '../../db/schema.ts';
import { isoWeekday, localDate, zoneOffsetMinutes } from '../time.ts';

export const DEFAULT_SLOT_MINUTES = 30;
/** Tasks appear this long before their slot, so the guide sees what is coming. */
export const TASK_LEAD_MINUTES = 120;
/** Slots whose time passed this recently are still generated (a missed tick, a restart). */
export const CATCH_UP_MINUTES = 60;
export const WEEKDAY_NAMES = ['周一', '周二', '周三', '周四', '周五', '周六', '周日'] as const;

export type SlotMode = 'task' | 'auto';

export type PlanTarget =
  | { kind: 'groups'; groupIds: string[] }
  | { kind: 'group_kind'; groupKind: GroupKind };

export interface SlotTime {
  /** null: every day; 1 = Monday … 7 = Sunday. */
  weekday: number | null;
  startMinute: number;
  durationMinutes: number;
}

export interface PlanSlots {
  planId: string;
  planName: string;
  target: PlanTarget;
  slots: readonly (SlotTime & { title: string })[];
}

/** '08:30' → 510; undefined when it is not a time of day. */
export function parseClock(clock: string): number | undefined {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(clock);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

/** 510 → '08:30'. */
export function formatClock(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

export function describeSlot(slot: SlotTime & { title: string }): string {
  const day = slot.weekday === null ? '每天' : WEEKDAY_NAMES[slot.weekday - 1] ?? `weekday ${slot.weekday}`;
  return `${day} ${formatClock(slot.startMinute)}–${formatClock(slot.startMinute + slot.durationMinutes)} ${slot.title}`;
}

/** What a console needs to name the slot a refused one clashes with, in its own words. */
function slotParams(slot: SlotTime & { title: string }): Record<string, string | number | null> {
  return { weekday: slot.weekday, start: formatClock(slot.startMinute), end: formatClock(slot.startMinute + slot.durationMinutes), title: slot.title };
}

/**
 * Whether two plans can reach one group: shared listed groups, the same kind, or a listed group
 * of the other plan's kind. `kindOf` answers a listed group's kind.
 */
export function targetsShareGroup(a: PlanTarget, b: PlanTarget, kindOf: (groupId: string) => GroupKind | undefined): boolean {
  if (a.kind === 'group_kind' && b.kind === 'group_kind') return a.groupKind === b.groupKind;
  if (a.kind === 'groups' && b.kind === 'groups') {
    const listed = new Set(a.groupIds);
    return b.groupIds.some((id) => listed.has(id));
  }
  const [listed, byKind] = a.kind === 'groups' ? [a, b] : [b, a];
  if (listed.kind !== 'groups' || byKind.kind !== 'group_kind') return false;
  return listed.groupIds.some((id) => kindOf(id) === byKind.groupKind);
}

/** Two slots clash when they can fall on the same day and their intervals intersect. */
export function slotsClash(a: SlotTime, b: SlotTime): boolean {
  const sameDay = a.weekday === null || b.weekday === null || a.weekday === b.weekday;
  if (!sameDay) return false;
  return a.startMinute < b.startMinute + b.durationMinutes && b.startMinute < a.startMinute + a.durationMinutes;
}

/** A slot's own shape: a real weekday, a time of day, and an end before midnight. */
export function checkSlotTimes(slots: readonly SlotTime[]): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  slots.forEach((s, i) => {
    if (s.weekday !== null && (!Number.isInteger(s.weekday) || s.weekday < 1 || s.weekday > 7)) {
      details.push({ path: `slots.${i}.weekday`, message: 'must be 1 (Monday) to 7 (Sunday), or null for every day', code: 'weekday_range', params: {} });
    }
    if (!Number.isInteger(s.startMinute) || s.startMinute < 0 || s.startMinute > 1439) {
      details.push({ path: `slots.${i}.time`, message: 'must be a time of day HH:MM', code: 'time_format', params: {} });
    }
    if (!Number.isInteger(s.durationMinutes) || s.durationMinutes < 5 || s.durationMinutes > 720) {
      details.push({ path: `slots.${i}.durationMinutes`, message: 'must be 5 to 720 minutes', code: 'duration_range', params: { minimum: 5, maximum: 720 } });
    } else if (s.startMinute + s.durationMinutes > 1440) {
      details.push({ path: `slots.${i}.durationMinutes`, message: `ends after midnight (${formatClock(s.startMinute)} + ${s.durationMinutes} min)`,
        code: 'ends_after_midnight', params: { start: formatClock(s.startMinute), minutes: s.durationMinutes } });
    }
  });
  return details;
}

/**
 * The overlaps a plan would create for some group: between its own slots, and with the slots of
 * every other plan that reaches one of its groups. Each detail names the slot and what it clashes with.
 */
export function findOverlaps(plan: PlanSlots, others: readonly PlanSlots[], kindOf: (groupId: string) => GroupKind | undefined): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  plan.slots.forEach((slot, i) => {
    plan.slots.forEach((other, j) => {
      if (j <= i || !slotsClash(slot, other)) return;
      details.push({ path: `slots.${j}`, message: `overlaps slot ${i} of this plan (${describeSlot(slot)})`, code: 'overlaps_own_slot', params: slotParams(slot) });
    });
  });
  for (const other of others) {
    if (other.planId === plan.planId || !targetsShareGroup(plan.target, other.target, kindOf)) continue;
    plan.slots.forEach((slot, i) => {
      for (const theirs of other.slots) {
        if (slotsClash(slot, theirs)) {
          details.push({
            path: `slots.${i}`, message: `overlaps 「${other.planName}」 ${describeSlot(theirs)} for the same groups`,
            code: 'overlaps_other_plan', params: { ...slotParams(theirs), plan: other.planName },
          });
        }
      }
    });
  }
  return details;
}

/** The instant a local wall-clock time of a date happens in a zone (two passes settle DST changes). */
export function localInstant(date: string, minute: number, timeZone: string): Date {
  const wall = Date.parse(`${date}T00:00:00Z`) + minute * 60_000;
  let guess = wall - zoneOffsetMinutes(new Date(wall), timeZone) * 60_000;
  guess = wall - zoneOffsetMinutes(new Date(guess), timeZone) * 60_000;
  return new Date(guess);
}

/** Every local date that overlaps [from, to) in a zone. */
export function localDatesBetween(from: Date, to: Date, timeZone: string): string[] {
  const dates: string[] = [];
  const last = localDate(new Date(to.getTime() - 1), timeZone);
  let date = localDate(from, timeZone);
  for (let guard = 0; guard < 400; guard++) {
    dates.push(date);
    if (date >= last) break;
    date = new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  }
  return dates;
}

export interface SlotOccurrence {
  date: string;
  dueAt: Date;
}

/** The times a slot falls in [from, to), in the zone. */
export function slotOccurrences(slot: SlotTime, from: Date, to: Date, timeZone: string): SlotOccurrence[] {
  const found: SlotOccurrence[] = [];
  for (const date of localDatesBetween(from, to, timeZone)) {
    if (slot.weekday !== null && isoWeekday(date) !== slot.weekday) continue;
    const dueAt = localInstant(date, slot.startMinute, timeZone);
    if (dueAt >= from && dueAt < to) found.push({ date, dueAt });
  }
  return found;
}

/** What one generator tick covers: tasks ahead of time, automatic sends only once their time has come. */
export function generationWindows(now: Date): Record<SlotMode, { from: Date; to: Date }> {
  const from = new Date(now.getTime() - CATCH_UP_MINUTES * 60_000);
  return {
    task: { from, to: new Date(now.getTime() + TASK_LEAD_MINUTES * 60_000) },
    auto: { from, to: new Date(now.getTime() + 1) },
  };
}

/** One key per slot, group and local date: a re-run finds the run and the task already there. */
export function runKey(slotId: string, groupId: string, date: string): string {
  return `sop:${slotId}:${groupId}:${date}`;
}

/** done / missed / pending for the console, from a run and its task's status. */
export function runState(outcome: string, taskStatus: string | null, dueAt: Date, durationMinutes: number, now: Date): 'done' | 'missed' | 'pending' {
  if (outcome === 'sent') return 'done';
  if (taskStatus === 'done') return 'done';
  if (taskStatus === 'skipped' || taskStatus === 'expired') return 'missed';
  return now.getTime() > dueAt.getTime() + durationMinutes * 60_000 ? 'missed' : 'pending';
}

/** A plan name that does not collide with the taken ones: 「百果园日常节奏」 → 「百果园日常节奏 (2)」. */
export function freeName(wanted: string, taken: ReadonlySet<string>): string {
  if (!taken.has(wanted)) return wanted;
  for (let n = 2; ; n++) {
    const candidate = `${wanted} (${n})`;
    if (!taken.has(candidate)) return candidate;
  }
}

/**
 * Ranks scripts for a customer: those answering more of the customer's tags first, then the most
 * used; scripts for other tags only after every script without tags (a general answer beats a wrong one).
 */
export function rankScripts<T extends { tagIds: readonly string[]; useCount: number }>(scripts: readonly T[], customerTags: ReadonlySet<string>): (T & { matchedTags: number })[] {
  const group = (s: { tagIds: readonly string[]; matchedTags: number }): number => (s.matchedTags > 0 ? 0 : s.tagIds.length === 0 ? 1 : 2);
  return scripts
    .map((s) => ({ ...s, matchedTags: s.tagIds.filter((t) => customerTags.has(t)).length }))
    .sort((a, b) => group(a) - group(b) || b.matchedTags - a.matchedTags || b.useCount - a.useCount);
}
