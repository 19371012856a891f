// The demo world's fixed data: a fruit-and-grocery chain's ten Shenzhen stores, what it sells and
// what it charges, and the names its staff go by. Prices are 2024-ish Shenzhen shelf prices in fen.
import type { Sku } from './demo.rules.ts';

export const CITY = '深圳';

export interface DemoStore {
  code: string;
  name: string;
  district: string;
  address: string;
  /** WGS-84. */
  latitude: number;
  longitude: number;
  opensAt: string;
  closesAt: string;
  /** Share of the chain's members who call this store home, relative to the others. */
  weight: number;
  /** Guides besides the store manager (店长), who also adds customers. */
  guides: number;
}

export const STORES: readonly DemoStore[] = [
  { code: 'SZ01', name: '车公庙店', district: '福田区', address: '福田区香蜜湖街道农林路38号', latitude: 22.5353, longitude: 114.0243, opensAt: '07:00', closesAt: '23:00', weight: 1.3, guides: 4 },
  { code: 'SZ02', name: '梅林店', district: '福田区', address: '福田区梅林街道梅华路105号', latitude: 22.5690, longitude: 114.0480, opensAt: '07:00', closesAt: '23:00', weight: 1.0, guides: 3 },
  { code: 'SZ03', name: '科技园店', district: '南山区', address: '南山区粤海街道科苑路15号', latitude: 22.5407, longitude: 113.9533, opensAt: '07:00', closesAt: '23:30', weight: 1.4, guides: 4 },
  { code: 'SZ04', name: '蛇口店', district: '南山区', address: '南山区招商街道太子路22号', latitude: 22.4850, longitude: 113.9140, opensAt: '07:00', closesAt: '23:00', weight: 1.0, guides: 3 },
  { code: 'SZ05', name: '东门店', district: '罗湖区', address: '罗湖区东门街道解放路2001号', latitude: 22.5450, longitude: 114.1170, opensAt: '07:00', closesAt: '23:30', weight: 1.2, guides: 3 },
  { code: 'SZ06', name: '西乡店', district: '宝安区', address: '宝安区西乡街道宝源路168号', latitude: 22.5790, longitude: 113.8680, opensAt: '07:00', closesAt: '23:00', weight: 1.1, guides: 3 },
  { code: 'SZ07', name: '民治店', district: '龙华区', address: '龙华区民治街道民治大道361号', latitude: 22.6200, longitude: 114.0400, opensAt: '07:00', closesAt: '23:00', weight: 1.2, guides: 3 },
  { code: 'SZ08', name: '布吉店', district: '龙岗区', address: '龙岗区布吉街道布吉路1028号', latitude: 22.6060, longitude: 114.1220, opensAt: '07:00', closesAt: '23:00', weight: 1.0, guides: 2 },
  { code: 'SZ09', name: '坂田店', district: '龙岗区', address: '龙岗区坂田街道坂雪岗大道4036号', latitude: 22.6310, longitude: 114.0650, opensAt: '07:00', closesAt: '23:00', weight: 0.9, guides: 2 },
  { code: 'SZ10', name: '光明店', district: '光明区', address: '光明区光明街道光明大街226号', latitude: 22.7480, longitude: 113.9370, opensAt: '07:00', closesAt: '22:30', weight: 0.7, guides: 2 },
];

const allYear: readonly number[] = [];

