// errorText, the one wording of a failed call in the console: the server's own refusals (as the
// services raise them, turned into the console's ApiError the way the API answers them) read in
// Chinese and in English, never in the server's English; enum options by the console's labels.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { YuchiError, invalid } from '../../src/core/errors.ts';
import { GroupSellingRefusal } from '../../src/core/group-selling/group-selling.errors.ts';
import { PointsRefusal } from '../../src/core/membership/points.service.ts';
import { PromotionRefusal } from '../../src/core/promotions/promotions.errors.ts';
import { SmsSettings, WecomSettings, issuePaths } from '../../src/core/channels/settings.rules.ts';
import { issueDetail } from '../../src/core/zod-details.ts';
import { ApiError } from '../../web/src/api.ts';
import { detailText } from '../../web/src/labels.ts';
import { errorText, reasonText } from '../../web/src/refusal-text.ts';
import { GROUP_SELLING_WORDING } from '../../web/src/pages/referral/group-selling-refusals.ts';
import { enUS } from '../../web/src/i18n/en-US.ts';
import { zhCN } from '../../web/src/i18n/zh-CN.ts';
import { en, zh } from './translate.ts';

const STATUS = { invalid: 400, unauthenticated: 401, forbidden: 403, not_found: 404, conflict: 409, unprocessable: 422, too_large: 413 } as const;
/** What the console holds after the API answered the service's error (src/api/errors.ts, web/src/api.ts). */
const answered = (err: YuchiError): ApiError =>
  new ApiError(STATUS[err.code], err.reason ?? err.code, err.message, JSON.parse(JSON.stringify(err.details)) as ApiError['details']);

// English words of the server's sentences (names and ids such as VIP or unionid may stay as they are).
const NO_ENGLISH = /\b(the|must|is|has|no|of|be|a|an|left|asked)\b/i;

