import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { conflict, isUniqueViolation, notFound } from '../errors.ts';
import { newId } from '../ids.ts';

export interface StoreView {
  id: string;
  code: string;
  name: string;
  city: string;
  district: string;
  address: string;
  latitude: number | null;
  longitude: number | null;
  opensAt: string | null;
  closesAt: string | null;
  status: 'open' | 'closed';
  staffCount: number;
  customerCount: number;
}

export interface NewStore {
  code: string;
  name: string;
  city?: string;
  district?: string;
  address?: string;
  latitude?: number | null;
  longitude?: number | null;
  opensAt?: string | null;
  closesAt?: string | null;
}

const hhmm = (t: string | null): string | null => (t ? t.slice(0, 5) : null);

function storeQuery(db: Db, tenantId: string) {
  return db
    .selectFrom('stores as s')
    .select([
      's.id', 's.code', 's.name', 's.city', 's.district', 's.address', 's.latitude', 's.longitude', 's.opens_at', 's.closes_at', 's.status',
      sql<number>`(select count(*)::int from staff st where st.tenant_id = s.tenant_id and st.store_id = s.id and st.status = 'active')`.as('staff_count'),
      sql<number>`(select count(*)::int from customers c where c.tenant_id = s.tenant_id and c.store_id = s.id)`.as('customer_count'),
    ])
    .where('s.tenant_id', '=', tenantId);
}

type StoreRow = Awaited<ReturnType<ReturnType<typeof storeQuery>['executeTakeFirstOrThrow']>>;

function toView(r: StoreRow): StoreView {
  return {
    id: r.id, code: r.code, name: r.name, city: r.city, district: r.district, address: r.address,
    latitude: r.latitude, longitude: r.longitude, opensAt: hhmm(r.opens_at), closesAt: hhmm(r.closes_at),
    status: r.status, staffCount: r.staff_count, customerCount: r.customer_count,
  };
}

export async function listStores(db: Db, tenantId: string): Promise<StoreView[]> {
  return (await storeQuery(db, tenantId).orderBy('s.code').execute()).map(toView);
}

export async function getStore(db: Db, tenantId: string, id: string): Promise<StoreView> {
  const row = await storeQuery(db, tenantId).where('s.id', '=', id).executeTakeFirst();
  if (!row) throw notFound('store');
  return toView(row);
}

export async function createStore(db: Db, tenantId: string, input: NewStore): Promise<StoreView> {
  const id = newId();
  try {
    await db
      .insertInto('stores')
      .values({
        tenant_id: tenantId, id, code: input.code, name: input.name, city: input.city ?? '', district: input.district ?? '',
        address: input.address ?? '', latitude: input.latitude ?? null, longitude: input.longitude ?? null,
        opens_at: input.opensAt ?? null, closes_at: input.closesAt ?? null,
      })
      .execute();
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('code', `a store with code ${input.code} exists`, { code: 'store_code_taken', params: { code: input.code } });
    throw err;
  }
  return getStore(db, tenantId, id);
}