/** By weight (per 斤) unless `byWeight` is false; season months are the Chinese market's. */
export const CATALOG: readonly Sku[] = [
  { sku: 'F001', name: '车厘子（智利 J 级）', priceFen: 6990, byWeight: true, popularity: 6, season: [12, 1, 2] },
  { sku: 'F002', name: '金枕榴莲', priceFen: 3990, byWeight: true, popularity: 4, season: [5, 6, 7, 8] },
  { sku: 'F003', name: '香蕉', priceFen: 599, byWeight: true, popularity: 10, season: allYear },
  { sku: 'F004', name: '丹东草莓', priceFen: 3990, byWeight: true, popularity: 5, season: [12, 1, 2, 3, 4] },
  { sku: 'F005', name: '阿克苏苹果', priceFen: 1290, byWeight: true, popularity: 7, season: [10, 11, 12, 1, 2, 3] },
  { sku: 'F006', name: '砂糖橘', priceFen: 699, byWeight: true, popularity: 7, season: [11, 12, 1, 2] },
  { sku: 'F007', name: '沃柑', priceFen: 899, byWeight: true, popularity: 5, season: [1, 2, 3, 4] },
  { sku: 'F008', name: '台农芒果', priceFen: 999, byWeight: true, popularity: 5, season: [4, 5, 6, 7, 8] },
  { sku: 'F009', name: '妃子笑荔枝', priceFen: 1990, byWeight: true, popularity: 6, season: [5, 6, 7] },
  { sku: 'F010', name: '龙眼', priceFen: 1290, byWeight: true, popularity: 4, season: [7, 8, 9] },
  { sku: 'F011', name: '阳光玫瑰葡萄', priceFen: 2990, byWeight: true, popularity: 6, season: [7, 8, 9, 10, 11] },
  { sku: 'F012', name: '麒麟西瓜', priceFen: 299, byWeight: true, popularity: 7, season: [5, 6, 7, 8, 9] },
  { sku: 'F013', name: '哈密瓜', priceFen: 599, byWeight: true, popularity: 4, season: [6, 7, 8, 9, 10] },
  { sku: 'F014', name: '赣南脐橙', priceFen: 899, byWeight: true, popularity: 6, season: [11, 12, 1, 2, 3] },
  { sku: 'F015', name: '库尔勒香梨', priceFen: 999, byWeight: true, popularity: 4, season: [9, 10, 11, 12, 1, 2] },
  { sku: 'F016', name: '水蜜桃', priceFen: 1590, byWeight: true, popularity: 5, season: [6, 7, 8] },
  { sku: 'F017', name: '红心火龙果', priceFen: 899, byWeight: true, popularity: 5, season: allYear },
  { sku: 'F018', name: '泰国山竹', priceFen: 2590, byWeight: true, popularity: 3, season: [5, 6, 7, 8] },
  { sku: 'F019', name: '菠萝', priceFen: 499, byWeight: true, popularity: 4, season: [2, 3, 4, 5] },
  { sku: 'F020', name: '红心蜜柚', priceFen: 599, byWeight: true, popularity: 4, season: [9, 10, 11, 12, 1] },
  { sku: 'F021', name: '徐香猕猴桃', priceFen: 1290, byWeight: true, popularity: 4, season: [9, 10, 11, 12, 1] },
  { sku: 'F022', name: '黄金奇异果', priceFen: 2390, byWeight: true, popularity: 5, season: [5, 6, 7, 8, 9, 10, 11] },
  { sku: 'F023', name: '圣女果', priceFen: 899, byWeight: true, popularity: 5, season: allYear },
  { sku: 'F024', name: '蓝莓（散装）', priceFen: 4990, byWeight: true, popularity: 3, season: [4, 5, 6, 7, 8] },
  { sku: 'P001', name: '佳沛阳光金果 6 个装', priceFen: 5990, byWeight: false, popularity: 3, season: allYear },
  { sku: 'P002', name: '蓝莓 125g 盒', priceFen: 2990, byWeight: false, popularity: 5, season: allYear },
  { sku: 'P003', name: '缤纷果切盒', priceFen: 1590, byWeight: false, popularity: 8, season: allYear },
  { sku: 'P004', name: '西瓜果切杯', priceFen: 990, byWeight: false, popularity: 5, season: [5, 6, 7, 8, 9] },
  { sku: 'P005', name: '榴莲果肉盒', priceFen: 6990, byWeight: false, popularity: 3, season: allYear },
  { sku: 'P006', name: '每日坚果礼盒 30 包', priceFen: 12900, byWeight: false, popularity: 2, season: allYear },
  { sku: 'P007', name: '混合坚果 500g', priceFen: 5990, byWeight: false, popularity: 2, season: allYear },
  { sku: 'P008', name: '芒果干 200g', priceFen: 1990, byWeight: false, popularity: 3, season: allYear },
  { sku: 'P009', name: '鲜榨橙汁 350ml', priceFen: 1290, byWeight: false, popularity: 4, season: allYear },
  { sku: 'P010', name: '鲜牛奶 950ml', priceFen: 1590, byWeight: false, popularity: 3, season: allYear },
  { sku: 'P011', name: '希腊酸奶', priceFen: 990, byWeight: false, popularity: 3, season: allYear },
  { sku: 'P012', name: '土鸡蛋 10 枚', priceFen: 1690, byWeight: false, popularity: 3, season: allYear },
  { sku: 'P013', name: '椰青', priceFen: 1290, byWeight: false, popularity: 4, season: allYear },
  { sku: 'P014', name: '牛油果', priceFen: 990, byWeight: false, popularity: 3, season: allYear },
  { sku: 'P015', name: '车厘子礼盒 5 斤（接龙价）', priceFen: 19900, byWeight: false, popularity: 2, season: [12, 1, 2] },
  { sku: 'P016', name: '草莓礼盒 1kg', priceFen: 8990, byWeight: false, popularity: 2, season: [12, 1, 2, 3] },
  { sku: 'P017', name: '节日水果礼篮', priceFen: 19900, byWeight: false, popularity: 1, season: [1, 2, 9] },
  { sku: 'P018', name: '蔬菜沙拉', priceFen: 1990, byWeight: false, popularity: 2, season: allYear },
];

