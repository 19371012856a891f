// The four operating-model demos (issue 8) as data: a fruit chain (购物参谋, like 百果园), a
// baby-formula brand (知识专家, like 飞鹤), a printer and PC brand with stores (专属顾问, like 惠普)
// and a sportswear brand (兴趣同好, like 斐乐). Each profile sets what its brand sells and charges,
// its stores and groups, where its members come from, and the purchase shape that puts it in its
// quadrant of frequency × ticket (src/core/diagnosis/diagnosis.rules.ts: 4 purchases a year, ¥200).
// Prices are 2024-ish list prices in fen; brand and product names are made up.
import type { DemoStore } from './demo.catalog.ts';
import { CATALOG, STAFF_NAMES } from './demo.catalog.ts';
import { FRUIT_SHAPE, type Sku } from './demo.rules.ts';
import { FRUIT_PROFILE, type DemoProfile } from './demo.profile.ts';

const store = (code: string, name: string, district: string, address: string, latitude: number, longitude: number, weight: number, guides: number, hours: [string, string] = ['10:00', '22:00']): DemoStore =>
  ({ code, name, district, address, latitude, longitude, opensAt: hours[0], closesAt: hours[1], weight, guides });
const piece = (sku: string, name: string, priceFen: number, popularity: number, season: readonly number[] = []): Sku =>
  ({ sku, name, priceFen, byWeight: false, popularity, season });

/** Mall and high-street hours: late morning to evening, busiest after work and at weekends' evenings. */
const MALL_HOURS: readonly number[] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0.1, 0.6, 0.9, 1.1, 1.0, 1.0, 1.1, 1.2, 1.3, 1.5, 1.8, 1.9, 1.4, 0.5, 0];
/** Mothers buy in the day at the store and online late in the evening after the baby sleeps. */
const MOTHER_HOURS: readonly number[] = [0.1, 0, 0, 0, 0, 0, 0.1, 0.3, 0.6, 1.0, 1.3, 1.2, 0.9, 0.9, 1.1, 1.2, 1.1, 1.0, 0.9, 1.1, 1.5, 1.8, 1.4, 0.6];

// ---- 购物参谋: a Shanghai fruit chain, many small stores, weekly baskets ------------------------

const FRUIT_STORES: readonly DemoStore[] = [
  store('SH01', '徐家汇店', '徐汇区', '徐汇区漕溪北路88号', 31.1951, 121.4375, 1.3, 2, ['07:00', '23:00']),
  store('SH02', '田林店', '徐汇区', '徐汇区田林路200号', 31.1736, 121.4301, 1.0, 2, ['07:00', '23:00']),
  store('SH03', '中山公园店', '长宁区', '长宁区长宁路1018号', 31.2206, 121.4180, 1.2, 2, ['07:00', '23:00']),
  store('SH04', '古北店', '长宁区', '长宁区黄金城道600号', 31.1960, 121.3990, 1.0, 2, ['07:00', '23:00']),
  store('SH05', '静安寺店', '静安区', '静安区南京西路1618号', 31.2235, 121.4460, 1.1, 2, ['07:00', '23:30']),
  store('SH06', '大宁店', '静安区', '静安区共和新路1878号', 31.2790, 121.4560, 1.0, 2, ['07:00', '23:00']),
  store('SH07', '五角场店', '杨浦区', '杨浦区邯郸路600号', 31.3010, 121.5140, 1.2, 2, ['07:00', '23:00']),
  store('SH08', '陆家嘴店', '浦东新区', '浦东新区东方路69号', 31.2360, 121.5160, 1.1, 2, ['07:00', '23:00']),
  store('SH09', '张江店', '浦东新区', '浦东新区张江路368号', 31.2040, 121.5900, 1.3, 2, ['07:00', '23:30']),
  store('SH10', '世纪公园店', '浦东新区', '浦东新区芳甸路300号', 31.2130, 121.5560, 0.9, 2, ['07:00', '23:00']),
  store('SH11', '七宝店', '闵行区', '闵行区七莘路3655号', 31.1560, 121.3530, 1.0, 2, ['07:00', '23:00']),
  store('SH12', '莘庄店', '闵行区', '闵行区莘松路380号', 31.1110, 121.3850, 0.9, 1, ['07:00', '22:30']),
  store('SH13', '真如店', '普陀区', '普陀区铜川路1000号', 31.2430, 121.4050, 0.8, 1, ['07:00', '22:30']),
  store('SH14', '虹口足球场店', '虹口区', '虹口区四川北路2000号', 31.2710, 121.4800, 0.9, 1, ['07:00', '22:30']),
];

