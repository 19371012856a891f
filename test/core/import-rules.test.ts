// The pure rules of imports: cell readers, header mapping, row validation and order assembly.
import { describe, expect, it } from 'vitest';
import { normalizePhone } from '../../src/core/ingest/identity.rules.ts';
import {
  formatYuan, localTimeReader, parseBirthday, parseChannel, parseGender, parseYuan,
} from '../../src/core/imports/fields.rules.ts';
import { HeaderError, mapHeader, readCustomerRow, readOrderLine, type ImportLookups } from '../../src/core/imports/import.rules.ts';
import { assembleOrders, type OrderLineEntry } from '../../src/core/imports/order-lines.rules.ts';

describe('phone numbers an import accepts (the identity rule)', () => {
  it.each([
    ['13812345678', '13812345678'],
    ['+86 138 1234 5678', '13812345678'],
    ['+86-138-1234-5678', '13812345678'],
    ['008613812345678', '13812345678'],
    ['8613812345678', '13812345678'],
    ['(138) 1234-5678', '13812345678'],
    ['+85291234567', '+85291234567'],
    ['+1 415 555 2671', '+14155552671'],
    ['0085291234567', '+85291234567'],
  ])('%s → %s', (raw, phone) => expect(normalizePhone(raw)).toBe(phone));

  it.each(['12812345678', '1381234567', '138123456789', '+861012345678', '02088886666', 'abc', '+0123456789', ''])('refuses %s', (raw) => {
    expect(normalizePhone(raw)).toBeUndefined();
  });
});

describe('parseYuan', () => {
  it.each([
    ['0', 0], ['12', 1200], ['12.3', 1230], ['12.34', 1234], ['0.01', 1], ['¥128.50', 12850], ['1,234.56', 123456],
    // float arithmetic would give 1914.9999… for 19.15 × 100 and 1005.0000000000001 for 10.05 × 100
    ['19.15', 1915], ['10.05', 1005], ['4.35', 435],
  ])('%s yuan → %d fen', (text, fen) => expect(parseYuan(text)).toEqual({ value: fen }));

  it.each([
    ['-5', 'must not be negative'], ['12.345', 'has more than 2 decimal places'], ['abc', 'not an amount in yuan (e.g. 128.50)'],
    ['12.', 'not an amount in yuan (e.g. 128.50)'], ['1e3', 'not an amount in yuan (e.g. 128.50)'],
  ])('refuses %s: %s', (text, reason) => expect(parseYuan(text)).toMatchObject({ reason }));

  it('formats fen back to the same text', () => {
    for (const fen of [0, 1, 10, 99, 100, 1915, 123456789]) {
      const text = formatYuan(fen);
      expect(parseYuan(text)).toEqual({ value: fen });
    }
    expect(formatYuan(1915)).toBe('19.15');
  });
});

describe('localTimeReader', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  const shanghai = localTimeReader('Asia/Shanghai', () => now);
  it.each([
    ['2026-03-03 12:00', '2026-03-03T04:00:00.000Z'],
    ['2026-03-03 12:00:30', '2026-03-03T04:00:30.000Z'],
    ['2026/3/3 08:05', '2026-03-03T00:05:00.000Z'],
    ['2026-03-03', '2026-03-02T16:00:00.000Z'],
    ['2026-03-03T12:00:00', '2026-03-03T04:00:00.000Z'],
    ['2026-03-03T04:00:00Z', '2026-03-03T04:00:00.000Z'],
    ['2026-03-03T12:00:00+08:00', '2026-03-03T04:00:00.000Z'],
  ])('%s in Shanghai → %s', (text, iso) => {
    const read = shanghai(text);
    expect('value' in read && read.value.toISOString()).toBe(iso);
  });

  it('follows daylight saving in a zone that has it', () => {
    const newYork = localTimeReader('America/New_York', () => now);
    const winter = newYork('2026-01-15 09:00');
    const summer = newYork('2026-04-15 09:00');
    expect('value' in winter && winter.value.toISOString()).toBe('2026-01-15T14:00:00.000Z');
    expect('value' in summer && summer.value.toISOString()).toBe('2026-04-15T13:00:00.000Z');
  });

  it.each([
    ['2026-02-30 10:00', 'not a valid date and time'],
    ['2026-03-03 24:00', 'not a valid date and time'],
    ['03/03/2026', 'not a time (use YYYY-MM-DD HH:mm:ss in local time, or ISO-8601 with a zone)'],
    ['yesterday', 'not a time (use YYYY-MM-DD HH:mm:ss in local time, or ISO-8601 with a zone)'],
    ['2027-01-01 00:00', 'is in the future'],
    ['1999-12-31 23:59', 'is before 2000'],
  ])('refuses %s', (text, reason) => expect(shanghai(text)).toMatchObject({ reason }));
});

