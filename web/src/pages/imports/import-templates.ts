// The columns an import file may have, as `yuchi import` reads them (src/core/imports/import.rules.ts):
// English or Chinese headers, matched case-insensitively; other columns are ignored. Shown as
// help beside the upload, and as a template file with Chinese headers and one example row.
import type { ImportKind } from '../../api.ts';
import type { MessageKey } from '../../i18n/zh-CN.ts';

export interface TemplateColumn {
  en: string;
  zh: string;
  /** "required", "one of the identity columns", or optional. */
  need: 'required' | 'identity' | 'optional';
  help: MessageKey;
  example: string;
}

const CUSTOMERS: TemplateColumn[] = [
  { en: 'phone', zh: '手机号', need: 'identity', help: 'template.phone', example: '13800138000' },
  { en: 'member_no', zh: '会员号', need: 'identity', help: 'template.memberNo', example: 'M000123' },
  { en: 'external_userid', zh: '企微外部联系人ID', need: 'identity', help: 'template.externalUserId', example: '' },
  { en: 'unionid', zh: 'unionid', need: 'identity', help: 'template.unionId', example: '' },
  { en: 'openid', zh: 'openid', need: 'identity', help: 'template.openId', example: '' },
  { en: 'name', zh: '姓名', need: 'optional', help: 'template.name', example: '王芳' },
  { en: 'gender', zh: '性别', need: 'optional', help: 'template.gender', example: '女' },
  { en: 'birthday', zh: '生日', need: 'optional', help: 'template.birthday', example: '1992-03-04' },
  { en: 'city', zh: '城市', need: 'optional', help: 'template.city', example: '深圳' },
  { en: 'store_code', zh: '门店编码', need: 'optional', help: 'template.storeCode', example: 'SZ-FT-01' },
  { en: 'guide_wecom_userid', zh: '导购企微账号', need: 'optional', help: 'template.guide', example: '' },
  { en: 'tags', zh: '标签', need: 'optional', help: 'template.tags', example: '肤质:油皮;来源:门店' },
];

const ORDERS: TemplateColumn[] = [
  { en: 'order_no', zh: '订单号', need: 'required', help: 'template.orderNo', example: 'A20260501001' },
  { en: 'phone', zh: '手机号', need: 'identity', help: 'template.orderCustomer', example: '13800138000' },
  { en: 'member_no', zh: '会员号', need: 'identity', help: 'template.orderCustomer', example: '' },
  { en: 'external_userid', zh: '企微外部联系人ID', need: 'identity', help: 'template.orderCustomer', example: '' },
  { en: 'customer_id', zh: '客户ID', need: 'identity', help: 'template.orderCustomer', example: '' },
  { en: 'ordered_at', zh: '下单时间', need: 'required', help: 'template.orderedAt', example: '2026-05-01 10:30' },
  { en: 'paid', zh: '实付金额', need: 'required', help: 'template.paid', example: '90.00' },
  { en: 'total', zh: '订单金额', need: 'optional', help: 'template.total', example: '100.00' },
  { en: 'discount', zh: '优惠金额', need: 'optional', help: 'template.discount', example: '10.00' },
  { en: 'channel', zh: '渠道', need: 'optional', help: 'template.channel', example: '门店' },
  { en: 'store_code', zh: '门店编码', need: 'optional', help: 'template.storeCode', example: 'SZ-FT-01' },
  { en: 'guide_wecom_userid', zh: '导购企微账号', need: 'optional', help: 'template.guide', example: '' },
  { en: 'status', zh: '订单状态', need: 'optional', help: 'template.status', example: '已支付' },
  { en: 'refunded', zh: '退款金额', need: 'optional', help: 'template.refunded', example: '' },
  { en: 'sku', zh: '商品编码', need: 'optional', help: 'template.sku', example: 'CHERRY-5J' },
  { en: 'item_name', zh: '商品名称', need: 'optional', help: 'template.itemName', example: '车厘子 5斤' },
  { en: 'quantity', zh: '数量', need: 'optional', help: 'template.quantity', example: '1' },
  { en: 'unit_price', zh: '单价', need: 'optional', help: 'template.unitPrice', example: '100.00' },
];

export const TEMPLATES: Record<ImportKind, TemplateColumn[]> = { customers: CUSTOMERS, orders: ORDERS };

const csvField = (text: string): string => (/[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/** A template file: UTF-8 with a BOM (so Excel shows the Chinese headers), the headers, one example row. */
export function templateCsv(kind: ImportKind, headers: 'zh' | 'en'): string {
  const columns = TEMPLATES[kind];
  const header = columns.map((c) => csvField(headers === 'zh' ? c.zh : c.en)).join(',');
  const example = columns.map((c) => csvField(c.example)).join(',');
  return `\uFEFF${header}\r\n${example}\r\n`;
}
