// The pure group rules, table by table: health classes and shapes with their reasons and actions,
// the pattern checks of auto-reply and moderation, judging a message, series names.
import { describe, expect, it } from 'vitest';
import { classifyWeek, groupShape, isoWeekStart, type GroupFacts, type WeekFigures } from '../../src/core/groups/health.rules.ts';
import { compileRule, fillTemplate, hasLink, judgeMessage, nextGroupName, patternProblem, type GroupRule } from '../../src/core/groups/moderation.rules.ts';

const quiet: WeekFigures = {
  members: 200, joins: 0, leaves: 0, messages: 0, staffMessages: 0, ownerMessages: 0, activeMembers: 0, replies: 0,
  memberReplies: 0, staffReplies: 0, memberLinks: 0, flaggedMessages: 0,
};
const week = (w: Partial<WeekFigures>): WeekFigures => ({ ...quiet, ...w });
const valueGroup: GroupFacts = { kind: 'value', capacity: 500, ageDays: 60 };

describe('classifyWeek', () => {
  it.each<[string, Partial<WeekFigures>, GroupFacts, string, string, string[], string[]]>([
    // name, figures, group, class, shape, reason codes, actions
    ['silent group: dead, revive', { messages: 0 }, valueGroup, 'dead', 'unknown', ['no_member_messages', 'leave_share_low'], ['revive']],
    ['only the owner posts: dead, hub', { messages: 20, staffMessages: 20, ownerMessages: 20 }, valueGroup, 'dead', 'hub_and_spoke',
      ['no_member_messages', 'owner_talks', 'leave_share_low'], ['revive']],
    ['two member lines from one member: dead', { messages: 2, activeMembers: 1 }, valueGroup, 'dead', 'unknown', ['few_member_messages', 'few_replies', 'leave_share_low'], ['revive']],
    ['finished group-buy group: dissolve', { messages: 0 }, { kind: 'group_buy', capacity: 500, ageDays: 30 }, 'dead', 'unknown', ['no_member_messages', 'leave_share_low'], ['dissolve']],
    ['young group-buy group: revive, not dissolve', { messages: 0 }, { kind: 'group_buy', capacity: 500, ageDays: 5 }, 'dead', 'unknown', ['no_member_messages', 'leave_share_low'], ['revive']],
    ['members post links: spam', { messages: 40, staffMessages: 5, activeMembers: 12, memberLinks: 15 }, valueGroup, 'spam', 'unknown', ['spam_share_high', 'few_replies'], ['clean_spam']],
    ['flagged messages count as spam', { messages: 20, activeMembers: 8, memberLinks: 2, flaggedMessages: 5 }, valueGroup, 'spam', 'unknown', ['spam_share_high', 'few_replies'], ['clean_spam']],
    ['lively and members answer members: value, mesh', { messages: 300, staffMessages: 60, activeMembers: 45, replies: 100, memberReplies: 70, staffReplies: 30 }, valueGroup,
      'value', 'mesh', ['active_share_high', 'member_share_high', 'mesh_replies'], []],
    ['active but every answer goes to the owner: chicken rib, hub', { messages: 200, staffMessages: 80, activeMembers: 40, replies: 50, memberReplies: 5, staffReplies: 45 }, valueGroup,
      'chicken_rib', 'hub_and_spoke', ['hub_replies', 'leave_share_low'], ['revive', 'spark_conversation']],
    ['silent majority, low leave: chicken rib', { messages: 60, staffMessages: 40, activeMembers: 6, replies: 2, leaves: 1 }, valueGroup,
      'chicken_rib', 'hub_and_spoke', ['active_share_low', 'member_share_low', 'owner_talks', 'leave_share_low'], ['revive', 'spark_conversation']],
    ['silent and leaving', { messages: 30, staffMessages: 10, activeMembers: 5, leaves: 20, members: 180 }, valueGroup,
      'chicken_rib', 'unknown', ['active_share_low', 'few_replies', 'leave_share_high'], ['revive']],
    ['a full lively group: split', { members: 480, messages: 500, staffMessages: 50, activeMembers: 100, replies: 100, memberReplies: 80 }, valueGroup,
      'value', 'mesh', ['active_share_high', 'member_share_high', 'mesh_replies', 'near_capacity'], ['split']],
  ])('%s', (_name, figures, group, cls, shape, reasons, actions) => {
    const v = classifyWeek(week(figures), group);
    expect(v.class).toBe(cls);
    expect(v.shape).toBe(shape);
    expect(v.reasons.map((r) => r.code)).toEqual(reasons);
    expect(v.actions).toEqual(actions);
  });

  it('caps the spam share when links are also flagged', () => {
    const v = classifyWeek(week({ messages: 8, activeMembers: 8, memberLinks: 8, flaggedMessages: 8 }), valueGroup);
    expect(v.reasons[0]).toEqual({ code: 'spam_share_high', values: { share: 1, links: 8, flagged: 8, threshold: 0.3 } });
  });

  it('shows the figures and threshold behind a reason', () => {
    const v = classifyWeek(week({ messages: 60, staffMessages: 40, activeMembers: 6, replies: 2 }), valueGroup);
    expect(v.reasons[0]).toEqual({ code: 'active_share_low', values: { share: 0.03, activeMembers: 6, members: 200, threshold: 0.1 } });
  });
});

