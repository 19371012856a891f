// The demo's group chatter: a few weeks of messages for each store group, drawn as the events a
// WeCom integration sends (message_received from a member, message_sent from staff, with chatId,
// text and the id of the message answered), so they take the path real messages take. Each group
// is given an intended health and talks like it (seed 003's four kinds of group):
//   value        — many members talk, ask and answer each other; the owner posts the day's plan;
//   chicken_rib  — the owner posts three times a day, a few members say 收到;
//   dead         — a post now and then, next to nobody answers;
//   spam         — a few members post links and ads among little else.
// Pure: groups, members and a seed in, events out; the same inputs give the same events.
import { Random } from './demo.rules.ts';

export type ChatterIntent = 'value' | 'chicken_rib' | 'dead' | 'spam';

/** Groups take their intent in this order (by chat id), so every demo has each kind, value groups most. */
export const INTENT_CYCLE: readonly ChatterIntent[] = ['value', 'chicken_rib', 'value', 'dead', 'value', 'spam', 'chicken_rib', 'value', 'dead', 'chicken_rib'];

export interface ChatterGroup {
  chatId: string;
  ownerStaffId: string;
  /** Present members with when they joined (and left), epoch ms. */
  members: { customerId: string; joinedMs: number; leftMs: number | null }[];
}

/** A local day of the window: the instant of its midnight (UTC ms). */
export interface ChatterDay { midnightMs: number }

export interface ChatterEvent {
  id: string;
  type: 'message_received' | 'message_sent';
  occurredAt: string;
  customer: { customerId: string };
  properties: { chatId: string; text: string; staffId?: string; replyTo?: string };
}

/** Messages a day, on average, by intent: member talk, owner posts, owner answers, ads. */
const DAILY = {
  value: { member: 9, posts: 2, answers: 1.5, ads: 0 },
  chicken_rib: { member: 1.2, posts: 3, answers: 0, ads: 0 },
  dead: { member: 0.05, posts: 0, answers: 0, ads: 0 },
  spam: { member: 0.8, posts: 1, answers: 0, ads: 2.2 },
} as const;
/** In a value group, a member's message answers another member's this often, the owner's post this often. */
const ANSWERS_MEMBER = 0.45;
const ANSWERS_OWNER = 0.15;
const HOUR = 3_600_000;

const FRUITS = ['车厘子', '阳光玫瑰', '麒麟瓜', '台农芒', '猫山王榴莲', '丹东草莓', '砂糖橘', '蓝莓', '金果猕猴桃', '水蜜桃', '沃柑', '牛油果'];
const POSTS = [
  '早上好！今天到店新品：{f}，实拍图已发群相册，先到先得～',
  '15:00 {f}接龙开始，想要的接龙：1. 2. 3.',
  '今晚 21:30 前下单，明早到店自提。晚安～',
  '周二会员日，会员价 9 折，结账出示会员码',
  '{f}今天特价，限量 30 份，到店报群名即可',
  '新到一批{f}，店长亲测很甜，欢迎来尝',
];
const ASKS = ['请问今天还有{f}吗？', '{f}怎么挑比较甜？', '晚上几点关门呀？', '明天能送到小区吗？', '会员日是每周二吗？', '{f}能放冰箱吗？'];
const TALK = [
  '接龙+1 {f}两盒', '昨天买的{f}好甜，孩子一口气吃了半盒', '{f}冷藏一下更好吃', '已下单，明早去拿', '周末带娃一起去店里',
  '这周的{f}比上周还好', '刚拿到，切开看果肉很新鲜', '+1', '谢谢群主', '有没有一起拼{f}的？',
];
const REPLIES = ['挑颜色深一点的，蒂是绿的比较新鲜', '我买过，挺甜的', '放冰箱能放三四天', '店里还有，我刚去过', '对，会员日更划算', '哈哈同感', '可以先买一盒试试', '我也想要，算我一个'];
const OWNER_ANSWERS = ['有的，给您留一份', '亲，晚上十点关门哦', '已登记，明天到店找店员拿就行', '谢谢支持～', '是的，每周二'];
const ACKS = ['收到', '好的', '谢谢', '👍', '收到，谢谢'];
const ADS = [
  '兼职刷单，日结 300，加 V 详聊 https://t.cn/A6{c}',
  '代购正品化妆品，全网最低价 shop{c}.vip',
  '点击领取拼单红包 https://hb.example.cn/{c}',
  '免费领鸡蛋，扫码进群 www.qun{c}.top',
];

const pick = <T>(rng: Random, xs: readonly T[]): T => xs[rng.below(xs.length)] as T;
const fill = (rng: Random, text: string): string => text.replace('{f}', pick(rng, FRUITS)).replace('{c}', String(1000 + rng.below(9000)));
/** Poisson draw (Knuth) for the small daily means used here. */
function poisson(rng: Random, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rng.float();
  while (p > limit) {
    k += 1;
    p *= rng.float();
  }
  return k;
}

