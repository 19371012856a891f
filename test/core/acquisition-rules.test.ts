// The acquisition and workbench rules as tables: staff picking, working hours, welcome texts,
// rotation checks, nearest open store, the till's prompt, the transfer limit, birthday days.
import { describe, expect, it } from 'vitest';
import {
  distanceKm, localMinutes, nearestOpenStore, pickStaff, renderWelcome, rotationProblems, unknownVariables, withinHours, type RotationLoad,
} from '../../src/core/acquisition/acquisition.rules.ts';
import { posActions, transferRefusal, weekMonthDays, type PosFacts } from '../../src/core/workbench/workbench.rules.ts';
import type { RotationMember } from '../../src/db/schema.ts';

const m = (staffId: string, dailyCap: number | null, backup = false): RotationMember => ({ staffId, dailyCap, backup, qrUrl: `https://qr.example/${staffId}` });
const load = (entries: Readonly<Record<string, readonly [number, number]>>): Map<string, RotationLoad> =>
  new Map(Object.entries(entries).map(([id, [scansToday, addsToday]]) => [id, { scansToday, addsToday }]));
const everyone = new Set(['a', 'b', 'c', 'z']);

describe('pickStaff', () => {
  const rotation = [m('a', 2), m('b', 2), m('z', null, true)];
  it.each([
    ['no load: the first regular member', rotation, {}, true, everyone, { staffId: 'a', why: 'rotation' }],
    ['the least scanned regular member', rotation, { a: [3, 1], b: [1, 0] }, true, everyone, { staffId: 'b', why: 'rotation' }],
    ['same scans: fewer adds wins', rotation, { a: [2, 1], b: [2, 0] }, true, everyone, { staffId: 'b', why: 'rotation' }],
    ['a capped member is passed over however idle', rotation, { a: [0, 2], b: [9, 1] }, true, everyone, { staffId: 'b', why: 'rotation' }],
    ['all regular members capped: the backup', rotation, { a: [5, 2], b: [5, 2] }, true, everyone, { staffId: 'z', why: 'backup' }],
    ['off-hours: the backup even with regulars free', rotation, {}, false, everyone, { staffId: 'z', why: 'backup' }],
    ['a resigned regular never answers', rotation, {}, true, new Set(['b', 'z']), { staffId: 'b', why: 'rotation' }],
    ['everyone capped, backups too', [m('a', 1), m('y', 1, true)], { a: [1, 1], y: [1, 1] }, true, new Set(['a', 'y']), { staffId: null, reason: 'all_capped' }],
    ['off-hours with no backup', [m('a', null)], {}, false, everyone, { staffId: null, reason: 'all_capped' }],
    ['nobody active', rotation, {}, true, new Set<string>(), { staffId: null, reason: 'no_staff' }],
  ] as const)('%s', (_name, rot, l, inHours, active, expected) => {
    expect(pickStaff({ rotation: rot, load: load(l), active, inHours })).toMatchObject(expected);
  });

  it('spreads a burst of scans over the rotation', () => {
    const counts = new Map<string, RotationLoad>();
    const picked: string[] = [];
    for (let i = 0; i < 6; i++) {
      const p = pickStaff({ rotation: [m('a', null), m('b', null), m('c', null)], load: counts, active: everyone, inHours: true });
      if (p.staffId === null) throw new Error('no pick');
      picked.push(p.staffId);
      const held = counts.get(p.staffId) ?? { scansToday: 0, addsToday: 0 };
      counts.set(p.staffId, { ...held, scansToday: held.scansToday + 1 });
    }
    expect(picked).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });
});

