// The console words the API's schema refusals itself: zod issues become details with a code and
// params (src/core/zod-details.ts), and detailText (web/src/labels.ts) says them in either language.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { issueDetail } from '../../src/core/zod-details.ts';
import { detailText, namedDetailText, pathParts } from '../../web/src/labels.ts';
import { en, zh } from './translate.ts';

const Form = z.object({
  name: z.string().min(1),
  code: z.string().min(3).max(8),
  discount: z.number().int().min(1).max(100),
  threshold: z.number().positive(),
  kind: z.enum(['percent', 'fixed']),
  email: z.email(),
  storeId: z.uuid(),
  skus: z.array(z.string()).min(1).max(2),
  pin: z.string().length(4),
  step: z.number().multipleOf(5),
  note: z.string(),
}).strict();

function detailsOf(input: unknown) {
  const parsed = Form.safeParse(input);
  if (parsed.success) throw new Error('expected a refusal');
  return new Map(parsed.error.issues.map((i) => [i.path.join('.') || '(root)', issueDetail(['body', ...i.path.map(String)].join('.'), i)]));
}

const good = { name: 'a', code: 'abcd', discount: 10, threshold: 1, kind: 'fixed', email: 'a@b.cn', storeId: '6f1e0c62-7a51-4bd4-9f3b-3c6f4b0f1a11', skus: ['x'], pin: '1234', step: 10, note: '' };

describe('schema refusals in the console language', () => {
  const cases: [string, unknown, string, string][] = [
    ['name', '', '不能为空', 'Cannot be empty'],
    ['code', 'ab', '至少 3 个字符', 'At least 3 characters'],
    ['code', 'abcdefghi', '最多 8 个字符', 'At most 8 characters'],
    ['discount', 101, '不能大于 100', 'Cannot be more than 100'],
    ['discount', 0, '不能小于 1', 'Cannot be less than 1'],
    ['discount', 1.5, '须为整数', 'Must be a whole number'],
    ['discount', 'ten', '须为数字', 'Must be a number'],
    ['threshold', 0, '须大于 0', 'Must be greater than 0'],
    ['kind', 'bogus', '须为以下之一：percent、fixed', 'Must be one of: percent, fixed'],
    ['email', 'nope', '不是有效的邮箱地址', 'Not a valid email address'],
    ['storeId', 'x', '不是有效的编号', 'Not a valid id'],
    ['skus', [], '至少 1 项', 'At least 1 items'],
    ['skus', ['a', 'b', 'c'], '最多 2 项', 'At most 2 items'],
    ['pin', '12', '须为 4 个字符', 'Must be 4 characters'],
    ['step', 7, '须为 5 的倍数', 'Must be a multiple of 5'],
    ['note', undefined, '必填', 'Required'],
  ];
  for (const [field, value, zhText, enText] of cases) {
    it(`${field} = ${JSON.stringify(value)}`, () => {
      const d = detailsOf({ ...good, [field]: value }).get(field);
      expect(d?.code).toBeTruthy();
      expect(d?.message).toMatch(/[A-Za-z]/); // the API's English stays for its callers
      expect(detailText(zh, d!)).toBe(zhText);
      expect(detailText(en, d!)).toBe(enText);
    });
  }

  it('names unknown keys', () => {
    const d = detailsOf({ ...good, extra: 1 }).get('(root)');
    expect(detailText(zh, d!)).toBe('含有无法识别的字段：extra');
  });

  it("prefers the area's wording, then falls back to the server's message, never blank", () => {
    const area = { path: 'body.tiers.1.minValue', message: 'the lowest tier must start at 0', code: 'lowest_not_zero', params: {} };
    expect(detailText(zh, area, ['lowest_not_zero'], () => 'refusal.required' as never)).toBe('必填');
    expect(detailText(zh, { ...area, code: 'from_a_newer_server' })).toBe('the lowest tier must start at 0');
    expect(detailText(zh, { path: 'body.x', message: '' })).toBe('填写的内容不符合要求');
    expect(detailText(en, { path: 'body.x', message: ' ', code: 'custom' })).toBe('The value is not accepted');
  });

  it('names the field in a toast and reads paths without their request part', () => {
    const d = detailsOf({ ...good, discount: 101 }).get('discount')!;
    expect(namedDetailText(zh, d, '折扣')).toBe('折扣：不能大于 100');
    expect(namedDetailText(en, d, 'Discount')).toBe('Discount: Cannot be more than 100');
    expect(pathParts('body.rules[2].threshold')).toEqual(['rules', '2', 'threshold']);
    expect(pathParts('definition.all[0].op')).toEqual(['definition', 'all', '0', 'op']);
  });
});
