// The rules of acquisition codes, pure: who answers a scan (rotation with daily caps, working
// hours and backups), what a new friend is told (the welcome template), which store is nearest
// and open for a scanner's coordinates, and what makes a code unusable.
import { randomBytes } from 'node:crypto';
import type { RotationMember } from '../../db/schema.ts';
import { zoneOffsetMinutes } from '../time.ts';

/** WeCom's contact-way `state` is at most 30 characters. */
export const STATE_PATTERN = /^[A-Za-z0-9_.-]{1,30}$/;
export const WELCOME_VARIABLES = ['nickname', 'store', 'guide'] as const;

/** Minutes since local midnight of an instant in a zone. */
export function localMinutes(at: Date, timeZone: string): number {
  const local = at.getTime() + zoneOffsetMinutes(at, timeZone) * 60_000;
  const day = 86_400_000;
  return Math.floor((((local % day) + day) % day) / 60_000);
}

/** 'HH:MM' or 'HH:MM:SS' → minutes since midnight. */
export function minutesOf(time: string): number {
  const [h, m] = time.split(':');
  return Number(h) * 60 + Number(m);
}

/** Whether a local time falls in [from, to); a window whose end is before its start runs past midnight; no window: always. */
export function withinHours(minutes: number, from: string | null, to: string | null): boolean {
  if (from === null || to === null) return true;
  const a = minutesOf(from);
  const b = minutesOf(to);
  if (a === b) return true;
  return a < b ? minutes >= a && minutes < b : minutes >= a || minutes < b;
}

export interface RotationLoad {
  /** Friends this member added through the code today (local day). */
  addsToday: number;
  /** Scans the landing page sent to this member today. */
  scansToday: number;
}

export type StaffPick =
  | { staffId: string; qrUrl: string; why: 'rotation' | 'backup' }
  | { staffId: null; reason: 'all_capped' | 'no_staff' };

/**
 * Who answers the next scan. Regular members take scans while the code is within its hours and
 * they are under their daily cap, the least loaded first (scans sent today, then adds, then the
 * operator's order), so a burst of scans spreads over the rotation. When none can — all capped,
 * or off-hours — the backups take over the same way; backups keep no hours, being the fallback.
 * Members no longer active (resigned) never answer.
 */
export function pickStaff(input: {
  rotation: readonly RotationMember[];
  load: ReadonlyMap<string, RotationLoad>;
  active: ReadonlySet<string>;
  inHours: boolean;
}): StaffPick {
  const available = input.rotation.filter((m) => input.active.has(m.staffId));
  if (available.length === 0) return { staffId: null, reason: 'no_staff' };
  const underCap = (m: RotationMember): boolean => m.dailyCap === null || (input.load.get(m.staffId)?.addsToday ?? 0) < m.dailyCap;
  const leastLoaded = (list: RotationMember[]): RotationMember | undefined => {
    let best: RotationMember | undefined;
    let bestKey: [number, number] = [Infinity, Infinity];
    for (const m of list) {
      const l = input.load.get(m.staffId) ?? { addsToday: 0, scansToday: 0 };
      const key: [number, number] = [l.scansToday, l.addsToday];
      if (key[0] < bestKey[0] || (key[0] === bestKey[0] && key[1] < bestKey[1])) {
        best = m;
        bestKey = key;
      }
    }
    return best;
  };
  if (input.inHours) {
    const regular = leastLoaded(available.filter((m) => !m.backup && underCap(m)));
    if (regular) return { staffId: regular.staffId, qrUrl: regular.qrUrl, why: 'rotation' };
  }
  const backup = leastLoaded(available.filter((m) => m.backup && underCap(m)));
  if (backup) return { staffId: backup.staffId, qrUrl: backup.qrUrl, why: 'backup' };
  return { staffId: null, reason: 'all_capped' };
}

export interface RotationProblem {
  path: string;
  message: string;
  /** The kind of problem, for a console that words it itself. */
  code: 'rotation_empty' | 'rotation_twice' | 'rotation_inactive' | 'rotation_all_backup';
}

/** What makes a rotation unusable: no staff at all, a member twice, a member who is not active staff. */
export function rotationProblems(rotation: readonly RotationMember[], activeStaff: ReadonlySet<string>): RotationProblem[] {
  if (rotation.length === 0) return [{ path: 'rotation', code: 'rotation_empty', message: 'the rotation has no staff: add at least one staff member to answer the code' }];
  const problems: RotationProblem[] = [];
  const seen = new Set<string>();
  rotation.forEach((m, i) => {
    if (seen.has(m.staffId)) problems.push({ path: `rotation.${i}.staffId`, code: 'rotation_twice', message: 'this staff member is in the rotation twice' });
    seen.add(m.staffId);
    if (!activeStaff.has(m.staffId)) problems.push({ path: `rotation.${i}.staffId`, code: 'rotation_inactive', message: 'no active staff member with this id' });
  });
  if (problems.length === 0 && rotation.every((m) => m.backup)) {
    problems.push({ path: 'rotation', code: 'rotation_all_backup', message: 'every member is a backup: at least one must answer regularly' });
  }
  return problems;
}

/** Template variables ({nickname}, {store}, {guide}) in a welcome text that Yuchi does not know. */
export function unknownVariables(template: string): string[] {
  const known = new Set<string>(WELCOME_VARIABLES);
  return [...template.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1] ?? '').filter((v) => !known.has(v));
}

/**
 * The welcome a new friend receives: the template with its variables filled, signed by the
 * persona the brand speaks as (百果园's 果果, a store's 店长) when one is set.
 */
export function renderWelcome(template: string, persona: string, values: { nickname: string; store: string; guide: string }): string {
  const filled = template.replace(/\{(nickname|store|guide)\}/g, (_, name: 'nickname' | 'store' | 'guide') => values[name]);
  return persona.trim() === '' ? filled : `${filled}\n—— ${persona.trim()}`;
}

/** A short key for the printed QR's landing page. */
export function newCodeKey(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
  return [...randomBytes(10)].map((b) => alphabet[b % alphabet.length]).join('');
}

/** Great-circle distance in kilometres (haversine, mean Earth radius). */
export function distanceKm(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.min(1, Math.sqrt(h)));
}

export interface StoreSite {
  id: string;
  latitude: number | null;
  longitude: number | null;
  opensAt: string | null;
  closesAt: string | null;
  status: 'open' | 'closed';
}

/** The nearest store open at this local time within the radius, with its distance; stores without coordinates never qualify. */
export function nearestOpenStore<S extends StoreSite>(stores: readonly S[], at: { lat: number; lng: number }, radiusKm: number, minutes: number): { store: S; distanceKm: number } | null {
  let best: { store: S; distanceKm: number } | null = null;
  for (const s of stores) {
    if (s.status !== 'open' || s.latitude === null || s.longitude === null) continue;
    if (!withinHours(minutes, s.opensAt, s.closesAt)) continue;
    const d = distanceKm(at, { lat: s.latitude, lng: s.longitude });
    if (d <= radiusKm && (best === null || d < best.distanceKm)) best = { store: s, distanceKm: d };
  }
  return best;
}