export const SHOPPING_PROFILE: DemoProfile = {
  ...FRUIT_PROFILE,
  city: '上海',
  stores: FRUIT_STORES,
  catalog: CATALOG,
  customerCities: [{ city: '上海', weight: 95 }, { city: '苏州', weight: 3 }, { city: '昆山', weight: 2 }],
  sources: [
    { source: 'store_qr', weight: 40, firstOrder: 'pos' },
    { source: 'order_card', weight: 18, firstOrder: 'ecommerce' },
    { source: 'miniprogram', weight: 20, firstOrder: 'miniprogram' },
    { source: 'referral', weight: 17, firstOrder: 'group_buy' },
    { source: 'ad', weight: 5, firstOrder: 'miniprogram' },
  ],
  repeatChannels: [{ channel: 'pos', weight: 45 }, { channel: 'miniprogram', weight: 30 }, { channel: 'group_buy', weight: 20 }, { channel: 'ecommerce', weight: 5 }],
  // regulars buy about weekly: λ has mean 0.6 a week and is less uneven than the first-boot demo's
  shape: { ...FRUIT_SHAPE, purchaseShapeR: 0.9, purchaseRateAlpha: 1.5, dropoutA: 0.8, dropoutB: 11, spendShapeP: 6, spendShapeQ: 4, spendScaleGamma: 21 },
  genders: [60, 32, 8],
  friendShare: 0.72,
  groupJoinShare: 0.6,
  groups: [
    { name: '{store}邻里鲜果群', kind: 'value', purpose: '门店福利群：08:30 新品实拍，21:30 晚安与次日预告，周二会员日 9 折' },
    { name: '{store}每日接龙群', kind: 'group_buy', purpose: '爆品接龙与限时秒杀：15:00 开团，次日到店自提' },
  ],
};

// ---- 知识专家: a baby-formula brand in Beijing's mother-and-baby stores, monthly cans -------------

const FORMULA_STORES: readonly DemoStore[] = [
  store('BJ01', '望京母婴店', '朝阳区', '朝阳区望京街9号', 39.9960, 116.4700, 1.3, 3, ['09:00', '21:00']),
  store('BJ02', '双井母婴店', '朝阳区', '朝阳区广渠路36号', 39.8930, 116.4610, 1.1, 3, ['09:00', '21:00']),
  store('BJ03', '中关村母婴店', '海淀区', '海淀区中关村大街15号', 39.9830, 116.3150, 1.2, 3, ['09:00', '21:00']),
  store('BJ04', '五道口母婴店', '海淀区', '海淀区成府路28号', 39.9920, 116.3370, 0.9, 2, ['09:00', '21:00']),
  store('BJ05', '回龙观母婴店', '昌平区', '昌平区回龙观西大街111号', 40.0710, 116.3300, 1.2, 3, ['09:00', '21:00']),
  store('BJ06', '亦庄母婴店', '大兴区', '大兴区荣华中路10号', 39.7950, 116.5060, 1.0, 2, ['09:00', '21:00']),
  store('BJ07', '通州万达母婴店', '通州区', '通州区新华西街58号', 39.9080, 116.6570, 1.1, 3, ['09:00', '21:00']),
  store('BJ08', '丰台科技园母婴店', '丰台区', '丰台区汽车博物馆东路6号', 39.8300, 116.2950, 0.8, 2, ['09:00', '21:00']),
];

const FORMULA_CATALOG: readonly Sku[] = [
  piece('N101', '鹤宝星护 1 段婴儿配方奶粉 700g', 26_800, 6),
  piece('N102', '鹤宝星护 2 段较大婴儿配方奶粉 700g', 25_800, 8),
  piece('N103', '鹤宝星护 3 段幼儿配方奶粉 700g', 23_800, 8),
  piece('N201', '鹤宝臻稚有机 1 段 800g', 42_800, 3),
  piece('N202', '鹤宝臻稚有机 2 段 800g', 41_800, 4),
  piece('N203', '鹤宝臻稚有机 3 段 800g', 39_800, 4),
  piece('N301', '鹤宝星护 3 段 罐装 700g×2 组合', 45_600, 3),
  piece('N401', '鹤宝 A2 孕妈奶粉 700g', 19_800, 2),
  piece('N501', '鹤宝 4 段儿童成长奶粉 700g', 18_800, 3),
  piece('N601', '鹤宝益生菌冲剂 30 袋', 12_800, 2),
  piece('N602', '鹤宝 DHA 藻油软胶囊 60 粒', 15_800, 2),
  piece('N701', '鹤宝星护 2 段 试用装 150g', 5_900, 2),
];