describe('working hours', () => {
  it.each([
    [9 * 60, '09:00', '21:00', true],
    [8 * 60 + 59, '09:00', '21:00', false],
    [21 * 60, '09:00', '21:00', false],
    [23 * 60, '22:00', '06:00', true],
    [5 * 60, '22:00', '06:00', true],
    [12 * 60, '22:00', '06:00', false],
    [3, null, null, true],
  ] as const)('%i minutes in %s–%s: %s', (minutes, from, to, expected) => {
    expect(withinHours(minutes, from, to)).toBe(expected);
  });

  it.each([
    ['2026-06-01T01:30:00Z', 'Asia/Shanghai', 9 * 60 + 30],
    ['2026-06-01T17:00:00Z', 'Asia/Shanghai', 60],
    ['2026-06-01T12:00:00Z', 'America/New_York', 8 * 60],
  ])('%s in %s is %i local minutes', (at, zone, expected) => {
    expect(localMinutes(new Date(at), zone)).toBe(expected);
  });
});

describe('welcome texts', () => {
  it.each([
    ['你好 {nickname}，我是{store}的{guide}', '', '你好 小美，我是福田店的李娜'],
    ['欢迎 {nickname}！送你 ¥5 券', '果果', '欢迎 小美！送你 ¥5 券\n—— 果果'],
    ['{nickname}{nickname}', '  ', '小美小美'],
  ])('%s signed %s', (template, persona, expected) => {
    expect(renderWelcome(template, persona, { nickname: '小美', store: '福田店', guide: '李娜' })).toBe(expected);
  });

  it.each([
    ['你好 {nickname}', []],
    ['你好 {name} {guide} {coupon}', ['name', 'coupon']],
    ['{}', ['']],
  ])('unknown variables of %s', (template, expected) => {
    expect(unknownVariables(template)).toEqual(expected);
  });
});

describe('rotation checks', () => {
  it.each([
    ['no staff', [], ['rotation']],
    ['a member twice', [m('a', 1), m('a', 2)], ['rotation.1.staffId']],
    ['inactive staff', [m('a', 1), m('q', 1)], ['rotation.1.staffId']],
    ['only backups', [m('a', 1, true)], ['rotation']],
    ['fine', [m('a', 1), m('z', null, true)], []],
  ] as const)('%s', (_name, rotation, paths) => {
    expect(rotationProblems(rotation, everyone).map((p) => p.path)).toEqual(paths);
  });
  it('says why a rotation with no staff is refused', () => {
    expect(rotationProblems([], everyone)[0]?.message).toMatch(/no staff/);
  });
});

describe('nearest open store', () => {
  // 福田 and 南山 in 深圳, about 10.9 km apart; one far store in 广州.
  const stores = [
    { id: 'futian', latitude: 22.541, longitude: 114.0579, opensAt: '08:00', closesAt: '22:00', status: 'open' as const },
    { id: 'nanshan', latitude: 22.5405, longitude: 113.951, opensAt: '10:00', closesAt: '22:30', status: 'open' as const },
    { id: 'closed', latitude: 22.542, longitude: 114.058, opensAt: null, closesAt: null, status: 'closed' as const },
    { id: 'nowhere', latitude: null, longitude: null, opensAt: null, closesAt: null, status: 'open' as const },
    { id: 'guangzhou', latitude: 23.1291, longitude: 113.2644, opensAt: null, closesAt: null, status: 'open' as const },
  ];
  it.each([
    ['near 福田 at noon', { lat: 22.54, lng: 114.05 }, 10, 12 * 60, 'futian'],
    ['near 南山 at noon', { lat: 22.54, lng: 113.96 }, 10, 12 * 60, 'nanshan'],
    ['near 福田 at 22:15: only 南山 is still open', { lat: 22.54, lng: 114.05 }, 15, 22 * 60 + 15, 'nanshan'],
    ['near 福田 at 22:15 within 5 km: none', { lat: 22.54, lng: 114.05 }, 5, 22 * 60 + 15, null],
    ['in 广州', { lat: 23.13, lng: 113.26 }, 10, 3 * 60, 'guangzhou'],
  ])('%s', (_name, at, radius, minutes, expected) => {
    expect(nearestOpenStore(stores, at, radius, minutes)?.store.id ?? null).toBe(expected);
  });
  it('measures great-circle distances', () => {
    expect(distanceKm({ lat: 22.541, lng: 114.0579 }, { lat: 22.5405, lng: 113.951 })).toBeCloseTo(10.99, 1);
    expect(distanceKm({ lat: 39.9042, lng: 116.4074 }, { lat: 31.2304, lng: 121.4737 })).toBeCloseTo(1067, -1);
  });
});

