// What a brand a few months into Yuchi has done with each page, as data and pure draws: the
// questionnaire of its model, its 秒杀 and 接龙 items, the scans and friends its codes brought.
// demo-activity.service.ts carries it out through the areas' services. Every draw comes from a
// seeded Random, so the same seed and day give the same activity.
import type { OperatingModel } from '../diagnosis/diagnosis.rules.ts';
import { Random } from './demo.rules.ts';

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

/** A questionnaire with its codebook: each coded option tags the customer who picks it. */
export interface DemoForm {
  name: string;
  description: string;
  /** The tag group its codes land in (exclusive: one answer per customer). */
  tagGroup: { name: string; description: string; exclusive: boolean };
  questions: { id: string; text: string; type: 'single' | 'multi' | 'text'; options: { code: string; label: string; tag?: string; weight: number }[] }[];
  /** Free-text answers drawn for text questions. */
  remarks: string[];
}

export interface DemoActivityContent {
  form: DemoForm;
  /** The mass send of a few weeks ago and its text. */
  massSend: { name: string; text: string };
  /** The reward partners earn for a friend's first order (basis points of the order). */
  referralPercentBp: number;
  /** A price rule for a brand the playbook gave none: spend threshold → amount off. */
  priceRule: { name: string; thresholdFen: number; amountOffFen: number };
}

const FRUIT_FORM: DemoForm = {
  name: '水果口味偏好调查',
  description: '新人入群填写：喜欢的口味与购买场景，导购按标签推荐每日到店的水果',
  tagGroup: { name: '口味偏好', description: '问卷「水果口味偏好调查」的密码本', exclusive: false },
  questions: [
    { id: 'taste', text: '您最喜欢哪种口味的水果？', type: 'single', options: [
      { code: 'sweet', label: '甜蜜多汁（西瓜、葡萄）', tag: '爱甜口', weight: 5 },
      { code: 'sour_sweet', label: '酸甜开胃（草莓、橙子）', tag: '爱酸甜', weight: 3 },
      { code: 'tropical', label: '热带风味（芒果、榴莲）', tag: '爱热带水果', weight: 2 },
      { code: 'berry', label: '浆果轻食（蓝莓、树莓）', tag: '爱浆果', weight: 2 },
    ] },
    { id: 'occasion', text: '买水果主要是？', type: 'multi', options: [
      { code: 'family', label: '家里日常吃', tag: '家庭采购', weight: 6 },
      { code: 'office', label: '带去公司', weight: 2 },
      { code: 'gift', label: '送礼、探望', tag: '送礼需求', weight: 1 },
    ] },
    { id: 'remark', text: '还想在店里看到什么水果？', type: 'text', options: [] },
  ],
  remarks: ['希望多进一些阳光玫瑰', '榴莲能不能切块卖', '想要小份装的果切', '蓝莓再便宜点就好了', '周末能不能早点开门'],
};

const FORMULA_FORM: DemoForm = {
  name: '宝宝喂养情况问卷',
  description: '加好友后填写：宝宝月龄与喂养方式编码成标签，营养顾问按阶段推荐段数与话术',
  tagGroup: { name: '宝宝月龄', description: '问卷「宝宝喂养情况问卷」的密码本：月龄段互斥', exclusive: true },
  questions: [
    { id: 'age', text: '宝宝现在多大了？', type: 'single', options: [
      { code: 'pregnant', label: '还在孕期', tag: '孕期', weight: 2 },
      { code: 'm0_6', label: '0–6 个月', tag: '0–6 月龄（1 段）', weight: 4 },
      { code: 'm6_12', label: '6–12 个月', tag: '6–12 月龄（2 段）', weight: 4 },
      { code: 'y1_3', label: '1–3 岁', tag: '1–3 岁（3 段）', weight: 3 },
    ] },
    { id: 'feeding', text: '现在的喂养方式？', type: 'single', options: [
      { code: 'breast', label: '纯母乳', weight: 3 },
      { code: 'mixed', label: '混合喂养', weight: 4 },
      { code: 'formula', label: '纯奶粉', weight: 4 },
    ] },
    { id: 'concern', text: '最近最关心的问题？', type: 'multi', options: [
      { code: 'digest', label: '便秘、吐奶', weight: 3 },
      { code: 'allergy', label: '过敏、湿疹', weight: 2 },
      { code: 'switch', label: '转奶、换段', weight: 3 },
      { code: 'sleep', label: '夜醒、睡眠', weight: 2 },
    ] },
    { id: 'remark', text: '想问营养师的问题', type: 'text', options: [] },
  ],
  remarks: ['转奶要多久过渡？', '宝宝喝奶后总打嗝正常吗', '水解奶粉什么时候可以换回普通段', '冲奶水温多少合适'],
};

