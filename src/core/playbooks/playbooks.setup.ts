// What each playbook sets up beyond tags, segments and promotions: acquisition codes with their
// welcome, the SOP calendar for a kind of group, journeys, and the membership rules. Data only,
// built from the ready-made SOP plans and journeys of those areas; playbooks.areas.ts applies it.
import type { AcquisitionCodeKind, GroupKind } from '../../db/schema.ts';
import type { OperatingModel } from '../diagnosis/diagnosis.rules.ts';
import type { JourneyGraphInput } from '../journeys/journeys.graph.ts';
import { JOURNEY_TEMPLATES } from '../journeys/templates.ts';
import type { TierInput } from '../membership/tiers.service.ts';
import type { MembershipSettings } from '../membership/settings.service.ts';
import { templateByKey, type TemplateSlot } from '../sop/sop.templates.ts';

/** A slot of a playbook's plan; `couponKey` names one of the playbook's own coupon templates. */
export interface SetupSlot extends TemplateSlot { couponKey?: string }

export type SetupItem =
  | {
    kind: 'acquisition_code'; key: string; name: string; codeKind: AcquisitionCodeKind; campaign: string;
    welcomeText: string; welcomePersona: string; welcomeCouponKey?: string;
  }
  | { kind: 'sop_plan'; key: string; name: string; description: string; groupKind: GroupKind; templateKey: string | null; slots: SetupSlot[] }
  | { kind: 'journey'; key: string; name: string; description: string; graph: JourneyGraphInput; segmentKey?: string }
  | {
    kind: 'membership_settings'; key: string; name: string; description: string;
    settings: Omit<MembershipSettings, 'memberDayTemplateId'>; memberDayCouponKey?: string;
  }
  | { kind: 'membership_tiers'; key: string; name: string; description: string; tiers: Omit<TierInput, 'couponTemplateIds'>[] };

const DAY = 24 * 60;

/** A ready-made SOP plan, with the playbook's extra slots and coupons on named slots. */
function sopFrom(templateKey: string, key: string, extra: SetupSlot[] = [], coupons: Record<string, string> = {}): SetupItem {
  const template = templateByKey(templateKey);
  if (!template) throw new Error(`no SOP template ${templateKey}`);
  const slots: SetupSlot[] = [...template.slots, ...extra].map((s) => {
    const couponKey = coupons[s.title];
    return couponKey ? { ...s, couponKey } : s;
  });
  return { kind: 'sop_plan', key, name: template.name, description: template.summary, groupKind: template.groupKind, templateKey, slots };
}

type Graph = { nodes: JourneyGraphInput['nodes']; edges: NonNullable<JourneyGraphInput['edges']> } & Omit<JourneyGraphInput, 'nodes' | 'edges'>;

/**
 * A ready-made journey with the playbook's words: `texts` replaces a node's message, `drop`
 * removes nodes (their incoming edges lead to what followed them) — the welcome node goes where
 * the playbook's code already welcomes, so nobody is welcomed twice.
 */
function journeyFrom(model: string, templateKey: string, key: string, opts: { name?: string; description?: string; texts?: Record<string, string>; drop?: string[]; segmentKey?: string } = {}): SetupItem {
  const template = JOURNEY_TEMPLATES.find((t) => t.key === templateKey);
  if (!template) throw new Error(`no journey template ${templateKey}`);
  const g = template.graph as Graph;
  const drop = new Set(opts.drop ?? []);
  const nextOf = (id: string): string => {
    const e = g.edges.find((x) => x.from === id);
    return e && drop.has(e.to) ? nextOf(e.to) : e?.to ?? id;
  };
  const nodes = g.nodes.filter((n) => !drop.has(n.id)).map((n) => {
    const text = opts.texts?.[n.id];
    return text !== undefined && 'text' in n ? { ...n, text } : n;
  });
  const edges = g.edges.filter((e) => !drop.has(e.from)).map((e) => (drop.has(e.to) ? { ...e, to: nextOf(e.to) } : e));
  return {
    kind: 'journey', key: `journey.${key}`, name: `${model}：${opts.name ?? template.name}`, description: opts.description ?? template.description,
    graph: { ...g, nodes, edges }, ...(opts.segmentKey ? { segmentKey: opts.segmentKey } : {}),
  };
}

const at = (x: number, y: number) => ({ x, y });
const task = (id: string, title: string, y: number, dueInHours = 24) => ({ id, type: 'guide_task' as const, label: title.slice(0, 20), title, dueInHours, text: '', position: at(0, y) });
const waitOrder = (id: string, days: number, y: number) =>
  ({ id, type: 'wait' as const, label: `${days} 天内下单？`, wait: { kind: 'event' as const, eventType: 'order_paid', timeoutMinutes: days * DAY, match: [] }, position: at(0, y) });

