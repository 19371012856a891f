// The SOP calendar's pure rules, table by table: clocks, shared groups, clashes, overlaps, local
// occurrences across zones, run states, free names, script ranking, and the templates' own shape.
import { describe, expect, it } from 'vitest';
import type { GroupKind } from '../../src/db/schema.ts';
import {
  checkSlotTimes, findOverlaps, formatClock, freeName, generationWindows, localInstant, parseClock, rankScripts,
  runState, slotOccurrences, slotsClash, targetsShareGroup, type PlanSlots, type PlanTarget, type SlotTime,
} from '../../src/core/sop/sop.rules.ts';
import { isoWeekday, localDate } from '../../src/core/time.ts';
import { SOP_TEMPLATES } from '../../src/core/sop/sop.templates.ts';

const kinds: Record<string, GroupKind> = { g1: 'value', g2: 'value', g3: 'vip' };
const kindOf = (id: string): GroupKind | undefined => kinds[id];
const daily = (clock: string, durationMinutes = 30): SlotTime => ({ weekday: null, startMinute: parseClock(clock) ?? -1, durationMinutes });
const weekly = (weekday: number, clock: string, durationMinutes = 30): SlotTime => ({ weekday, startMinute: parseClock(clock) ?? -1, durationMinutes });

describe('clock', () => {
  it.each([
    ['08:30', 510], ['00:00', 0], ['23:59', 1439], ['24:00', undefined], ['8:30', undefined], ['08:60', undefined], ['', undefined],
  ])('%s → %s', (clock, minute) => {
    expect(parseClock(clock)).toBe(minute);
    if (minute !== undefined) expect(formatClock(minute)).toBe(clock);
  });
});

describe('targets sharing a group', () => {
  const groups = (...ids: string[]): PlanTarget => ({ kind: 'groups', groupIds: ids });
  const kind = (k: GroupKind): PlanTarget => ({ kind: 'group_kind', groupKind: k });
  it.each<[string, PlanTarget, PlanTarget, boolean]>([
    ['same listed group', groups('g1', 'g3'), groups('g3'), true],
    ['different listed groups', groups('g1'), groups('g2'), false],
    ['same kind', kind('value'), kind('value'), true],
    ['different kinds', kind('value'), kind('vip'), false],
    ['a listed group of the other plan\'s kind', groups('g3'), kind('vip'), true],
    ['kind first, listed group of that kind', kind('value'), groups('g2'), true],
    ['listed groups of another kind', groups('g1', 'g2'), kind('vip'), false],
    ['a listed group whose kind is unknown', groups('gx'), kind('value'), false],
  ])('%s', (_name, a, b, expected) => {
    expect(targetsShareGroup(a, b, kindOf)).toBe(expected);
    expect(targetsShareGroup(b, a, kindOf)).toBe(expected);
  });
});

describe('slot clashes', () => {
  it.each<[string, SlotTime, SlotTime, boolean]>([
    ['daily slots 30 min apart touch but do not overlap', daily('08:30'), daily('09:00'), false],
    ['daily slots 15 min apart overlap', daily('08:30'), daily('08:45'), true],
    ['a long slot covers a later one', daily('14:00', 120), daily('15:00'), true],
    ['daily and weekly at the same time', daily('15:00'), weekly(2, '15:10'), true],
    ['weekly on different days never meet', weekly(2, '10:00'), weekly(3, '10:00'), false],
    ['weekly on the same day overlap', weekly(2, '10:00'), weekly(2, '10:29'), true],
    ['weekly on the same day, apart', weekly(2, '10:00'), weekly(2, '10:30'), false],
  ])('%s', (_name, a, b, expected) => {
    expect(slotsClash(a, b)).toBe(expected);
    expect(slotsClash(b, a)).toBe(expected);
  });
});

describe('slot shapes', () => {
  it.each<[string, SlotTime, string[]]>([
    ['a good slot', daily('08:30'), []],
    ['weekday 8', weekly(8, '08:30'), ['slots.0.weekday']],
    ['a slot past midnight', daily('23:50', 30), ['slots.0.durationMinutes']],
    ['a 2-minute slot', daily('08:30', 2), ['slots.0.durationMinutes']],
    ['a negative start', { weekday: null, startMinute: -1, durationMinutes: 30 }, ['slots.0.time']],
  ])('%s', (_name, slot, paths) => {
    expect(checkSlotTimes([slot]).map((d) => d.path)).toEqual(paths);
  });
});