describe('groupShape', () => {
  it.each<[Partial<WeekFigures>, string]>([
    [{ messages: 50, replies: 10, memberReplies: 4, staffReplies: 6 }, 'mesh'],
    [{ messages: 50, replies: 10, memberReplies: 3, staffReplies: 7 }, 'hub_and_spoke'],
    [{ messages: 50, staffMessages: 30, replies: 4, memberReplies: 4 }, 'hub_and_spoke'],
    [{ messages: 50, staffMessages: 29, replies: 4, memberReplies: 4 }, 'unknown'],
    [{ messages: 0 }, 'unknown'],
  ])('%o → %s', (figures, shape) => {
    expect(groupShape(week(figures)).shape).toBe(shape);
  });
});

describe('isoWeekStart', () => {
  it.each([['2026-11-30', '2026-11-30'], ['2026-12-06', '2026-11-30'], ['2026-12-01', '2026-11-30'], ['2027-01-01', '2026-12-28']])('%s → %s', (d, w) => {
    expect(isoWeekStart(d)).toBe(w);
  });
});

describe('patternProblem', () => {
  it.each<[GroupRule['match'], string, RegExp | null]>([
    ['keyword', '优惠, 团购', null],
    ['keyword', '   ', /must not be empty/],
    ['keyword', 'x'.repeat(201), /at most 200/],
    ['regex', '^(退款|退货)', null],
    ['regex', '加\\s*微信\\s*\\d{5,}', null],
    ['regex', '(a+)+$', /exponential/],
    ['regex', '(x|x)*y', null],
    ['regex', '([a-z]*)*', /exponential/],
    ['regex', '(unclosed', /not a valid regular expression/],
    ['regex', '[z-a]', /not a valid regular expression/],
    ['any_link', '', null],
  ])('%s %s', (match, pattern, problem) => {
    const found = patternProblem(match, pattern);
    if (problem === null) expect(found).toBeNull();
    else expect(found?.message).toMatch(problem);
  });
});

describe('judging a member message', () => {
  const rule = (r: Partial<GroupRule> & Pick<GroupRule, 'id' | 'kind' | 'match' | 'action'>): GroupRule => ({ name: r.id, groupId: null, pattern: '', replyTemplate: '', ...r });
  const rules = [
    rule({ id: 'hours', kind: 'auto_reply', match: 'keyword', pattern: '营业时间,几点开门', action: 'reply', replyTemplate: '{nickname}您好，{group}门店 8:00–22:00 营业' }),
    rule({ id: 'refund', kind: 'auto_reply', match: 'regex', pattern: '^(退款|退货)', action: 'reply', replyTemplate: '请私信店长' }),
    rule({ id: 'links', kind: 'link', match: 'any_link', action: 'flag' }),
    rule({ id: 'ads', kind: 'banned_word', match: 'keyword', pattern: '代购 刷单', action: 'remove' }),
    rule({ id: 'g2-only', groupId: 'g2', kind: 'auto_reply', match: 'keyword', pattern: '营业时间', action: 'reply', replyTemplate: '本群专属' }),
  ].map(compileRule);

  it.each<[string, string, string | null, string[], string | null]>([
    // group, text, reply rule, moderated rules, remove rule
    ['g1', '请问营业时间？', 'hours', [], null],
    ['g2', '请问营业时间？', 'g2-only', [], null],
    ['g1', '退款怎么办', 'refund', [], null],
    ['g1', '我要退款', null, [], null],
    ['g1', '看这里 https://spam.example.com 便宜', null, ['links'], null],
    ['g1', '专业代购，私聊 www.buy.cn', null, ['links', 'ads'], 'ads'],
    ['g1', '今天的芒果真甜', null, [], null],
  ])('%s: %s', (group, text, reply, moderated, remove) => {
    const j = judgeMessage(rules, group, text);
    expect(j.reply?.id ?? null).toBe(reply);
    expect(j.moderated.map((r) => r.id)).toEqual(moderated);
    expect(j.flagged).toBe(moderated.length > 0);
    expect(j.remove?.id ?? null).toBe(remove);
  });

  it('fills the reply template', () => {
    expect(fillTemplate('{nickname}您好，{group}门店', { nickname: '陈美', group: '福田鲜果群' })).toBe('陈美您好，福田鲜果群门店');
  });
});

describe('links and series names', () => {
  it.each([['https://a.b/c', true], ['www.youzan.com/x', true], ['加我 vx123.top', true], ['价格 12.5 元', false], ['今天到了车厘子', false]])('%s has link: %s', (text, found) => {
    expect(hasLink(text)).toBe(found);
  });
  it.each([['福田鲜果群', 2, '福田鲜果 2 群'], ['福田鲜果 1 群', 2, '福田鲜果 2 群'], ['福田鲜果 2 群', 3, '福田鲜果 3 群'], ['VIP Club', 2, 'VIP Club 2 群']])('%s → %s', (name, seq, next) => {
    expect(nextGroupName(name, seq)).toBe(next);
  });
});