/** Names the demo's staff go by (each used once). */
export const STAFF_NAMES: readonly string[] = [
  '陈晓丽', '王芳', '李静', '张伟', '刘洋', '林雨欣', '黄丽娟', '赵敏', '吴婷婷', '周杰',
  '徐慧', '孙莉', '马俊', '朱佳怡', '胡晓梅', '郭涛', '何雪', '罗丹', '高敏', '郑思思',
  '梁诗涵', '谢琳', '宋佳', '唐颖', '许倩', '韩梅', '邓超', '冯晓燕', '曹雨', '彭丽',
  '曾小红', '肖婷', '田甜', '董洁', '潘欣', '袁媛', '蔡文静', '蒋楠', '余佳佳', '杜娟',
];

/** Where members say they live; the chain is in Shenzhen, a few come from next door. */
export const CUSTOMER_CITIES: readonly { city: string; weight: number }[] = [
  { city: '深圳', weight: 94 },
  { city: '东莞', weight: 3 },
  { city: '惠州', weight: 2 },
  { city: '广州', weight: 1 },
];

export type SourceChannel = 'store_qr' | 'order_card' | 'miniprogram' | 'referral' | 'ad';

/** How members first came in (门店扫码, 外卖订单卡, 小程序, 社群裂变, 广告) and the channel of their first order. */
export const SOURCES: readonly { source: SourceChannel; weight: number; firstOrder: 'pos' | 'miniprogram' | 'group_buy' | 'ecommerce' }[] = [
  { source: 'store_qr', weight: 45, firstOrder: 'pos' },
  { source: 'order_card', weight: 15, firstOrder: 'ecommerce' },
  { source: 'miniprogram', weight: 18, firstOrder: 'miniprogram' },
  { source: 'referral', weight: 12, firstOrder: 'group_buy' },
  { source: 'ad', weight: 10, firstOrder: 'miniprogram' },
];

/**
 * Channels of repeat orders. With first orders (about a fifth of all) following SOURCES, the
 * whole mix comes out near pos 55%, miniprogram 30%, group_buy 接龙 10%, ecommerce 5%.
 */
export const REPEAT_CHANNELS: readonly { channel: 'pos' | 'miniprogram' | 'group_buy' | 'ecommerce'; weight: number }[] = [
  { channel: 'pos', weight: 57 },
  { channel: 'miniprogram', weight: 30.5 },
  { channel: 'group_buy', weight: 9.5 },
  { channel: 'ecommerce', weight: 3 },
];
