// Staff and stores named by events and orders, looked up once per batch, and the transaction
// wrapper the batch writers share.
import { sql } from 'kysely';
import { PREPARED, type Db } from '../../db/connect.ts';

export interface StaffMember {
  id: string;
  wecomUserId: string | null;
  storeId: string | null;
}

export class StaffDirectory {
  private readonly byId = new Map<string, StaffMember>();
  private readonly byWecom = new Map<string, StaffMember>();

  constructor(rows: StaffMember[]) {
    for (const r of rows) {
      this.byId.set(r.id, r);
      if (r.wecomUserId) this.byWecom.set(r.wecomUserId, r);
    }
  }

  find(ref: { staffId?: string | undefined; staffWecomUserId?: string | undefined }): StaffMember | undefined {
    if (ref.staffId !== undefined) return this.byId.get(ref.staffId);
    if (ref.staffWecomUserId !== undefined) return this.byWecom.get(ref.staffWecomUserId);
    return undefined;
  }
}

export async function findStaff(db: Db, tenantId: string, ids: string[], wecomUserIds: string[]): Promise<StaffDirectory> {
  if (ids.length === 0 && wecomUserIds.length === 0) return new StaffDirectory([]);
  const rows = await sql<{ id: string; wecom_user_id: string | null; store_id: string | null }>`${PREPARED}
    select id, wecom_user_id, store_id from staff
     where tenant_id = ${tenantId} and (id = any(${[...new Set(ids)]}::uuid[]) or wecom_user_id = any(${[...new Set(wecomUserIds)]}::text[]))`.execute(db);
  return new StaffDirectory(rows.rows.map((r) => ({ id: r.id, wecomUserId: r.wecom_user_id, storeId: r.store_id })));
}

export class StoreDirectory {
  private readonly byId = new Set<string>();
  private readonly byCode = new Map<string, string>();

  constructor(rows: { id: string; code: string }[]) {
    for (const r of rows) {
      this.byId.add(r.id);
      this.byCode.set(r.code, r.id);
    }
  }

  find(ref: { storeId?: string | undefined; storeCode?: string | undefined }): string | undefined {
    if (ref.storeId !== undefined) return this.byId.has(ref.storeId) ? ref.storeId : undefined;
    if (ref.storeCode !== undefined) return this.byCode.get(ref.storeCode);
    return undefined;
  }
}

export async function findStores(db: Db, tenantId: string, ids: string[], codes: string[]): Promise<StoreDirectory> {
  if (ids.length === 0 && codes.length === 0) return new StoreDirectory([]);
  const rows = await sql<{ id: string; code: string }>`${PREPARED}
    select id, code from stores
     where tenant_id = ${tenantId} and (id = any(${[...new Set(ids)]}::uuid[]) or code = any(${[...new Set(codes)]}::text[]))`.execute(db);
  return new StoreDirectory(rows.rows);
}
