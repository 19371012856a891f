// The restraint engine, templates and lift statistics, table-tested. Times in the tables are UTC;
// the default tenant zone is Asia/Shanghai (UTC+8), quiet hours 21:00–09:00 for marketing.
import { describe, expect, it } from 'vitest';
import { lift, meanDifference, proportionDifference } from '../../src/core/messaging/lift.rules.ts';
import { afterQuietHours, decide, holdoutBucket, holdoutDraw, inHoldout, type Candidate, type CustomerFacts, type SlotHolder } from '../../src/core/messaging/restraint.rules.ts';
import { DEFAULT_SETTINGS, MessagingSettings, settingsFrom } from '../../src/core/messaging/settings.rules.ts';
import { render, smsLength, unknownVariables, variablesOf } from '../../src/core/messaging/templates.rules.ts';

const t = (iso: string) => Date.parse(iso);
const NOW = t('2026-06-03T02:00:00Z'); // Wednesday 10:00 in Shanghai

function candidate(over: Partial<Candidate> = {}): Candidate {
  return { id: '0190-m-5', channel: 'wecom', purpose: 'marketing', priority: 50, sourceKind: 'mass_send', notBefore: NOW, ...over };
}
const facts = (over: Partial<CustomerFacts> = {}): CustomerFacts => ({ consent: null, timeZone: 'Asia/Shanghai', inGlobalHoldout: false, ...over });
const sent = (at: string, over: Partial<SlotHolder> = {}): SlotHolder => ({ id: `0190-s-${at}`, at: t(at), channel: 'wecom', purpose: 'marketing', priority: 50, state: 'sent', ...over });

