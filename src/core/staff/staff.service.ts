import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { conflict, invalid, isUniqueViolation, notFound } from '../errors.ts';
import { newId } from '../ids.ts';

export type StaffTitle = 'guide' | 'manager' | 'advisor';

export interface StaffView {
  id: string;
  name: string;
  store: { id: string; name: string } | null;
  title: StaffTitle;
  wecomUserId: string | null;
  phone: string | null;
  status: 'active' | 'resigned';
  customerCount: number;
}

export interface NewStaff {
  name: string;
  storeId?: string | null;
  title?: StaffTitle;
  wecomUserId?: string | null;
  phone?: string | null;
}

function staffQuery(db: Db, tenantId: string) {
  return db
    .selectFrom('staff as st')
    .leftJoin('stores as s', (j) => j.onRef('s.tenant_id', '=', 'st.tenant_id').onRef('s.id', '=', 'st.store_id'))
    .select([
      'st.id', 'st.name', 'st.store_id', 's.name as store_name', 'st.title', 'st.wecom_user_id', 'st.phone', 'st.status',
      sql<number>`(select count(*)::int from customers c where c.tenant_id = st.tenant_id and c.guide_id = st.id)`.as('customer_count'),
    ])
    .where('st.tenant_id', '=', tenantId);
}

type StaffRow = Awaited<ReturnType<ReturnType<typeof staffQuery>['executeTakeFirstOrThrow']>>;

function toView(r: StaffRow): StaffView {
  return {
    id: r.id, name: r.name,
    store: r.store_id && r.store_name !== null ? { id: r.store_id, name: r.store_name } : null,
    title: r.title, wecomUserId: r.wecom_user_id, phone: r.phone, status: r.status, customerCount: r.customer_count,
  };
}

export async function listStaff(db: Db, tenantId: string, filter: { storeId?: string | undefined } = {}): Promise<StaffView[]> {
  let q = staffQuery(db, tenantId);
  if (filter.storeId) q = q.where('st.store_id', '=', filter.storeId);
  return (await q.orderBy('s.code').orderBy('st.name').execute()).map(toView);
}

export async function getStaff(db: Db, tenantId: string, id: string): Promise<StaffView> {
  const row = await staffQuery(db, tenantId).where('st.id', '=', id).executeTakeFirst();
  if (!row) throw notFound('staff member');
  return toView(row);
}

export async function createStaff(db: Db, tenantId: string, input: NewStaff): Promise<StaffView> {
  if (input.storeId) {
    const store = await db.selectFrom('stores').select('id').where('tenant_id', '=', tenantId).where('id', '=', input.storeId).executeTakeFirst();
    if (!store) throw invalid('storeId', 'no such store', { code: 'unknown_store', params: {} });
  }
  const id = newId();
  try {
    await db
      .insertInto('staff')
      .values({
        tenant_id: tenantId, id, name: input.name, store_id: input.storeId ?? null, title: input.title ?? 'guide',
        wecom_user_id: input.wecomUserId ?? null, phone: input.phone ?? null,
      })
      .execute();
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('wecomUserId', `staff with WeCom user id ${input.wecomUserId ?? ''} exists`, { code: 'wecom_user_taken', params: { wecomUserId: input.wecomUserId ?? '' } });
    throw err;
  }
  return getStaff(db, tenantId, id);
}