describe('vocabularies and birthdays', () => {
  it('reads gender and channel in both languages', () => {
    expect([parseGender('男'), parseGender('Female'), parseGender('F')]).toEqual([{ value: 'male' }, { value: 'female' }, { value: 'female' }]);
    expect(parseGender('x')).toMatchObject({ reason: 'must be 男, 女, male or female' });
    expect(['门店', '小程序', '电商', '接龙', '拼团', 'POS'].map((c) => parseChannel(c))).toEqual(
      ['pos', 'miniprogram', 'ecommerce', 'group_buy', 'group_buy', 'pos'].map((value) => ({ value })),
    );
  });

  it('keeps plausible calendar dates', () => {
    const today = new Date('2026-06-01T00:00:00Z');
    expect(parseBirthday('1990/5/2', today)).toEqual({ value: '1990-05-02' });
    expect(parseBirthday('1990-02-29', today)).toMatchObject({ reason: 'not a valid date' });
    expect(parseBirthday('2030-01-01', today)).toMatchObject({ reason: 'is not a plausible birthday' });
  });
});

const lookups: ImportLookups = {
  stores: new Map([['SZ-FT-01', 'store-1']]),
  staff: new Map([['li.na', { id: 'staff-1', storeId: 'store-1' }]]),
  tags: new Map([
    ['肤质:油皮', [{ id: 'tag-1', name: '油皮', kind: 'manual' as const }]],
    ['油皮', [{ id: 'tag-1', name: '油皮', kind: 'manual' as const }]],
    ['VIP', [{ id: 'tag-2', name: 'VIP', kind: 'manual' as const }, { id: 'tag-3', name: 'VIP', kind: 'manual' as const }]],
    ['消费:高消费', [{ id: 'tag-4', name: '高消费', kind: 'rule' as const }]],
  ]),
};

describe('mapHeader', () => {
  it('maps English and Chinese headers and names the columns it ignores', () => {
    const map = mapHeader('customers', ['手机号', 'Name', '性别', '备注', 'store_code']);
    expect(map.index).toEqual({ phone: 0, name: 1, gender: 2, store_code: 4 });
    expect(map.header.name).toBe('Name');
    expect(map.ignored).toEqual(['备注']);
  });

  it('refuses a header that cannot make a customer or an order', () => {
    expect(() => mapHeader('customers', ['姓名', '城市'])).toThrow(HeaderError);
    expect(() => mapHeader('orders', ['order_no', 'phone', 'paid'])).toThrow('the header lacks ordered_at/下单时间');
    expect(() => mapHeader('orders', ['order_no', 'ordered_at', 'phone'])).toThrow('the header lacks an amount');
    expect(() => mapHeader('customers', ['phone', '手机号'])).toThrow('columns "phone" and "手机号" both give phone; keep one');
  });
});

describe('readCustomerRow', () => {
  const map = mapHeader('customers', ['phone', 'member_no', 'name', 'gender', 'birthday', 'store_code', 'guide_wecom_userid', 'tags']);
  const today = new Date('2026-06-01T00:00:00Z');

  it('reads a good row', () => {
    const read = readCustomerRow(['+86 138-0000-1111', 'M01', '陈美', '女', '1990-05-20', 'SZ-FT-01', 'li.na', '肤质:油皮；油皮'], 2, map, lookups, today);
    expect(read).toMatchObject({
      row: { line: 2, identity: { phone: '13800001111', memberNo: 'M01' }, name: '陈美', gender: 'female', birthday: '1990-05-20', storeId: 'store-1', guideId: 'staff-1', tags: [{ id: 'tag-1', name: '油皮' }] },
    });
  });

  it('names every bad cell of a row', () => {
    const read = readCustomerRow(['1234', '', '', 'x', '1990-13-01', 'NOPE', 'ghost', 'VIP;肤质:干皮;消费:高消费'], 7, map, lookups, today);
    expect(read).toMatchObject({
      errors: [
        { line: 7, column: 'phone', reason: 'not a mobile number' },
        { line: 7, column: 'gender', reason: 'must be 男, 女, male or female' },
        { line: 7, column: 'birthday', reason: 'not a valid date' },
        { line: 7, column: 'store_code', reason: 'unknown store code NOPE' },
        { line: 7, column: 'guide_wecom_userid', reason: 'no staff member has WeCom account ghost' },
        { line: 7, column: 'tags', reason: 'tag VIP is in more than one group; write group:name' },
      ],
    });
    expect(readCustomerRow(['', '', '王', '', '', '', '', '消费:高消费'], 8, map, lookups, today)).toMatchObject({
      errors: [
        { line: 8, column: 'phone', reason: 'no identity: give a phone, member number, external_userid, unionid or openid' },
        { line: 8, column: 'tags', reason: 'tag 消费:高消费 is a rule tag; it applies itself' },
      ],
    });
  });

  it('refuses a row with the wrong number of fields', () => {
    expect(readCustomerRow(['13800001111'], 3, map, lookups, today)).toMatchObject({ errors: [{ line: 3, column: '', reason: 'has 1 fields; the header has 8' }] });
  });
});

