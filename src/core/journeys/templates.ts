// Ready-made journeys an operator starts from: each is a draft graph to adjust (tags, coupon
// templates and groups are the tenant's own, so those nodes are left for the operator to pick).
// The seeding + conversion rhythm follows seed 003: five days of 种草 content without selling,
// then six days of focused conversion, and restraint — a customer who buys leaves at once.
import type { JourneyGraphInput } from './journeys.graph.ts';

export interface JourneyTemplate {
  key: string;
  name: string;
  description: string;
  graph: JourneyGraphInput;
}

const DAY = 24 * 60;
/** Canvas positions: the templates are drawn on a 120-pixel grid, spread so that figures fit under each node. */
const at = (x: number, y: number) => ({ x: Math.round(x * 1.25), y: Math.round(y * 1.4) });

export const JOURNEY_TEMPLATES: JourneyTemplate[] = [
  {
    key: 'welcome_first_order',
    name: '新客欢迎 → 首单',
    description: '加好友后发欢迎语；3 天未下单由导购跟进，7 天未下单再提醒一次。目标：14 天内首单。',
    graph: {
      nodes: [
        { id: 'entry', type: 'entry', label: '添加好友', trigger: { kind: 'event', eventType: 'contact_added' }, position: at(0, 0) },
        { id: 'welcome', type: 'send_message', label: '欢迎语', channel: 'wecom', purpose: 'service', priority: 80, text: '{{name}}您好，我是{{store}}的{{guide}}，有任何问题随时找我～', position: at(0, 120) },
        { id: 'wait3', type: 'wait', label: '等 3 天内下单', wait: { kind: 'event', eventType: 'order_paid', timeoutMinutes: 3 * DAY, match: [] }, position: at(0, 240) },
        { id: 'task', type: 'guide_task', label: '导购跟进', title: '跟进新客 {{name}}：了解需求', dueInHours: 24, text: '', position: at(200, 360) },
        { id: 'wait4', type: 'wait', label: '再等 4 天', wait: { kind: 'event', eventType: 'order_paid', timeoutMinutes: 4 * DAY, match: [] }, position: at(200, 480) },
        { id: 'nudge', type: 'send_message', label: '首单提醒', channel: 'wecom', text: '{{name}}，新人专享福利还在，{{store}}等您来～', position: at(400, 600) },
        { id: 'bought', type: 'exit', label: '已下单', position: at(-200, 600) },
        { id: 'end', type: 'exit', label: '结束', position: at(400, 720) },
      ],
      edges: [
        { from: 'entry', to: 'welcome' }, { from: 'welcome', to: 'wait3' }, { from: 'wait3', port: 'event', to: 'bought' },
        { from: 'wait3', port: 'timeout', to: 'task' }, { from: 'task', to: 'wait4' }, { from: 'wait4', port: 'event', to: 'bought' },
        { from: 'wait4', port: 'timeout', to: 'nudge' }, { from: 'nudge', to: 'end' },
      ],
      goal: { eventType: 'order_paid', withinDays: 14 },
      reEntry: { mode: 'never' },
    },
  },
  {
    key: 'seed5_convert6',
    name: '5 天种草 + 6 天转化',
    description: '进群未成交的客户：前 5 天每天上午 10 点一条种草内容（不推产品），第 6 天起集中转化；任何时候下单即退出。',
    graph: {
      nodes: [
        { id: 'entry', type: 'entry', label: '进群', trigger: { kind: 'event', eventType: 'group_joined' }, position: at(0, 0) },
        ...[1, 2, 3, 4, 5].flatMap((d) => [
          { id: `w${d}`, type: 'wait' as const, label: `第 ${d} 天 10:00`, wait: { kind: 'until_time' as const, at: '10:00', weekdays: [1, 2, 3, 4, 5, 6, 7] }, position: at(0, d * 110) },
          { id: `seed${d}`, type: 'send_message' as const, label: `种草 ${d}`, channel: 'wecom' as const, priority: 40, text: `{{name}}，今天的护肤小知识（第 ${d} 天）`, position: at(220, d * 110) },
        ]),
        { id: 'convert', type: 'wait', label: '6 天内下单？', wait: { kind: 'event', eventType: 'order_paid', timeoutMinutes: 6 * DAY, match: [] }, position: at(0, 780) },
        { id: 'offer', type: 'send_message', label: '转化：专属福利', channel: 'wecom', priority: 60, text: '{{name}}，为您准备了专属福利，{{guide}}在{{store}}等您', position: at(0, 670) },
        { id: 'bought', type: 'exit', label: '已成交', position: at(-220, 900) },
        { id: 'task', type: 'guide_task', label: '一对一跟进', title: '{{name}} 6 天未成交：一对一沟通', dueInHours: 24, text: '', position: at(220, 900) },
        { id: 'end', type: 'exit', label: '结束', position: at(220, 1010) },
      ],
      edges: [
        { from: 'entry', to: 'w1' },
        ...[1, 2, 3, 4, 5].flatMap((d) => [{ from: `w${d}`, to: `seed${d}` }, { from: `seed${d}`, to: d < 5 ? `w${d + 1}` : 'offer' }]),
        { from: 'offer', to: 'convert' }, { from: 'convert', port: 'event', to: 'bought' }, { from: 'convert', port: 'timeout', to: 'task' }, { from: 'task', to: 'end' },
      ],
      goal: { eventType: 'order_paid', withinDays: 11 },
      reEntry: { mode: 'after_days', days: 60 },
    },
  },
  {
    key: 'lapse_winback',
    name: '流失挽回',
    description: '进入"沉睡客户"人群时：一半客户收到挽回消息，10% 作为对照不发，衡量真实提升。',
    graph: {
      nodes: [
        { id: 'entry', type: 'entry', label: '进入沉睡人群', trigger: { kind: 'segment', segmentId: '00000000-0000-7000-8000-000000000000', on: 'entered' }, position: at(0, 0) },
        { id: 'holdout', type: 'holdout', label: '10% 对照组', percent: 10, position: at(0, 120) },
        { id: 'morning', type: 'wait', label: '工作日 10:30', wait: { kind: 'until_time', at: '10:30', weekdays: [1, 2, 3, 4, 5] }, position: at(0, 240) },
        { id: 'ab', type: 'split', label: 'A/B 文案', branches: [{ key: 'a', weight: 50 }, { key: 'b', weight: 50 }], position: at(0, 360) },
        { id: 'msg_a', type: 'send_message', label: '文案 A', channel: 'wecom', text: '{{name}}，好久不见，{{store}}上新了', position: at(-200, 480) },
        { id: 'msg_b', type: 'send_message', label: '文案 B', channel: 'wecom', text: '{{name}}，{{guide}}给您留了一份回归礼', position: at(200, 480) },
        { id: 'end', type: 'exit', label: '结束', position: at(0, 600) },
      ],
      edges: [
        { from: 'entry', to: 'holdout' }, { from: 'holdout', to: 'morning' }, { from: 'morning', to: 'ab' },
        { from: 'ab', port: 'a', to: 'msg_a' }, { from: 'ab', port: 'b', to: 'msg_b' }, { from: 'msg_a', to: 'end' }, { from: 'msg_b', to: 'end' },
      ],
      goal: { eventType: 'order_paid', withinDays: 30 },
      reEntry: { mode: 'after_days', days: 90 },
    },
  },
  {
    key: 'birthday',
    name: '生日关怀',
    description: '生日前 3 天上午 10 点由导购准备祝福，生日当天发祝福消息。',
    graph: {
      nodes: [
        { id: 'entry', type: 'entry', label: '生日当天 10:00', trigger: { kind: 'date', attribute: 'birthday', at: '10:00', daysBefore: 0 }, position: at(0, 0) },
        { id: 'wish', type: 'send_message', label: '生日祝福', channel: 'wecom', purpose: 'service', priority: 70, text: '{{name}}，生日快乐！{{store}}为您准备了一份小心意～', position: at(0, 120) },
        { id: 'task', type: 'guide_task', label: '导购问候', title: '今天是 {{name}} 的生日', dueInHours: 8, text: '', position: at(0, 240) },
        { id: 'end', type: 'exit', label: '结束', position: at(0, 360) },
      ],
      edges: [{ from: 'entry', to: 'wish' }, { from: 'wish', to: 'task' }, { from: 'task', to: 'end' }],
      goal: { eventType: 'order_paid', withinDays: 7 },
      reEntry: { mode: 'after_days', days: 300 },
    },
  },
];