/** The intent of each group, by its place among the groups ordered by chat id. */
export function chatterIntents(chatIds: readonly string[]): Map<string, ChatterIntent> {
  return new Map([...chatIds].sort().map((chatId, i) => [chatId, INTENT_CYCLE[i % INTENT_CYCLE.length] ?? 'value']));
}

/**
 * One group's messages over the days, in time order. Member messages come from members present
 * that day; in a value group a core of regulars talks most, so many but not all members speak.
 */
export function groupChatter(group: ChatterGroup, intent: ChatterIntent, days: readonly ChatterDay[], seed: number): ChatterEvent[] {
  const rng = new Random(seed);
  const events: ChatterEvent[] = [];
  const rate = DAILY[intent];
  let n = 0;
  const id = (): string => `demo-chat-${group.chatId}-${++n}`;
  // Regulars (a fifth of the members) say half of what members say in a value group.
  const regulars = group.members.filter(() => rng.chance(0.2));
  const spammers = group.members.filter(() => rng.chance(0.03)).slice(0, 3);
  for (const [dayIndex, day] of days.entries()) {
    const present = group.members.filter((m) => m.joinedMs < day.midnightMs && (m.leftMs === null || m.leftMs > day.midnightMs + 24 * HOUR));
    if (present.length === 0) continue;
    const presentRegulars = regulars.filter((m) => present.includes(m));
    const speaker = (): string => (pick(rng, presentRegulars.length > 0 && rng.chance(0.5) ? presentRegulars : present)).customerId;
    const at = (fromHour: number, toHour: number): number => day.midnightMs + Math.floor((fromHour + rng.float() * (toHour - fromHour)) * HOUR);
    const drafts: { atMs: number; kind: 'post' | 'member' | 'answer' | 'ad' }[] = [];
    // a dead group's owner still posts once a week, into the silence
    const posts = intent === 'dead' ? (dayIndex % 7 === 3 ? 1 : 0) : intent === 'spam' ? poisson(rng, rate.posts) : rate.posts;
    const postHours = [[8, 9], [14.5, 15.5], [21, 22]] as const;
    for (let k = 0; k < posts; k++) {
      const [from, to] = postHours[k % postHours.length] ?? [8, 9];
      drafts.push({ atMs: at(from, to), kind: 'post' });
    }
    for (let k = poisson(rng, rate.member); k > 0; k--) drafts.push({ atMs: at(8, 23), kind: 'member' });
    for (let k = poisson(rng, rate.answers); k > 0; k--) drafts.push({ atMs: at(9, 22), kind: 'answer' });
    if (spammers.length > 0) for (let k = poisson(rng, rate.ads); k > 0; k--) drafts.push({ atMs: at(0, 24), kind: 'ad' });
    drafts.sort((a, b) => a.atMs - b.atMs);

    let lastPost: ChatterEvent | undefined;
    const memberSaid: ChatterEvent[] = [];
    for (const d of drafts) {
      const occurredAt = new Date(d.atMs).toISOString();
      if (d.kind === 'post' || d.kind === 'answer') {
        const asked = d.kind === 'answer' ? memberSaid.at(-1) : undefined;
        if (d.kind === 'answer' && !asked) continue;
        const e: ChatterEvent = {
          id: id(), type: 'message_sent', occurredAt, customer: { customerId: asked?.customer.customerId ?? pick(rng, present).customerId },
          properties: { chatId: group.chatId, staffId: group.ownerStaffId, text: fill(rng, d.kind === 'post' ? pick(rng, POSTS) : pick(rng, OWNER_ANSWERS)), ...(asked ? { replyTo: asked.id } : {}) },
        };
        events.push(e);
        if (d.kind === 'post') lastPost = e;
        continue;
      }
      if (d.kind === 'ad') {
        events.push({ id: id(), type: 'message_received', occurredAt, customer: { customerId: pick(rng, spammers).customerId }, properties: { chatId: group.chatId, text: fill(rng, pick(rng, ADS)) } });
        continue;
      }
      const who = speaker();
      let replyTo: ChatterEvent | undefined;
      let text: string;
      if (intent === 'chicken_rib' || intent === 'dead') {
        replyTo = lastPost;
        text = pick(rng, ACKS);
      } else {
        const earlier = memberSaid.filter((m) => m.customer.customerId !== who);
        const u = rng.float();
        if (u < ANSWERS_MEMBER && earlier.length > 0) {
          replyTo = earlier[Math.max(0, earlier.length - 1 - rng.below(3))];
          text = pick(rng, REPLIES);
        } else if (u < ANSWERS_MEMBER + ANSWERS_OWNER && lastPost) {
          replyTo = lastPost;
          text = pick(rng, TALK);
        } else {
          text = pick(rng, rng.chance(0.4) ? ASKS : TALK);
        }
        text = fill(rng, text);
      }
      const e: ChatterEvent = {
        id: id(), type: 'message_received', occurredAt, customer: { customerId: who },
        properties: { chatId: group.chatId, text, ...(replyTo ? { replyTo: replyTo.id } : {}) },
      };
      events.push(e);
      memberSaid.push(e);
    }
  }
  return events;
}