describe('service refusals in the console language', () => {
  const cases: [string, YuchiError, string, string][] = [
    ['points taken below zero', new PointsRefusal('insufficient_points', 'the balance is 30 points; taking 50 would leave it negative', 'body.points', { balance: 30, asked: 50 }),
      '积分不足：余额 30 分，本次需扣 50 分', 'Not enough points: the balance is 30, 50 needed'],
    ['an adjustment without a reason', invalid('body.reason', 'an adjustment needs its reason', { code: 'reason_needed', params: {} }), '请填写调整原因', 'Give the reason for the adjustment'],
    ['a reward out of stock', new PointsRefusal('reward_out_of_stock', 'reward 帆布袋 has 1 left; 2 asked', 'body.quantity', { reward: '帆布袋', left: 1, asked: 2 }),
      '礼品“帆布袋”只剩 1 份，本次要兑 2 份', 'The reward “帆布袋” has 1 left; 2 asked'],
    ['a member-day range reversed', invalid('query.to', 'must not be before from', { code: 'range_reversed', params: { from: '2026-05-01', to: '2026-04-01' } }),
      '结束日期不能早于开始日期', 'The end date cannot be before the start date'],
    ['a member-day range too long', invalid('query.to', 'a range holds at most 731 days', { code: 'range_too_long', params: { maximum: 731 } }), '时间范围最多 731 天', 'A range holds at most 731 days'],
    ['a paused coupon issued', new PromotionRefusal('template_not_active', 'coupon template 新人券 is paused, not active', 'body', { template: '新人券', status: 'paused' }),
      '优惠券“新人券”未启用，不能发放', 'The coupon “新人券” is not active and cannot be issued'],
    ['coupons beyond the stock', new PromotionRefusal('stock_exhausted', 'coupon template 限量券 has 1 coupons left; 2 asked', 'body', { template: '限量券', left: 1, asked: 2 }),
      '优惠券“限量券”只剩 1 张，本次要发 2 张', 'The coupon “限量券” has 1 left; 2 asked'],
    ['an issue job to a tag gone', invalid('body.targetId', 'no tag x', { code: 'unknown_tag', params: {} }), '标签不存在，请重新选择', 'The tag does not exist; choose it again'],
    ['a full 拼团', new GroupSellingRefusal('group_full', 'the group is already full', 'body', { size: 3 }), '已满 3 人成团', 'The group is already full (3)'],
    ['a 拼单 paid by a friend', new GroupSellingRefusal('not_initiator', 'only the one who started the 拼单 pays for it', 'body.customer'), '只有发起人可以为拼单付款', 'Only the one who started the shared cart pays for it'],
    ['a template without the channel\'s content', invalid('channel', 'the template has no sms content', { code: 'template_lacks_channel', params: { channel: 'sms' } }),
      '该模板没有短信内容', 'The template has no SMS content'],
    ['a rule tag put on by hand', invalid('tagId', 'VIP is a rule tag: its rule adds and removes it', { code: 'rule_tag_by_hand', params: { tag: 'VIP' } }),
      '“VIP”是规则标签，由规则自动打上和移除', '“VIP” is a rule tag: its rule adds and removes it'],
    ['a pre-tag of an unknown identity kind', invalid('kind', 'must be one of unionid, openid, external_userid, phone, member_no', { code: 'invalid_value', params: { options: 'unionid, openid, external_userid, phone, member_no' } }),
      `须为以下之一：${['unionid', 'openid', 'external_userid', 'phone', 'member_no'].map((k) => zhCN[`identity.${k}` as keyof typeof zhCN]).join('、')}`,
      `Must be one of: ${['unionid', 'openid', 'external_userid', 'phone', 'member_no'].map((k) => enUS[`identity.${k}` as keyof typeof enUS]).join(', ')}`],
    ['a group capacity below its members', invalid('capacity', 'the group already has 3 members', { code: 'capacity_below_members', params: { members: 3 } }),
      '群里已有 3 人，容量不能低于此数', 'The group already has 3 members; the capacity cannot be lower'],
    ['an empty 拼单', new GroupSellingRefusal('cart_empty', 'the shared cart has no items'), '拼单里还没有商品', 'The shared cart has no items'],
    ['a WeCom 群发 naming the customer', invalid('templateId', 'a WeCom mass send sends one text to all of a guide\'s customers', { code: 'wecom_mass_send_personal', params: { variables: '{name} {city}' } }),
      '企业微信群发给一位导购的所有客户发同一段文字，无法逐个填入 {name} {city}；请只用门店和导购变量',
      'A WeCom mass send gives all of a guide\'s customers one text, so it cannot fill {name} {city} per customer; use the store and guide variables only'],
  ];
  for (const [what, err, zhText, enText] of cases) {
    it(what, () => {
      const e = answered(err);
      expect(e.details[0]?.code).toBeTruthy();
      expect(errorText(zh, e)).toBe(zhText);
      expect(errorText(zh, e)).not.toMatch(NO_ENGLISH);
      expect(errorText(en, e)).toBe(enText);
    });
  }

  it("prefers the page's own wording for a code two areas share", () => {
    const soldOut = answered(new GroupSellingRefusal('sold_out', 'only 2 left', 'body.quantity', { left: 2 }));
    expect(errorText(zh, soldOut)).toBe('已售罄');
    expect(errorText(zh, soldOut, GROUP_SELLING_WORDING)).toBe('库存不足，只剩 2 份');
    expect(errorText(en, soldOut, GROUP_SELLING_WORDING)).toBe('Not enough stock: 2 left');
  });

  it('names the field when the page gives its label, and joins several reasons', () => {
    const err = new YuchiError('invalid', 'x', [
      { path: 'body.leader', message: 'no customer x', code: 'unknown_customer', params: {} },
      { path: 'body.storeId', message: 'no store y', code: 'unknown_store', params: {} },
    ]);
    const fieldOf = (parts: string[]) => ({ leader: '团长', storeId: '门店' })[parts[0] ?? ''];
    expect(errorText(zh, answered(err), { fieldOf })).toBe('团长：顾客不存在，可能已被合并或删除；门店：门店不存在，可能已删除');
  });

  it('words a refusal without details by its kind, and a call that never got an answer', () => {
    expect(errorText(zh, new ApiError(403, 'forbidden', 'guides may not', []))).toBe('当前账号没有权限进行此操作');
    expect(errorText(en, new ApiError(404, 'not_found', 'tier not found', []))).toBe('What you asked for does not exist (it may have been removed)');
    expect(errorText(zh, new ApiError(502, 'http_502', 'HTTP 502', []))).toBe('服务器出错了，请稍后再试');
    expect(errorText(zh, new ApiError(422, 'wecom_not_set_up', 'WeCom is not set up for this tenant', []))).toBe('当前情况下无法办理');
    expect(errorText(zh, new TypeError('Failed to fetch'))).toBe('无法连接服务器，请检查网络后重试');
    // a code this console does not know yet: the server's message rather than nothing
    expect(errorText(zh, new ApiError(400, 'from_a_newer_server', 'something new', []))).toBe('something new');
  });
});