describe('restraint engine: decide', () => {
  const withSettings = (over: Partial<MessagingSettings>) => ({ ...DEFAULT_SETTINGS, ...over });
  const table: { name: string; c: Candidate; f?: CustomerFacts; h?: SlotHolder[]; s?: MessagingSettings; now?: number; expected: ReturnType<typeof decide> }[] = [
    { name: 'a service message goes now', c: candidate({ purpose: 'service' }), expected: { verdict: 'send', at: NOW, movedBy: null } },
    { name: 'WeCom marketing without a recorded consent goes (WeCom is not in requireGrantFor)', c: candidate(), expected: { verdict: 'send', at: NOW, movedBy: null } },
    { name: 'SMS marketing needs a recorded grant', c: candidate({ channel: 'sms' }), expected: { verdict: 'drop', reason: 'no_consent' } },
    { name: 'SMS marketing with a grant goes', c: candidate({ channel: 'sms' }), f: facts({ consent: true }), expected: { verdict: 'send', at: NOW, movedBy: null } },
    { name: 'a withdrawn consent stops marketing', c: candidate(), f: facts({ consent: false }), expected: { verdict: 'drop', reason: 'consent_withdrawn' } },
    { name: 'a withdrawn consent does not stop a service message', c: candidate({ channel: 'sms', purpose: 'service' }), f: facts({ consent: false }), expected: { verdict: 'send', at: NOW, movedBy: null } },
    { name: 'the global control group gets no marketing', c: candidate(), f: facts({ inGlobalHoldout: true }), expected: { verdict: 'drop', reason: 'global_holdout' } },
    { name: 'marketing at 22:00 local waits for 09:00 the next morning', c: candidate({ notBefore: 0 }), now: t('2026-06-03T14:00:00Z'), expected: { verdict: 'send', at: t('2026-06-04T01:00:00Z'), movedBy: 'quiet_hours' } },
    { name: 'marketing at 07:00 local waits for 09:00 the same morning', c: candidate({ notBefore: 0 }), now: t('2026-06-02T23:00:00Z'), expected: { verdict: 'send', at: t('2026-06-03T01:00:00Z'), movedBy: 'quiet_hours' } },
    { name: 'a service message ignores quiet hours', c: candidate({ purpose: 'service' }), now: t('2026-06-03T14:00:00Z'), expected: { verdict: 'send', at: t('2026-06-03T14:00:00Z'), movedBy: null } },
    { name: 'quiet hours are the customer\'s: 22:00 in New York waits for 09:00 there', c: candidate(), f: facts({ timeZone: 'America/New_York' }), expected: { verdict: 'send', at: t('2026-06-03T13:00:00Z'), movedBy: 'quiet_hours' } },
    { name: 'the platform quota (1 a day) moves a second WeCom mass message to the next local morning', c: candidate(), h: [sent('2026-06-03T01:30:00Z')], expected: { verdict: 'send', at: t('2026-06-04T01:00:00Z'), movedBy: 'platform_quota_day' } },
    { name: 'the local day, not the UTC day: 23:30 UTC yesterday was today 07:30 in Shanghai', c: candidate(), h: [sent('2026-06-02T23:30:00Z')], expected: { verdict: 'send', at: t('2026-06-04T01:00:00Z'), movedBy: 'platform_quota_day' } },
    { name: 'yesterday\'s send leaves today free', c: candidate(), h: [sent('2026-06-02T15:00:00Z')], expected: { verdict: 'send', at: NOW, movedBy: null } },
    { name: 'the platform quota leaves email alone (one email yesterday and one today under a 2 per 7 days cap)', c: candidate({ channel: 'email' }), f: facts({ consent: true }), h: [sent('2026-06-03T01:30:00Z', { channel: 'email' })], expected: { verdict: 'send', at: NOW, movedBy: null } },
    { name: 'the cap (2 marketing per 7 days) moves the third to 7 days after the first', c: candidate(), h: [sent('2026-05-30T02:00:00Z'), sent('2026-06-01T03:00:00Z')], expected: { verdict: 'send', at: t('2026-06-06T02:00:00Z'), movedBy: 'frequency_cap' } },
    { name: 'service messages do not count toward the cap', c: candidate(), h: [sent('2026-05-30T02:00:00Z', { purpose: 'service' }), sent('2026-06-01T03:00:00Z', { purpose: 'service' })], expected: { verdict: 'send', at: NOW, movedBy: null } },
    { name: 'a source set to drop is dropped at the cap, with the cap as the reason', c: candidate(), h: [sent('2026-05-30T02:00:00Z'), sent('2026-06-01T03:00:00Z')], s: withSettings({ priorities: { ...DEFAULT_SETTINGS.priorities, bySource: { mass_send: 'drop' } } }), expected: { verdict: 'drop', reason: 'frequency_cap' } },
    { name: 'a source set to drop still waits out quiet hours', c: candidate(), now: t('2026-06-03T14:00:00Z'), s: withSettings({ priorities: { ...DEFAULT_SETTINGS.priorities, onCapReached: 'drop' } }), expected: { verdict: 'send', at: t('2026-06-04T01:00:00Z'), movedBy: 'quiet_hours' } },
    { name: 'a higher-priority message queued for today takes the slot: the lower one moves', c: candidate({ priority: 40 }), h: [sent('2026-06-03T03:00:00Z', { state: 'reserved', priority: 80 })], expected: { verdict: 'send', at: t('2026-06-04T01:00:00Z'), movedBy: 'platform_quota_day' } },
    { name: 'a lower-priority message queued for today does not block a higher one', c: candidate({ priority: 80 }), h: [sent('2026-06-03T03:00:00Z', { state: 'reserved', priority: 40 })], expected: { verdict: 'send', at: NOW, movedBy: null } },
    { name: 'equal priority: the one asked first keeps the slot', c: candidate({ id: '0190-z' }), h: [sent('2026-06-03T03:00:00Z', { id: '0190-a', state: 'reserved' })], expected: { verdict: 'send', at: t('2026-06-04T01:00:00Z'), movedBy: 'platform_quota_day' } },
    { name: 'equal priority: one asked later does not block', c: candidate({ id: '0190-a' }), h: [sent('2026-06-03T03:00:00Z', { id: '0190-z', state: 'reserved' })], expected: { verdict: 'send', at: NOW, movedBy: null } },
    { name: 'a message already sent holds its slot whatever its priority', c: candidate({ priority: 100 }), h: [sent('2026-06-03T01:30:00Z', { priority: 0 })], expected: { verdict: 'send', at: t('2026-06-04T01:00:00Z'), movedBy: 'platform_quota_day' } },
    { name: 'no slot within the reschedule horizon: dropped', c: candidate(), h: [sent('2026-05-30T02:00:00Z'), sent('2026-06-01T03:00:00Z')], s: withSettings({ priorities: { ...DEFAULT_SETTINGS.priorities, rescheduleWithinDays: 1 } }), expected: { verdict: 'drop', reason: 'no_slot' } },
    { name: 'a monthly quota used up moves to the 1st of next month, 09:00 local', c: candidate(), h: [sent('2026-06-01T02:00:00Z'), sent('2026-06-01T12:00:00Z')],
      s: withSettings({ platformQuota: { perDay: 5, perWeek: 70, perMonth: 2, channels: ['wecom'] }, frequencyCaps: [], priorities: { ...DEFAULT_SETTINGS.priorities, rescheduleWithinDays: 60 } }),
      expected: { verdict: 'send', at: t('2026-07-01T01:00:00Z'), movedBy: 'platform_quota_month' } },
    { name: 'a schedule in the future is kept', c: candidate({ notBefore: t('2026-06-05T04:00:00Z') }), expected: { verdict: 'send', at: t('2026-06-05T04:00:00Z'), movedBy: null } },
  ];
  for (const row of table) {
    it(row.name, () => {
      expect(decide(row.c, row.f ?? facts(), row.h ?? [], row.s ?? DEFAULT_SETTINGS, row.now ?? NOW)).toEqual(row.expected);
    });
  }

  it('quiet hours that do not cross midnight (12:00–14:00 lunch)', () => {
    const quiet = { enabled: true, start: '12:00', end: '14:00', appliesTo: 'marketing' as const };
    expect(afterQuietHours(t('2026-06-03T04:30:00Z'), 'Asia/Shanghai', quiet)).toBe(t('2026-06-03T06:00:00Z'));
    expect(afterQuietHours(t('2026-06-03T06:00:00Z'), 'Asia/Shanghai', quiet)).toBe(t('2026-06-03T06:00:00Z'));
    expect(afterQuietHours(t('2026-06-03T04:30:00Z'), 'Asia/Shanghai', { ...quiet, enabled: false })).toBe(t('2026-06-03T04:30:00Z'));
  });
});