export const EXPERT_PROFILE: DemoProfile = {
  city: '北京',
  stores: FORMULA_STORES,
  catalog: FORMULA_CATALOG,
  staffNames: STAFF_NAMES,
  customerCities: [{ city: '北京', weight: 92 }, { city: '廊坊', weight: 5 }, { city: '天津', weight: 3 }],
  sources: [
    { source: 'store_qr', weight: 45, firstOrder: 'pos' },
    { source: 'miniprogram', weight: 20, firstOrder: 'miniprogram' },
    { source: 'referral', weight: 20, firstOrder: 'miniprogram' },
    { source: 'ad', weight: 8, firstOrder: 'miniprogram' },
    { source: 'order_card', weight: 7, firstOrder: 'ecommerce' },
  ],
  repeatChannels: [{ channel: 'pos', weight: 45 }, { channel: 'miniprogram', weight: 32 }, { channel: 'ecommerce', weight: 20 }, { channel: 'group_buy', weight: 3 }],
  // a can lasts a baby three to five weeks: λ averages 0.28 a week and varies little between
  // mothers; they stop when the child outgrows formula or switches brand
  shape: {
    purchaseShapeR: 4, purchaseRateAlpha: 14, dropoutA: 1, dropoutB: 14, spendShapeP: 9, spendShapeQ: 7, spendScaleGamma: 230,
    tuesdayLift: 1, monthlyGrowth: 1.02, hourWeights: MOTHER_HOURS, monthWeights: [],
  },
  genders: [88, 10, 2],
  age: { mean: 30, sd: 4 },
  memberDayCouponShare: 0,
  memberDayPrice: 0.9,
  refundedShare: 0.008,
  partiallyRefundedShare: 0.01,
  guideShare: 0.92,
  homeStoreShare: 0.93,
  friendShare: 0.82,
  groupJoinShare: 0.65,
  groups: [
    { name: '{store}宝妈育儿群', kind: 'value', purpose: '育婴顾问每天 10:00 一条喂养科普，周日答疑；按宝宝月龄推荐段位' },
    { name: '{store}专家课堂群', kind: 'interest', purpose: '每周三 20:00 营养师专家课堂：辅食、过敏、睡眠，课后首单礼' },
  ],
};

// ---- 专属顾问: a printer and PC brand's Chengdu experience stores, rare big purchases ---------------

const PRINTER_STORES: readonly DemoStore[] = [
  store('CD01', '春熙路体验店', '锦江区', '锦江区春熙路南段8号', 30.6570, 104.0810, 1.3, 3),
  store('CD02', '天府广场店', '青羊区', '青羊区人民南路一段86号', 30.6580, 104.0660, 1.1, 3),
  store('CD03', '高新区店', '武侯区', '武侯区天府大道北段1700号', 30.5720, 104.0660, 1.4, 3),
  store('CD04', '金融城店', '高新区', '高新区交子大道177号', 30.5800, 104.0630, 1.0, 2),
  store('CD05', '建设路店', '成华区', '成华区建设路55号', 30.6710, 104.1050, 0.9, 2),
  store('CD06', '郫都店', '郫都区', '郫都区望丛中路998号', 30.8080, 103.8890, 0.7, 2),
  store('CD07', '双流店', '双流区', '双流区东升街道棠湖西路2号', 30.5740, 103.9230, 0.8, 2),
  store('CD08', '龙泉驿店', '龙泉驿区', '龙泉驿区驿都大道328号', 30.5600, 104.2690, 0.7, 2),
];

