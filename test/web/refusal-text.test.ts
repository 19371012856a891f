// errorText, the one wording of a failed call in the console: the server's own refusals (as the
// services raise them, turned into the console's ApiError the way the API answers them) read in
// Chinese and in English, never in the server's English; enum options by the console's labels.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { YuchiError, conflict, invalid } from '../../src/core/errors.ts';
import { resolveRange } from '../../src/core/dashboard/dashboard.rules.ts';
import { resolveAnalyticsRange } from '../../src/core/analytics/analytics.rules.ts';
import { ScoringSettings, DEFAULT_SETTINGS } from '../../src/core/scores/scores.rules.ts';
import { clvReasonText } from '../../web/src/pages/scores/clv-reasons.ts';
import { failureText } from '../../web/src/pages/imports/reasons.ts';
import { HeaderError, mapHeader } from '../../src/core/imports/import.rules.ts';
import { refusalText as accessRefusalText } from '../../web/src/pages/access/refusals.ts';
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
    expect(errorText(zh, new ApiError(422, 'some_new_reason', 'a reason this console does not know', []))).toBe('当前情况下无法办理');
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

/** The server's refusal as the console holds it, raised by calling the rule itself. */
function raised(run: () => unknown): ApiError {
  try {
    run();
  } catch (err) {
    if (err instanceof YuchiError) return answered(err);
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('the last refusals that were in English', () => {
  const cases: [string, YuchiError, string, string][] = [
    ['a password too short', invalid('password', 'must be at least 8 characters', { code: 'too_small', params: { origin: 'string', minimum: 8 } }), '至少 8 个字符', 'At least 8 characters'],
    ['a guide without a staff member', invalid('staffId', 'a guide must be linked to a staff member', { code: 'guide_needs_staff', params: {} }), '导购账号须关联一位员工', 'A guide account must be linked to a staff member'],
    ['an email taken', conflict('email', 'a user with email a@b.c exists in this tenant', { code: 'email_taken', params: { email: 'a@b.c' } }), '这个邮箱已有账号', 'An account with this email exists'],
    ['a new password equal to the old', invalid('newPassword', 'must differ from the current password', { code: 'password_unchanged', params: {} }), '新密码不能与当前密码相同', 'The new password must differ from the current one'],
    ['a till asked about nobody', invalid('query.phone', 'give phone or memberNo', { code: 'phone_or_member_no', params: {} }), '请填写手机号或会员号', 'Give a mobile number or a member number'],
    ['a workbench of nobody', invalid('query.staffId', 'name the staff member whose workbench to show', { code: 'staff_needed', params: {} }), '请选择要查看哪位员工的工作台', 'Choose the staff member whose workbench to show'],
    ['a transfer to a guide who left', invalid('toStaffId', '王芳 has resigned and cannot receive customers', { code: 'staff_resigned', params: { staff: '王芳' } }), '“王芳”已离职，不能再接收顾客', '“王芳” has resigned and cannot receive customers'],
    ['a timeline cursor made up', invalid('before', 'is not a cursor from a previous page', { code: 'page_cursor', params: {} }), '分页位置已失效，请从第一页重新加载', 'The page position has expired; reload from the first page'],
    ['a month range half given', invalid('query.to', 'give both from and to, or neither', { code: 'range_incomplete', params: {} }), '请同时填写开始和结束，或都不填', 'Give both the start and the end, or neither'],
    ['a questionnaire in draft', invalid('formId', 'questionnaire 肤质问卷 is draft, not taking answers', { code: 'form_not_published', params: { form: '肤质问卷', status: 'draft' } }),
      '问卷“肤质问卷”未发布，暂不接受作答', 'The questionnaire “肤质问卷” is not published and takes no answers'],
    ['two tags of an exclusive group', invalid('add', '油皮 and 干皮 are both in the exclusive group 肤质; choose one', { code: 'exclusive_clash', params: { first: '油皮', second: '干皮', group: '肤质' } }),
      '“油皮”和“干皮”同属互斥标签组“肤质”，只能选一个', '“油皮” and “干皮” are in the exclusive tag group “肤质”; choose one'],
    ['a tag another rule uses', conflict('id', 'the rule of tag 高价值 uses this tag (hasTag); change that rule first', { code: 'tag_in_rule', params: { tag: '高价值' } }),
      '规则标签“高价值”的规则用到了这个标签，请先修改那条规则', 'The rule of the tag “高价值” uses this tag; change that rule first'],
    ['a name taken', conflict('name', 'a template named 到店 exists', { code: 'name_taken', params: { name: '到店' } }), '名称已被使用，请换一个', 'This name is already used; choose another'],
    ['a segment others use', new YuchiError('conflict', 'segment is used by 高潜, 沉睡', [{ path: 'id', message: 'is referred to by an active segment', code: 'segment_in_use', params: { segments: '高潜、沉睡' } }]),
      '人群正被“高潜、沉睡”引用，请先修改它们', 'The segment is used by “高潜、沉睡”; change those first'],
    ['a welcome with an unknown variable', invalid('text', '{name} is not a variable; use {nickname} {store} {guide}', { code: 'unknown_variable', params: { variable: '{name}', variables: '{nickname} {store} {guide}' } }),
      '{name} 不是可用的变量，可用：{nickname} {store} {guide}', '{name} is not a variable; use {nickname} {store} {guide}'],
    ['a 活码 state taken', conflict('body.state', 'another code already uses the state s1', { code: 'state_taken', params: { state: 's1' } }), '渠道参数 s1 已被另一个活码使用', 'The state s1 is used by another code'],
    ['a slot past midnight', new YuchiError('invalid', 'x', [{ path: 'slots.0.durationMinutes', message: 'ends after midnight (23:45 + 30 min)', code: 'ends_after_midnight', params: { start: '23:45', minutes: 30 } }]),
      '跨过了午夜（23:45 开始，持续 30 分钟）', 'Runs past midnight (starts 23:45, lasts 30 min)'],
    ['a secret sealed with a key gone', new YuchiError('unprocessable', 'sms secret was sealed with secret key k1, which is not among the keys', [{ path: 'channels.sms.secret', message: 'sealed with unknown key k1', code: 'secret_key_missing', params: { channel: 'sms' } }], 'secret_key_missing'),
      '短信的密钥无法读取（加密它的主密钥已不在）：请重新保存该设置', 'The SMS secret cannot be read (the key that sealed it is gone): save the setting again'],
    ['a finished task done again', new YuchiError('conflict', 'the task is already done', [{ path: 'id', message: 'already done', code: 'task_already_finished', params: { status: 'done' } }], 'task_already_finished'),
      '任务已经处理过了', 'The task has already been dealt with'],
  ];
  for (const [what, err, zhText, enText] of cases) {
    it(what, () => {
      const e = answered(err);
      expect(errorText(zh, e)).toBe(zhText);
      expect(errorText(zh, e)).not.toMatch(NO_ENGLISH);
      expect(errorText(en, e)).toBe(enText);
    });
  }

  it('words the date ranges of the dashboard and analytics as the rules refuse them', () => {
    const long = raised(() => resolveRange({ from: '2020-01-01', to: '2026-01-01' }, '2026-01-01'));
    expect(long.details[0]).toMatchObject({ path: 'query.from', code: 'range_too_long', params: { maximum: 1098 } });
    expect(errorText(zh, long)).toBe('时间范围最多 1098 天');
    expect(errorText(en, long)).toBe('A range holds at most 1098 days');
    const reversed = raised(() => resolveAnalyticsRange({ from: '2026-05-01', to: '2026-04-01' }, '2026-06-01'));
    expect(errorText(zh, reversed)).toBe('结束日期不能早于开始日期');
    const badDate = raised(() => resolveAnalyticsRange({ from: '2026-02-30' }, '2026-06-01'));
    expect(errorText(zh, badDate)).toBe('须为 2000–2100 年间的日期（YYYY-MM-DD）');
    expect(errorText(en, badDate)).toBe('Must be a date between 2000 and 2100 (YYYY-MM-DD)');
  });

  it('words the scoring settings checked by refinements', () => {
    const parsed = ScoringSettings.safeParse({ ...DEFAULT_SETTINGS, lifecycle: { ...DEFAULT_SETTINGS.lifecycle, newDays: 400, churnDays: 10 },
      tiers: [{ name: '普通', minSpentFen: 100 }, { name: '普通', minSpentFen: 50 }] });
    if (parsed.success) throw new Error('expected a refusal');
    const details = parsed.error.issues.map((issue) => issueDetail(`body.${issue.path.join('.')}`, issue));
    expect(details.map((d) => reasonText(zh, d))).toEqual([
      `不能大于活跃天数（${DEFAULT_SETTINGS.lifecycle.activeDays} 天）`, `须大于活跃天数（${DEFAULT_SETTINGS.lifecycle.activeDays} 天），沉睡期在两者之间`,
      '第一档须从 0 开始，让每位顾客都有档位', '须高于上一档的门槛', '档位名称“普通”重复',
    ]);
    expect(reasonText(en, details[4]!)).toBe('The tier name “普通” is used twice');
  });

  it('a refusal without details reads by its code when the console knows it', () => {
    const notSetUp = new ApiError(422, 'wecom_not_set_up', 'WeCom is not set up for this tenant', []);
    expect(errorText(zh, notSetUp)).toBe('还没有接入企业微信，请先在渠道设置中配置');
    expect(errorText(en, notSetUp)).toBe('WeCom is not connected yet; set it up under channel settings');
    expect(errorText(zh, new ApiError(409, 'already_undone', 'this playbook application is already undone', []))).toBe('这次应用已经撤销过了');
    expect(errorText(zh, new ApiError(409, 'conflict', 'something clashes', []))).toBe('与现有数据冲突，请刷新后重试');
  });

  it("accounts' refusals: the field named where the sentence does not say it", () => {
    const short = answered(invalid('password', 'must be at least 8 characters', { code: 'too_small', params: { origin: 'string', minimum: 8 } }));
    expect(accessRefusalText(zh, short)).toBe(`${zhCN['access.password']}：至少 8 个字符`);
    expect(accessRefusalText(zh, answered(invalid('staffId', 'a guide must be linked to a staff member', { code: 'guide_needs_staff', params: {} })))).toBe('导购账号须关联一位员工');
    expect(accessRefusalText(en, answered(conflict('email', 'a user with email a@b.c exists', { code: 'email_taken', params: { email: 'a@b.c' } })))).toBe('An account with this email exists');
  });

  it('why an import failed, by its code, from the header check itself', () => {
    const header = (kind: 'customers' | 'orders', columns: string[]) => {
      try {
        mapHeader(kind, columns);
      } catch (err) {
        if (err instanceof HeaderError) return { error: err.message, errorWorded: { code: err.code, params: err.params } };
        throw err;
      }
      throw new Error('expected a refusal');
    };
    const orders = header('orders', ['手机号', '实付金额']);
    expect(failureText(zh, orders)).toBe('表头缺少：order_no/订单号, ordered_at/下单时间');
    expect(failureText(en, orders)).toBe('The header lacks order_no/订单号, ordered_at/下单时间');
    const twice = header('customers', ['手机号', 'phone']);
    expect(failureText(zh, twice)).toBe('“手机号”和“phone”两列是同一项内容，请只保留一列');
    expect(failureText(zh, { error: 'x.csv: line 2 is not valid UTF-8', errorWorded: { code: 'not_utf8', params: { line: 2 } } })).toMatch(/^第 2 行不是 UTF-8 编码/);
    // a job that failed before the codes: its words as they came
    expect(failureText(zh, { error: 'the uploaded file is no longer there', errorWorded: null })).toBe('the uploaded file is no longer there');
  });

  it('why CLV was not fitted, by its code', () => {
    const model = { reason: 'summaries: only 3 of 40 customers have a repeat purchase; the BG/NBD model needs at least 10 to be identified',
      reasonWorded: { code: 'too_few_repeaters', params: { repeaters: 3, customers: 40, minimum: 10 } } };
    expect(clvReasonText(zh, model)).toBe('40 位顾客中只有 3 位复购过，BG/NBD 模型至少需要 10 位');
    expect(clvReasonText(en, model)).toBe('Only 3 of 40 customers have bought again; the BG/NBD model needs at least 10');
    expect(clvReasonText(zh, { reason: 'x', reasonWorded: { code: 'clv_not_fitted', params: {} } })).toBe('数据不足以拟合模型');
    // a server without codes: its reason as it came
    expect(clvReasonText(zh, { reason: 'something', reasonWorded: null })).toBe('something');
  });
});

// Every code given today, with the values its sentence needs, reads in both languages: never the
// server's message, never the general fallback, no value left unfilled, no English in Chinese.
describe('every new refusal code is worded in Chinese and English', () => {
  const coded: [string, Record<string, string | number>][] = [
    ['guide_needs_staff', {}], ['password_unchanged', {}], ['key_name_needed', {}], ['last_admin', {}], ['wrong_password', {}], ['email_taken', { email: 'a@b.c' }],
    ['phone_or_member_no', {}], ['staff_needed', {}], ['staff_resigned', { staff: '王芳' }], ['page_cursor', {}],
    ['date_format', { minimum: 2000, maximum: 2100 }], ['month_format', {}], ['range_incomplete', {}],
    ['form_not_published', { form: '问卷', status: 'draft' }], ['missing_customer', {}], ['invalid_customer', {}], ['not_object', {}],
    ['exclusive_clash', { first: '油皮', second: '干皮', group: '肤质' }], ['name_taken', { name: '到店' }], ['several_tags_held', { customers: 3 }],
    ['tag_in_rule', { tag: '高价值' }], ['tag_in_form', { form: '肤质问卷' }], ['exclusive_would_clash', { group: '肤质' }], ['added_and_removed', {}],
    ['manual_not_evaluated', { tag: 'VIP' }], ['unknown_time_zone', { timeZone: 'Mars/Olympus' }], ['unknown_variable', { variable: '{x}', variables: '{nickname}' }],
    ['chat_id_taken', {}], ['store_code_taken', { code: 'SZ01' }], ['wecom_user_taken', { wecomUserId: 'wangfang' }], ['state_taken', { state: 's1' }],
    ['segment_archived', {}], ['segment_in_use', { segments: '高潜' }], ['journey_archived', {}], ['journey_not_published', {}],
    ['event_time_format', { at: 'soon' }], ['journey_no_entry', {}], ['task_already_finished', { status: 'done' }], ['already_undone', {}],
    ['customer_or_partner', {}], ['secret_key_missing', { channel: 'wecom' }], ['secret_unreadable', { channel: 'email' }], ['csv_body_needed', {}], ['file_empty', {}],
    ['wecom_not_set_up', {}], ['days_above_active', { activeDays: 30 }], ['churn_not_above_active', { activeDays: 30 }], ['first_tier_from_zero', {}],
    ['tier_not_above_previous', { previousFen: 100 }], ['tier_name_twice', { name: '金卡' }], ['weekday_range', {}], ['time_format', {}],
    ['duration_range', { minimum: 5, maximum: 720 }], ['ends_after_midnight', { start: '23:45', minutes: 30 }], ['groups_needed', {}], ['staff_left', {}],
    ['unknown_coupon_template', {}], ['coupon_template_ended', {}], ['state_format', { maximum: 30 }], ['work_hours_both', {}], ['store_needed', {}], ['rule_tag_on_add', {}],
    ['answer_needed', {}], ['not_measurable', {}],
    ['day_count', { minimum: 1, maximum: 3650 }], ['whole_number_min', { minimum: 0 }], ['rules_needed', {}], ['rule_too_deep', { maximum: 6 }],
    ['one_condition_each', {}], ['not_a_rule', {}], ['too_many_conditions', { maximum: 50 }],
    ['unknown_option', { code: 'Z', options: '1, 2, 3' }], ['unknown_question', { question: 'q9' }], ['options_needed', {}], ['option_repeated', {}], ['answers_needed', {}],
    ['same_start_end', {}], ['audience_needed', {}], ['unknown_referral_code', {}], ['file_too_large', { maximum: 50 }], ['content_needed', {}], ['nothing_to_change', {}],
  ];
  for (const [code, params] of coded) {
    it(code, () => {
      const message = `server words for ${code}`;
      const e = answered(new YuchiError('invalid', message, [{ path: 'body.x', message, code, params }]));
      for (const t of [zh, en]) {
        const text = errorText(t, e);
        expect(text).not.toBe(message);
        expect(text).not.toBe(errorText(t, new ApiError(400, 'invalid', 'x', [{ path: 'x', message: '' }])));
        expect(text).not.toMatch(/\{(?!x\}|nickname\})\w+\}/);
      }
      expect(errorText(zh, e)).not.toMatch(NO_ENGLISH);
    });
  }
});
