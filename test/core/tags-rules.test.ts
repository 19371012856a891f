import { describe, expect, it } from 'vitest';
import { YuchiError } from '../../src/core/errors.ts';
import {
  evaluationOrder, exclusiveClash, findCycle, parseRule, precedingInGroup, referencedTags, ruleDependencies, windowsOf, withDependents,
  type GroupedTag, type RuleTagNode,
} from '../../src/core/tags/tags.rules.ts';
import { parseAnswers, parseQuestions } from '../../src/core/forms/forms.rules.ts';

const A = '0190c3c0-0000-7000-8000-00000000000a';
const B = '0190c3c0-0000-7000-8000-00000000000b';
const C = '0190c3c0-0000-7000-8000-00000000000c';
const D = '0190c3c0-0000-7000-8000-00000000000d';

function problems(input: unknown): { path: string; message: string; code?: string | undefined }[] {
  try {
    parseRule(input);
  } catch (err) {
    if (err instanceof YuchiError) return err.details;
    throw err;
  }
  return [];
}

describe('the rule language', () => {
  it.each([
    ['VIP: spent ≥ ¥2,000 in 90 days', { metric: 'spent_fen', windowDays: 90, op: '>=', value: 200_000 }],
    ['高频: order days ≥ 4 in 30 days', { metric: 'order_days', windowDays: 30, op: '>=', value: 4 }],
    ['沉睡: no order in 60 days but ordered before', { all: [{ noOrderWithinDays: 60 }, { metric: 'order_count', op: '>=', value: 1 }] }],
    ['any / not / identity / channel / store', { any: [{ identity: 'phone' }, { sourceChannel: 'store_qr' }], not: { storeId: A } }],
    ['hasTag', { all: [{ hasTag: A }, { lastOrderWithinDays: 7 }] }],
  ])('accepts %s and reads it back unchanged', (_name, rule) => {
    expect(parseRule(rule)).toEqual(rule);
  });

  it.each([
    [{ all: [{ metric: 'spent_fen', op: '>=', value: 1 }, { metric: 'spent_fen', op: '≥', value: 1 }] }, 'rule.all[1].op', 'must be one of >=, >, <=, <, ='],
    [{ metric: 'gmv', op: '>=', value: 1 }, 'rule.metric', 'must be one of spent_fen, order_count, order_days'],
    [{ metric: 'spent_fen', windowDays: 0, op: '>=', value: 1 }, 'rule.windowDays', 'must be a whole number of days, 1–3650'],
    [{ metric: 'spent_fen', windowDays: 3651, op: '>=', value: 1 }, 'rule.windowDays', 'must be a whole number of days, 1–3650'],
    [{ metric: 'order_count', op: '>=', value: -1 }, 'rule.value', 'must be a whole number ≥ 0'],
    [{ metric: 'order_count', op: '>=', value: 1.5 }, 'rule.value', 'must be a whole number ≥ 0'],
    [{ any: [] }, 'rule.any', 'must be a non-empty list of rules'],
    [{ not: { hasTag: 'vip' } }, 'rule.not.hasTag', 'must be a tag id (UUID)'],
    [{ identity: 'email' }, 'rule.identity', 'must be one of unionid, openid, external_userid, phone, member_no'],
    [{ hasTag: A, storeId: B }, 'rule', 'give one condition per object, not hasTag and storeId'],
    [{ all: [{ hasTag: A }], hasTag: B }, 'rule', 'a condition (hasTag) cannot also have all'],
    [{ lastOrderWithinDays: 7, extra: 1 }, 'rule.extra', 'is not allowed with lastOrderWithinDays'],
    [{}, 'rule', 'must have one of all, any, not, metric, lastOrderWithinDays, noOrderWithinDays, hasTag, identity, sourceChannel, storeId'],
    ['VIP', 'rule', 'must be an object'],
  ])('refuses %j at %s', (rule, path, message) => {
    expect(problems(rule)[0]).toMatchObject({ path, message });
    // with a code the console words
    expect(problems(rule)[0]?.code).toMatch(/^[a-z_]+$/);
  });

  it('names every problem, not only the first', () => {
    const found = problems({ all: [{ metric: 'spent_fen', op: '>=', value: -5 }, { noOrderWithinDays: 'sixty' }] });
    expect(found.map((p) => p.path)).toEqual(['rule.all[0].value', 'rule.all[1].noOrderWithinDays']);
  });

  it('limits depth', () => {
    let rule: unknown = { hasTag: A };
    for (let i = 0; i < 7; i++) rule = { not: rule };
    expect(problems(rule)[0]?.message).toBe('rules nest at most 6 deep');
  });

  it('lists the tags and day windows a rule needs', () => {
    const rule = parseRule({ all: [{ hasTag: A }, { any: [{ hasTag: B }, { hasTag: A }] }, { metric: 'spent_fen', windowDays: 90, op: '>', value: 0 }, { noOrderWithinDays: 30 }, { lastOrderWithinDays: 90 }] });
    expect(referencedTags(rule).sort()).toEqual([A, B].sort());
    expect(windowsOf(rule)).toEqual([30, 90]);
  });
});

const node = (id: string, rule: unknown, group = 'g1', exclusive = false): RuleTagNode => ({ id, name: id.slice(-1), groupId: group, exclusive, rule: parseRule(rule) });