describe('orders: lines to orders', () => {
  const map = mapHeader('orders', ['订单号', '手机号', '下单时间', '门店编码', '渠道', '订单金额', '实付金额', '退款金额', 'sku', 'item_name', 'quantity', 'unit_price']);
  const readTime = localTimeReader('Asia/Shanghai', () => new Date('2026-06-01T00:00:00Z'));
  const entries = (rows: string[][]): OrderLineEntry[] => rows.map((record, i) => {
    const read = readOrderLine(record, i + 2, map, lookups, readTime);
    return 'row' in read ? { line: i + 2, orderNo: read.row.orderNo, row: read.row } : { line: i + 2, orderNo: read.orderNo, row: null };
  });

  it('groups consecutive lines of an order and derives what the file leaves out', () => {
    const { orders, errors } = assembleOrders(entries([
      ['T1', '13800001111', '2026-03-03 12:00', 'SZ-FT-01', '门店', '150.00', '128.50', '', 'CHERRY', '车厘子', '1', '100.00'],
      ['T1', '', '', '', '', '', '', '', 'KIWI', '奇异果', '2', '25.00'],
      ['T2', '13800002222', '2026-03-04 09:30', '', '接龙', '', '80', '80', '', '', '', ''],
    ]), map);
    expect(errors).toEqual([]);
    expect(orders).toEqual([
      {
        orderNo: 'T1', lines: [2, 3], customer: { phone: '13800001111' }, orderedAt: new Date('2026-03-03T04:00:00Z'), storeId: 'store-1',
        channel: 'pos', status: 'paid', totalFen: 15_000, discountFen: 2_150, paidFen: 12_850, refundedFen: 0,
        items: [
          { sku: 'CHERRY', name: '车厘子', quantity: 1, unitPriceFen: 10_000, amountFen: 10_000 },
          { sku: 'KIWI', name: '奇异果', quantity: 2, unitPriceFen: 2_500, amountFen: 5_000 },
        ],
      },
      {
        orderNo: 'T2', lines: [4], customer: { phone: '13800002222' }, orderedAt: new Date('2026-03-04T01:30:00Z'),
        channel: 'group_buy', status: 'refunded', totalFen: 8_000, discountFen: 0, paidFen: 8_000, refundedFen: 8_000, items: [],
      },
    ]);
  });

  it('keeps a whole order out when one of its lines is bad, and says why for every line', () => {
    const { orders, errors } = assembleOrders(entries([
      ['T1', '13800001111', '2026-03-03 12:00', '', 'pos', '', '10.999', '', 'A', 'a', '1', '10'],
      ['T1', '', '', '', '', '', '', '', 'B', 'b', '1', '1'],
      ['T2', '13800002222', '2026-03-04 09:30', '', 'pos', '', '10', '20', '', '', '', ''],
      ['T3', '13800003333', '2026-03-04 09:30', '', 'pos', '', '10', '', '', '', '', ''],
      ['T3', '13800004444', '', '', '', '', '', '', '', '', '', ''],
      ['T4', '13800005555', '2026-03-05 10:00', '', 'pos', '', '5', '', '', '', '', ''],
      ['T3', '13800003333', '2026-03-04 09:30', '', 'pos', '', '10', '', '', '', '', ''],
    ]), map);
    expect(orders.map((o) => o.orderNo)).toEqual(['T4']);
    expect(errors).toMatchObject([
      { line: 3, column: '订单号', reason: 'order T1 not imported: line 2 has errors' },
      { line: 4, column: '退款金额', reason: 'is more than the amount paid' },
      { line: 6, column: '手机号', reason: 'differs from line 5 of order T3' },
      { line: 5, column: '订单号', reason: 'order T3 not imported: line 6 has errors' },
      { line: 8, column: '订单号', reason: 'order T3 began at line 5; the lines of one order must be consecutive' },
    ]);
  });
});
