// Identity resolution, the pure part: how the identities an event carries become one profile.
//
// Every identity (WeCom external_userid, unionid, openid, phone, member number) belongs to at most
// one profile of a tenant. The refs of a batch and the profiles their identities already belong to
// form a graph; each connected part of it is one person:
//   - no profile yet: one new profile gets all its identities (when creating is allowed);
//   - one profile: it gets the identities it did not have yet;
//   - several profiles: the event proves they are one person, so they merge. The survivor is the
//     profile created first (ties: the smaller id), so the oldest id — the one most systems have
//     stored — keeps working; the others' ids resolve to it through customer_merges.
import type { IdentityKind } from '../../db/schema.ts';
import { UUID_PATTERN } from '../ids.ts';

/** How a sender names a customer: a Yuchi id, or any of their identities. */
export interface IdentityRef {
  customerId?: string;
  externalUserId?: string;
  unionId?: string;
  openId?: string;
  phone?: string;
  memberNo?: string;
}

export interface IdentityKey {
  kind: IdentityKind;
  value: string;
}

export interface RefError {
  code: string;
  message: string;
}

export interface ParsedRef {
  customerId?: string;
  identities: IdentityKey[];
}

/** The fields of a ref and the identity kind each names. */
export const REF_FIELDS: readonly (readonly [Exclude<keyof IdentityRef, 'customerId'>, IdentityKind])[] = [
  ['externalUserId', 'external_userid'],
  ['unionId', 'unionid'],
  ['openId', 'openid'],
  ['phone', 'phone'],
  ['memberNo', 'member_no'],
];

const MAINLAND_MOBILE = /^1[3-9]\d{9}$/;
const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * A phone number as stored: mainland mobiles as 11 digits (a +86 / 0086 / 86 prefix, spaces and
 * dashes removed), other countries as E.164 (+ and digits). Undefined when it is neither.
 */
export function normalizePhone(raw: string): string | undefined {
  const compact = raw.replace(/[\s\-().]/g, '');
  const mainland = compact.replace(/^(\+86|0086|86)(?=1\d{10}$)/, '');
  if (MAINLAND_MOBILE.test(mainland)) return mainland;
  const international = compact.startsWith('00') ? '+' + compact.slice(2) : compact;
  if (E164.test(international) && !international.startsWith('+86')) return international;
  return undefined;
}

/** One identity value as stored, or why it cannot be one. */
export function normalizeIdentity(kind: IdentityKind, raw: unknown): { value: string } | { error: string } {
  if (typeof raw !== 'string') return { error: 'must be a string' };
  const value = raw.trim();
  if (value.length === 0) return { error: 'must not be empty' };
  if (kind === 'phone') {
    const phone = normalizePhone(value);
    return phone ? { value: phone } : { error: 'is not a mainland mobile number or an E.164 number' };
  }
  if (value.length > 128) return { error: 'must be at most 128 characters' };
  return { value };
}

export const identityKey = (k: IdentityKey): string => `${k.kind}:${k.value}`;

export function parseIdentityKey(key: string): IdentityKey {
  const colon = key.indexOf(':');
  const kind = key.slice(0, colon);
  const found = REF_FIELDS.find(([, k]) => k === kind);
  if (!found) throw new Error(`not an identity key: ${key}`);
  return { kind: found[1], value: key.slice(colon + 1) };
}

function ownValue(fields: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(fields, name) ? fields[name] : undefined;
}

/** Checks a ref and normalises its identities. A ref must name the customer somehow. */
export function parseRef(ref: unknown, path = 'customer'): ParsedRef | { error: RefError } {
  if (typeof ref !== 'object' || ref === null || Array.isArray(ref)) {
    return { error: { code: 'missing_customer', message: `${path}: must be an object naming the customer (customerId, externalUserId, unionId, openId, phone or memberNo)` } };
  }
  // Own properties only (a ref is parsed JSON; nothing inherited counts), read directly: this runs
  // for every event, and a Map of the entries cost more than the rest of the check.
  const fields = ref as Record<string, unknown>;
  const parsed: ParsedRef = { identities: [] };
  const customerId = ownValue(fields, 'customerId');
  if (customerId !== undefined && customerId !== null) {
    if (typeof customerId !== 'string' || !UUID_PATTERN.test(customerId)) {
      return { error: { code: 'invalid_customer', message: `${path}.customerId: must be a customer id (UUID)` } };
    }
    parsed.customerId = customerId.toLowerCase();
  }
  for (const [name, kind] of REF_FIELDS) {
    const raw = ownValue(fields, name);
    if (raw === undefined || raw === null) continue;
    const normal = normalizeIdentity(kind, raw);
    if ('error' in normal) return { error: { code: 'invalid_customer', message: `${path}.${name}: ${normal.error}` } };
    parsed.identities.push({ kind, value: normal.value });
  }
  if (parsed.customerId === undefined && parsed.identities.length === 0) {
    return { error: { code: 'missing_customer', message: `${path}: names no customer (customerId, externalUserId, unionId, openId, phone or memberNo)` } };
  }
  return parsed;
}

