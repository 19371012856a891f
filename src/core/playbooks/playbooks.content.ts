// The four playbooks (seeds 000, 002, 003, 004): what Yuchi sets up for each operating model, and
// the KPIs with targets that say whether it works. Data only; playbooks.service.ts applies it.
import type { TemplateInput } from '../coupons/templates.service.ts';
import type { OperatingModel } from '../diagnosis/diagnosis.rules.ts';
import type { PriceRuleInput } from '../promotions/price-rules.service.ts';
import type { Metric, Comparison } from '../tags/tags.rules.ts';
import { SETUPS, type SetupItem } from './playbooks.setup.ts';

export type PlaybookItem =
  | { kind: 'tag_group'; key: string; name: string; description: string; tags: { name: string; rule?: { metric: Metric; windowDays?: number; op: Comparison; value: number } }[] }
  | { kind: 'segment'; key: string; name: string; description: string; definition: unknown }
  | { kind: 'coupon_template'; key: string; input: TemplateInput }
  | { kind: 'price_rule'; key: string; input: PriceRuleInput }
  | SetupItem;

/** The funnel the playbook health walks, in order: the first step below target is the one to fix. */
export const KPI_STEPS = [
  'new_friends_per_store_week', 'friend_retention_7d', 'group_join_rate', 'group_retention_7d', 'first_order_rate_14d', 'repurchase_30d', 'member_day_lift',
] as const;
export type KpiKey = (typeof KPI_STEPS)[number];

export interface Playbook {
  model: OperatingModel;
  name: string;
  summary: string;
  /** What the operators run by hand or with later modules: the playbook's full plan, shown in the preview. */
  plan: string[];
  items: PlaybookItem[];
  targets: Partial<Record<KpiKey, number>>;
}

const win = (days: number) => ({ field: 'last_order_at', op: 'within_days', value: days });
const lapsed = (days: number) => ({ not: win(days) });

