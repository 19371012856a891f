// Where a message to a customer goes on each channel: their phone, email, WeCom external user id,
// and the WeCom user id of the staff member it goes out as.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { YuchiError } from '../errors.ts';

export interface Recipient {
  customerId: string;
  name: string;
  phone: string | null;
  email: string | null;
  externalUserId: string | null;
}

/** The customer's addresses; an identity added last is the one in use. Null for an unknown or erased customer. */
export async function recipientOf(db: Db, tenantId: string, customerId: string): Promise<Recipient | null> {
  const row = (await sql<{ id: string; name: string; email: string | null; erased_at: Date | null; phone: string | null; external_userid: string | null }>`
    select c.id, c.name, c.email, c.erased_at,
           (select value from customer_identities i where i.tenant_id = c.tenant_id and i.customer_id = c.id and i.kind = 'phone' order by created_at desc limit 1) as phone,
           (select value from customer_identities i where i.tenant_id = c.tenant_id and i.customer_id = c.id and i.kind = 'external_userid' order by created_at desc limit 1) as external_userid
      from customers c
     where c.tenant_id = ${tenantId}
       and c.id = coalesce((select survivor_id from customer_merges where tenant_id = ${tenantId} and merged_id = ${customerId}), ${customerId})`.execute(db)).rows[0];
  if (!row || row.erased_at) return null;
  return { customerId: row.id, name: row.name, phone: row.phone, email: row.email, externalUserId: row.external_userid };
}

export async function externalUserIdsOf(db: Db, tenantId: string, customerIds: string[]): Promise<Map<string, string>> {
  if (customerIds.length === 0) return new Map();
  const rows = (await sql<{ customer_id: string; value: string }>`
    select distinct on (customer_id) customer_id, value from customer_identities
     where tenant_id = ${tenantId} and kind = 'external_userid' and customer_id = any(${customerIds}::uuid[])
     order by customer_id, created_at desc`.execute(db)).rows;
  return new Map(rows.map((r) => [r.customer_id, r.value]));
}

export async function staffWecomUserId(db: Db, tenantId: string, staffId: string): Promise<string | null> {
  const row = await db.selectFrom('staff').select('wecom_user_id').where('tenant_id', '=', tenantId).where('id', '=', staffId).executeTakeFirst();
  return row?.wecom_user_id ?? null;
}

/** Sets (or clears) the address the email channel writes to; a merged-away id reaches its survivor. */
export async function setCustomerEmail(db: Db, tenantId: string, customerId: string, email: string | null): Promise<{ customerId: string; email: string | null }> {
  const value = email === null ? null : email.trim().toLowerCase();
  const row = (await sql<{ id: string; email: string | null }>`
    update customers set email = ${value}, updated_at = now()
     where tenant_id = ${tenantId} and erased_at is null
       and id = coalesce((select survivor_id from customer_merges where tenant_id = ${tenantId} and merged_id = ${customerId}), ${customerId})
    returning id, email`.execute(db)).rows[0];
  if (!row) throw new YuchiError('not_found', `customer ${customerId} not found`);
  return { customerId: row.id, email: row.email };
}