const PRINTER_CATALOG: readonly Sku[] = [
  piece('H101', '智印 彩色喷墨一体机 T210', 89_900, 4),
  piece('H102', '智印 黑白激光打印机 L108w', 129_900, 4),
  piece('H103', '智印 彩色激光一体机 C279fnw', 329_900, 2),
  piece('H104', '智印 墨仓式一体机 Tank 519', 149_900, 3),
  piece('H201', '智印 星 14 轻薄笔记本 i5/16G/512G', 479_900, 3),
  piece('H202', '智印 战 66 商用笔记本 i7/32G/1T', 799_900, 1),
  piece('H203', '智印 光影精灵 16 游戏本', 699_900, 2),
  piece('H204', '智印 小欧 一体机电脑 24 英寸', 399_900, 2),
  piece('H301', '智印 27 英寸 2K 显示器', 149_900, 2),
  piece('H401', '智印 803 黑色墨盒', 8_900, 8),
  piece('H402', '智印 803 彩色墨盒', 10_900, 6),
  piece('H403', '智印 110A 原装硒鼓', 39_900, 5),
  piece('H404', '智印 GT53 墨水 4 色套装', 19_900, 4),
  piece('H405', 'A4 复印纸 70g 5 包装', 13_900, 4),
  piece('H501', '无线键鼠套装', 19_900, 3),
  piece('H601', '延长保修 2 年', 49_900, 2),
  piece('H602', '上门安装与网络配置', 19_900, 2),
];

export const ADVISOR_PROFILE: DemoProfile = {
  city: '成都',
  stores: PRINTER_STORES,
  catalog: PRINTER_CATALOG,
  staffNames: STAFF_NAMES,
  customerCities: [{ city: '成都', weight: 90 }, { city: '德阳', weight: 4 }, { city: '眉山', weight: 3 }, { city: '绵阳', weight: 3 }],
  sources: [
    { source: 'store_qr', weight: 48, firstOrder: 'pos' },
    { source: 'ad', weight: 20, firstOrder: 'pos' },
    { source: 'order_card', weight: 20, firstOrder: 'ecommerce' },
    { source: 'miniprogram', weight: 12, firstOrder: 'miniprogram' },
  ],
  repeatChannels: [{ channel: 'pos', weight: 35 }, { channel: 'ecommerce', weight: 35 }, { channel: 'miniprogram', weight: 30 }, { channel: 'group_buy', weight: 0 }],
  // a device every few years, ink and toner now and then: about two purchases a year, and order
  // values spread from a cartridge to a laptop (a small spend shape p)
  shape: {
    purchaseShapeR: 1.5, purchaseRateAlpha: 40, dropoutA: 1, dropoutB: 4, spendShapeP: 1.4, spendShapeQ: 6, spendScaleGamma: 7_000,
    tuesdayLift: 1, monthlyGrowth: 1.02, hourWeights: MALL_HOURS, monthWeights: [0.9, 0.8, 1.1, 0.9, 0.9, 1.3, 0.8, 1.1, 1.2, 0.9, 1.4, 1.0],
  },
  genders: [32, 60, 8],
  age: { mean: 38, sd: 9 },
  memberDayCouponShare: 0,
  memberDayPrice: 0.9,
  refundedShare: 0.015,
  partiallyRefundedShare: 0.03,
  guideShare: 0.95,
  homeStoreShare: 0.9,
  friendShare: 0.85,
  groupJoinShare: 0.2,
  groups: [{ name: '{store}会员服务群', kind: 'service', purpose: '售后答疑、耗材到期提醒、新品体验预约；一对一跟进由专属顾问负责' }],
};

// ---- 兴趣同好: a sportswear brand in Hangzhou's malls, a few seasonal purchases a year ------------

const SPORT_STORES: readonly DemoStore[] = [
  store('HZ01', '湖滨银泰店', '上城区', '上城区延安路258号', 30.2560, 120.1640, 1.3, 3),
  store('HZ02', '万象城店', '上城区', '上城区富春路701号', 30.2480, 120.2140, 1.3, 3),
  store('HZ03', '西溪印象城店', '余杭区', '余杭区五常大道1号', 30.2780, 120.0530, 1.0, 2),
  store('HZ04', '滨江龙湖天街店', '滨江区', '滨江区江汉路1515号', 30.2080, 120.2110, 1.1, 2),
  store('HZ05', '来福士店', '上城区', '上城区新业路228号', 30.2450, 120.2110, 1.0, 2),
  store('HZ06', '大悦城店', '拱墅区', '拱墅区丽水路588号', 30.3070, 120.1370, 0.9, 2),
  store('HZ07', '萧山银隆店', '萧山区', '萧山区金城路358号', 30.1680, 120.2700, 0.8, 2),
  store('HZ08', '未来科技城店', '余杭区', '余杭区文一西路1500号', 30.2900, 120.0070, 0.9, 2),
];

