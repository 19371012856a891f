import { describe, expect, it } from 'vitest';
import { cleanNickname, localDeadline, quantityRefusal, renderSolitaire, toCsv, type SolitaireTextInput } from '../../src/core/group-selling/solitaires.rules.ts';
import { yuan } from '../../src/core/money.ts';

const base: SolitaireTextInput = {
  title: '车厘子季', itemName: '车厘子 5斤装', priceFen: 19900, storeName: '南山科技园店', deadline: new Date('2026-12-01T12:00:00Z'), timeZone: 'Asia/Shanghai',
  stock: 100, taken: 0, status: 'open', entries: [],
};

describe('renderSolitaire', () => {
  it.each<[string, Partial<SolitaireTextInput>, string]>([
    ['an empty list is the header alone', {}, '#接龙 车厘子季\n商品：车厘子 5斤装\n价格：¥199/份\n自提：南山科技园店\n截止：12月1日 20:00\n剩余：100/100 份'],
    ['numbered lines in joining order', { taken: 3, entries: [{ nickname: '小美', quantity: 2 }, { nickname: '阿强', quantity: 1 }] },
      '#接龙 车厘子季\n商品：车厘子 5斤装\n价格：¥199/份\n自提：南山科技园店\n截止：12月1日 20:00\n剩余：97/100 份\n\n1. 小美 2\n2. 阿强 1'],
    ['a full list says so', { stock: 2, taken: 2, entries: [{ nickname: '小美', quantity: 2 }] },
      '#接龙 车厘子季\n商品：车厘子 5斤装\n价格：¥199/份\n自提：南山科技园店\n截止：12月1日 20:00\n已接满\n\n1. 小美 2'],
    ['a closed one says it ended; cents shown', { status: 'closed', priceFen: 990, taken: 1, entries: [{ nickname: 'Amy', quantity: 1 }] },
      '#接龙 车厘子季\n商品：车厘子 5斤装\n价格：¥9.90/份\n自提：南山科技园店\n截止：12月1日 20:00\n已截止\n\n1. Amy 1'],
    ['a nickname with a line break stays on its line; an empty one is 匿名', { taken: 2, entries: [{ nickname: '小\n美', quantity: 1 }, { nickname: '  ', quantity: 1 }] },
      '#接龙 车厘子季\n商品：车厘子 5斤装\n价格：¥199/份\n自提：南山科技园店\n截止：12月1日 20:00\n剩余：98/100 份\n\n1. 小 美 1\n2. 匿名 1'],
    ['the deadline is in the tenant zone', { timeZone: 'UTC', status: 'cancelled' },
      '#接龙 车厘子季\n商品：车厘子 5斤装\n价格：¥199/份\n自提：南山科技园店\n截止：12月1日 12:00\n已取消'],
  ])('%s', (_name, change, expected) => {
    expect(renderSolitaire({ ...base, ...change })).toBe(expected);
  });
});

describe('formatting', () => {
  it.each([[19900, '¥199'], [990, '¥9.90'], [5, '¥0.05'], [0, '¥0'], [-150, '-¥1.50']])('yuan(%i) = %s', (fen, text) => expect(yuan(fen)).toBe(text));
  it.each([['2026-12-31T16:05:00Z', 'Asia/Shanghai', '1月1日 00:05'], ['2026-06-01T03:00:00Z', 'Asia/Shanghai', '6月1日 11:00']])('%s in %s', (at, zone, text) => {
    expect(localDeadline(new Date(at), zone)).toBe(text);
  });
  it.each([['  小美  ', '小美'], ['a\r\nb', 'a b'], ['x'.repeat(40), 'x'.repeat(30)], ['', '匿名']])('cleanNickname(%j)', (raw, clean) => expect(cleanNickname(raw)).toBe(clean));
  it('writes CSV with a BOM and quotes cells that need it', () => {
    expect(toCsv(['a', 'b'], [['x,y', 1], ['say "hi"', 2]])).toBe('\uFEFFa,b\r\n"x,y",1\r\n"say ""hi""",2\r\n');
  });
});

describe('quantityRefusal', () => {
  const now = new Date('2026-12-01T10:00:00Z');
  const open = { status: 'open', deadlineAt: new Date('2026-12-01T12:00:00Z'), stock: 10, taken: 8, perCustomerLimit: 5 };
  it.each<[string, Partial<typeof open>, number, number, string | null]>([
    ['a new entry within the stock', {}, 0, 2, null],
    ['a new entry beyond the stock', {}, 0, 3, 'sold_out'],
    ['raising within what is left plus what one holds', {}, 2, 4, null],
    ['raising beyond it', {}, 2, 5, 'sold_out'],
    ['lowering even when sold out', { taken: 10 }, 3, 1, null],
    ['over the per-customer limit', { stock: 100 }, 0, 6, 'limit_reached'],
    ['after the deadline', { deadlineAt: now }, 0, 1, 'deadline_passed'],
    ['a closed one', { status: 'closed' }, 1, 0, 'closed'],
  ])('%s', (_name, change, held, wanted, reason) => {
    expect(quantityRefusal({ ...open, ...change }, held, wanted, now)?.reason ?? null).toBe(reason);
  });
});
