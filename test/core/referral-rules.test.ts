import { describe, expect, it } from 'vitest';
import {
  attributionRefusal, checkRewardRules, clawbackOf, commissionFen, maskPhone, referralCode, superuserValue, type AttributionFacts, type RewardRule,
} from '../../src/core/referral/referral.rules.ts';

describe('checkRewardRules', () => {
  it.each<[string, RewardRule[], string[]]>([
    ['two percent levels under 100%', [{ level: 1, kind: 'percent_first_order', percentBp: 1000 }, { level: 2, kind: 'percent_first_order', percentBp: 500 }], []],
    ['levels paying more than the order together', [{ level: 1, kind: 'percent_first_order', percentBp: 8000 }, { level: 2, kind: 'percent_window', percentBp: 3000, windowDays: 30 }], ['body.rules']],
    ['one level over 100%', [{ level: 1, kind: 'percent_first_order', percentBp: 10_001 }], ['body.rules[0].percentBp', 'body.rules']],
    ['exactly 100% is allowed', [{ level: 1, kind: 'percent_first_order', percentBp: 10_000 }], []],
    ['a window rule without days', [{ level: 1, kind: 'percent_window', percentBp: 100 }], ['body.rules[0].windowDays']],
    ['points need points', [{ level: 2, kind: 'points', points: 0 }], ['body.rules[0].points']],
    ['a coupon needs its template', [{ level: 1, kind: 'coupon' }], ['body.rules[0].couponTemplateId']],
    ['a level twice', [{ level: 1, kind: 'points', points: 10 }, { level: 1, kind: 'points', points: 5 }], ['body.rules[1].level']],
    ['points and a percent do not add up', [{ level: 1, kind: 'points', points: 100 }, { level: 2, kind: 'percent_first_order', percentBp: 10_000 }], []],
  ])('%s', (_name, rules, paths) => {
    expect(checkRewardRules(rules).map((d) => d.path)).toEqual(paths);
  });
});

describe('money', () => {
  it.each([[19900, 1000, 1990], [999, 500, 49], [1, 9999, 0], [10000, 10000, 10000]])('commission on %i at %i bp is %i', (paid, bp, fen) => expect(commissionFen(paid, bp)).toBe(fen));
  it.each([
    [1990, 19900, 19900, 1990], [1990, 19900, 9950, 995], [1990, 19900, 1, 1], [1990, 19900, 0, 0], [0, 19900, 100, 0], [49, 999, 500, 25], [50, 0, 0, 0],
  ])('reward %i on paid %i refunded %i claws back %i', (reward, paid, refunded, back) => expect(clawbackOf(reward, paid, refunded)).toBe(back));
});

describe('attributionRefusal', () => {
  const fine: AttributionFacts = {
    refereeId: 'B', referrerCustomerId: 'A', codeDisabled: false, alreadyReferredBy: null, referrerAncestors: ['Z'], refereePhones: ['13800000002'],
    referrerPhones: ['13800000001'], deviceId: 'dev-b', knownDevices: [], orderedBefore: false,
  };
  it.each<[string, Partial<AttributionFacts>, string | null]>([
    ['a new contact brought by a customer', {}, null],
    ['an external partner (no customer behind the code)', { referrerCustomerId: null, referrerPhones: [] }, null],
    ['self-referral', { refereeId: 'A' }, 'self_referral'],
    ['a cycle: the referee is up the referrer\'s chain', { referrerAncestors: ['Z', 'B'] }, 'cycle'],
    ['the same phone', { refereePhones: ['13800000001'] }, 'same_phone'],
    ['the same device', { knownDevices: ['dev-b'] }, 'same_device'],
    ['already referred by someone else', { alreadyReferredBy: 'P2' }, 'already_referred'],
    ['an existing customer', { orderedBefore: true }, 'existing_customer'],
    ['a disabled code beats everything', { codeDisabled: true, refereeId: 'A' }, 'code_disabled'],
    ['self-referral is named before a shared phone', { refereeId: 'A', refereePhones: ['13800000001'] }, 'self_referral'],
  ])('%s', (_name, change, reason) => {
    expect(attributionRefusal({ ...fine, ...change })?.reason ?? null).toBe(reason);
  });
  it('masks the phone in the message', () => {
    expect(attributionRefusal({ ...fine, refereePhones: ['13800000001'] })?.message).toContain('138****0001');
    expect(maskPhone('123')).toBe('****');
  });
});

describe('codes and value', () => {
  it('makes readable codes of the given length', () => {
    const code = referralCode(new Uint8Array([0, 1, 2, 3, 30, 31, 60, 255]));
    expect(code).toBe('ABCD9A8H'); // 30 → 9, 31 wraps to A, 60 → 8, 255 → H (31 letters)
    expect(code).not.toMatch(/[01ILO]/);
  });
  it.each([
    [{ ownSpentFen: 10000, level1SpentFen: 0, level2SpentFen: 0, groupActions: 0 }, 10000],
    [{ ownSpentFen: 0, level1SpentFen: 5000, level2SpentFen: 3000, groupActions: 0 }, 6500],
    [{ ownSpentFen: 100, level1SpentFen: 0, level2SpentFen: 1, groupActions: 3 }, 401],
  ])('superuserValue(%j) = %i', (x, value) => expect(superuserValue(x)).toBe(value));
});