describe('settings', () => {
  it('validates and names the field', () => {
    const bad = MessagingSettings.safeParse({ ...DEFAULT_SETTINGS, quietHours: { ...DEFAULT_SETTINGS.quietHours, start: '25:00' } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['quietHours', 'start']);
    const caps = MessagingSettings.safeParse({ ...DEFAULT_SETTINGS, frequencyCaps: [{ channel: 'fax', max: 2, days: 7 }] });
    expect(caps.error?.issues[0]?.path).toEqual(['frequencyCaps', 0, 'channel']);
  });
  it('reads an old stored row over the defaults', () => {
    expect(settingsFrom({ globalHoldoutPercent: 5 })).toEqual({ ...DEFAULT_SETTINGS, globalHoldoutPercent: 5 });
    expect(settingsFrom(null)).toEqual(DEFAULT_SETTINGS);
  });
});

describe('holdouts', () => {
  it('is stable per customer and close to the share asked', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`);
    const held = ids.filter((id) => inHoldout('campaign:x', id, 10)).length;
    expect(held).toBeGreaterThan(1_800);
    expect(held).toBeLessThan(2_200);
    expect(holdoutBucket('campaign:x', ids[7] ?? '')).toBe(holdoutBucket('campaign:x', ids[7] ?? ''));
    expect(ids.filter((id) => inHoldout('campaign:x', id, 0))).toHaveLength(0);
    // another campaign holds out other customers
    const other = ids.filter((id) => inHoldout('campaign:y', id, 10));
    expect(other.filter((id) => inHoldout('campaign:x', id, 10)).length).toBeLessThan(400);
  });

  it('draws the same buckets when the salt is hashed once for many customers (the planner\'s way)', () => {
    // buckets as the engine has drawn them so far: a customer stays in or out of a running campaign's holdout
    expect(holdoutBucket('campaign:01a23030-f2d6-7465-8848-4ba79f0f59ac', '01a23030-f2d6-7465-8848-4ba79f0f59ad')).toBe(5401);
    expect(holdoutBucket('global:t', 'c1')).toBe(6607);
    const ids = Array.from({ length: 5_000 }, (_, i) => `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`);
    for (const percent of [0, 2.5, 10, 50]) {
      const draw = holdoutDraw('campaign:x', percent);
      expect(ids.filter((id) => draw(id))).toEqual(ids.filter((id) => inHoldout('campaign:x', id, percent)));
    }
  });
});

describe('templates', () => {
  it('finds variables and refuses an unknown one by name and field', () => {
    expect(variablesOf('{name}你好，{ store }的{guide}为你留了券 {couponCode}')).toEqual({ known: ['name', 'store', 'guide', 'couponCode'], unknown: [] });
    expect(unknownVariables({ wecom: { text: '{name} 你好' }, sms: { text: '【鱼池】{nickname}，{name}' } }))
      .toEqual([{ path: 'content.sms.text', message: expect.stringContaining('unknown variable {nickname}') as string, code: 'unknown_variable', params: expect.objectContaining({ variable: '{nickname}' }) as object }]);
  });
  it('fills per channel', () => {
    const content = { wecom: { text: '{name}，{store}上新了', attachments: [{ kind: 'image' as const, url: 'https://x/1.jpg' }] }, email: { subject: '{name}的专属券', body: '券码 {couponCode}' } };
    const values = { name: '陈美', store: '福田中心店', couponCode: 'AB12' };
    expect(render(content, 'wecom', values)).toEqual({ text: '陈美，福田中心店上新了', attachments: [{ kind: 'image', url: 'https://x/1.jpg' }] });
    expect(render(content, 'email', values)).toEqual({ subject: '陈美的专属券', text: '券码 AB12' });
    expect(render(content, 'sms', values)).toBeNull();
  });
  const sms: [string, string, { characters: number; segments: number; encoding: string }][] = [
    ['70 Chinese characters fit one message', '鱼'.repeat(70), { characters: 70, segments: 1, encoding: 'ucs2' }],
    ['71 split into parts of 67', '鱼'.repeat(71), { characters: 71, segments: 2, encoding: 'ucs2' }],
    ['134 is two parts', '鱼'.repeat(134), { characters: 134, segments: 2, encoding: 'ucs2' }],
    ['135 is three', '鱼'.repeat(135), { characters: 135, segments: 3, encoding: 'ucs2' }],
    ['an emoji is one character', '🐟'.repeat(70), { characters: 70, segments: 1, encoding: 'ucs2' }],
    ['plain Latin: 160 in one', 'a'.repeat(160), { characters: 160, segments: 1, encoding: 'gsm7' }],
    ['plain Latin: 161 is two of 153', 'a'.repeat(161), { characters: 161, segments: 2, encoding: 'gsm7' }],
    ['one Chinese character makes the whole text UCS-2', `${'a'.repeat(69)}鱼`, { characters: 70, segments: 1, encoding: 'ucs2' }],
  ];
  for (const [name, text, expected] of sms) it(`SMS length: ${name}`, () => expect(smsLength(text)).toMatchObject(expected));
});

describe('lift statistics', () => {
  it('difference of conversion rates with a 95% interval', () => {
    const ci = proportionDifference({ n: 1000, k: 120 }, { n: 1000, k: 100 });
    expect(ci?.difference).toBeCloseTo(0.02, 10);
    expect(ci?.low).toBeCloseTo(-0.00741, 4);
    expect(ci?.high).toBeCloseTo(0.04741, 4);
  });
  it('difference of revenue per customer (Welch)', () => {
    // treated spends 1, 2, 3 (mean 2, variance 1); held out 0, 0, 0, 4 (mean 1, variance 4)
    const ci = meanDifference({ n: 3, sum: 6, squares: 14 }, { n: 4, sum: 4, squares: 16 });
    expect(ci?.difference).toBe(1);
    expect(ci?.low).toBeCloseTo(-1.2632, 3);
    expect(ci?.high).toBeCloseTo(3.2632, 3);
  });
  it('no interval with fewer than two customers in a group', () => {
    expect(proportionDifference({ n: 1, k: 1 }, { n: 100, k: 3 })).toBeNull();
    const l = lift({ customers: 0, converted: 0, revenueFen: 0, revenueSquaresFen2: 0 }, { customers: 10, converted: 1, revenueFen: 500, revenueSquaresFen2: 250_000 });
    expect(l).toMatchObject({ treatedRate: 0, heldOutRate: 0.1, conversion: null, heldOutRevenuePerCustomerFen: 50, revenuePerCustomer: null });
  });
});
