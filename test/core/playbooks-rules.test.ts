// Playbook health's verdicts and the suffix rule for names a tenant already uses.
import { describe, expect, it } from 'vitest';
import { judge, MIN_SAMPLE } from '../../src/core/playbooks/playbooks.health.ts';
import { freeName } from '../../src/core/playbooks/playbooks.service.ts';
import { PLAYBOOKS } from '../../src/core/playbooks/playbooks.content.ts';
import { unknownVariables } from '../../src/core/acquisition/acquisition.rules.ts';
import { checkGraph } from '../../src/core/journeys/journeys.rules.ts';
import { checkTiers } from '../../src/core/membership/membership.rules.ts';
import { findOverlaps, parseClock, type PlanSlots } from '../../src/core/sop/sop.rules.ts';

describe('playbook health', () => {
  const targets = PLAYBOOKS.shopping.targets;
  it('names the first step below target: many adds, but new members leave the groups within a week → group content', () => {
    const verdict = judge({
      new_friends_per_store_week: { value: 45, sample: 1_800 },
      friend_retention_7d: { value: 0.91, sample: 900 },
      group_join_rate: { value: 0.62, sample: 900 },
      group_retention_7d: { value: 0.55, sample: 560 },
      first_order_rate_14d: { value: 0.2, sample: 700 },
    }, targets);
    expect(verdict.weakest).toEqual({ key: 'group_retention_7d', advice: 'group_content' });
    expect(verdict.kpis.find((k) => k.key === 'first_order_rate_14d')?.met).toBe(false);
  });

  it('leaves a KPI without enough cases undecided, and passes over it', () => {
    const verdict = judge({ friend_retention_7d: { value: 0.1, sample: MIN_SAMPLE - 1 }, repurchase_30d: { value: 0.2, sample: 400 } }, targets);
    expect(verdict.kpis.find((k) => k.key === 'friend_retention_7d')).toEqual({ key: 'friend_retention_7d', value: null, target: 0.85, sample: MIN_SAMPLE - 1, met: null });
    expect(verdict.weakest).toEqual({ key: 'repurchase_30d', advice: 'repurchase_reminders' });
  });

  it('all met: nothing to fix; only the playbook\'s own KPIs are judged', () => {
    const verdict = judge({ new_friends_per_store_week: { value: 20, sample: 300 }, friend_retention_7d: { value: 0.95, sample: 200 }, first_order_rate_14d: { value: 0.2, sample: 100 } }, PLAYBOOKS.advisor.targets);
    expect(verdict.kpis.map((k) => k.key)).toEqual(['new_friends_per_store_week', 'friend_retention_7d', 'first_order_rate_14d']);
    expect(verdict.weakest).toBeNull();
  });
});

describe('names already in use', () => {
  it.each([
    ['新人券', [], '新人券'],
    ['新人券', ['新人券'], '新人券（2）'],
    ['新人券', ['新人券', '新人券（2）'], '新人券（3）'],
  ])('%s among %j → %s', (name, taken, expected) => {
    expect(freeName(name, new Set(taken))).toBe(expected);
  });
});

describe('the set-up each playbook makes in the other areas', () => {
  it.each(Object.values(PLAYBOOKS).map((p) => [p.model, p] as const))('%s: journeys publishable, SOP plans without overlaps, welcome texts and tiers valid, keys made before use', (_model, playbook) => {
    const keys = new Set<string>();
    const plans: PlanSlots[] = [];
    for (const item of playbook.items) {
      switch (item.kind) {
        case 'journey': {
          const checked = checkGraph(item.graph);
          expect(checked.ok ? [] : checked.problems).toEqual([]);
          if (item.segmentKey) expect(keys.has(item.segmentKey)).toBe(true);
          break;
        }
        case 'sop_plan': {
          const plan: PlanSlots = { planId: item.key, planName: item.name, target: { kind: 'group_kind', groupKind: item.groupKind }, slots: item.slots.map((s) => ({ weekday: s.weekday, startMinute: parseClock(s.time) ?? -1, durationMinutes: s.durationMinutes ?? 30, title: s.title })) };
          expect(findOverlaps(plan, plans, () => undefined)).toEqual([]);
          plans.push(plan);
          for (const s of item.slots) if (s.couponKey) expect(keys.has(s.couponKey)).toBe(true);
          break;
        }
        case 'acquisition_code':
          expect(unknownVariables(item.welcomeText)).toEqual([]);
          if (item.welcomeCouponKey) expect(keys.has(item.welcomeCouponKey)).toBe(true);
          break;
        case 'membership_settings':
          if (item.memberDayCouponKey) expect(keys.has(item.memberDayCouponKey)).toBe(true);
          break;
        case 'membership_tiers':
          expect(checkTiers(item.tiers)).toEqual([]);
          break;
        default:
      }
      keys.add(item.key);
    }
    expect(playbook.items.some((i) => i.kind === 'journey')).toBe(true);
    // keys name objects for the later items (a code's coupon, a journey's segment): one meaning each
    expect(new Set(playbook.items.map((i) => i.key)).size).toBe(playbook.items.length);
  });

  it('the knowledge expert and interest community calendars share the interest groups without overlapping', () => {
    const slots = (model: 'expert' | 'interest'): PlanSlots[] => PLAYBOOKS[model].items.flatMap((item) => item.kind === 'sop_plan'
      ? [{ planId: `${model}.${item.key}`, planName: item.name, target: { kind: 'group_kind' as const, groupKind: item.groupKind }, slots: item.slots.map((s) => ({ weekday: s.weekday, startMinute: parseClock(s.time) ?? -1, durationMinutes: s.durationMinutes ?? 30, title: s.title })) }]
      : []);
    for (const plan of slots('interest')) expect(findOverlaps(plan, slots('expert'), () => undefined)).toEqual([]);
  });
});
