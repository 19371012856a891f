// Ready-made SOP plans: one per operating model (PRODUCT.md: 知识专家, 专属顾问, 购物参谋, 兴趣同好),
// 百果园's daily rhythm, seed 003's weekly plan for an everyday group and its eight levers
// (特权, 福利, 娱乐, 内容, 关怀, 活动, 规划, SOP). Data, not code: applying one makes an ordinary plan.
import type { GroupKind } from '../../db/schema.ts';
import type { SlotMode } from './sop.rules.ts';

export type OperatingModel = 'knowledge_expert' | 'exclusive_advisor' | 'shopping_advisor' | 'interest_community' | 'community';

export interface TemplateSlot {
  weekday: number | null;
  time: string;
  durationMinutes?: number;
  title: string;
  text: string;
  mode: SlotMode;
  /** The lever of seed 003 the slot pulls, where a template is about levers. */
  lever?: string;
}

export interface SopTemplate {
  key: string;
  name: string;
  model: OperatingModel;
  summary: string;
  /** The kind of group it suits, proposed when applying by kind. */
  groupKind: GroupKind;
  slots: TemplateSlot[];
}

const daily = (time: string, title: string, text: string, mode: SlotMode = 'task', durationMinutes?: number): TemplateSlot =>
  ({ weekday: null, time, title, text, mode, ...(durationMinutes ? { durationMinutes } : {}) });
const weekly = (weekday: number, time: string, title: string, text: string, mode: SlotMode = 'task', lever?: string): TemplateSlot =>
  ({ weekday, time, title, text, mode, ...(lever ? { lever } : {}) });

