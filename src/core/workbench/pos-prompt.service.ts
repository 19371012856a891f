// The prompt at the till (seed 002): when a customer pays in store, the guide is told the one
// thing to do now — add them as a friend (with the store's code), invite a friend who is in no
// group to the store's group that has room, or offer a coupon they hold (or the welcome coupon).
// It answers on the checkout path, so it is one indexed statement, prepared.
import { CompiledQuery } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { normalizePhone } from '../ingest/identity.rules.ts';
import { invalid } from '../errors.ts';
import { posActions, type PosAction, type PosFacts } from './workbench.rules.ts';

/** WeCom customer groups hold at most 500 members. */
export const GROUP_CAPACITY = 500;

export interface PosPrompt {
  customer: { id: string; name: string; isFriend: boolean; inGroup: boolean } | null;
  store: { id: string; name: string } | null;
  actions: PosAction[];
}

interface FactsRow {
  customer_id: string | null;
  customer_name: string | null;
  guide_id: string | null;
  store_id: string | null;
  store_name: string | null;
  is_friend: boolean;
  in_group: boolean;
  code_id: string | null;
  code_name: string | null;
  code_key: string | null;
  slug: string;
  group_id: string | null;
  group_name: string | null;
  group_members: number | null;
  coupon_code: string | null;
  coupon_name: string | null;
  coupon_valid_to: Date | null;
  welcome_template_id: string | null;
  welcome_template_name: string | null;
}

/**
 * One statement: the customer (if known) and everything the three prompts need about them and the
 * store (the till's, else the customer's own). Its text is fixed and run as a named prepared
 * statement, without building it through the query builder on every call: at hundreds of prompts a
 * second the building and its garbage were a third of the request's allocation (bench/pos-prompt-cpu.ts).
 * $1 tenant, $2 identity kind, $3 identity value, $4 the till's store, $5 the staff member at the
 * till, $6 now.
 */
const FACTS = `/* prepared */
    with who as (
      select c.id, c.name, c.store_id, c.guide_id from customer_identities i
        join customers c on c.tenant_id = i.tenant_id and c.id = i.customer_id
       where i.tenant_id = $1::uuid and i.kind = $2::text and i.value = $3::text
    ),
    place as (select s.id, s.name from stores s where s.tenant_id = $1::uuid and s.id = coalesce($4::uuid,
      (select store_id from staff where tenant_id = $1::uuid and id = $5::uuid), (select store_id from who))),
    code as (
      select a.id, a.name, a.code_key, a.welcome_coupon_template_id from acquisition_codes a
       where a.tenant_id = $1::uuid and a.store_id = (select id from place) and a.status = 'active' and a.kind <> 'store_routing'
       order by a.kind = 'store_counter' desc, a.created_at limit 1
    )
    select w.id as customer_id, w.name as customer_name, w.guide_id, p.id as store_id, p.name as store_name,
           exists (select 1 from customer_contacts k where k.tenant_id = $1::uuid and k.customer_id = w.id and k.deleted_at is null) as is_friend,
           exists (select 1 from group_members m join customer_groups g on g.tenant_id = m.tenant_id and g.id = m.group_id and g.status = 'active'
                    where m.tenant_id = $1::uuid and m.customer_id = w.id and m.left_at is null) as in_group,
           cd.id as code_id, cd.name as code_name, cd.code_key, t.slug,
           gr.id as group_id, gr.name as group_name, gr.members as group_members,
           cp.code as coupon_code, cp.name as coupon_name, cp.valid_to as coupon_valid_to,
           wt.id as welcome_template_id, wt.name as welcome_template_name
      from tenants t
      left join who w on true
      left join place p on true
      left join code cd on true
      -- The store's newest active group with room (a full group rolls over to a newer one); members
      -- are counted only up to the capacity, so a big store's many groups stay cheap to check.
      left join lateral (
        select g.id, g.name, x.members from customer_groups g
         cross join lateral (select count(*)::int as members from (
                 select 1 from group_members m where m.tenant_id = g.tenant_id and m.group_id = g.id and m.left_at is null limit ${GROUP_CAPACITY}) y) x
         where g.tenant_id = $1::uuid and g.store_id = p.id and g.status = 'active' and w.id is not null and x.members < ${GROUP_CAPACITY}
         order by g.created_at desc limit 1
      ) gr on true
      left join lateral (
        select c.code, ct.name, c.valid_to from coupons c join coupon_templates ct on ct.tenant_id = c.tenant_id and ct.id = c.template_id
         where c.tenant_id = $1::uuid and c.customer_id = w.id and c.status = 'issued' and c.valid_from <= $6::timestamptz and c.valid_to > $6::timestamptz
           and (cardinality(ct.store_ids) = 0 or p.id = any(ct.store_ids))
         order by c.valid_to limit 1
      ) cp on true
      left join lateral (
        select ct.id, ct.name from coupon_templates ct
         where ct.tenant_id = $1::uuid and ct.id = cd.welcome_coupon_template_id and ct.status = 'active'
           and not exists (select 1 from coupons c where c.tenant_id = $1::uuid and c.customer_id = w.id and c.template_id = ct.id)
      ) wt on true
     where t.id = $1::uuid`;

