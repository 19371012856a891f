// Playbook health's verdicts and the suffix rule for names a tenant already uses.
import { describe, expect, it } from 'vitest';
import { judge, MIN_SAMPLE } from '../../src/core/playbooks/playbooks.health.ts';
import { freeName } from '../../src/core/playbooks/playbooks.service.ts';
import { PLAYBOOKS } from '../../src/core/playbooks/playbooks.content.ts';

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