export const PLAYBOOKS: Record<OperatingModel, Playbook> = {
  shopping: {
    model: 'shopping',
    name: '购物参谋 · 促销驱动',
    summary: '高频低客单：新客礼拉首单，满减与会员日拉频次，社群每天三个时段推新品、接龙、秒杀（百果园、Tim Hortons）。',
    plan: [
      '门店码与外卖卡码：加好友自动打“来源”标签，欢迎语附 ¥5 新人券',
      '社群 SOP：08:30 新品到店实拍，15:00 爆品接龙或秒杀，21:30 晚安与次日预告',
      '每周二会员日：群成员专享 9 折券，对比其他日子看销售提升',
      '旅程：新客欢迎 → 7 天内首单提醒；30 天未复购挽回',
    ],
    items: [
      {
        kind: 'tag_group', key: 'frequency', name: '消费频次', description: '按近 90 天购买天数自动分层（购物参谋方案）',
        tags: [
          { name: '高频客', rule: { metric: 'order_days', windowDays: 90, op: '>=', value: 6 } },
          { name: '常客', rule: { metric: 'order_days', windowDays: 90, op: '>=', value: 2 } },
        ],
      },
      { kind: 'segment', key: 'new_no_repeat', name: '新客未复购', description: '首单在 30 天内、只买过一次：推第二单优惠', definition: { all: [{ field: 'order_days', op: 'eq', value: 1 }, { field: 'first_order_at', op: 'within_days', value: 30 }] } },
      { kind: 'segment', key: 'lapsing', name: '30 天未复购老客', description: '买过两次以上、30 天没再买：会员日券召回', definition: { all: [{ field: 'order_days', op: 'gte', value: 2 }, lapsed(30)] } },
      { kind: 'segment', key: 'group_buyers', name: '群内活跃买家', description: '在群里、近 30 天下过单：接龙与秒杀的主力', definition: { all: [{ field: 'group', op: 'in_any' }, win(30)] } },
      { kind: 'coupon_template', key: 'welcome', input: { name: '新人 5 元券', description: '加好友即送，无门槛（百果园首次入群 ¥5）', kind: 'amount', amountOffFen: 500, validDays: 14, perCustomerLimit: 1 } },
      { kind: 'coupon_template', key: 'member_day', input: { name: '周二会员日 9 折券', description: '会员日群成员专享，当日有效', kind: 'percent', percent: 90, maxDiscountFen: 3_000, validDays: 1, perCustomerLimit: 1 } },
      { kind: 'coupon_template', key: 'second_order', input: { name: '第二单满 59 减 10', description: '新客第二单', kind: 'threshold', thresholdFen: 5_900, amountOffFen: 1_000, validDays: 14, perCustomerLimit: 1 } },
      { kind: 'price_rule', key: 'full_reduction', input: { name: '满 99 减 15', params: { kind: 'threshold', thresholdFen: 9_900, amountOffFen: 1_500, repeat: false }, stackable: true } },
      ...SETUPS.shopping,
    ],
    targets: { new_friends_per_store_week: 30, friend_retention_7d: 0.85, group_join_rate: 0.5, group_retention_7d: 0.8, first_order_rate_14d: 0.3, repurchase_30d: 0.35, member_day_lift: 1.3 },
  },
  expert: {
    model: 'expert',
    name: '知识专家 · 内容驱动',
    summary: '高频高客单、需要专业指导：专家人设与话题内容先种草，再转化；问卷把需求编码成标签，按标签选话术（飞鹤、高姿）。',
    plan: [
      '问卷与密码本：宝宝月龄或肌肤问题编码成标签，导购按标签选话术',
      '社群 SOP：每天 10:00 一条科普，周三 20:00 专家课堂，周日答疑',
      '旅程：5 天种草 + 6 天转化（高姿节奏），克制推送',
      '人设：每个导购一个专家身份，朋友圈按话题日历发布',
    ],
    items: [
      {
        kind: 'tag_group', key: 'stage', name: '购买阶段', description: '按购买天数区分体验与忠诚（知识专家方案）',
        tags: [
          { name: '体验客', rule: { metric: 'order_days', op: '=', value: 1 } },
          { name: '忠诚客', rule: { metric: 'order_days', windowDays: 180, op: '>=', value: 4 } },
        ],
      },
      { kind: 'segment', key: 'seeding', name: '种草期新好友', description: '加好友 5 天内、未下单：只推内容，不推产品', definition: { all: [{ field: 'created_at', op: 'within_days', value: 5 }, { field: 'order_count', op: 'eq', value: 0 }] } },
      { kind: 'segment', key: 'converting', name: '转化期好友', description: '加好友 6–11 天、未下单：课堂邀请与首单礼', definition: { all: [{ field: 'created_at', op: 'within_days', value: 11 }, { not: { field: 'created_at', op: 'within_days', value: 5 } }, { field: 'order_count', op: 'eq', value: 0 }] } },
      { kind: 'segment', key: 'refill_due', name: '该补货了', description: '买过、25–40 天未再买：按用量提醒补货', definition: { all: [{ field: 'order_count', op: 'gte', value: 1 }, lapsed(25), win(40)] } },
      { kind: 'coupon_template', key: 'first_order', input: { name: '首单满 300 减 30', description: '转化期课堂后发放', kind: 'threshold', thresholdFen: 30_000, amountOffFen: 3_000, validDays: 7, perCustomerLimit: 1 } },
      ...SETUPS.expert,
    ],
    targets: { new_friends_per_store_week: 15, friend_retention_7d: 0.9, group_join_rate: 0.6, group_retention_7d: 0.85, first_order_rate_14d: 0.12, repurchase_30d: 0.35 },
  },
  advisor: {
    model: 'advisor',
    name: '专属顾问 · 服务驱动',
    summary: '低频高客单：按位置把客户分到最近门店的导购，一对一跟进，预约与售后在线化（惠普）。',
    plan: [
      'LBS 门店活码：扫码客户按定位分到最近营业门店的导购',
      '一对一跟进节奏：加好友当天、第 3 天、第 7 天导购任务',
      '预约与售后：下单后 30 天回访、耗材与保修到期提醒',
      '离职继承：导购离职时客户整体交接，每位客户 90 天内最多转 2 次',
    ],
    items: [
      {
        kind: 'tag_group', key: 'intent', name: '购买意向', description: '按购买记录区分（专属顾问方案）',
        tags: [
          { name: '已成交', rule: { metric: 'order_count', op: '>=', value: 1 } },
          { name: '高价值客户', rule: { metric: 'spent_fen', op: '>=', value: 500_000 } },
        ],
      },
      { kind: 'segment', key: 'open_leads', name: '14 天未成交线索', description: '加好友 14 天以上仍未下单：导购重点跟进', definition: { all: [{ not: { field: 'created_at', op: 'within_days', value: 14 } }, { field: 'order_count', op: 'eq', value: 0 }] } },
      { kind: 'segment', key: 'after_sales', name: '售后回访期', description: '30–60 天前下单：回访使用情况、推荐耗材', definition: { all: [lapsed(30), win(60)] } },
      { kind: 'coupon_template', key: 'visit', input: { name: '到店体验礼 50 元', description: '预约到店、满 1000 可用', kind: 'threshold', thresholdFen: 100_000, amountOffFen: 5_000, validDays: 30, perCustomerLimit: 1 } },
      ...SETUPS.advisor,
    ],
    targets: { new_friends_per_store_week: 10, friend_retention_7d: 0.9, first_order_rate_14d: 0.1 },
  },
  interest: {
    model: 'interest',
    name: '兴趣同好 · 场景驱动',
    summary: '高客单、社交属性强：按兴趣建群，KOL 与场景内容种草，UGC 活动让会员互相带动（斐乐）。',
    plan: [
      '兴趣社群：跑步、瑜伽、潮流穿搭各自成群，群主是同好而不只是导购',
      '社群 SOP：周五穿搭/装备分享，每月一次晒图大赛，新品首发群内优先',
      '个性化推荐：按兴趣标签推新品，生日月专属礼',
      '超级用户：带新、活跃、晒单的会员排行与奖励',
    ],
    items: [
      {
        kind: 'tag_group', key: 'value', name: '会员价值', description: '按累计消费分层（兴趣同好方案）',
        tags: [
          { name: '核心会员', rule: { metric: 'spent_fen', windowDays: 365, op: '>=', value: 300_000 } },
          { name: '复购会员', rule: { metric: 'order_days', windowDays: 365, op: '>=', value: 2 } },
        ],
      },
      { kind: 'segment', key: 'birthday', name: '本月生日会员', description: '生日月专属礼', definition: { field: 'days_until_birthday', op: 'lte', value: 30 } },
      { kind: 'segment', key: 'lapsed_fans', name: '90 天未购会员', description: '买过、90 天没再买：新品与线下活动召回', definition: { all: [{ field: 'order_count', op: 'gte', value: 1 }, lapsed(90)] } },
      { kind: 'segment', key: 'community_fans', name: '社群活跃会员', description: '在群、近 90 天购买：新品首发与晒图大赛的种子', definition: { all: [{ field: 'group', op: 'in_any' }, win(90)] } },
      { kind: 'coupon_template', key: 'ugc', input: { name: '晒图有礼 8 折券', description: '晒图大赛参与奖', kind: 'percent', percent: 80, maxDiscountFen: 20_000, validDays: 30, perCustomerLimit: 1 } },
      ...SETUPS.interest,
    ],
    targets: { new_friends_per_store_week: 15, friend_retention_7d: 0.85, group_join_rate: 0.5, group_retention_7d: 0.85, first_order_rate_14d: 0.15, repurchase_30d: 0.15 },
  },
};
