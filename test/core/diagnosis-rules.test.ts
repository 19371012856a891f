// The diagnosis rules on the seeds' own cases: each of the four brands lands in its model, and
// seed 004's unsustainable businesses are told so.
import { describe, expect, it } from 'vitest';
import { diagnose, IncompleteAnswers, maturityOf, type DiagnosisAnswers, type Footprint, type Measured } from '../../src/core/diagnosis/diagnosis.rules.ts';

const nothing: Footprint = { friends: 0, groups: 0, ruleTags: 0, promotions: 0, segments: 0, scored: false, membership: false, automation: false };
const base = { solution: 'complete', serviceStaff: 20, currentState: 'one_off_promotions' } as const;

describe('the operating model', () => {
  it.each<[string, DiagnosisAnswers, string]>([
    ['百果园: fruit, weekly-ish, ¥50', { ...base, industry: 'fresh_food', purchasesPerYear: 24, averageTicketFen: 5_000, repurchaseRate: 0.55, expertise: 'low' }, 'shopping'],
    ['Tim Hortons: coffee, ¥30', { ...base, industry: 'food_service', purchasesPerYear: 40, averageTicketFen: 3_000, repurchaseRate: 0.5, expertise: 'low' }, 'shopping'],
    ['飞鹤: formula, monthly, ¥350, expert guidance', { ...base, industry: 'mother_baby', purchasesPerYear: 12, averageTicketFen: 35_000, repurchaseRate: 0.6, expertise: 'high' }, 'expert'],
    ['惠普: printers, every two years, ¥1,500', { ...base, industry: 'electronics', purchasesPerYear: 0.5, averageTicketFen: 150_000, repurchaseRate: 0.25, expertise: 'high' }, 'advisor'],
    ['斐乐: sportswear, three times a year, ¥600, social', { ...base, industry: 'sports', purchasesPerYear: 3, averageTicketFen: 60_000, repurchaseRate: 0.35, expertise: 'low' }, 'interest'],
  ])('%s', (_case, answers, model) => {
    const d = diagnose(answers, null, nothing);
    expect(d.model).toBe(model);
    expect(d.scores.reduce((s, x) => s + x.share, 0)).toBeCloseTo(1, 2);
    expect(d.scores[0]?.model).toBe(model);
    expect(d.runnerUp.margin).toBeGreaterThan(0);
    expect(d.verdict).toBe('go');
  });

  it('prefers measured figures over answers, and says which is which', () => {
    const measured: Measured = { purchasesPerYear: 20, averageTicketFen: 4_500, repurchaseRate: 0.42, buyers: 5_000, days: 365 };
    const d = diagnose({ ...base, industry: 'fresh_food', purchasesPerYear: 1, averageTicketFen: 900_000, expertise: 'low' }, measured, nothing);
    expect(d.model).toBe('shopping');
    expect(d.inputs.purchasesPerYear).toEqual({ value: 20, source: 'measured' });
    expect(d.inputs.averageTicketFen).toEqual({ value: 4_500, source: 'measured' });
    expect(d.reasons[0]).toEqual({ code: 'frequency_high', params: { perYear: 20, line: 4, source: 'measured' } });
  });

  it('names every missing answer', () => {
    expect(() => diagnose({ industry: 'fmcg' }, null, nothing)).toThrow(IncompleteAnswers);
    const refusal = (() => {
      try {
        diagnose({ industry: 'fmcg', expertise: 'low' }, { purchasesPerYear: 10, averageTicketFen: null, repurchaseRate: null, buyers: 40, days: 90 }, nothing);
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(refusal).toBeInstanceOf(IncompleteAnswers);
    expect((refusal as IncompleteAnswers).missing.map((m) => m.path)).toEqual(['averageTicketFen', 'repurchaseRate', 'solution', 'serviceStaff', 'currentState']);
  });
});

describe('when not to do it (seed 004)', () => {
  it('a single product bought rarely, with no one to serve: not recommended, with the alternatives', () => {
    const d = diagnose({ industry: 'home', purchasesPerYear: 0.3, averageTicketFen: 8_000, repurchaseRate: 0.04, expertise: 'low', solution: 'single', serviceStaff: 0, currentState: 'friends_only' }, null, nothing);
    expect(d.warnings.map((w) => w.code)).toEqual(['low_repurchase', 'no_complete_solution', 'no_dedicated_staff', 'weak_fit']);
    expect(d.warnings[0]?.severity).toBe('critical');
    expect(d.warnings[0]?.suggestions).toContain('alliance');
    expect(d.verdict).toBe('not_recommended');
  });

  it('one concern is a caution', () => {
    const d = diagnose({ ...base, industry: 'fresh_food', purchasesPerYear: 24, averageTicketFen: 5_000, repurchaseRate: 0.55, expertise: 'low', solution: 'single' }, null, nothing);
    expect(d.verdict).toBe('caution');
  });

  it('no staff is critical for a model that lives on one-to-one service', () => {
    const d = diagnose({ ...base, industry: 'mother_baby', purchasesPerYear: 12, averageTicketFen: 35_000, repurchaseRate: 0.6, expertise: 'high', serviceStaff: 0 }, null, nothing);
    expect(d.warnings).toEqual([expect.objectContaining({ code: 'no_dedicated_staff', severity: 'critical' })]);
    expect(d.verdict).toBe('not_recommended');
  });
});

describe('maturity (seed 001)', () => {
  const running: Footprint = { friends: 1, groups: 1, ruleTags: 1, promotions: 1, segments: 1, scored: true, membership: false, automation: false };
  it.each<[string, Parameters<typeof maturityOf>[0], Footprint, string, string[]]>([
    ['nothing in Yuchi yet: the answer stands', 'membership_automation', nothing, 'senior', []],
    ['friends only, tags missing', 'friends_only', { ...nothing, friends: 1 }, 'junior', ['source_tags', 'promotions']],
    ['claims senior, Yuchi sees no membership or automation', 'membership_automation', running, 'intermediate', ['membership', 'automation']],
    ['everything running', 'membership_automation', { ...running, membership: true, automation: true }, 'senior', []],
  ])('%s', (_case, state, footprint, level, missing) => {
    const m = maturityOf(state, footprint);
    expect(m.level).toBe(level);
    expect(m.next.filter((i) => !i.done).map((i) => i.item)).toEqual(missing);
  });
});