describe('channel settings checked by refinements', () => {
  const wecom = { corpId: 'ww1436e0e65a779aee', agentId: '1000002', secret: 's', token: 'tok' };
  const refused = (schema: z.ZodType, input: unknown) => {
    const parsed = schema.safeParse(input);
    if (parsed.success) throw new Error('expected a refusal');
    return issuePaths(parsed.error);
  };

  it('words the EncodingAESKey checks in either language', () => {
    const [short] = refused(WecomSettings, { ...wecom, encodingAesKey: 'a'.repeat(42) });
    expect(short).toMatchObject({ path: 'body.encodingAesKey', code: 'aes_key_length', params: { length: 42 } });
    expect(reasonText(zh, short!)).toBe('须为 43 个字符（现在是 42 个）');
    expect(reasonText(en, short!)).toBe('Must be 43 characters (it has 42)');
    const [chars] = refused(WecomSettings, { ...wecom, encodingAesKey: `${'a'.repeat(42)}=` });
    expect(reasonText(zh, chars!)).toMatch(/^只能包含字母、数字、\+ 和 \//);
  });

  it('says which placeholder an SMS template lacks', () => {
    const details = refused(SmsSettings, { url: 'https://sms.example.com/send', bodyTemplate: '{text}' });
    expect(details.map((d) => reasonText(zh, d))).toEqual(['须包含 {phone}']);
    expect(details.map((d) => reasonText(en, d))).toEqual(['Must contain {phone}']);
  });
});

describe('enum refusals name the options by the console labels', () => {
  const Body = z.object({ channel: z.enum(['pos', 'miniprogram', 'ecommerce']), role: z.enum(['admin', 'guide']), unit: z.enum(['kg', 'box']) });
  const detail = (field: string, value: unknown) => {
    const parsed = Body.safeParse({ channel: 'pos', role: 'admin', unit: 'kg', [field]: value });
    if (parsed.success) throw new Error('expected a refusal');
    const issue = parsed.error.issues[0]!;
    return issueDetail(`body.${field}`, issue);
  };

  it('a channel and a role, in Chinese and in English', () => {
    expect(detailText(zh, detail('channel', 'store_pos'))).toBe(`须为以下之一：${zhCN['channel.pos']}、${zhCN['channel.miniprogram']}、${zhCN['channel.ecommerce']}`);
    expect(detailText(en, detail('channel', 'store_pos'))).toBe(`Must be one of: ${enUS['channel.pos']}, ${enUS['channel.miniprogram']}, ${enUS['channel.ecommerce']}`);
    expect(detailText(zh, detail('role', 'boss'))).toBe(`须为以下之一：${zhCN['role.admin']}、${zhCN['role.guide']}`);
    expect(detailText(zh, detail('channel', 'store_pos'))).not.toMatch(/pos|miniprogram/);
  });

  it('keeps an option the console has no label for as it is', () => {
    expect(detailText(zh, detail('unit', 'bag'))).toBe('须为以下之一：kg、box');
  });
});