/** 专属顾问: the guide's one-to-one cadence after an add — the same day, day 3, day 7; buying ends it. */
const ADVISOR_FOLLOW_UP: SetupItem = {
  kind: 'journey', key: 'journey.follow_up', name: '专属顾问：一对一跟进节奏', description: '加好友当天、第 3 天、第 7 天各一条导购任务；期间下单即结束。只派导购任务，不发消息。',
  graph: {
    nodes: [
      { id: 'entry', type: 'entry', label: '添加好友', trigger: { kind: 'event', eventType: 'contact_added' }, position: at(0, 0) },
      task('day0', '当天：了解 {{name}} 的需求与预算', 120, 4),
      waitOrder('wait3', 3, 240),
      task('day3', '第 3 天：给 {{name}} 发方案或邀请到店体验', 360),
      waitOrder('wait7', 4, 480),
      task('day7', '第 7 天：回访 {{name}}，约到店或线上演示', 600),
      { id: 'bought', type: 'exit', label: '已成交', position: at(300, 480) },
      { id: 'end', type: 'exit', label: '结束', position: at(0, 720) },
    ],
    edges: [
      { from: 'entry', to: 'day0' }, { from: 'day0', to: 'wait3' }, { from: 'wait3', port: 'event', to: 'bought' }, { from: 'wait3', port: 'timeout', to: 'day3' },
      { from: 'day3', to: 'wait7' }, { from: 'wait7', port: 'event', to: 'bought' }, { from: 'wait7', port: 'timeout', to: 'day7' }, { from: 'day7', to: 'end' },
    ],
    goal: { eventType: 'order_paid', withinDays: 14 },
    reEntry: { mode: 'never' },
  },
};

/** 专属顾问: after a purchase, the 30-day visit and the consumables / warranty reminder. */
const ADVISOR_AFTER_SALES: SetupItem = {
  kind: 'journey', key: 'journey.after_sales', name: '专属顾问：售后回访与到期提醒', description: '下单 30 天后导购回访使用情况；180 天后提醒耗材与保修到期、邀约预约保养。',
  graph: {
    nodes: [
      { id: 'entry', type: 'entry', label: '下单', trigger: { kind: 'event', eventType: 'order_paid' }, position: at(0, 0) },
      { id: 'wait30', type: 'wait', label: '30 天后', wait: { kind: 'duration', minutes: 30 * DAY }, position: at(0, 120) },
      task('visit', '30 天回访：{{name}} 用得怎么样？推荐耗材', 240, 48),
      { id: 'wait180', type: 'wait', label: '再 150 天', wait: { kind: 'duration', minutes: 150 * DAY }, position: at(0, 360) },
      task('renew', '保修与耗材到期提醒：为 {{name}} 预约保养', 480, 72),
      { id: 'end', type: 'exit', label: '结束', position: at(0, 600) },
    ],
    edges: [{ from: 'entry', to: 'wait30' }, { from: 'wait30', to: 'visit' }, { from: 'visit', to: 'wait180' }, { from: 'wait180', to: 'renew' }, { from: 'renew', to: 'end' }],
    goal: null,
    reEntry: { mode: 'after_days', days: 30 },
  },
};

const tiers = (...rows: [name: string, minYuan: number, benefits: string][]): Omit<TierInput, 'couponTemplateIds'>[] =>
  rows.map(([name, minYuan, benefits], i) => {
    const next = rows[i + 1];
    return { name, minValue: minYuan * 100, maxValue: next ? next[1] * 100 : null, benefits, memberPricePercent: null };
  });

const points = (over: Partial<MembershipSettings>): Omit<MembershipSettings, 'memberDayTemplateId'> => ({
  pointsEnabled: true, pointsPerYuan: 1, channelMultipliers: {}, storeMultipliers: {}, skuMultipliers: {}, memberDayMultiplier: 100,
  expiryMonths: 12, tierBasis: 'spend', tierWindowMonths: 12, memberDayWeekdays: [], ...over,
});

