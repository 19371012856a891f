// Import refusals carry a code and its values; the console says them in 简体中文 or English.
import { describe, expect, it } from 'vitest';
import { because, REASON_CODES, type ReasonCode } from '../../src/core/imports/reasons.rules.ts';
import { readCustomerRow, mapHeader, type ImportLookups } from '../../src/core/imports/import.rules.ts';
import { enUS } from '../../web/src/i18n/en-US.ts';
import { zhCN, type MessageKey } from '../../web/src/i18n/zh-CN.ts';
import { reasonText } from '../../web/src/pages/imports/reasons.ts';

type Locale = 'zh-CN' | 'en-US';
const catalogs: Record<Locale, Record<MessageKey, string>> = { 'zh-CN': zhCN, 'en-US': enUS };
const translator = (locale: Locale) => (key: MessageKey, vars?: Record<string, string | number>): string =>
  catalogs[locale][key].replace(/\{(\w+)\}/g, (whole, name: string) => (vars && name in vars ? String(vars[name]) : whole));
const say = (locale: Locale, e: Parameters<typeof reasonText>[2]): string => reasonText(translator(locale), locale, e);

/** Values for each code that takes some. */
const SAMPLE: Partial<Record<ReasonCode, Record<string, string | number>>> = {
  too_long: { max: 64 },
  wrong_width: { fields: 3, width: 5 },
  unknown_store: { code: 'SZ-XX-99' },
  unknown_staff: { userid: 'zhangsan' },
  unknown_tag: { tag: '肤质:油性' },
  ambiguous_tag: { tag: 'VIP' },
  rule_tag: { tag: '高消费' },
  order_lines_apart: { order: 'A-1', line: 7 },
  differs_from_line: { order: 'A-1', line: 7 },
  order_has_errors: { order: 'A-1', line: 7 },
};
const reasonOf = (code: ReasonCode) => (because as (c: ReasonCode, p?: Record<string, string | number>) => ReturnType<typeof because>)(code, SAMPLE[code]);

describe('import refusal reasons', () => {
  const translated = REASON_CODES.filter((c) => c !== 'rejected');

  it('has 简体中文 and English console texts for every code, and the English says what the CLI says', () => {
    for (const code of translated) {
      const reason = reasonOf(code);
      expect(say('en-US', reason), code).toBe(reason.reason);
      const zh = say('zh-CN', reason);
      expect(zh, code).not.toBe(reason.reason);
      expect(zh, code).not.toMatch(/\{\w+\}/);
      for (const value of Object.values(SAMPLE[code] ?? {})) expect(zh, code).toContain(String(value));
    }
  });

  it('shows a refusal from writing by its own code in Chinese, and with its English details in English', () => {
    const conflict = because('rejected', { code: 'order_conflict', message: 'orderNo A-1: was recorded with another customer' });
    expect(say('zh-CN', conflict)).toBe('与已导入的同号订单不一致（订单号已用于另一笔订单）');
    expect(say('en-US', conflict)).toBe('orderNo A-1: was recorded with another customer');
    const other = because('rejected', { code: 'something_new', message: 'orderNo A-2: refused' });
    expect(say('zh-CN', other)).toBe('orderNo A-2: refused');
  });

  it('falls back to the English words for a job kept before reasons had codes, or a code the console does not know', () => {
    expect(say('zh-CN', { reason: 'not a mobile number' })).toBe('not a mobile number');
    expect(say('zh-CN', { reason: 'some new reason', code: 'brand_new' })).toBe('some new reason');
  });

  it('gives rows read from a file a code and values beside the English words', () => {
    const map = mapHeader('customers', ['手机号', '门店编码', '生日']);
    const lookups: ImportLookups = { stores: new Map(), staff: new Map(), tags: new Map() };
    const read = readCustomerRow(['1390000', 'SZ-XX-99', '2026-02-30'], 2, map, lookups, new Date('2026-06-01T00:00:00Z'));
    expect('errors' in read && read.errors).toEqual([
      { line: 2, column: '手机号', code: 'not_mobile', reason: 'not a mobile number' },
      { line: 2, column: '生日', code: 'invalid_date', reason: 'not a valid date' },
      { line: 2, column: '门店编码', code: 'unknown_store', params: { code: 'SZ-XX-99' }, reason: 'unknown store code SZ-XX-99' },
    ]);
    const zh = 'errors' in read ? read.errors.map((e) => say('zh-CN', e)) : [];
    expect(zh).toEqual(['不是手机号', '不是有效的日期', '没有门店编码为 SZ-XX-99 的门店']);
  });
});