export const SOP_TEMPLATES: readonly SopTemplate[] = [
  {
    key: 'fruit-daily-rhythm',
    name: '百果园式门店群日常节奏',
    model: 'shopping_advisor',
    summary: '早上晒新到果品，下午爆品接龙或秒杀，晚上道晚安；每周二会员日发专享券。高频低价的生鲜、快消门店群。',
    groupKind: 'value',
    slots: [
      daily('08:30', '新品到店晒图', '早上好☀️ 今天店里新到了【品名】，刚拆箱拍的实物图，新鲜看得见！今日促销款：【促销品】，群里下单可送货到家，直接回复「要」就行～'),
      daily('12:00', '午间水果搭配', '午饭后来点水果🍊 今天推荐【搭配】，维C满满，办公室分享装已备好，小程序下单30分钟送达。', 'auto'),
      daily('15:00', '爆品接龙 / 限时秒杀', '🔥下午茶爆品接龙开始！【爆品】原价【原价】，接龙价【接龙价】，满【份数】份成团，今晚8点前截止。格式：序号+姓名+份数，接完点小程序付款～'),
      daily('21:30', '晚安与明日预告', '今天的接龙已全部安排配送🚚 明天早上会到【明日新品】，记得来看图哦。晚安，好梦🌙'),
      weekly(2, '10:00', '周二会员日领券', '每周二会员日🎉 群内专享福利券已上线，点击小程序领取，全场水果满减，今天下单都能用！'),
    ],
  },
  {
    key: 'knowledge-expert',
    name: '知识专家：育儿顾问群',
    model: 'knowledge_expert',
    summary: '高频、高客单、强专业（奶粉、教育、高端美妆）：以专题内容和直播课建立专家人设，答疑优先，克制推品。',
    groupKind: 'interest',
    slots: [
      daily('09:00', '每日一个知识点', '【宝宝喂养小课堂】今天聊聊：【主题，如"转奶期怎么避免宝宝拉肚子"】。要点三条：1…2…3…。有疑问直接在群里@我，营养师一一回复。'),
      daily('20:30', '晚间答疑', '晚上好，今晚8:30–9:00是答疑时间，宝宝睡眠、辅食、过敏问题都可以问，我会逐条回复～'),
      weekly(3, '20:00', '周三专家直播课', '本周三晚8点直播课《【课程主题】》，主讲：【专家】。点击链接预约，直播间有新手妈妈专属福利。', 'task'),
      weekly(6, '10:00', '周末妈妈经验分享', '周末话题🍼：说说你家宝宝最近的一个小进步？分享的妈妈抽3位送试用装。'),
    ],
  },
  {
    key: 'exclusive-advisor',
    name: '专属顾问：高客单客户服务群',
    model: 'exclusive_advisor',
    summary: '低频、高客单（汽车、家居、保险、奢品）：群只做服务与关系，顾问一对一跟进，活动以到店体验为主。',
    groupKind: 'service',
    slots: [
      weekly(1, '10:00', '周一服务提醒', '【品牌】顾问【姓名】提醒您：本周可预约到店保养/体验，点击链接选择时间，专属顾问全程陪同。'),
      weekly(4, '19:30', '周四选购指南', '本周选购指南：【主题，如"不同户型的灯光搭配"】。需要方案的话私信我，按您家的情况出一份专属建议。'),
      weekly(6, '10:30', '周末到店体验邀约', '本周六日门店有【体验活动】，老客户带朋友到店可获【礼品】。回复「预约」我帮您留位。'),
    ],
  },
  {
    key: 'interest-community',
    name: '兴趣同好：运动穿搭群',
    model: 'interest_community',
    summary: '高客单、社交属性强（服饰、旅游、数码）：围绕兴趣的话题、KOL 内容与用户共创，个性化推荐新品。',
    groupKind: 'interest',
    slots: [
      daily('12:30', '今日穿搭灵感', '今日穿搭灵感👟：【场景，如"周末城市骑行"】怎么穿？这套【单品组合】供参考，你们会怎么搭？'),
      weekly(2, '20:00', '周二话题讨论', '本周话题：【话题，如"你最喜欢的跑步路线"】。发照片参与，选出3位送限量周边。'),
      weekly(5, '19:00', '周五新品抢先看', '新品抢先看✨【新品】本周上架，群友专享提前购，点小程序查看尺码与库存。', 'task'),
      weekly(7, '18:00', '周日晒图墙', '周末晒图时间📸 晒出你的运动穿搭，点赞最多的3位本周入选「群友穿搭墙」并获得优先购资格。'),
    ],
  },
  {
    key: 'weekly-plan',
    name: '日常群周规划 SOP',
    model: 'community',
    summary: '一个日常群比较通用的周规划：周一话题、周二福利、周三干货、周四互动、周五活动、周六晒单、周日复盘预告，配合每日早安和晚安。',
    groupKind: 'value',
    slots: [
      daily('08:00', '早安问候', '早安☀️ 今天是【日期】，【天气/节气小贴士】。新的一天也要元气满满！', 'auto'),
      daily('22:00', '晚安', '今天的分享就到这里，感谢大家的陪伴，晚安🌙', 'auto'),
      weekly(1, '12:00', '周一话题', '新的一周，聊个轻松的话题：【话题】，欢迎大家畅所欲言～'),
      weekly(2, '10:00', '周二群福利', '每周二群福利🎁 群成员专享券已发放，点击领取，限今日使用。'),
      weekly(3, '19:30', '周三干货分享', '周三干货时间📚【主题】：三个实用小技巧，建议收藏。'),
      weekly(4, '20:00', '周四互动游戏', '周四小游戏🎲：【游戏，如"猜价格"】，猜中的前3位送【小礼品】！'),
      weekly(5, '15:00', '周五限时活动', '周五限时活动⏰【活动】今天下午3点开始，数量有限，先到先得。'),
      weekly(6, '11:00', '周六晒单', '周末晒单时间，晒出本周的购买和使用体验，优质晒单送积分。'),
      weekly(7, '20:00', '周日复盘与下周预告', '本周回顾：【本周亮点】。下周预告：【下周活动】，敬请期待！'),
    ],
  },
  {
    key: 'eight-levers',
    name: '社群八大抓手',
    model: 'community',
    summary: '高活跃、高成交的社群从八个点着手：特权、福利、娱乐、内容、关怀、活动、规划和 SOP，每周各有一次动作。',
    groupKind: 'vip',
    slots: [
      weekly(1, '09:00', '规划：本周群日历', '【规划】本周群日历📅：周二会员特权、周三干货、周四福利、周五活动、周六游戏、周日关怀回访。收藏不迷路～', 'auto', '规划'),
      weekly(2, '10:00', '特权：会员专享价', '【特权】本群会员专享价今天生效：【商品】会员价【价格】，仅限群成员，凭会员码购买。', 'task', '特权'),
      weekly(3, '19:30', '内容：专业干货', '【内容】今天分享：【主题】。有问题随时在群里问，我们的专业顾问会回复。', 'task', '内容'),
      weekly(4, '12:00', '福利：红包与券', '【福利】午间福利来啦🧧 群内专享券点击领取，数量有限。', 'task', '福利'),
      weekly(5, '15:00', '活动：拼团接龙', '【活动】周五拼团开始：【商品】3人成团价【价格】，群内接龙，今晚9点截止。', 'task', '活动'),
      weekly(6, '20:00', '娱乐：群游戏', '【娱乐】周六晚游戏时间🎮：成语接龙/猜歌名，胜出的朋友获得【奖品】。', 'task', '娱乐'),
      weekly(7, '10:00', '关怀：回访与提醒', '【关怀】降温了，出门记得添衣🧣。上周购买的朋友，使用感受如何？有任何问题私信我。', 'task', '关怀'),
      weekly(7, '21:00', 'SOP：复盘本周数据', '【SOP】群主复盘：本周发言人数、接龙参与、券核销、退群人数，记录到周报。', 'task', 'SOP'),
    ],
  },
];

export function templateByKey(key: string): SopTemplate | undefined {
  return SOP_TEMPLATES.find((t) => t.key === key);
}