export interface ResolutionInput {
  /** Refs to resolve; customerId is already the live profile (merges followed). */
  refs: ParsedRef[];
  /** identityKey → the profile holding it. */
  known: ReadonlyMap<string, string>;
  /** profile id → when it was created (ms), for every profile in `known` and the refs. */
  createdAt: ReadonlyMap<string, number>;
  create: boolean;
}

export interface PlannedPerson {
  /** The existing profile this person is, or null: a new profile is to be created. */
  survivor: string | null;
  /** Other existing profiles that are the same person, to merge into the survivor. */
  merged: string[];
  /** Identities the person's profile does not hold yet, sorted. */
  newIdentities: IdentityKey[];
  /** All identities seen for the person in this batch (for the merge record). */
  identities: IdentityKey[];
}

export interface ResolutionPlan {
  /** For each ref, the index of its person, or why it cannot be resolved. */
  refs: ({ person: number } | { error: RefError })[];
  people: PlannedPerson[];
}

/** Groups refs into people (connected parts of refs, identities and profiles) and plans each. */
export function planResolution(input: ResolutionInput): ResolutionPlan {
  // Union-find over numbered nodes: each identity key and each profile id gets a number once, so
  // that the hot loop works on integers instead of hashing a new string for every step.
  const identityNode = new Map<string, number>();
  const profileNode = new Map<string, number>();
  const parent: number[] = [];
  const nodeIn = (nodes: Map<string, number>, key: string): number => {
    let n = nodes.get(key);
    if (n === undefined) {
      n = parent.length;
      parent.push(n);
      nodes.set(key, n);
    }
    return n;
  };
  const find = (x: number): number => {
    let root = x;
    for (let p = parent[root] ?? root; p !== root; p = parent[root] ?? root) root = p;
    for (let y = x; y !== root;) {
      const next = parent[y] ?? root;
      parent[y] = root;
      y = next;
    }
    return root;
  };
  const union = (a: number, b: number): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[ra] = rb;
  };

  // Each ref's identity keys, computed once, and its first node (-1: it names nobody).
  const keysOf = input.refs.map((ref) => ref.identities.map(identityKey));
  const firstOf = input.refs.map((ref, r) => {
    let first = -1;
    for (const k of keysOf[r] ?? []) {
      const n = nodeIn(identityNode, k);
      if (first < 0) first = n;
      else union(first, n);
      const owner = input.known.get(k);
      if (owner !== undefined) union(n, nodeIn(profileNode, owner));
    }
    if (ref.customerId !== undefined) {
      const n = nodeIn(profileNode, ref.customerId);
      if (first < 0) first = n;
      else union(first, n);
    }
    return first;
  });

  const byRoot = new Map<number, { customers: Set<string>; identities: Map<string, IdentityKey> }>();
  const groupOf = (root: number) => {
    let g = byRoot.get(root);
    if (!g) {
      g = { customers: new Set(), identities: new Map() };
      byRoot.set(root, g);
    }
    return g;
  };
  input.refs.forEach((ref, r) => {
    const first = firstOf[r] ?? -1;
    if (first < 0) return;
    // All of a ref's nodes share one root.
    const g = groupOf(find(first));
    if (ref.customerId !== undefined) g.customers.add(ref.customerId);
    ref.identities.forEach((k, j) => {
      const key = keysOf[r]?.[j] ?? identityKey(k);
      g.identities.set(key, k);
      const owner = input.known.get(key);
      if (owner !== undefined) g.customers.add(owner);
    });
  });

  const people: PlannedPerson[] = [];
  const personOfRoot = new Map<number, number>();
  for (const [root, g] of byRoot) {
    const customers = [...g.customers].sort((a, b) => {
      const ta = input.createdAt.get(a) ?? Number.POSITIVE_INFINITY;
      const tb = input.createdAt.get(b) ?? Number.POSITIVE_INFINITY;
      return ta !== tb ? ta - tb : a < b ? -1 : a > b ? 1 : 0;
    });
    const identities = g.identities.size > 1 ? [...g.identities.values()].sort(compareKeys) : [...g.identities.values()];
    personOfRoot.set(root, people.length);
    people.push({
      survivor: customers[0] ?? null,
      merged: customers.slice(1),
      newIdentities: [...g.identities].filter(([key]) => !input.known.has(key)).map(([, k]) => k).sort(compareKeys),
      identities,
    });
  }

  const refs = input.refs.map((_, r): { person: number } | { error: RefError } => {
    const first = firstOf[r] ?? -1;
    const person = first < 0 ? undefined : personOfRoot.get(find(first));
    if (person === undefined) return { error: { code: 'missing_customer', message: 'customer: names no customer' } };
    if (!input.create && people[person]?.survivor === null) {
      return { error: { code: 'unknown_customer', message: 'customer: no customer has these identities' } };
    }
    return { person };
  });
  return { refs, people };
}

export function compareKeys(a: IdentityKey, b: IdentityKey): number {
  if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}
