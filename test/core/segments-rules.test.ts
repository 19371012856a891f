import { describe, expect, it } from 'vitest';
import { checkDefinition, checkReferences, needsSweep, randomBucket, referencesOf, type SegmentNode } from '../../src/core/segments/segments.rules.ts';

const TAG = '0190a5c4-0000-7000-8000-000000000001';
const SEG_A = '0190a5c4-0000-7000-8000-00000000000a';
const SEG_B = '0190a5c4-0000-7000-8000-00000000000b';
const GROUP = '0190a5c4-0000-7000-8000-0000000000f1';

describe('segment definitions', () => {
  it.each<[string, unknown]>([
    ['an attribute', { field: 'gender', op: 'eq', value: 'female' }],
    ['nested groups', { all: [{ any: [{ field: 'city', op: 'in', value: ['上海', '杭州'] }, { not: { field: 'order_count', op: 'gte', value: 3 } }] }] }],
    ['a relative time', { field: 'last_order_at', op: 'not_within_days', value: 30 }],
    ['an absolute range', { field: 'created_at', op: 'between', value: ['2026-01-01', '2026-03-31'] }],
    ['never ordered', { field: 'first_order_at', op: 'not_exists' }],
    ['tags', { field: 'tags', op: 'has_all', value: [TAG] }],
    ['an event with filters', { field: 'event', type: 'group_joined', withinDays: 30, properties: { chatId: 'wr1' }, op: 'gte', value: 2 }],
    ['in any group', { field: 'group', op: 'in_any' }],
    ['scores', { all: [{ field: 'rfm_cell', op: 'eq', value: '重要价值' }, { field: 'churn_probability', op: 'between', value: [0.5, 1] }] }],
    ['a holdout', { field: 'random_bucket', salt: 'spring', op: 'between', value: [0, 9] }],
    ['another segment', { field: 'segment', op: 'not_in', value: SEG_A }],
  ])('accepts %s', (_name, input) => {
    expect(checkDefinition(input)).toMatchObject({ ok: true });
  });

  it.each<[string, unknown, string]>([
    ['not an object', 'everyone', 'definition'],
    ['an empty all', { all: [] }, 'definition.all'],
    ['two group keys', { all: [{ field: 'gender', op: 'eq', value: 'male' }], any: [] }, 'definition'],
    ['an unknown field', { all: [{ field: 'gender', op: 'eq', value: 'male' }, { field: 'shoe_size', op: 'eq', value: 40 }] }, 'definition.all[1].field'],
    ['a wrong operator for the type', { all: [{ field: 'city', op: 'eq', value: 'x' }, { field: 'c', op: 'x' }, { field: 'order_count', op: 'has_any', value: 3 }] }, 'definition.all[2].op'],
    ['a bad value', { any: [{ field: 'gender', op: 'eq', value: 'robot' }] }, 'definition.any[0].value'],
    ['a bad list item', { not: { field: 'tags', op: 'has_any', value: ['nope'] } }, 'definition.not.value[0]'],
    ['a bad date', { field: 'created_at', op: 'before', value: '2026-02-30' }, 'definition.value'],
    ['a reversed range', { field: 'total_spent_fen', op: 'between', value: [500, 100] }, 'definition.value'],
    ['a fraction of days', { field: 'last_order_at', op: 'within_days', value: 1.5 }, 'definition.value'],
    ['an unknown key', { field: 'city', op: 'eq', value: 'x', extra: 1 }, 'definition.extra'],
    ['a key of another field', { field: 'city', op: 'eq', value: 'x', withinDays: 3 }, 'definition.withinDays'],
    ['an event without type', { field: 'event', op: 'gte', value: 1 }, 'definition.type'],
    ['a value where none is taken', { field: 'first_order_at', op: 'exists', value: 1 }, 'definition.value'],
    ['a bucket out of range', { field: 'random_bucket', salt: 's', op: 'between', value: [0, 100] }, 'definition.value[1]'],
  ])('refuses %s, naming the path', (_name, input, path) => {
    const checked = checkDefinition(input);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.errors.map((e) => e.path)).toContain(path);
  });

  it('refuses too deep a nesting', () => {
    let node: unknown = { field: 'gender', op: 'eq', value: 'male' };
    for (let i = 0; i < 10; i++) node = { not: node };
    expect(checkDefinition(node).ok).toBe(false);
  });

  const known = (segments: [string, SegmentNode][]) => ({ tagIds: new Set([TAG]), groupIds: new Set([GROUP]), segments: new Map(segments) });

  it('names unknown tags, groups and segments', () => {
    const def: SegmentNode = { all: [
      { field: 'tags', op: 'has_any', value: [TAG, '0190a5c4-0000-7000-8000-0000000000ff'] },
      { field: 'group', op: 'in', value: '0190a5c4-0000-7000-8000-0000000000fe' },
      { field: 'segment', op: 'in', value: SEG_B },
    ] };
    expect(checkReferences(def, known([])).map((e) => e.path)).toEqual(['definition.all[0].value[1]', 'definition.all[1].value', 'definition.all[2].value']);
    expect(referencesOf(def)).toMatchObject({ tagIds: [TAG, '0190a5c4-0000-7000-8000-0000000000ff'], segmentIds: [SEG_B] });
  });

  it('refuses a cycle between segments and a segment referring to itself', () => {
    // B refers to A; saving A with a reference to B closes the cycle A → B → A
    const b: SegmentNode = { field: 'segment', op: 'in', value: SEG_A };
    const a: SegmentNode = { any: [{ field: 'city', op: 'eq', value: '上海' }, { field: 'segment', op: 'not_in', value: SEG_B }] };
    const errors = checkReferences(a, known([[SEG_A, { field: 'city', op: 'eq', value: 'x' }], [SEG_B, b]]), SEG_A);
    expect(errors).toEqual([{ path: 'definition.any[1].value', message: expect.stringContaining('cycle'), code: 'segment_cycle', params: undefined }]);
    expect(checkReferences({ field: 'segment', op: 'in', value: SEG_A }, known([[SEG_A, b]]), SEG_A)[0]?.message).toContain('itself');
    // a new segment (no id yet) cannot close a cycle
    expect(checkReferences(a, known([[SEG_A, { field: 'city', op: 'eq', value: 'x' }], [SEG_B, b]]))).toEqual([]);
  });

  it('knows which segments the sweep must keep true', () => {
    const timeless: SegmentNode = { all: [{ field: 'gender', op: 'eq', value: 'female' }, { field: 'event', type: 'page_viewed', op: 'gte', value: 1 }] };
    const relative: SegmentNode = { field: 'last_order_at', op: 'within_days', value: 30 };
    expect(needsSweep(timeless, new Map())).toBe(false);
    expect(needsSweep(relative, new Map())).toBe(true);
    expect(needsSweep({ field: 'event', type: 'page_viewed', withinDays: 7, op: 'gte', value: 1 }, new Map())).toBe(true);
    expect(needsSweep({ field: 'lifecycle_stage', op: 'eq', value: 'active' }, new Map())).toBe(true);
    expect(needsSweep({ not: { field: 'segment', op: 'in', value: SEG_A } }, new Map([[SEG_A, relative]]))).toBe(true);
    expect(needsSweep({ field: 'segment', op: 'in', value: SEG_A }, new Map([[SEG_A, timeless]]))).toBe(false);
  });

  it('spreads holdout buckets evenly and stably', () => {
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 5000; i++) {
      const b = randomBucket(`0190a5c4-0000-7000-8000-${String(i).padStart(12, '0')}`, 'spring');
      counts[Math.floor(b / 10)] = (counts[Math.floor(b / 10)] ?? 0) + 1;
    }
    for (const n of counts) expect(n).toBeGreaterThan(400);
    expect(randomBucket(TAG, 'a')).toBe(randomBucket(TAG, 'a'));
  });
});
