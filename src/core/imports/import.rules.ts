// What an import file may say and how its rows become customers and orders. Pure: the tenant's
// stores, staff and tags arrive as lookups, so every rule here is a function of values.
import type { Gender, IdentityKind, OrderChannel, OrderStatus } from '../../db/schema.ts';
import { UUID_PATTERN } from '../ids.ts';
import { normalizePhone } from '../ingest/identity.rules.ts';
import {
  parseBirthday, parseChannel, parseGender, parseOrderStatus, parseQuantity, parseYuan, type Read,
} from './fields.rules.ts';
import { because, type Reason } from './reasons.rules.ts';

export type ImportKind = 'customers' | 'orders';

/** One refusal: the file's line, the column as the file names it, and why. */
export interface RowError extends Reason {
  line: number;
  column: string;
}

/** A refusal as a job keeps it: jobs run before reasons had codes kept the words alone. */
export type KeptRowError = Pick<RowError, 'line' | 'column' | 'reason'> & { code?: string; params?: Record<string, string | number> };

type CustomerField =
  | 'phone' | 'member_no' | 'external_userid' | 'unionid' | 'openid' | 'name' | 'gender' | 'birthday' | 'city'
  | 'store_code' | 'guide_wecom_userid' | 'tags';
type OrderField =
  | 'order_no' | 'phone' | 'member_no' | 'external_userid' | 'customer_id' | 'ordered_at' | 'store_code' | 'guide_wecom_userid'
  | 'channel' | 'total' | 'discount' | 'paid' | 'status' | 'refunded' | 'sku' | 'item_name' | 'quantity' | 'unit_price';
export type Field = CustomerField | OrderField;

/** Every header a column may have, English first; matched case-insensitively. */
const CUSTOMER_COLUMNS: Record<CustomerField, string[]> = {
  phone: ['phone', '手机号', '手机', '手机号码'],
  member_no: ['member_no', '会员号', '会员编号', '会员卡号'],
  external_userid: ['external_userid', '企微外部联系人id', '外部联系人id'],
  unionid: ['unionid'],
  openid: ['openid'],
  name: ['name', '姓名', '客户姓名'],
  gender: ['gender', '性别'],
  birthday: ['birthday', '生日'],
  city: ['city', '城市'],
  store_code: ['store_code', '门店编码'],
  guide_wecom_userid: ['guide_wecom_userid', '导购企微账号'],
  tags: ['tags', '标签'],
};

const ORDER_COLUMNS: Record<OrderField, string[]> = {
  order_no: ['order_no', '订单号', '订单编号'],
  phone: ['phone', '手机号', '手机', '手机号码'],
  member_no: ['member_no', '会员号', '会员编号', '会员卡号'],
  external_userid: ['external_userid', '企微外部联系人id', '外部联系人id'],
  customer_id: ['customer_id', '客户id'],
  ordered_at: ['ordered_at', '下单时间'],
  store_code: ['store_code', '门店编码'],
  guide_wecom_userid: ['guide_wecom_userid', '导购企微账号'],
  channel: ['channel', '渠道'],
  total: ['total', '订单金额'],
  discount: ['discount', '优惠金额'],
  paid: ['paid', '实付金额'],
  status: ['status', '订单状态'],
  refunded: ['refunded', '退款金额'],
  sku: ['sku', '商品编码'],
  item_name: ['item_name', '商品名称'],
  quantity: ['quantity', '数量'],
  unit_price: ['unit_price', '单价'],
};

const IDENTITY_FIELDS = ['phone', 'member_no', 'external_userid', 'unionid', 'openid'] as const;
const ORDER_CUSTOMER_FIELDS = ['phone', 'member_no', 'external_userid', 'customer_id'] as const;

/** Where each known field sits in a record, with the header the file gave it (for error reports). */
export interface ColumnMap {
  kind: ImportKind;
  index: Partial<Record<Field, number>>;
  header: Partial<Record<Field, string>>;
  /** Headers no field claims: left out of the import, reported once. */
  ignored: string[];
  width: number;
}

