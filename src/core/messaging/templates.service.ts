// Message templates: stored per tenant, checked for unknown variables, previewed on a real
// customer, and filled set-wise for a mass send (only the variables the template uses are read).
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { conflict, invalid, isUniqueViolation, notFound, YuchiError } from '../errors.ts';
import { newId, UUID_PATTERN } from '../ids.ts';
import { render, smsLength, TemplateContent, unknownVariables, usedVariables, type SmsLength, type TemplateChannel, type TemplateValues, type TemplateVariable } from './templates.rules.ts';
import type { MessageContent } from '../../db/schema.ts';

export interface TemplateView { id: string; name: string; content: TemplateContent; variables: TemplateVariable[]; createdAt: string; updatedAt: string }
export interface TemplateInput { name: string; content: TemplateContent }

function check(content: TemplateContent): void {
  const unknown = unknownVariables(content);
  if (unknown.length > 0) throw new YuchiError('invalid', unknown.map((u) => `${u.path}: ${u.message}`).join('; '), unknown);
}

function toView(row: { id: string; name: string; content: unknown; created_at: Date; updated_at: Date }): TemplateView {
  const content = TemplateContent.parse(row.content);
  return { id: row.id, name: row.name, content, variables: usedVariables(content), createdAt: row.created_at.toISOString(), updatedAt: row.updated_at.toISOString() };
}

export async function listTemplates(db: Db, tenantId: string): Promise<TemplateView[]> {
  const rows = await db.selectFrom('message_templates').select(['id', 'name', 'content', 'created_at', 'updated_at'])
    .where('tenant_id', '=', tenantId).orderBy('updated_at', 'desc').limit(500).execute();
  return rows.map(toView);
}

export async function getTemplate(db: Db, tenantId: string, id: string): Promise<TemplateView> {
  const row = UUID_PATTERN.test(id)
    ? await db.selectFrom('message_templates').select(['id', 'name', 'content', 'created_at', 'updated_at']).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst()
    : undefined;
  if (!row) throw notFound('template');
  return toView(row);
}

export async function saveTemplate(db: Db, tenantId: string, input: TemplateInput, id?: string): Promise<TemplateView> {
  check(input.content);
  try {
    if (id === undefined) {
      const fresh = newId();
      await db.insertInto('message_templates').values({ tenant_id: tenantId, id: fresh, name: input.name, content: JSON.stringify(input.content) }).execute();
      return getTemplate(db, tenantId, fresh);
    }
    await getTemplate(db, tenantId, id);
    await db.updateTable('message_templates').set({ name: input.name, content: JSON.stringify(input.content), updated_at: new Date() })
      .where('tenant_id', '=', tenantId).where('id', '=', id).execute();
    return getTemplate(db, tenantId, id);
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('name', `a template named ${input.name} exists`, { code: 'name_taken', params: { name: input.name } });
    throw err;
  }
}

/**
 * The select list of a template's values over `customers c` (joined to `stores s` and `staff g`):
 * name, city, home store, owning guide, tag names, and the code of the customer's newest unused
 * coupon (of one coupon template when given) — a mass send that carries coupons issues them first.
 * Only the variables used are read.
 */
export function valueColumns(variables: readonly TemplateVariable[], couponTemplateId?: string | null) {
  const want = new Set(variables);
  return sql`c.name, c.city, s.name as store, g.name as guide,
           ${want.has('tags') ? sql`(select string_agg(t.name, '、' order by t.name) from customer_tags ct join tags t on t.tenant_id = ct.tenant_id and t.id = ct.tag_id
                                      where ct.tenant_id = c.tenant_id and ct.customer_id = c.id)` : sql`null`} as tags,
           ${want.has('couponCode') ? sql`(select k.code from coupons k where k.tenant_id = c.tenant_id and k.customer_id = c.id and k.status = 'issued' and k.valid_to > now()
                                            ${couponTemplateId ? sql`and k.template_id = ${couponTemplateId}` : sql``} order by k.issued_at desc limit 1)` : sql`null`} as coupon`;
}
export const VALUE_JOINS = sql`left join stores s on s.tenant_id = c.tenant_id and s.id = c.store_id
                               left join staff g on g.tenant_id = c.tenant_id and g.id = c.guide_id`;
export interface ValueRow { name: string; city: string; store: string | null; guide: string | null; tags: string | null; coupon: string | null }

export function valuesOf(r: ValueRow): Partial<TemplateValues> {
  return { name: r.name, city: r.city, store: r.store ?? '', guide: r.guide ?? '', tags: r.tags ?? '', couponCode: r.coupon ?? '' };
}

/** The values of the given variables for a set of customers, in one statement. */
export async function valuesFor(db: Db, tenantId: string, customerIds: readonly string[], variables: readonly TemplateVariable[], couponTemplateId?: string | null): Promise<Map<string, Partial<TemplateValues>>> {
  const rows = await sql<ValueRow & { id: string }>`
    select c.id, ${valueColumns(variables, couponTemplateId)}
      from customers c ${VALUE_JOINS}
     where c.tenant_id = ${tenantId} and c.id = any(${[...customerIds]}::uuid[])`.execute(db);
  return new Map(rows.rows.map((r) => [r.id, valuesOf(r)]));
}

export interface Preview { channel: TemplateChannel; content: MessageContent; values: Partial<TemplateValues>; sms: SmsLength | null }

/** A template (stored or as edited) filled for one real customer. */
export async function previewTemplate(db: Db, tenantId: string, input: { templateId?: string; content?: TemplateContent; channel: TemplateChannel; customerId: string }): Promise<Preview> {
  const content = input.content ?? (input.templateId ? (await getTemplate(db, tenantId, input.templateId)).content : undefined);
  if (!content) throw invalid('templateId', 'give a templateId or the content', { code: 'template_needed', params: {} });
  check(content);
  const values = (await valuesFor(db, tenantId, [input.customerId], usedVariables(content))).get(input.customerId);
  if (!values) throw notFound('customer');
  const rendered = render(content, input.channel, values);
  if (!rendered) throw invalid('channel', `the template has no ${input.channel} content`, { code: 'template_lacks_channel', params: { channel: input.channel } });
  return { channel: input.channel, content: rendered, values, sms: input.channel === 'sms' ? smsLength(rendered.text) : null };
}