describe('the prompt at the till', () => {
  const code = { id: 'c', name: '福田门店码', landingPath: '/q/t/abc' };
  const group = { id: 'g', name: '福田 1 群', members: 120 };
  const coupon = { code: 'AB12', name: '¥5 新人券', validTo: '2026-07-01T00:00:00Z' };
  const welcome = { id: 'w', name: '¥5 新人券' };
  const base: PosFacts = { known: true, isFriend: true, inGroup: true, storeCode: code, groupWithRoom: group, heldCoupon: null, welcomeTemplate: null };
  it.each([
    ['a stranger is added', { ...base, known: false, isFriend: false, inGroup: false, welcomeTemplate: welcome }, ['add_friend']],
    ['a known non-friend is added, and offered the welcome coupon', { ...base, isFriend: false, inGroup: false, welcomeTemplate: welcome }, ['add_friend', 'offer_coupon']],
    ['a friend in no group is invited', { ...base, inGroup: false }, ['invite_to_group']],
    ['a friend in no group, no group with room', { ...base, inGroup: false, groupWithRoom: null }, []],
    ['a friend in a group holding a coupon', { ...base, heldCoupon: coupon, welcomeTemplate: welcome }, ['offer_coupon']],
    ['nothing to do', base, []],
  ])('%s', (_name, facts, kinds) => {
    expect(posActions(facts).map((a) => a.kind)).toEqual(kinds);
  });
  it('offers the coupon held before the welcome coupon', () => {
    expect(posActions({ ...base, heldCoupon: coupon, welcomeTemplate: welcome })).toEqual([{ kind: 'offer_coupon', coupon, template: null }]);
  });
});

describe('transfer limit', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  const daysAgo = (n: number): Date => new Date(now.getTime() - n * 86_400_000);
  it.each([
    ['never transferred', [], null],
    ['once', [daysAgo(10)], null],
    ['twice in 90 days', [daysAgo(10), daysAgo(80)], 'transfer_limit'],
    ['twice, one of them older than 90 days', [daysAgo(10), daysAgo(91)], null],
  ] as const)('%s', (_name, earlier, reason) => {
    expect(transferRefusal(earlier, 'a', 'b', now)?.reason ?? null).toBe(reason);
  });
  it('says when the customer may move again', () => {
    expect(transferRefusal([daysAgo(10), daysAgo(80)], 'a', 'b', now)?.message).toMatch(/possible again from 2026-06-11/);
    expect(transferRefusal([daysAgo(10), daysAgo(80)], 'a', 'b', now)).toMatchObject({ reason: 'transfer_limit', possibleFrom: '2026-06-11' });
  });
  it('refuses a transfer to the current guide', () => {
    expect(transferRefusal([], 'b', 'b', now)?.reason).toBe('already_owner');
  });
});

describe('birthday days', () => {
  it.each([
    ['2026-06-01', ['06-01'], ['06-01', '06-02', '06-03', '06-04', '06-05', '06-06', '06-07']],
    ['2026-12-29', ['12-29'], ['12-29', '12-30', '12-31', '01-01', '01-02', '01-03', '01-04']],
    ['2026-02-28', ['02-28', '02-29'], ['02-28', '02-29', '03-01', '03-02', '03-03', '03-04', '03-05', '03-06']],
    ['2028-02-28', ['02-28'], ['02-28', '02-29', '03-01', '03-02', '03-03', '03-04', '03-05']],
  ])('from %s', (today, todays, week) => {
    expect(weekMonthDays(today)).toEqual({ today: todays, week });
  });
});