describe('overlaps for a group', () => {
  const plan = (planId: string, target: PlanTarget, slots: SlotTime[]): PlanSlots => ({ planId, planName: `plan ${planId}`, target, slots: slots.map((s, i) => ({ ...s, title: `slot ${i}` })) });
  const fruit = plan('a', { kind: 'group_kind', groupKind: 'value' }, [daily('08:30'), daily('15:00'), weekly(2, '10:00')]);
  it.each<[string, PlanSlots, PlanSlots[], string[]]>([
    ['a plan alone with no clash', fruit, [], []],
    ['two own slots overlap', plan('b', { kind: 'groups', groupIds: ['g1'] }, [daily('08:30'), weekly(5, '08:40')]), [], ['slots.1']],
    ['another plan reaches a listed group by kind', plan('b', { kind: 'groups', groupIds: ['g2'] }, [daily('15:15')]), [fruit], ['slots.0']],
    ['another plan, other groups', plan('b', { kind: 'groups', groupIds: ['g3'] }, [daily('15:15')]), [fruit], []],
    ['the plan itself among the others is skipped', fruit, [fruit], []],
    ['the weekly member day clashes with a Tuesday slot', plan('b', { kind: 'group_kind', groupKind: 'value' }, [weekly(2, '10:15'), weekly(3, '10:15')]), [fruit], ['slots.0']],
  ])('%s', (_name, candidate, others, paths) => {
    const details = findOverlaps(candidate, others, kindOf);
    expect(details.map((d) => d.path)).toEqual(paths);
    for (const d of details) expect(d.message).toMatch(/overlaps/);
  });

  it('names the clashing plan and slot', () => {
    const [detail] = findOverlaps(plan('b', { kind: 'groups', groupIds: ['g1'] }, [daily('15:10')]), [fruit], kindOf);
    expect(detail?.message).toBe('overlaps 「plan a」 每天 15:00–15:30 slot 1 for the same groups');
  });
});

describe('local time', () => {
  it.each([
    // Shanghai is UTC+8 all year: 08:30 local is 00:30 UTC.
    ['2026-12-01', 510, 'Asia/Shanghai', '2026-12-01T00:30:00.000Z'],
    ['2026-12-01', 0, 'Asia/Shanghai', '2026-11-30T16:00:00.000Z'],
    // New York in winter is UTC−5, in summer UTC−4; the spring-forward day settles on the new offset.
    ['2026-12-01', 510, 'America/New_York', '2026-12-01T13:30:00.000Z'],
    ['2026-07-01', 510, 'America/New_York', '2026-07-01T12:30:00.000Z'],
    ['2026-03-08', 510, 'America/New_York', '2026-03-08T12:30:00.000Z'],
  ])('%s minute %s in %s', (date, minute, zone, iso) => {
    expect(localInstant(date, minute, zone).toISOString()).toBe(iso);
  });

  it.each([['2026-11-30', 1], ['2026-12-01', 2], ['2026-12-06', 7]])('%s is weekday %s', (date, weekday) => {
    expect(isoWeekday(date)).toBe(weekday);
  });

  it('finds a slot\'s occurrences in a window by local date, across midnight UTC', () => {
    // 2026-11-30T23:00Z is already 2026-12-01 07:00 in Shanghai: the 08:30 slot of 12-01 falls in the next two hours.
    const from = new Date('2026-11-30T23:00:00Z');
    const to = new Date('2026-12-01T01:00:00Z');
    expect(slotOccurrences(daily('08:30'), from, to, 'Asia/Shanghai')).toEqual([{ date: '2026-12-01', dueAt: new Date('2026-12-01T00:30:00Z') }]);
    // 12-01 is a Tuesday: the member-day slot falls; a Wednesday slot does not.
    expect(slotOccurrences(weekly(2, '08:30'), from, to, 'Asia/Shanghai')).toHaveLength(1);
    expect(slotOccurrences(weekly(3, '08:30'), from, to, 'Asia/Shanghai')).toHaveLength(0);
    expect(localDate(from, 'Asia/Shanghai')).toBe('2026-12-01');
    expect(localDate(from, 'UTC')).toBe('2026-11-30');
  });

  it('a tick covers tasks two hours ahead and automatic sends only once due', () => {
    const now = new Date('2026-12-01T00:30:00Z');
    const w = generationWindows(now);
    expect(slotOccurrences(daily('10:00'), w.task.from, w.task.to, 'Asia/Shanghai')).toHaveLength(1);
    expect(slotOccurrences(daily('10:00'), w.auto.from, w.auto.to, 'Asia/Shanghai')).toHaveLength(0);
    expect(slotOccurrences(daily('08:30'), w.auto.from, w.auto.to, 'Asia/Shanghai')).toHaveLength(1);
    expect(slotOccurrences(daily('07:45'), w.auto.from, w.auto.to, 'Asia/Shanghai')).toHaveLength(1);
    expect(slotOccurrences(daily('07:00'), w.auto.from, w.auto.to, 'Asia/Shanghai')).toHaveLength(0);
  });
});

