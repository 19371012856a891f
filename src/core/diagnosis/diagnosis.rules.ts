// Which private-domain model fits a business, how far along it is, and whether it should do
// private domain at all. Seeds 000 and 002: the model follows from purchase frequency × ticket
// price (× the expertise the product needs, × how social it is); seed 001: maturity 初级 → 中级 →
// 高级; seed 004: low repurchase, no complete solution or no dedicated staff make it unsustainable.
// Pure: the answers (asked or measured from the tenant's orders) in, the diagnosis out.
import { z } from 'zod';

export const MODELS = ['expert', 'advisor', 'shopping', 'interest'] as const;
/** 知识专家, 专属顾问, 购物参谋, 兴趣同好. */
export type OperatingModel = (typeof MODELS)[number];

export const INDUSTRIES = [
  'fresh_food', 'fmcg', 'food_service', 'mother_baby', 'beauty', 'health', 'education', 'electronics',
  'fashion', 'sports', 'travel', 'auto', 'home', 'luxury', 'insurance', 'other',
] as const;
export type Industry = (typeof INDUSTRIES)[number];

const Level3 = z.enum(['low', 'medium', 'high']);
export type Level3 = z.infer<typeof Level3>;

export const CURRENT_STATES = ['none', 'friends_only', 'one_off_promotions', 'membership_automation'] as const;

/** The questionnaire. Frequency, ticket and repurchase may be left out when the tenant's orders measure them. */
export const DiagnosisAnswers = z.object({
  industry: z.enum(INDUSTRIES).optional(),
  purchasesPerYear: z.number().positive().max(365).optional().describe('purchases per customer per year'),
  averageTicketFen: z.number().int().positive().max(10_000_000_000).optional().describe('average order value, fen'),
  repurchaseRate: z.number().min(0).max(1).optional().describe('share of a year\'s buyers who bought on two days or more'),
  expertise: Level3.optional().describe('how much expert guidance buying and using the product needs'),
  social: Level3.optional().describe('how much people buy it to show, share and belong (fashion, sport, travel); defaults by industry'),
  solution: z.enum(['single', 'partial', 'complete']).optional().describe('can the range meet a customer\'s whole need (seed 004)'),
  serviceStaff: z.number().int().min(0).max(1_000_000).optional().describe('staff who can serve customers one to one'),
  stores: z.number().int().min(0).max(1_000_000).optional(),
  currentState: z.enum(CURRENT_STATES).optional(),
}).strict();
export type DiagnosisAnswers = z.infer<typeof DiagnosisAnswers>;

/** What the tenant's own orders say; null fields could not be measured. */
export interface Measured {
  purchasesPerYear: number | null;
  averageTicketFen: number | null;
  repurchaseRate: number | null;
  buyers: number;
  days: number;
}

/** Yuchi's own record of what the tenant already runs, for the maturity level. */
export interface Footprint {
  friends: number;
  groups: number;
  ruleTags: number;
  promotions: number;
  segments: number;
  scored: boolean;
  membership: boolean;
  automation: boolean;
}

export type Source = 'answered' | 'measured';
export interface Reason { code: string; params: Record<string, number | string> }
export interface Warning { code: 'low_repurchase' | 'no_complete_solution' | 'no_dedicated_staff' | 'weak_fit'; severity: 'warning' | 'critical'; params: Record<string, number | string>; suggestions: string[] }
export type Maturity = 'junior' | 'intermediate' | 'senior';

export interface Diagnosis {
  model: OperatingModel;
  /** Every model's share of the fit, summing to 1, best first. */
  scores: { model: OperatingModel; share: number; fit: number }[];
  runnerUp: { model: OperatingModel; share: number; margin: number };
  reasons: Reason[];
  inputs: {
    purchasesPerYear: { value: number; source: Source };
    averageTicketFen: { value: number; source: Source };
    repurchaseRate: { value: number; source: Source };
    expertise: Level3; social: Level3; solution: 'single' | 'partial' | 'complete'; serviceStaff: number; stores: number | null;
  };
  /** Where the business sits on the frequency × ticket chart: decades from the dividing lines. */
  position: { frequency: number; ticket: number };
  maturity: { level: Maturity; answered: Maturity; next: { item: string; done: boolean }[] };
  warnings: Warning[];
  verdict: 'go' | 'caution' | 'not_recommended';
}

/**
 * The dividing lines of the quadrant: about once a quarter (measured over all of a year's buyers,
 * one-time buyers included, so a fruit chain's average sits lower than its regulars'), and ¥200.
 */