/** A header the import cannot use; the code and values let the console word it (the CLI prints the message). */
export class HeaderError extends Error {
  constructor(message: string, readonly code: string, readonly params: Record<string, string> = {}) {
    super(message);
  }
}

export function mapHeader(kind: ImportKind, header: string[]): ColumnMap {
  const columns: Record<string, string[]> = kind === 'customers' ? CUSTOMER_COLUMNS : ORDER_COLUMNS;
  const byAlias = new Map<string, Field>();
  for (const [field, aliases] of Object.entries(columns)) {
    for (const alias of aliases) if (isField(field)) byAlias.set(alias.toLowerCase(), field);
  }
  const map: ColumnMap = { kind, index: {}, header: {}, ignored: [], width: header.length };
  header.forEach((raw, i) => {
    const name = raw.trim();
    const field = byAlias.get(name.toLowerCase());
    if (field === undefined) {
      if (name !== '') map.ignored.push(name);
      return;
    }
    if (map.index[field] !== undefined) throw new HeaderError(`columns "${map.header[field]}" and "${name}" both give ${field}; keep one`, 'header_column_twice', { first: map.header[field] ?? '', second: name });
    map.index[field] = i;
    map.header[field] = name;
  });
  const has = (f: Field): boolean => map.index[f] !== undefined;
  if (kind === 'customers') {
    if (!IDENTITY_FIELDS.some(has)) throw new HeaderError('the header names no identity column: give phone/手机号, member_no/会员号, external_userid, unionid or openid', 'header_no_identity');
  } else {
    const missing = (['order_no', 'ordered_at'] as const).filter((f) => !has(f));
    if (missing.length > 0) throw new HeaderError(`the header lacks ${missing.map((f) => `${f}/${ORDER_COLUMNS[f][1] ?? f}`).join(' and ')}`, 'header_lacks', { columns: missing.map((f) => `${f}/${ORDER_COLUMNS[f][1] ?? f}`).join(', ') });
    if (!has('total') && !has('paid')) throw new HeaderError('the header lacks an amount: give total/订单金额 or paid/实付金额', 'header_no_amount');
    if (!ORDER_CUSTOMER_FIELDS.some(has)) throw new HeaderError('the header names no customer column: give phone/手机号, member_no/会员号, external_userid or customer_id', 'header_no_customer');
  }
  return map;
}

const ALL_FIELDS = new Set<string>([...Object.keys(CUSTOMER_COLUMNS), ...Object.keys(ORDER_COLUMNS)]);
function isField(name: string): name is Field {
  return ALL_FIELDS.has(name);
}

/** The tenant's reference data an import row may name. */
export interface ImportLookups {
  /** store code → store id */
  stores: ReadonlyMap<string, string>;
  /** staff WeCom userid → staff id and their store */
  staff: ReadonlyMap<string, { id: string; storeId: string | null }>;
  /** "group:name" and bare "name" → tags; a bare name shared by two groups is ambiguous */
  tags: ReadonlyMap<string, { id: string; name: string; kind: 'manual' | 'rule' }[]>;
}

export interface IdentityValues {
  phone?: string;
  memberNo?: string;
  externalUserId?: string;
  unionId?: string;
  openId?: string;
  customerId?: string;
}

export interface CustomerRow {
  line: number;
  identity: IdentityValues;
  name?: string;
  gender?: Gender;
  birthday?: string;
  city?: string;
  storeId?: string;
  guideId?: string;
  tags: { id: string; name: string }[];
}

/** Reads a record's cells by field; a missing cell (short row) reads as empty. */
class Cells {
  readonly errors: RowError[] = [];
  constructor(private readonly record: string[], readonly line: number, private readonly map: ColumnMap) {}

  text(field: Field): string {
    const i = this.map.index[field];
    return i === undefined ? '' : (this.record[i] ?? '').trim();
  }