/**
 * The till's store is the one asked for, else the store of the staff member at the till, else
 * the customer's own. A guide at the till sees the name only of their own customers: the prompt
 * is about what to do, not who the person is.
 */
export async function posPrompt(db: Db, tenantId: string, who: { phone?: string | undefined; memberNo?: string | undefined },
  till: { storeId: string | null; staffId: string | null; ownOnly: string | undefined }, now = new Date()): Promise<PosPrompt> {
  let kind: 'phone' | 'member_no';
  let value: string;
  if (who.phone !== undefined) {
    const phone = normalizePhone(who.phone);
    if (!phone) throw invalid('query.phone', 'is not a mainland mobile number or an E.164 number', { code: 'phone_format', params: {} });
    kind = 'phone';
    value = phone;
  } else if (who.memberNo !== undefined) {
    kind = 'member_no';
    value = who.memberNo.trim();
    if (value === '') throw invalid('query.memberNo', 'must not be blank', { code: 'too_small', params: { origin: 'string', minimum: 1 } });
  } else {
    throw invalid('query.phone', 'give phone or memberNo', { code: 'phone_or_member_no', params: {} });
  }
  const row = (await db.executeQuery(CompiledQuery.raw(FACTS,
    [tenantId, kind, value, till.storeId, till.staffId, now.toISOString()]))).rows[0] as FactsRow | undefined;
  if (!row) throw new Error('tenant not found');
  const facts: PosFacts = {
    known: row.customer_id !== null, isFriend: row.is_friend, inGroup: row.in_group,
    storeCode: row.code_id && row.code_key ? { id: row.code_id, name: row.code_name ?? '', landingPath: `/q/${row.slug}/${row.code_key}` } : null,
    groupWithRoom: row.group_id ? { id: row.group_id, name: row.group_name ?? '', members: row.group_members ?? 0 } : null,
    heldCoupon: row.coupon_code ? { code: row.coupon_code, name: row.coupon_name ?? '', validTo: row.coupon_valid_to?.toISOString() ?? '' } : null,
    welcomeTemplate: row.welcome_template_id ? { id: row.welcome_template_id, name: row.welcome_template_name ?? '' } : null,
  };
  return {
    customer: row.customer_id ? { id: row.customer_id, name: till.ownOnly === undefined || till.ownOnly === row.guide_id ? row.customer_name ?? '' : '', isFriend: row.is_friend, inGroup: row.in_group } : null,
    store: row.store_id ? { id: row.store_id, name: row.store_name ?? '' } : null,
    actions: posActions(facts),
  };
}