export const HIGH_FREQUENCY_PER_YEAR = 4;
export const HIGH_TICKET_FEN = 20_000;
/** Below this yearly repurchase share private domain rarely pays back (seed 004). */
export const LOW_REPURCHASE = 0.2;
/** A best fit below this: the product sits in no model's quadrant (low frequency and low ticket). */
export const WEAK_FIT = 0.25;

const SOCIAL_BY_INDUSTRY: Partial<Record<Industry, Level3>> = {
  fashion: 'high', sports: 'high', travel: 'high', electronics: 'medium', beauty: 'medium', luxury: 'medium',
};
const LEVEL: Record<Level3, number> = { low: 0, medium: 0.5, high: 1 };

export class IncompleteAnswers extends Error {
  constructor(readonly missing: { path: string; message: string; code: 'answer_needed' | 'not_measurable' }[]) {
    super(`the diagnosis needs: ${missing.map((m) => m.path).join(', ')}`);
  }
}

/** Soft step: ±0.3 decades from a dividing line is about 77% / 23% on either side. */
const high = (decades: number): number => 1 / (1 + Math.exp(-4 * decades));

export function diagnose(answers: DiagnosisAnswers, measured: Measured | null, footprint: Footprint): Diagnosis {
  const pick = (key: 'purchasesPerYear' | 'averageTicketFen' | 'repurchaseRate'): { value: number; source: Source } | undefined => {
    const m = measured?.[key];
    if (m !== null && m !== undefined) return { value: m, source: 'measured' };
    const a = answers[key];
    return a === undefined ? undefined : { value: a, source: 'answered' };
  };
  const frequency = pick('purchasesPerYear');
  const ticket = pick('averageTicketFen');
  const repurchase = pick('repurchaseRate');
  const missing: IncompleteAnswers['missing'] = [];
  // A figure the orders cannot measure yet is asked for as an estimate; anything else as an answer.
  const need = (ok: boolean, path: string, message: string) => {
    if (!ok) missing.push({ path, message, code: message.startsWith('not measurable') ? 'not_measurable' : 'answer_needed' });
  };
  need(answers.industry !== undefined, 'industry', 'say what the business sells');
  need(frequency !== undefined, 'purchasesPerYear', 'not measurable from the orders yet: say how often a customer buys in a year');
  need(ticket !== undefined, 'averageTicketFen', 'not measurable from the orders yet: say the average order value');
  need(repurchase !== undefined, 'repurchaseRate', 'not measurable from the orders yet: say what share of a year\'s buyers buy again');
  need(answers.expertise !== undefined, 'expertise', 'say how much expert guidance the product needs');
  need(answers.solution !== undefined, 'solution', 'say whether the range meets a customer\'s whole need');
  need(answers.serviceStaff !== undefined, 'serviceStaff', 'say how many staff can serve customers one to one');
  need(answers.currentState !== undefined, 'currentState', 'say what the private domain does today');
  if (!frequency || !ticket || !repurchase || !answers.industry || !answers.expertise || !answers.solution
    || answers.serviceStaff === undefined || !answers.currentState) throw new IncompleteAnswers(missing);

  const expertise = answers.expertise;
  const social = answers.social ?? SOCIAL_BY_INDUSTRY[answers.industry] ?? 'low';
  const f = Math.log10(frequency.value / HIGH_FREQUENCY_PER_YEAR);
  const p = Math.log10(ticket.value / HIGH_TICKET_FEN);
  const hf = high(f), hp = high(p), e = LEVEL[expertise], s = LEVEL[social];
  const fit: Record<OperatingModel, number> = {
    expert: hf * hp * (0.4 + 0.6 * e),
    advisor: (1 - hf) * hp * (0.35 + 0.65 * e) * (1 - 0.5 * s),
    shopping: hf * (1 - hp) * (1 - 0.5 * e),
    interest: hp * (0.35 + 0.65 * s) * (1 - 0.5 * e) * (0.5 + 0.5 * (1 - hf)),
  };
  const total = MODELS.reduce((sum, m) => sum + fit[m], 0);
  const scores = MODELS.map((model) => ({ model, fit: round(fit[model]), share: round(fit[model] / total) }))
    .sort((a, b) => b.share - a.share || MODELS.indexOf(a.model) - MODELS.indexOf(b.model));
  const [best, second] = [scores[0], scores[1]];
  if (!best || !second) throw new Error('four models always score');

  const reasons: Reason[] = [
    { code: f >= 0 ? 'frequency_high' : 'frequency_low', params: { perYear: round(frequency.value, 1), line: HIGH_FREQUENCY_PER_YEAR, source: frequency.source } },
    { code: p >= 0 ? 'ticket_high' : 'ticket_low', params: { fen: Math.round(ticket.value), lineFen: HIGH_TICKET_FEN, source: ticket.source } },
    { code: `expertise_${expertise}`, params: {} },
  ];
  if (best.model === 'interest' || second.model === 'interest' || s > 0) reasons.push({ code: `social_${social}`, params: {} });

  const warnings: Warning[] = [];
  if (repurchase.value < LOW_REPURCHASE) {
    warnings.push({ code: 'low_repurchase', severity: repurchase.value < LOW_REPURCHASE / 2 ? 'critical' : 'warning',
      params: { rate: round(repurchase.value), line: LOW_REPURCHASE, source: repurchase.source },
      suggestions: ['alliance', 'first_order_focus', 'dissolve_temporary_groups'] });
  }
  if (answers.solution === 'single') {
    warnings.push({ code: 'no_complete_solution', severity: 'warning', params: {}, suggestions: ['alliance', 'bundle_solution'] });
  }
  if (answers.serviceStaff === 0) {
    warnings.push({ code: 'no_dedicated_staff', severity: best.model === 'advisor' || best.model === 'expert' ? 'critical' : 'warning', params: {},
      suggestions: ['assign_owner', 'automation_only', 'fewer_groups'] });
  }
  if (best.fit < WEAK_FIT) {
    warnings.push({ code: 'weak_fit', severity: 'warning', params: { fit: best.fit }, suggestions: ['first_order_focus', 'alliance'] });
  }
  const critical = warnings.filter((w) => w.severity === 'critical').length;
  const verdict = critical > 0 || warnings.length >= 3 ? 'not_recommended' : warnings.length > 0 ? 'caution' : 'go';

  return {
    model: best.model,
    scores,
    runnerUp: { model: second.model, share: second.share, margin: round(best.share - second.share) },
    reasons,
    inputs: {
      purchasesPerYear: { value: round(frequency.value, 2), source: frequency.source },
      averageTicketFen: { value: Math.round(ticket.value), source: ticket.source },
      repurchaseRate: { value: round(repurchase.value), source: repurchase.source },
      expertise, social, solution: answers.solution, serviceStaff: answers.serviceStaff, stores: answers.stores ?? null,
    },
    position: { frequency: round(f), ticket: round(p) },
    maturity: maturityOf(answers.currentState, footprint),
    warnings,
    verdict,
  };
}