const PRINTER_FORM: DemoForm = {
  name: '办公打印需求问卷',
  description: '到店或加好友后填写：使用场景与月打印量，顾问据此推荐机型与耗材套餐',
  tagGroup: { name: '使用场景', description: '问卷「办公打印需求问卷」的密码本', exclusive: true },
  questions: [
    { id: 'scene', text: '主要在哪里使用？', type: 'single', options: [
      { code: 'home', label: '家庭、孩子学习', tag: '家庭用户', weight: 4 },
      { code: 'soho', label: '个人工作室', tag: '工作室', weight: 2 },
      { code: 'smb', label: '10–50 人公司', tag: '小微企业', weight: 3 },
    ] },
    { id: 'volume', text: '每月大约打印多少页？', type: 'single', options: [
      { code: 'low', label: '200 页以内', weight: 4 },
      { code: 'mid', label: '200–1000 页', weight: 3 },
      { code: 'high', label: '1000 页以上', weight: 2 },
    ] },
    { id: 'remark', text: '现在设备有什么不满意的？', type: 'text', options: [] },
  ],
  remarks: ['墨盒太贵', '无线连接老断', '想要双面打印', '扫描速度慢'],
};

const SPORT_FORM: DemoForm = {
  name: '运动偏好问卷',
  description: '入群填写：主要运动与水平，按同好拉群、推荐装备与活动',
  tagGroup: { name: '主要运动', description: '问卷「运动偏好问卷」的密码本', exclusive: false },
  questions: [
    { id: 'sport', text: '您平时主要玩哪项运动？', type: 'single', options: [
      { code: 'run', label: '跑步', tag: '跑者', weight: 5 },
      { code: 'tennis', label: '网球', tag: '网球爱好者', weight: 3 },
      { code: 'golf', label: '高尔夫', tag: '高尔夫爱好者', weight: 2 },
    ] },
    { id: 'level', text: '一周运动几次？', type: 'single', options: [
      { code: 'casual', label: '1 次或更少', weight: 3 },
      { code: 'regular', label: '2–3 次', weight: 4 },
      { code: 'serious', label: '4 次以上', weight: 2 },
    ] },
    { id: 'remark', text: '希望我们组织什么活动？', type: 'text', options: [] },
  ],
  remarks: ['周末西湖晨跑', '网球双打约球', '新品试穿会', '半马训练营'],
};

export const ACTIVITY_CONTENT: Record<OperatingModel, DemoActivityContent> = {
  shopping: {
    form: FRUIT_FORM,
    massSend: { name: '周末鲜果到店提醒', text: '您好，周末阳光玫瑰、丹东草莓到店啦，会员下单满 99 减 15，群里接龙更优惠～' },
    referralPercentBp: 500,
    priceRule: { name: '满 99 减 15', thresholdFen: 9_900, amountOffFen: 1_500 },
  },
  expert: {
    form: FORMULA_FORM,
    massSend: { name: '换段提醒与专家课堂邀请', text: '您好，本周三 20:00 营养师课堂讲「转奶与换段」，宝宝月龄到了的可以提前来店里咨询～' },
    referralPercentBp: 300,
    priceRule: { name: '满 800 减 60', thresholdFen: 80_000, amountOffFen: 6_000 },
  },
  advisor: {
    form: PRINTER_FORM,
    massSend: { name: '耗材补货季提醒', text: '您好，墨盒硒鼓补货季到了，老客户耗材套餐 9 折，顾问可上门安装调试。' },
    referralPercentBp: 200,
    priceRule: { name: '耗材满 500 减 50', thresholdFen: 50_000, amountOffFen: 5_000 },
  },
  interest: {
    form: SPORT_FORM,
    massSend: { name: '秋冬新品与周末约跑', text: '您好，秋冬跑步新品到店，本周六早 7 点西湖约跑，群里报名～' },
    referralPercentBp: 300,
    priceRule: { name: '满 1000 减 100', thresholdFen: 100_000, amountOffFen: 10_000 },
  },
};