  refuse(field: Field, reason: Reason): void {
    this.errors.push({ line: this.line, column: this.map.header[field] ?? field, ...reason });
  }

  /** The cell read by `read`, undefined when empty or refused. */
  read<T>(field: Field, read: (text: string) => Read<T>): T | undefined {
    const text = this.text(field);
    if (text === '') return undefined;
    const result = read(text);
    if ('reason' in result) {
      this.refuse(field, result);
      return undefined;
    }
    return result.value;
  }

  /** An identifier of 1–128 characters, as customer_identities allows. */
  identifier(field: Field): string | undefined {
    return this.read(field, (t) => (t.length > 128 ? because('too_long', { max: 128 }) : { value: t }));
  }

  width(): void {
    if (this.record.length !== this.map.width) {
      this.errors.push({ line: this.line, column: '', ...because('wrong_width', { fields: this.record.length, width: this.map.width }) });
    }
  }
}

const readPhone = (t: string): Read<string> => {
  const phone = normalizePhone(t);
  return phone === undefined ? because('not_mobile') : { value: phone };
};
const readName = (t: string): Read<string> => (t.length > 100 ? because('too_long', { max: 100 }) : { value: t });

function readStore(cells: Cells, lookups: ImportLookups): string | undefined {
  return cells.read('store_code', (code) => {
    const id = lookups.stores.get(code);
    return id === undefined ? because('unknown_store', { code }) : { value: id };
  });
}

function readGuide(cells: Cells, lookups: ImportLookups): string | undefined {
  return cells.read('guide_wecom_userid', (userid) => {
    const staff = lookups.staff.get(userid);
    return staff === undefined ? because('unknown_staff', { userid }) : { value: staff.id };
  });
}

/** "group:name;group:name" (full-width ；： too) → the tags they name. */
export function readTags(text: string, lookups: ImportLookups): Read<{ id: string; name: string }[]> {
  const found: { id: string; name: string }[] = [];
  for (const raw of text.split(/[;；]/)) {
    const label = raw.trim().replace(/\s*[:：]\s*/, ':');
    if (label === '') continue;
    const candidates = lookups.tags.get(label) ?? [];
    const [tag, other] = candidates;
    if (!tag) return because('unknown_tag', { tag: label });
    if (other) return because('ambiguous_tag', { tag: label });
    if (tag.kind === 'rule') return because('rule_tag', { tag: label });
    if (!found.some((t) => t.id === tag.id)) found.push({ id: tag.id, name: tag.name });
  }
  return { value: found };
}

export function readCustomerRow(record: string[], line: number, map: ColumnMap, lookups: ImportLookups, today: Date): { row: CustomerRow } | { errors: RowError[] } {
  const cells = new Cells(record, line, map);
  cells.width();
  const identity: IdentityValues = {};
  const phone = cells.read('phone', readPhone);
  if (phone !== undefined) identity.phone = phone;
  const memberNo = cells.identifier('member_no');
  if (memberNo !== undefined) identity.memberNo = memberNo;
  const externalUserId = cells.identifier('external_userid');
  if (externalUserId !== undefined) identity.externalUserId = externalUserId;
  const unionId = cells.identifier('unionid');
  if (unionId !== undefined) identity.unionId = unionId;
  const openId = cells.identifier('openid');
  if (openId !== undefined) identity.openId = openId;
  if (cells.errors.length === 0 && Object.keys(identity).length === 0) {
    const first = IDENTITY_FIELDS.find((f) => map.index[f] !== undefined) ?? 'phone';
    cells.refuse(first, because('no_identity'));
  }
  const row: CustomerRow = { line, identity, tags: [] };
  const name = cells.read('name', readName);
  if (name !== undefined) row.name = name;
  const gender = cells.read('gender', parseGender);
  if (gender !== undefined) row.gender = gender;
  const birthday = cells.read('birthday', (t) => parseBirthday(t, today));
  if (birthday !== undefined) row.birthday = birthday;
  const city = cells.read('city', readName);
  if (city !== undefined) row.city = city;
  const storeId = readStore(cells, lookups);
  if (storeId !== undefined) row.storeId = storeId;
  const guideId = readGuide(cells, lookups);
  if (guideId !== undefined) row.guideId = guideId;
  row.tags = cells.read('tags', (t) => readTags(t, lookups)) ?? [];
  return cells.errors.length > 0 ? { errors: cells.errors } : { row };
}