describe('evaluation order of rule tags', () => {
  it('puts a tag after the tags its rule asks about, otherwise keeps creation order', () => {
    const tags = [node(A, { hasTag: C }), node(B, { lastOrderWithinDays: 7 }), node(C, { hasTag: B })];
    expect(evaluationOrder(tags)).toEqual({ order: [B, C, A], cycle: undefined });
  });

  it('in an exclusive group, a later rule tag waits for the earlier ones, which take precedence', () => {
    const tags = [node(A, { lastOrderWithinDays: 7 }, 'life', true), node(B, { noOrderWithinDays: 60 }, 'life', true), node(C, { noOrderWithinDays: 30 }, 'other', true)];
    expect(ruleDependencies(tags).get(B)).toEqual([A]);
    expect(precedingInGroup(tags, B)).toEqual([A]);
    expect(precedingInGroup(tags, C)).toEqual([]);
    expect(precedingInGroup([node(A, { hasTag: D }), node(B, { hasTag: D })], B)).toEqual([]);
  });

  it('reports a cycle through hasTag and still orders every tag', () => {
    const tags = [node(A, { hasTag: B }), node(B, { hasTag: C }), node(C, { hasTag: A }), node(D, { lastOrderWithinDays: 1 })];
    const { order, cycle } = evaluationOrder(tags);
    expect(order).toEqual([D, A, B, C]);
    expect(cycle).toEqual([A, B, C, A]);
    expect(findCycle(new Map([[A, [A]]]), [A])).toEqual([A, A]);
  });

  it('finds the tags to re-evaluate after a change: the tag and what depends on it', () => {
    const tags = [node(A, { hasTag: B }), node(B, { lastOrderWithinDays: 7 }), node(C, { hasTag: A }), node(D, { lastOrderWithinDays: 1 })];
    expect(withDependents(tags, B)).toEqual([B, A, C]);
    expect(withDependents(tags, D)).toEqual([D]);
  });
});

describe('exclusive groups', () => {
  const tag = (id: string, groupId: string, exclusive: boolean): GroupedTag => ({ id, name: id.slice(-1), groupId, groupName: groupId, exclusive });

  it('refuses two tags of one exclusive group in one change, allows them in an ordinary group', () => {
    expect(exclusiveClash([tag(A, 'skin', true), tag(B, 'wish', true), tag(C, 'skin', true)])?.map((t) => t.id)).toEqual([A, C]);
    expect(exclusiveClash([tag(A, 'skin', false), tag(C, 'skin', false)])).toBeUndefined();
    expect(exclusiveClash([tag(A, 'skin', true), tag(A, 'skin', true)])).toBeUndefined();
  });
});

describe('questionnaire codebooks', () => {
  const questions = parseQuestions([
    { id: 'concern', text: '主要肌肤困扰', type: 'single', options: [{ code: '1', label: '干燥' }, { code: '3', label: '痘痘', tagId: A }] },
    { id: 'wish', text: '最想解决', type: 'multi', options: [{ code: 'C', label: '美白' }, { code: 'D', label: '祛痘', tagId: B }] },
    { id: 'note', text: '其他', type: 'text' },
  ]);

  it('reads answers and the options chosen, with their tags', () => {
    const { answers, chosen } = parseAnswers(questions, { concern: '3', wish: ['D', 'C'], note: '夏天出油' });
    expect(answers).toEqual({ concern: '3', wish: ['D', 'C'], note: '夏天出油' });
    expect(chosen).toEqual([
      { questionId: 'concern', code: '3', tagId: A },
      { questionId: 'wish', code: 'D', tagId: B },
      { questionId: 'wish', code: 'C', tagId: undefined },
    ]);
  });

  it.each([
    [{ concern: '9' }, 'answers.concern', 'unknown option code "9" (options: 1, 3)'],
    [{ wish: ['D', 'X'] }, 'answers.wish', 'unknown option code "X" (options: C, D)'],
    [{ wish: 'D' }, 'answers.wish', 'must be a non-empty list of option codes'],
    [{ wish: ['D', 'D'] }, 'answers.wish', 'repeats an option code'],
    [{ age: '30' }, 'answers.age', 'no such question in this questionnaire'],
    [{ note: 42 }, 'answers.note', 'must be text of at most 2000 characters'],
    [{}, 'answers', 'answer at least one question'],
  ])('refuses %j at %s', (answers, path, message) => {
    // (with a code and its values for the console's wording)
    expect(() => parseAnswers(questions, answers)).toThrow(expect.objectContaining({ details: [expect.objectContaining({ path, message, code: expect.any(String) })] }));
  });

  it.each([
    [[{ id: 'q', text: 'x', type: 'single', options: [{ code: 'A', label: 'a' }, { code: 'A', label: 'b' }] }], 'questions[0].options[1].code', 'repeats option code A in this question'],
    [[{ id: 'q', text: 'x', type: 'single', options: [] }], 'questions[0].options', 'a single question needs options'],
    [[{ id: 'q', text: 'x', type: 'text', options: [{ code: 'A', label: 'a' }] }], 'questions[0].options', 'a text question has no options'],
    [[{ id: 'q', text: 'x', type: 'text' }, { id: 'q', text: 'y', type: 'text' }], 'questions[1].id', 'repeats question id q'],
    [[{ id: 'q', text: 'x', type: 'single', options: [{ code: 'A', label: 'a', tagId: 'vip' }] }], 'questions[0].options[0].tagId', 'must be a tag id (UUID)'],
    [[{ id: 'q', text: 'x', type: 'rating' }], 'questions[0].type', 'must be one of single, multi, text'],
    [[], 'questions', 'must be a list of 1–100 questions'],
  ])('refuses questions %j at %s', (input, path, message) => {
    // (details also carry a code and its values for the console's wording)
    expect(() => parseQuestions(input)).toThrow(expect.objectContaining({ details: expect.arrayContaining([expect.objectContaining({ path, message, code: expect.any(String) })]) }));
  });
});
