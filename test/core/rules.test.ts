import { describe, expect, it } from 'vitest';
import { defaultRange, isCalendarDate, monthsOf, resolveRange } from '../../src/core/dashboard/dashboard.rules.ts';
import { localDate, nextDate, startOfLocalDay, zoneOffsetMinutes } from '../../src/core/time.ts';
import { can, ownCustomersOnly, type Actor } from '../../src/core/access/access.rules.ts';

describe('calendar dates in a zone', () => {
  it.each([
    ['2026-03-01', 'Asia/Shanghai', '2026-02-28T16:00:00.000Z'],
    ['2026-01-01', 'UTC', '2026-01-01T00:00:00.000Z'],
    // New York switches to daylight time on 2026-03-08 at 02:00; midnight is still UTC−5
    ['2026-03-08', 'America/New_York', '2026-03-08T05:00:00.000Z'],
    ['2026-03-09', 'America/New_York', '2026-03-09T04:00:00.000Z'],
  ])('%s starts at the right instant in %s', (date, zone, expected) => {
    expect(startOfLocalDay(date, zone).toISOString()).toBe(expected);
  });

  it('knows offsets and the next date across month and year ends', () => {
    expect(zoneOffsetMinutes(new Date('2026-07-01T00:00:00Z'), 'Asia/Shanghai')).toBe(480);
    expect(zoneOffsetMinutes(new Date('2026-07-01T00:00:00Z'), 'America/Los_Angeles')).toBe(-420);
    expect(nextDate('2026-02-28')).toBe('2026-03-01');
    expect(nextDate('2024-02-28')).toBe('2024-02-29');
    expect(nextDate('2026-12-31')).toBe('2027-01-01');
  });

  it("gives today's date in the tenant zone, not the server's", () => {
    // 2026-11-22T17:30Z is already 23 November in Shanghai
    expect(localDate(new Date('2026-11-22T17:30:00Z'), 'Asia/Shanghai')).toBe('2026-11-23');
    expect(localDate(new Date('2026-11-22T17:30:00Z'), 'UTC')).toBe('2026-11-22');
  });
});

describe('dashboard ranges', () => {
  it('defaults to the 12 months up to today', () => {
    expect(defaultRange('2026-11-22')).toEqual({ from: '2025-12-01', to: '2026-11-22' });
    expect(defaultRange('2026-01-15')).toEqual({ from: '2025-02-01', to: '2026-01-15' });
  });

  it('validates dates and order, naming the field', () => {
    expect(isCalendarDate('2026-02-29')).toBe(false);
    expect(isCalendarDate('2028-02-29')).toBe(true);
    expect(() => resolveRange({ from: '2026-13-01' }, '2026-11-22')).toThrow(/query.from/);
    expect(() => resolveRange({ from: '2026-05-01', to: '2026-04-01' }, '2026-11-22')).toThrow(/must not be after/);
    expect(() => resolveRange({ from: '2019-01-01', to: '2026-01-01' }, '2026-11-22')).toThrow(/at most/);
    expect(resolveRange({ to: '2026-06-30' }, '2026-11-22')).toEqual({ from: '2025-07-01', to: '2026-06-30' });
  });

  it('lists every month a range touches', () => {
    expect(monthsOf({ from: '2025-11-15', to: '2026-02-01' })).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
    expect(monthsOf({ from: '2026-03-01', to: '2026-03-31' })).toEqual(['2026-03']);
  });
});

describe('roles', () => {
  const actor = (role: Actor['role'], staffId: string | null): Actor => ({
    tenantId: 't', tenantSlug: 's', tenantName: 'n', timezone: 'Asia/Shanghai', role, staffId, userId: 'u', apiKeyId: null, name: 'x',
  });

  it('lets only admins change the organisation and access; guides read no analytics', () => {
    expect(can('admin', 'org:write')).toBe(true);
    expect(can('operator', 'org:write')).toBe(false);
    expect(can('operator', 'analytics:read')).toBe(true);
    expect(can('guide', 'analytics:read')).toBe(false);
    expect(can('guide', 'customers:read')).toBe(true);
    expect(can('operator', 'access:write')).toBe(false);
  });

  it('limits a guide to their own customers, and a guide without a staff record to none', () => {
    expect(ownCustomersOnly(actor('admin', null))).toBeUndefined();
    expect(ownCustomersOnly(actor('guide', 'staff-1'))).toBe('staff-1');
    expect(ownCustomersOnly(actor('guide', null))).toBe('00000000-0000-0000-0000-000000000000');
  });
});