const SPORT_CATALOG: readonly Sku[] = [
  piece('S101', '斐跃 竞速碳板跑鞋', 129_900, 4, [3, 4, 5, 9, 10]),
  piece('S102', '斐跃 缓震慢跑鞋', 79_900, 6),
  piece('S103', '斐跃 复古老爹鞋', 89_900, 6),
  piece('S104', '斐跃 网球鞋', 99_900, 3, [3, 4, 5, 6, 9, 10]),
  piece('S105', '斐跃 高尔夫球鞋', 159_900, 2, [3, 4, 5, 9, 10, 11]),
  piece('S201', '斐跃 网球百褶裙', 59_900, 4, [4, 5, 6, 7, 8, 9]),
  piece('S202', '斐跃 速干网球 Polo 衫', 49_900, 5, [4, 5, 6, 7, 8, 9]),
  piece('S203', '斐跃 高尔夫 Polo 衫', 89_900, 3, [4, 5, 6, 7, 8, 9]),
  piece('S204', '斐跃 跑步速干 T 恤', 29_900, 6, [4, 5, 6, 7, 8, 9]),
  piece('S205', '斐跃 瑜伽裤', 49_900, 5),
  piece('S301', '斐跃 经典连帽卫衣', 79_900, 6, [9, 10, 11, 12, 1, 2, 3]),
  piece('S302', '斐跃 针织运动外套', 99_900, 5, [9, 10, 11, 3, 4]),
  piece('S303', '斐跃 轻薄羽绒服', 169_900, 4, [11, 12, 1, 2]),
  piece('S304', '斐跃 高尔夫防风夹克', 139_900, 2, [10, 11, 12, 1, 2, 3]),
  piece('S401', '斐跃 运动棒球帽', 19_900, 4),
  piece('S402', '斐跃 运动袜 3 双装', 9_900, 4),
  piece('S403', '斐跃 网球拍包', 59_900, 2),
];

export const INTEREST_PROFILE: DemoProfile = {
  city: '杭州',
  stores: SPORT_STORES,
  catalog: SPORT_CATALOG,
  staffNames: STAFF_NAMES,
  customerCities: [{ city: '杭州', weight: 88 }, { city: '绍兴', weight: 5 }, { city: '嘉兴', weight: 4 }, { city: '上海', weight: 3 }],
  sources: [
    { source: 'store_qr', weight: 50, firstOrder: 'pos' },
    { source: 'miniprogram', weight: 18, firstOrder: 'miniprogram' },
    { source: 'referral', weight: 12, firstOrder: 'pos' },
    { source: 'ad', weight: 10, firstOrder: 'miniprogram' },
    { source: 'order_card', weight: 10, firstOrder: 'ecommerce' },
  ],
  repeatChannels: [{ channel: 'pos', weight: 55 }, { channel: 'miniprogram', weight: 25 }, { channel: 'ecommerce', weight: 20 }, { channel: 'group_buy', weight: 0 }],
  // two or three purchases a year at the turn of the seasons, 618 and 双十一
  shape: {
    purchaseShapeR: 1.4, purchaseRateAlpha: 26, dropoutA: 1, dropoutB: 6, spendShapeP: 6, spendShapeQ: 6, spendScaleGamma: 560,
    tuesdayLift: 1, monthlyGrowth: 1.02, hourWeights: MALL_HOURS, monthWeights: [1.2, 0.7, 1.2, 1.1, 0.9, 1.4, 0.7, 0.7, 1.1, 1.1, 1.6, 1.2],
  },
  genders: [50, 44, 6],
  age: { mean: 30, sd: 7 },
  memberDayCouponShare: 0,
  memberDayPrice: 0.9,
  refundedShare: 0.03,
  partiallyRefundedShare: 0.05,
  guideShare: 0.85,
  homeStoreShare: 0.8,
  friendShare: 0.68,
  groupJoinShare: 0.5,
  groups: [
    { name: '{store}跑步团', kind: 'interest', purpose: '周六晨跑打卡、配速分享，新跑鞋试穿会；群主是跑团教练' },
    { name: '{store}网球社', kind: 'interest', purpose: '约球、穿搭分享、每月一次晒图大赛' },
    { name: '{store}高尔夫俱乐部', kind: 'interest', purpose: '练习场约场、装备与穿搭，新品首发优先' },
  ],
};

export const MODEL_PROFILES = { shopping: SHOPPING_PROFILE, expert: EXPERT_PROFILE, advisor: ADVISOR_PROFILE, interest: INTEREST_PROFILE } as const;


/** The operating-model demos' default size: seeds in a few seconds each, and every chart has shape. */
export const MODEL_DEMO_CUSTOMERS = 3000;