export const SETUPS: Record<OperatingModel, SetupItem[]> = {
  shopping: [
    { kind: 'acquisition_code', key: 'store_poster', name: '门店海报码 · 新人券', codeKind: 'poster', campaign: '门店引流', welcomeText: '{nickname}您好，我是{guide}！新人 5 元券已放进您的卡包，今天下单就能用。每天早上群里晒新到的水果，下午有接龙和秒杀～', welcomePersona: '果果', welcomeCouponKey: 'welcome' },
    { kind: 'acquisition_code', key: 'order_card', name: '外卖卡码', codeKind: 'order_card', campaign: '外卖包裹卡', welcomeText: '{nickname}您好，感谢在外卖平台下单！加我好友后下次直接在群里接龙更优惠，新人 5 元券已送上～', welcomePersona: '果果', welcomeCouponKey: 'welcome' },
    sopFrom('fruit-daily-rhythm', 'daily_rhythm', [], { 周二会员日领券: 'member_day' }),
    journeyFrom('购物参谋', 'welcome_first_order', 'welcome', { drop: ['welcome'], description: '欢迎语与新人券由方案的渠道活码发出；3 天未下单由导购跟进，7 天未下单再提醒一次。目标：14 天内首单。', texts: { nudge: '{{name}}，新人 5 元券还没用哦，今天群里有接龙，{{guide}}等您～' } }),
    journeyFrom('购物参谋', 'lapse_winback', 'winback', { segmentKey: 'lapsing', description: '进入「30 天未复购老客」人群时：10% 作为对照不发，其余 A/B 两版挽回文案，衡量真实提升。', texts: { msg_a: '{{name}}，好久不见，今天店里到了新鲜水果，群里有接龙价', msg_b: '{{name}}，{{guide}}给您留了一张周二会员日券' } }),
    journeyFrom('购物参谋', 'birthday', 'birthday'),
    { kind: 'membership_settings', key: 'points', name: '积分：每 1 元 1 分，周二会员日双倍', description: '每笔订单按实付积分，积分 12 个月后到期；每周二会员日积分 ×2，并给活跃群成员发会员日券', settings: points({ memberDayMultiplier: 200, memberDayWeekdays: [2] }), memberDayCouponKey: 'member_day' },
    { kind: 'membership_tiers', key: 'tiers', name: '会员等级：普通 / 银卡 / 金卡', description: '按近 12 个月消费：¥500 银卡、¥2000 金卡', tiers: tiers(['普通会员', 0, '新人券、会员日券'], ['银卡会员', 500, '会员日券加码、生日礼'], ['金卡会员', 2_000, '新品优先尝鲜、专属客服']) },
  ],
  expert: [
    { kind: 'acquisition_code', key: 'expert_poster', name: '育儿顾问码', codeKind: 'poster', campaign: '门店与母婴展', welcomeText: '{nickname}您好，我是营养顾问{guide}。宝宝喂养、睡眠、辅食的问题随时问我；每周三晚 8 点群里有专家直播课～', welcomePersona: '营养顾问' },
    sopFrom('knowledge-expert', 'expert_group'),
    {
      kind: 'sop_plan', key: 'topic_calendar', name: '知识专家：话题日历与人设', templateKey: null, groupKind: 'interest',
      description: '每周固定话题，导购以专家人设发布：周一喂养、周二睡眠、周四辅食、周五早教、周日精选答疑。',
      slots: [
        { weekday: 1, time: '12:00', title: '话题日历：喂养', text: '【营养顾问说】本周一话题：喂养。奶量怎么定？转奶怎么转？三条要点…', mode: 'task' },
        { weekday: 2, time: '12:00', title: '话题日历：睡眠', text: '【营养顾问说】宝宝夜醒多怎么办？今天分享睡眠的三个小习惯…', mode: 'task' },
        { weekday: 4, time: '12:00', title: '话题日历：辅食', text: '【营养顾问说】辅食添加顺序与过敏观察，收藏这张表…', mode: 'task' },
        { weekday: 5, time: '12:00', title: '话题日历：早教', text: '【营养顾问说】周末亲子小游戏，促进宝宝大运动发育…', mode: 'task' },
        { weekday: 7, time: '12:00', title: '话题日历：精选答疑', text: '【营养顾问说】本周群里问得最多的三个问题，统一回复…', mode: 'task' },
      ],
    },
    journeyFrom('知识专家', 'welcome_first_order', 'welcome', { drop: ['welcome'], description: '欢迎语与新人券由方案的渠道活码发出；3 天未下单由导购跟进，7 天未下单再提醒一次。目标：14 天内首单。', texts: { nudge: '{{name}}，有喂养上的问题随时问我；首单满 300 减 30 还在有效期内～' } }),
    journeyFrom('知识专家', 'seed5_convert6', 'seed_convert', { texts: Object.fromEntries([1, 2, 3, 4, 5].map((d) => [`seed${d}`, `{{name}}，今天的育儿小知识（第 ${d} 天）`])) }),
    journeyFrom('知识专家', 'lapse_winback', 'refill', { name: '补货提醒', segmentKey: 'refill_due', description: '进入「该补货了」人群时：10% 作为对照不发，其余 A/B 两版补货提醒。', texts: { msg_a: '{{name}}，按宝宝的用量，奶粉快用完了吧？{{guide}}帮您留了货', msg_b: '{{name}}，补货时间到啦，老客户回购有专属福利' } }),
    { kind: 'membership_settings', key: 'points', name: '积分：每 1 元 1 分', description: '每笔订单按实付积分，积分 12 个月后到期，可兑换试用装与课程', settings: points({}) },
    { kind: 'membership_tiers', key: 'tiers', name: '会员等级：新手 / 成长 / 资深', description: '按近 12 个月消费：¥1000 成长、¥5000 资深', tiers: tiers(['新手会员', 0, '专家课堂、成长档案'], ['成长会员', 1_000, '营养师一对一咨询'], ['资深会员', 5_000, '专家上门讲座名额、新品试用']) },
  ],
  advisor: [
    { kind: 'acquisition_code', key: 'lbs_code', name: 'LBS 门店活码', codeKind: 'store_routing', campaign: '全渠道', welcomeText: '{nickname}您好，我是您的专属顾问{guide}。选购、预约到店、售后保修都可以直接找我～', welcomePersona: '专属顾问' },
    sopFrom('exclusive-advisor', 'service_group', [{ weekday: 3, time: '10:00', title: '售后与保修提醒', text: '本周保修或耗材到期的客户，请一对一提醒并预约保养；群里发一条保养小贴士。', mode: 'task' }]),
    ADVISOR_FOLLOW_UP,
    ADVISOR_AFTER_SALES,
    journeyFrom('专属顾问', 'birthday', 'birthday'),
    { kind: 'membership_settings', key: 'points', name: '等级按近 24 个月消费，不开积分', description: '低频高客单：不做积分，会员等级按近 24 个月累计消费，权益以服务为主', settings: points({ pointsEnabled: false, tierWindowMonths: 24 }) },
    { kind: 'membership_tiers', key: 'tiers', name: '会员等级：会员 / 银卡 / 金卡', description: '按近 24 个月消费：¥5000 银卡、¥20000 金卡', tiers: tiers(['会员', 0, '专属顾问、在线预约'], ['银卡会员', 5_000, '优先预约、免费清洁保养'], ['金卡会员', 20_000, '顾问上门服务、延长保修一年']) },
  ],
  interest: [
    { kind: 'acquisition_code', key: 'community_code', name: '兴趣社群码', codeKind: 'poster', campaign: '门店与活动', welcomeText: '{nickname}你好，我是{guide}！跑步、瑜伽、穿搭都有同好群，回复你喜欢的运动，我拉你进群～', welcomePersona: '同好主理人' },
    sopFrom('interest-community', 'interest_group', [{ weekday: 4, time: '20:00', title: 'KOL 内容分享', text: '本周 KOL 分享：【KOL】的【场景】装备清单，群友专享同款链接。', mode: 'task' }], { 周日晒图墙: 'ugc' }),
    journeyFrom('兴趣同好', 'welcome_first_order', 'welcome', { drop: ['welcome'], description: '欢迎语与新人券由方案的渠道活码发出；3 天未下单由导购跟进，7 天未下单再提醒一次。目标：14 天内首单。' }),
    journeyFrom('兴趣同好', 'birthday', 'birthday', { texts: { wish: '{{name}}，生日快乐！生日月专属礼已备好，来{{store}}挑一件喜欢的装备吧～' } }),
    journeyFrom('兴趣同好', 'lapse_winback', 'winback', { segmentKey: 'lapsed_fans', description: '进入「90 天未购会员」人群时：10% 作为对照不发，其余 A/B 两版召回文案。', texts: { msg_a: '{{name}}，新一季装备上新了，群友优先购', msg_b: '{{name}}，这周末有同好线下活动，一起来吗？' } }),
    { kind: 'membership_settings', key: 'points', name: '积分：每 1 元 1 分', description: '每笔订单按实付积分，积分 12 个月后到期，晒图与带新可加分', settings: points({}) },
    { kind: 'membership_tiers', key: 'tiers', name: '会员等级：同好 / 核心 / 超级同好', description: '按近 12 个月消费：¥1000 核心、¥3000 超级同好', tiers: tiers(['同好会员', 0, '兴趣社群、生日礼'], ['核心会员', 1_000, '新品优先购、线下活动'], ['超级同好', 3_000, '共创新品、KOL 见面会']) },
  ],
};
