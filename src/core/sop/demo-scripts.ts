// The demo tenant's script library: a fruit chain's 话术 by scenario, and a small 需求密码本
// (questionnaire codebook, as 高姿 does) whose tags pick the scripts for a customer.
import type { Db } from '../../db/connect.ts';
import type { Actor } from '../access/access.rules.ts';
import { createTag, createTagGroup } from '../tags/tags.service.ts';
import { createScript } from './scripts.service.ts';

const CODEBOOK = [
  { code: 'A', name: '送礼需求', color: 'magenta' },
  { code: 'B', name: '控糖/健身', color: 'green' },
  { code: 'C', name: '宝宝辅食', color: 'orange' },
] as const;

export async function seedDemoScripts(db: Db, operator: Actor): Promise<number> {
  const group = await createTagGroup(db, operator.tenantId, { name: '需求密码本', description: '入群问卷「您买水果主要为了什么」的答案，导购按标签选话术' });
  const made = [];
  for (const t of CODEBOOK) made.push((await createTag(db, operator, { groupId: group.id, name: t.name, code: t.code, color: t.color })).id);
  const [gift, sugar, baby] = made;
  const tag = { A: gift ?? '', B: sugar ?? '', C: baby ?? '' };
  const scripts = [
    { title: '加好友欢迎语', scenario: '新客欢迎', body: '您好呀～我是鲜果时光福田店的小鲜🍓 以后店里新到的好果子、会员日福利都会第一时间告诉您。首单立减 5 元券已放进您的小程序账户，记得用哦！' },
    { title: '邀请进门店福利群', scenario: '入群邀请', body: '我们门店有个福利群，每天早上晒新到的水果，下午有爆品接龙，每周二会员日还有专享券。拉您进来吗？不打扰，随时可以退～' },
    { title: '送礼推荐：果篮与礼盒', scenario: '售前咨询', body: '送长辈的话推荐【精品果篮】，车厘子+奇异果+丑橘，寓意好也耐放；送朋友可以选【网红水果礼盒】，包装好看。提前一天下单可以写贺卡，免费配送到府。', tagIds: [tag.A] },
    { title: '控糖人群怎么选水果', scenario: '售前咨询', body: '控糖期间推荐低 GI 的水果：番石榴、蓝莓、草莓、苹果，每次一拳头的量，放在两餐之间吃。本周蓝莓 2 盒 39.9，很适合您～', tagIds: [tag.B] },
    { title: '宝宝辅食水果建议', scenario: '售前咨询', body: '宝宝刚开始加辅食，可以从苹果泥、香蕉泥、牛油果开始，一次只加一种观察 3 天。我们店的牛油果都是提前催熟好的，到手就能吃，给宝宝做泥很方便。', tagIds: [tag.C] },
    { title: '售后：水果有损坏', scenario: '售后', body: '非常抱歉给您带来不好的体验！麻烦拍一张照片发我，我马上为您办理【坏果包赔】，可以选择退款或者下次送货时补发，您看哪种方便？' },
    { title: '复购提醒：上次买的快吃完了', scenario: '复购提醒', body: '【姓名】您好～上次您买的【商品】应该快吃完啦，这周刚到一批新货，品质比上次还好。需要的话我帮您留一份，今天下单还能用会员价。' },
    { title: '周二会员日邀约', scenario: '活动邀约', body: '明天周二是我们的会员日🎉 全场水果会员专享价，群里还会发 5 元无门槛券。明早 10 点开抢，记得来群里看看！' },
    { title: '沉睡会员唤回', scenario: '流失挽回', body: '好久不见～给您准备了一张 10 元回归券（满 59 可用，7 天有效），最近的阳光玫瑰和丹东草莓都很甜，有空来店里尝尝？', tagIds: [] },
  ];
  for (const s of scripts) await createScript(db, operator, s);
  return scripts.length;
}