/** One visitor's scan of a code, and what became of it. */
export interface PlannedScan {
  codeIndex: number;
  at: number;
  /** Added the guide as a WeCom friend, a few minutes after the scan. */
  added: boolean;
  /** Deleted the guide again this many ms after the add (null: kept). */
  deletedAfterMs: number | null;
  /** Ordered this many ms after the add (null: no order yet). */
  orderAfterMs: number | null;
}

/**
 * Scans of each code over the last `weeks` weeks up to `nowMs`: per local day a Poisson-like count
 * around `perDay` (weekends busier), during opening hours. Each local midnight is in `midnights`.
 * What followed (add, kept, first order) is drawn at the rates a healthy code shows.
 */
export function planScans(rng: Random, codes: number, midnights: number[], nowMs: number, perDay: number): PlannedScan[] {
  const out: PlannedScan[] = [];
  for (const midnight of midnights) {
    const weekday = new Date(midnight + 12 * HOUR_MS).getUTCDay();
    const lift = weekday === 0 || weekday === 6 ? 1.5 : 1;
    for (let c = 0; c < codes; c++) {
      const mean = (perDay * lift) / (1 + c * 0.6);
      const count = Math.max(0, Math.round(mean + (rng.float() - 0.5) * mean));
      for (let i = 0; i < count; i++) {
        const at = midnight + (9 + rng.float() * 12) * HOUR_MS;
        if (at >= nowMs) continue;
        const added = rng.chance(0.62);
        const deletedAfterMs = added && rng.chance(0.12) ? (0.2 + rng.float() * 6) * DAY_MS : null;
        const orderAfterMs = added && deletedAfterMs === null && rng.chance(0.4) ? (0.1 + rng.float() * 9) * DAY_MS : null;
        out.push({ codeIndex: c, at: Math.floor(at), added, deletedAfterMs, orderAfterMs });
      }
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

/** `n` distinct items of `list`, in a drawn order (a partial Fisher–Yates on a copy). */
export function sample<T>(rng: Random, list: readonly T[], n: number): T[] {
  const copy = [...list];
  const k = Math.min(n, copy.length);
  for (let i = 0; i < k; i++) {
    const j = i + rng.below(copy.length - i);
    const t = copy[i] as T;
    copy[i] = copy[j] as T;
    copy[j] = t;
  }
  return copy.slice(0, k);
}

/** One option code of a choice question, by the options' weights. */
export function drawOption(rng: Random, options: readonly { code: string; weight: number }[]): string {
  const total = options.reduce((s, o) => s + o.weight, 0);
  let x = rng.float() * total;
  for (const o of options) {
    x -= o.weight;
    if (x < 0) return o.code;
  }
  return options.at(-1)?.code ?? '';
}

/** Answers to a form: one option for single, one or two for multi, a remark for text now and then. */
export function drawAnswers(rng: Random, form: DemoForm): Record<string, string | string[]> {
  const answers: Record<string, string | string[]> = {};
  for (const q of form.questions) {
    if (q.type === 'single') answers[q.id] = drawOption(rng, q.options);
    else if (q.type === 'multi') {
      const first = drawOption(rng, q.options);
      const second = rng.chance(0.35) ? drawOption(rng, q.options) : first;
      answers[q.id] = first === second ? [first] : [first, second];
    } else if (form.remarks.length > 0 && rng.chance(0.3)) answers[q.id] = form.remarks[rng.below(form.remarks.length)] ?? '';
  }
  return answers;
}

/** An id-like text of the draw, for event ids and WeCom external user ids of new friends. */
export function drawnKey(rng: Random, length = 16): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[rng.below(alphabet.length)];
  return s;
}

/** A number in [0, 1) fixed by a text (FNV-1a): a decision about one thing that no other draw moves. */
export function hashUnit(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) / 4_294_967_296;
}
