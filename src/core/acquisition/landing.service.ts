// What a scan of a printed code does: find the code, route a store-routing code to the nearest
// open store's code, pick the staff member by the rotation, and count the scan. Also the
// nearest-open-store look-up the API offers on its own.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type { AcquisitionCodeKind, RotationMember } from '../../db/schema.ts';
import { newId } from '../ids.ts';
import { localDate, startOfLocalDay } from '../time.ts';
import { localMinutes, nearestOpenStore, pickStaff, withinHours, type RotationLoad } from './acquisition.rules.ts';

interface LandingCode {
  tenant_id: string;
  timezone: string;
  slug: string;
  id: string;
  code_key: string;
  name: string;
  kind: AcquisitionCodeKind;
  state: string;
  store_id: string | null;
  store_name: string | null;
  rotation: RotationMember[];
  works_from: string | null;
  works_to: string | null;
  routing_radius_km: number;
}

export type ScanAnswer =
  | { kind: 'not_found' }
  | { kind: 'ask_location'; codeName: string }
  | { kind: 'redirect'; path: string; storeName: string; distanceKm: number }
  | { kind: 'full'; codeName: string }
  | { kind: 'staff'; codeName: string; storeName: string | null; staff: { id: string; name: string; qrUrl: string }; why: 'rotation' | 'backup' };

async function landingCode(db: Db, slug: string, key: string): Promise<LandingCode | undefined> {
  const rows = await sql<LandingCode>`
    select a.tenant_id, t.timezone, t.slug, a.id, a.code_key, a.name, a.kind, a.state, a.store_id, s.name as store_name, a.rotation,
           a.works_from, a.works_to, a.routing_radius_km
      from tenants t
      join acquisition_codes a on a.tenant_id = t.id and a.code_key = ${key} and a.status = 'active'
      left join stores s on s.tenant_id = a.tenant_id and s.id = a.store_id
     where t.slug = ${slug}`.execute(db);
  return rows.rows[0];
}

export interface NearestStore {
  id: string;
  code: string;
  name: string;
  address: string;
  opensAt: string | null;
  closesAt: string | null;
  distanceKm: number;
}

/** The nearest store open now within the radius (HP's LBS routing), or null. */
export async function nearestStore(db: Db, tenantId: string, timeZone: string, at: { lat: number; lng: number }, radiusKm: number, now = new Date()): Promise<NearestStore | null> {
  // A rough box first, so a brand with thousands of stores measures only the nearby ones.
  const dLat = radiusKm / 111;
  const dLng = radiusKm / (111 * Math.max(0.01, Math.cos((at.lat * Math.PI) / 180)));
  const rows = await sql<{ id: string; code: string; name: string; address: string; latitude: number; longitude: number; opens_at: string | null; closes_at: string | null; status: 'open' | 'closed' }>`
    select id, code, name, address, latitude, longitude, opens_at, closes_at, status from stores
     where tenant_id = ${tenantId} and status = 'open' and latitude between ${at.lat - dLat} and ${at.lat + dLat}
       and longitude between ${at.lng - dLng} and ${at.lng + dLng}`.execute(db);
  const sites = rows.rows.map((r) => ({ ...r, opensAt: r.opens_at, closesAt: r.closes_at }));
  const found = nearestOpenStore(sites, at, radiusKm, localMinutes(now, timeZone));
  if (!found) return null;
  const s = found.store;
  return {
    id: s.id, code: s.code, name: s.name, address: s.address, opensAt: s.opens_at?.slice(0, 5) ?? null, closesAt: s.closes_at?.slice(0, 5) ?? null,
    distanceKm: Math.round(found.distanceKm * 100) / 100,
  };
}

/** Today's adds and scans per member of a code's rotation (the local day of the tenant). */
async function rotationLoad(db: Db, code: LandingCode, now: Date): Promise<Map<string, RotationLoad>> {
  const dayStart = startOfLocalDay(localDate(now, code.timezone), code.timezone);
  const rows = await sql<{ staff_id: string; adds: number; scans: number }>`
    select staff_id, sum(adds)::int as adds, sum(scans)::int as scans from (
      select staff_id, count(*) as adds, 0 as scans from customer_contacts
       where tenant_id = ${code.tenant_id} and state = ${code.state} and added_at >= ${dayStart} group by staff_id
      union all
      select staff_id, 0, count(*) from code_scans
       where tenant_id = ${code.tenant_id} and code_id = ${code.id} and scanned_at >= ${dayStart} and staff_id is not null group by staff_id
    ) x group by staff_id`.execute(db);
  return new Map(rows.rows.map((r) => [r.staff_id, { addsToday: r.adds, scansToday: r.scans }]));
}

/**
 * Answers one scan of a printed code. A store-routing code sends a scanner with coordinates to
 * the nearest open store's own code; without coordinates the page asks for them (a scanner who
 * declines is answered by the routing code's own rotation). Every answered scan is counted.
 */
export async function answerScan(db: Db, slug: string, key: string, where: { lat: number; lng: number } | 'declined' | null, now = new Date()): Promise<ScanAnswer> {
  const code = await landingCode(db, slug, key);
  if (!code) return { kind: 'not_found' };
  if (code.kind === 'store_routing') {
    if (where === null) return { kind: 'ask_location', codeName: code.name };
    if (where !== 'declined') {
      const store = await nearestStore(db, code.tenant_id, code.timezone, where, code.routing_radius_km, now);
      const target = store && await db.selectFrom('acquisition_codes').select('code_key')
        .where('tenant_id', '=', code.tenant_id).where('store_id', '=', store.id).where('status', '=', 'active').where('kind', '!=', 'store_routing')
        .orderBy(sql`kind = 'store_counter'`, 'desc').orderBy('created_at').executeTakeFirst();
      if (store && target) return { kind: 'redirect', path: `/q/${code.slug}/${target.code_key}`, storeName: store.name, distanceKm: store.distanceKm };
    }
  }
  const staffIds = code.rotation.map((m) => m.staffId);
  const [load, staff] = await Promise.all([
    rotationLoad(db, code, now),
    staffIds.length === 0 ? [] : db.selectFrom('staff').select(['id', 'name']).where('tenant_id', '=', code.tenant_id)
      .where('id', 'in', staffIds).where('status', '=', 'active').execute(),
  ]);
  const pick = pickStaff({
    rotation: code.rotation, load, active: new Set(staff.map((s) => s.id)),
    inHours: withinHours(localMinutes(now, code.timezone), code.works_from, code.works_to),
  });
  await db.insertInto('code_scans').values({ tenant_id: code.tenant_id, id: newId(), code_id: code.id, staff_id: pick.staffId, scanned_at: now }).execute();
  if (pick.staffId === null) return { kind: 'full', codeName: code.name };
  return {
    kind: 'staff', codeName: code.name, storeName: code.store_name, why: pick.why,
    staff: { id: pick.staffId, name: staff.find((s) => s.id === pick.staffId)?.name ?? '', qrUrl: pick.qrUrl },
  };
}
