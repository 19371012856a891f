// Issuing coupons: to listed customers (the API, later journeys and welcome perks) and in bulk to
// a tag's or a segment's members (a worker job). Idempotent by request key: each coupon carries
// '<request key>:<customer id>', so a re-sent request hands back the coupons it already made.
// The template row is locked for the issuance, so stock and per-customer limits hold under
// concurrent requests.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { inTransaction } from '../../db/transaction.ts';
import { YuchiError, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import { PromotionRefusal } from '../promotions/promotions.errors.ts';
import { couponWindow, newCouponCode } from './coupons.rules.ts';
import type { StoredTemplate } from './templates.service.ts';

export interface IssuedCoupon {
  customerId: string;
  code: string;
  validFrom: string;
  validTo: string;
}

export interface IssueResult {
  issued: IssuedCoupon[];
  /** Already issued under this request key. */
  duplicates: IssuedCoupon[];
  /** Customers at the template's per-customer limit, or past the stock in a partial (bulk) issue. */
  skipped: { customerId: string; reason: 'limit_reached' | 'stock_exhausted' }[];
}

export interface IssueOptions {
  requestKey: string;
  source: string;
  actor: string;
  /** Bulk issues give what stock is left; an API issue is all or nothing. */
  partial?: boolean;
  now?: Date;
}

const CODE_ATTEMPTS = 5;

export async function issueCoupons(db: Db, tenantId: string, templateId: string, customerIds: string[], options: IssueOptions): Promise<IssueResult> {
  const wanted = [...new Set(customerIds)];
  const now = options.now ?? new Date();
  return inTransaction(db, async (trx) => {
    const t = (await sql<StoredTemplate & { timezone: string }>`
      select t.*, tn.timezone from coupon_templates t join tenants tn on tn.id = t.tenant_id
       where t.tenant_id = ${tenantId} and t.id = ${templateId} for update of t`.execute(trx)).rows[0];
    if (!t) throw notFound('coupon template');
    if (t.status !== 'active') throw new PromotionRefusal('template_not_active', `coupon template ${t.name} is ${t.status}, not active`, 'body', { template: t.name, status: t.status });
    if (t.valid_to && t.valid_to <= now) throw new PromotionRefusal('template_ended', `coupon template ${t.name} ended at ${t.valid_to.toISOString()}`, 'body', { template: t.name, endedAt: t.valid_to.toISOString() });

    const known = await sql<{ id: string }>`select id from customers where tenant_id = ${tenantId} and id = any(${wanted}::uuid[])`.execute(trx);
    const knownIds = new Set(known.rows.map((r) => r.id));
    const unknown = wanted.map((id, i) => ({ id, i })).filter((x) => !knownIds.has(x.id));
    if (unknown.length > 0) {
      throw new YuchiError('invalid', `no customer ${unknown[0]?.id ?? ''}`, unknown.map((x) => ({ path: `body.customers.${x.i}`, message: `no customer ${x.id}`, code: 'unknown_customer', params: {} })));
    }

    const keyOf = (customerId: string): string => `${options.requestKey}:${customerId}`;
    const existing = await sql<{ customer_id: string; code: string; valid_from: Date; valid_to: Date }>`
      select customer_id, code, valid_from, valid_to from coupons
       where tenant_id = ${tenantId} and template_id = ${templateId} and issue_key = any(${wanted.map(keyOf)}::text[])`.execute(trx);
    const duplicates = existing.rows.map((r) => ({ customerId: r.customer_id, code: r.code, validFrom: r.valid_from.toISOString(), validTo: r.valid_to.toISOString() }));
    const done = new Set(duplicates.map((d) => d.customerId));

    const held = await sql<{ customer_id: string; n: number }>`
      select customer_id, count(*)::int as n from coupons
       where tenant_id = ${tenantId} and template_id = ${templateId} and status <> 'void' and customer_id = any(${wanted}::uuid[])
       group by customer_id`.execute(trx);
    const holding = new Map(held.rows.map((r) => [r.customer_id, r.n]));
    const skipped: IssueResult['skipped'] = [];
    let todo = wanted.filter((id) => !done.has(id));
    todo = todo.filter((id) => {
      if ((holding.get(id) ?? 0) < t.per_customer_limit) return true;
      skipped.push({ customerId: id, reason: 'limit_reached' });
      return false;
    });
    if (t.total_stock !== null) {
      const left = t.total_stock - t.issued_count;
      if (todo.length > left) {
        if (!options.partial) throw new PromotionRefusal('stock_exhausted', `coupon template ${t.name} has ${left} coupons left; ${todo.length} asked`, 'body', { template: t.name, left, asked: todo.length });
        for (const id of todo.slice(Math.max(0, left))) skipped.push({ customerId: id, reason: 'stock_exhausted' });
        todo = todo.slice(0, Math.max(0, left));
      }
    }

    const window = couponWindow({ validFrom: t.valid_from, validTo: t.valid_to, validDays: t.valid_days }, now, t.timezone);
    const issued: IssuedCoupon[] = [];
    const rows: { id: string; customerId: string; code: string }[] = [];
    let pending = todo;
    // Codes are random: the rare clash with a code the tenant already holds is retried with a fresh one.
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > CODE_ATTEMPTS) throw new Error('could not find unused coupon codes');
      const batch = pending.map((customerId) => ({ id: newId(), customerId, code: newCouponCode() }));
      const inserted = await sql<{ id: string }>`
        insert into coupons (tenant_id, id, template_id, code, customer_id, source, issue_key, issued_at, valid_from, valid_to)
        select ${tenantId}, x.id, ${templateId}, x.code, x.customer_id, ${options.source}, x.issue_key, ${now}, ${window.from}, ${window.to}
          from unnest(${batch.map((b) => b.id)}::uuid[], ${batch.map((b) => b.code)}::text[], ${batch.map((b) => b.customerId)}::uuid[],
                      ${batch.map((b) => keyOf(b.customerId))}::text[]) as x(id, code, customer_id, issue_key)
        on conflict do nothing
        returning id`.execute(trx);
      const ok = new Set(inserted.rows.map((r) => r.id));
      for (const b of batch) if (ok.has(b.id)) rows.push(b);
      pending = batch.filter((b) => !ok.has(b.id)).map((b) => b.customerId);
    }
    for (const r of rows) issued.push({ customerId: r.customerId, code: r.code, validFrom: window.from.toISOString(), validTo: window.to.toISOString() });
    if (rows.length > 0) {
      await sql`update coupon_templates set issued_count = issued_count + ${rows.length} where tenant_id = ${tenantId} and id = ${templateId}`.execute(trx);
      await sql`
        insert into events (tenant_id, id, event_key, type, customer_id, occurred_at, source, actor, properties)
        select ${tenantId}, x.event_id, 'yuchi:coupon_received:' || x.coupon_id, 'coupon_received', x.customer_id, ${now}, ${options.source}, ${options.actor},
               jsonb_build_object('couponId', x.coupon_id, 'code', x.code, 'templateId', ${templateId}::text, 'templateName', ${t.name}::text,
                                  'validFrom', ${window.from.toISOString()}::text, 'validTo', ${window.to.toISOString()}::text)
          from unnest(${rows.map(() => newId())}::uuid[], ${rows.map((r) => r.id)}::text[], ${rows.map((r) => r.customerId)}::uuid[], ${rows.map((r) => r.code)}::text[])
               as x(event_id, coupon_id, customer_id, code)
        on conflict (tenant_id, event_key) do nothing`.execute(trx);
    }
    return { issued, duplicates, skipped };
  });
}