const ANSWERED_LEVEL: Record<(typeof CURRENT_STATES)[number], Maturity> = {
  none: 'junior', friends_only: 'junior', one_off_promotions: 'intermediate', membership_automation: 'senior',
};

/**
 * The level is the lower of what was answered and what Yuchi can see running, once Yuchi holds
 * any friends or orders; `next` lists what the following level needs, each marked done when seen.
 */
export function maturityOf(state: (typeof CURRENT_STATES)[number], fp: Footprint): Diagnosis['maturity'] {
  const answered = ANSWERED_LEVEL[state];
  const intermediate = [
    { item: 'friends', done: fp.friends > 0 },
    { item: 'source_tags', done: fp.ruleTags > 0 },
    { item: 'promotions', done: fp.promotions > 0 },
  ];
  const senior = [
    { item: 'segments', done: fp.segments > 0 && fp.scored },
    { item: 'membership', done: fp.membership },
    { item: 'automation', done: fp.automation },
    { item: 'groups', done: fp.groups > 0 },
  ];
  const seen: Maturity = intermediate.every((i) => i.done) ? (senior.every((i) => i.done) ? 'senior' : 'intermediate') : 'junior';
  const order: Maturity[] = ['junior', 'intermediate', 'senior'];
  const inUse = fp.friends > 0 || fp.promotions > 0 || fp.segments > 0;
  const level = inUse ? (order[Math.min(order.indexOf(answered), order.indexOf(seen))] ?? 'junior') : answered;
  const next = level === 'junior' ? intermediate : level === 'intermediate' ? senior : [];
  return { level, answered, next };
}

function round(x: number, digits = 3): number {
  const k = 10 ** digits;
  return Math.round(x * k) / k;
}