export interface OrderLineRow {
  line: number;
  orderNo: string;
  /** Order-level cells as given on this line (continuation lines may leave them empty). */
  order: {
    customer: IdentityValues;
    orderedAt?: Date;
    storeId?: string;
    staffId?: string;
    channel?: OrderChannel;
    status?: OrderStatus;
    totalFen?: number;
    discountFen?: number;
    paidFen?: number;
    refundedFen?: number;
  };
  item?: { sku: string; name: string; quantity: number; unitPriceFen: number };
}

export function readOrderLine(record: string[], line: number, map: ColumnMap, lookups: ImportLookups, readTime: (text: string) => Read<Date>): { row: OrderLineRow } | { errors: RowError[]; orderNo: string } {
  const cells = new Cells(record, line, map);
  cells.width();
  const orderNo = cells.read('order_no', (t) => (t.length > 64 ? because('too_long', { max: 64 }) : { value: t })) ?? '';
  if (orderNo === '' && cells.errors.length === 0) cells.refuse('order_no', because('empty'));
  const customer: IdentityValues = {};
  const phone = cells.read('phone', readPhone);
  if (phone !== undefined) customer.phone = phone;
  const memberNo = cells.identifier('member_no');
  if (memberNo !== undefined) customer.memberNo = memberNo;
  const externalUserId = cells.identifier('external_userid');
  if (externalUserId !== undefined) customer.externalUserId = externalUserId;
  const customerId = cells.read('customer_id', (t) => (UUID_PATTERN.test(t) ? { value: t.toLowerCase() } : because('not_customer_id')));
  if (customerId !== undefined) customer.customerId = customerId;
  const row: OrderLineRow = { line, orderNo, order: { customer } };
  const o = row.order;
  const orderedAt = cells.read('ordered_at', readTime);
  if (orderedAt !== undefined) o.orderedAt = orderedAt;
  const storeId = readStore(cells, lookups);
  if (storeId !== undefined) o.storeId = storeId;
  const staffId = readGuide(cells, lookups);
  if (staffId !== undefined) o.staffId = staffId;
  const channel = cells.read('channel', parseChannel);
  if (channel !== undefined) o.channel = channel;
  const status = cells.read('status', parseOrderStatus);
  if (status !== undefined) o.status = status;
  for (const [field, key] of [['total', 'totalFen'], ['discount', 'discountFen'], ['paid', 'paidFen'], ['refunded', 'refundedFen']] as const) {
    const fen = cells.read(field, parseYuan);
    if (fen !== undefined) o[key] = fen;
  }
  const sku = cells.text('sku');
  const itemName = cells.text('item_name');
  const quantityText = cells.text('quantity');
  const priceText = cells.text('unit_price');
  if (sku !== '' || itemName !== '' || quantityText !== '' || priceText !== '') {
    const quantity = cells.read('quantity', parseQuantity) ?? (quantityText === '' ? 1 : undefined);
    const unitPriceFen = cells.read('unit_price', parseYuan);
    if (priceText === '') cells.refuse('unit_price', because('item_without_price'));
    if (sku === '') cells.refuse('sku', because('item_without_sku'));
    if (sku.length > 64) cells.refuse('sku', because('too_long', { max: 64 }));
    if (itemName.length > 200) cells.refuse('item_name', because('too_long', { max: 200 }));
    if (quantity !== undefined && unitPriceFen !== undefined) row.item = { sku, name: itemName || sku, quantity, unitPriceFen };
  }
  return cells.errors.length > 0 ? { errors: cells.errors, orderNo } : { row };
}
