// A small, fully known world for integration tests: 2 stores, 3 staff, 4 customers, 6 orders.
// Expected figures in tests are derived from these rows, not from the code under test.
import type { Db } from '../src/db/connect.ts';
import { newId } from '../src/core/ids.ts';
import { refreshOrderAggregates } from '../src/core/customers/aggregates.service.ts';
import type { OrderChannel, OrderStatus } from '../src/db/schema.ts';

export interface WorldOrder {
  id: string;
  orderNo: string;
  customer: string;
  store: string;
  channel: OrderChannel;
  status: OrderStatus;
  paidFen: number;
  refundedFen: number;
  orderedAt: string;
  items: { sku: string; name: string; quantity: number; unitPriceFen: number }[];
}

export interface World {
  tenantId: string;
  stores: Record<'futian' | 'nanshan', string>;
  staff: Record<'li' | 'wang' | 'zhao', string>;
  customers: Record<'mei' | 'lei' | 'fang' | 'jun', string>;
  phones: Record<'mei' | 'lei' | 'fang' | 'jun', string>;
  orders: WorldOrder[];
}

export async function buildWorld(db: Db, tenantId: string): Promise<World> {
  const stores = { futian: newId(), nanshan: newId() };
  const staff = { li: newId(), wang: newId(), zhao: newId() };
  const customers = { mei: newId(), lei: newId(), fang: newId(), jun: newId() };
  const suffix = tenantId.replace(/\D/g, '').slice(-7).padStart(7, '0');
  const phones = { mei: `138${suffix}1`.slice(0, 11), lei: `139${suffix}2`.slice(0, 11), fang: `137${suffix}3`.slice(0, 11), jun: `136${suffix}4`.slice(0, 11) };
  await db.insertInto('stores').values([
    { tenant_id: tenantId, id: stores.futian, code: 'SZ-FT-01', name: '福田中心店', city: '深圳', district: '福田区', address: '福华路 1 号', latitude: 22.5410, longitude: 114.0579, opens_at: '08:00', closes_at: '22:00' },
    { tenant_id: tenantId, id: stores.nanshan, code: 'SZ-NS-01', name: '南山科技园店', city: '深圳', district: '南山区', address: '科苑路 8 号', latitude: 22.5405, longitude: 113.9510, opens_at: '08:00', closes_at: '22:30' },
  ]).execute();
  await db.insertInto('staff').values([
    { tenant_id: tenantId, id: staff.li, store_id: stores.futian, name: '李娜', wecom_user_id: `li.na.${suffix}`, phone: null },
    { tenant_id: tenantId, id: staff.wang, store_id: stores.futian, name: '王强', wecom_user_id: `wang.qiang.${suffix}`, phone: null },
    { tenant_id: tenantId, id: staff.zhao, store_id: stores.nanshan, name: '赵敏', wecom_user_id: `zhao.min.${suffix}`, phone: null, title: 'manager' },
  ]).execute();
  await db.insertInto('customers').values([
    { tenant_id: tenantId, id: customers.mei, name: '陈美', gender: 'female', birthday: '1990-05-20', city: '深圳', source_channel: 'store_qr', store_id: stores.futian, guide_id: staff.li, created_at: '2026-01-05T02:00:00Z' },
    { tenant_id: tenantId, id: customers.lei, name: '张磊', gender: 'male', birthday: null, city: '深圳', source_channel: 'order_card', store_id: stores.futian, guide_id: staff.wang, created_at: '2026-02-10T02:00:00Z' },
    { tenant_id: tenantId, id: customers.fang, name: '陈芳', gender: 'female', birthday: null, city: '深圳', source_channel: 'miniprogram', store_id: stores.nanshan, guide_id: staff.zhao, created_at: '2026-03-15T02:00:00Z' },
    { tenant_id: tenantId, id: customers.jun, name: '刘军', gender: 'male', birthday: null, city: '深圳', source_channel: 'ad', store_id: stores.nanshan, guide_id: null, created_at: '2026-04-01T02:00:00Z' },
  ]).execute();
  await db.insertInto('customer_identities').values([
    ...Object.entries(phones).map(([who, phone]) => ({ tenant_id: tenantId, kind: 'phone' as const, value: phone, customer_id: customers[who as keyof typeof customers] })),
    { tenant_id: tenantId, kind: 'member_no', value: `M${suffix}01`, customer_id: customers.mei },
    { tenant_id: tenantId, kind: 'external_userid', value: `wmMEI${suffix}`, customer_id: customers.mei },
  ]).execute();
  const order = (o: Omit<WorldOrder, 'id' | 'refundedFen' | 'status'> & { status?: OrderStatus; refundedFen?: number }): WorldOrder => ({ id: newId(), status: 'paid', refundedFen: 0, ...o });
  const orders: WorldOrder[] = [
    // 陈美: two orders on two days (a repeat buyer), one on the same day as another (same local day in Shanghai)
    order({ orderNo: `T${suffix}-1`, customer: customers.mei, store: stores.futian, channel: 'pos', paidFen: 12_800, orderedAt: '2026-03-03T04:00:00Z', items: [{ sku: 'CHERRY-5J', name: '车厘子 5斤', quantity: 1, unitPriceFen: 12_800 }] }),
    order({ orderNo: `T${suffix}-2`, customer: customers.mei, store: stores.futian, channel: 'miniprogram', paidFen: 4_590, orderedAt: '2026-04-07T11:30:00Z', items: [{ sku: 'KIWI-6', name: '奇异果 6个装', quantity: 1, unitPriceFen: 2_990 }, { sku: 'BANANA', name: '香蕉', quantity: 2, unitPriceFen: 800 }] }),
    // 15:50 UTC on 04-07 is 23:50 in Shanghai: still 04-07 locally, so it does not add a purchase day
    order({ orderNo: `T${suffix}-3`, customer: customers.mei, store: stores.futian, channel: 'miniprogram', paidFen: 1_000, orderedAt: '2026-04-07T15:50:00Z', items: [{ sku: 'CUT-FRUIT', name: '果切', quantity: 1, unitPriceFen: 1_000 }] }),
    order({ orderNo: `T${suffix}-4`, customer: customers.lei, store: stores.futian, channel: 'pos', paidFen: 6_600, orderedAt: '2026-04-20T09:00:00Z', items: [{ sku: 'DURIAN', name: '榴莲', quantity: 1, unitPriceFen: 6_600 }] }),
    // partly refunded: counts 8,000 − 2,000
    order({ orderNo: `T${suffix}-5`, customer: customers.fang, store: stores.nanshan, channel: 'group_buy', status: 'partially_refunded', paidFen: 8_000, refundedFen: 2_000, orderedAt: '2026-05-12T06:00:00Z', items: [{ sku: 'MANGO-BOX', name: '芒果礼盒', quantity: 2, unitPriceFen: 4_000 }] }),
    // fully refunded: counts nothing
    order({ orderNo: `T${suffix}-6`, customer: customers.fang, store: stores.nanshan, channel: 'pos', status: 'refunded', paidFen: 3_000, refundedFen: 3_000, orderedAt: '2026-05-20T06:00:00Z', items: [{ sku: 'NUTS', name: '坚果礼盒', quantity: 1, unitPriceFen: 3_000 }] }),
  ];
  await db.insertInto('orders').values(orders.map((o) => ({
    tenant_id: tenantId, id: o.id, order_no: o.orderNo, customer_id: o.customer, store_id: o.store, staff_id: null, channel: o.channel, status: o.status,
    total_fen: o.paidFen, paid_fen: o.paidFen, refunded_fen: o.refundedFen, ordered_at: o.orderedAt,
  }))).execute();
  await db.insertInto('order_items').values(orders.flatMap((o) => o.items.map((it, i) => ({
    tenant_id: tenantId, order_id: o.id, line_no: i + 1, sku: it.sku, name: it.name, quantity: it.quantity, unit_price_fen: it.unitPriceFen, amount_fen: it.quantity * it.unitPriceFen,
  })))).execute();
  await refreshOrderAggregates(db, tenantId);
  return { tenantId, stores, staff, customers, phones, orders };
}