describe('run state', () => {
  const due = new Date('2026-12-01T00:30:00Z');
  it.each([
    ['sent', null, '2026-12-01T00:31:00Z', 'done'],
    ['task', 'done', '2026-12-01T00:31:00Z', 'done'],
    ['task', 'open', '2026-12-01T00:59:00Z', 'pending'],
    ['task', 'open', '2026-12-01T01:01:00Z', 'missed'],
    ['fallback_task', 'expired', '2026-12-01T00:31:00Z', 'missed'],
    ['pending', null, '2026-12-01T02:00:00Z', 'missed'],
  ])('%s with task %s at %s is %s', (outcome, task, now, state) => {
    expect(runState(outcome, task, due, 30, new Date(now))).toBe(state);
  });
});

describe('free names and script ranking', () => {
  it.each([
    ['周规划', [], '周规划'],
    ['周规划', ['周规划'], '周规划 (2)'],
    ['周规划', ['周规划', '周规划 (2)'], '周规划 (3)'],
  ])('%s with %j taken → %s', (wanted, taken, expected) => {
    expect(freeName(wanted, new Set(taken))).toBe(expected);
  });

  it('ranks scripts for the customer\'s tags, then general ones, then other tags', () => {
    const scripts = [
      { id: 'other', tagIds: ['dry'], useCount: 99 },
      { id: 'general', tagIds: [], useCount: 5 },
      { id: 'acne', tagIds: ['acne'], useCount: 1 },
      { id: 'acne-urgent', tagIds: ['acne', 'wants-acne-solved'], useCount: 0 },
      { id: 'general-popular', tagIds: [], useCount: 50 },
    ];
    const ranked = rankScripts(scripts, new Set(['acne', 'wants-acne-solved']));
    expect(ranked.map((s) => s.id)).toEqual(['acne-urgent', 'acne', 'general-popular', 'general', 'other']);
    expect(ranked.map((s) => s.matchedTags)).toEqual([2, 1, 0, 0, 0]);
    // Without a customer: most used first, tagged scripts last.
    expect(rankScripts(scripts, new Set()).map((s) => s.id)).toEqual(['general-popular', 'general', 'other', 'acne', 'acne-urgent']);
  });
});

describe('ready-made templates', () => {
  it.each(SOP_TEMPLATES.map((t) => [t.key, t] as const))('%s has valid, non-overlapping slots', (_key, template) => {
    const slots = template.slots.map((s) => ({ weekday: s.weekday, startMinute: parseClock(s.time) ?? -1, durationMinutes: s.durationMinutes ?? 30, title: s.title }));
    expect(checkSlotTimes(slots)).toEqual([]);
    expect(findOverlaps({ planId: 't', planName: template.name, target: { kind: 'group_kind', groupKind: template.groupKind }, slots }, [], kindOf)).toEqual([]);
    expect(template.slots.length).toBeGreaterThan(0);
  });

  it('covers the four operating models, the weekly plan and all eight levers', () => {
    expect(new Set(SOP_TEMPLATES.map((t) => t.model))).toEqual(new Set(['knowledge_expert', 'exclusive_advisor', 'shopping_advisor', 'interest_community', 'community']));
    const levers = SOP_TEMPLATES.find((t) => t.key === 'eight-levers')?.slots.map((s) => s.lever);
    expect(new Set(levers)).toEqual(new Set(['特权', '福利', '娱乐', '内容', '关怀', '活动', '规划', 'SOP']));
    const week = SOP_TEMPLATES.find((t) => t.key === 'weekly-plan')?.slots.flatMap((s) => (s.weekday === null ? [] : [s.weekday]));
    expect(new Set(week)).toEqual(new Set([1, 2, 3, 4, 5, 6, 7]));
  });
});
