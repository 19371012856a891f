// Users, passwords, console sessions and API keys.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { PREPARED, type Db } from '../../db/connect.ts';
import type { Role, Tenant, User } from '../../db/schema.ts';
import { conflict, invalid, isUniqueViolation, YuchiError } from '../errors.ts';
import { newId, UUID_PATTERN } from '../ids.ts';
import type { Actor } from './access.rules.ts';

const SESSION_DAYS = 14;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// A hash to verify against when the email is unknown, so a wrong email costs as long as a wrong
// password and timing does not tell which was wrong.
let dummyHash: Promise<string> | undefined;

export interface NewUser {
  email: string;
  name?: string;
  password: string;
  role: Role;
  staffId?: string | null;
}

export async function createUser(db: Db, tenantId: string, input: NewUser): Promise<User> {
  const email = input.email.trim().toLowerCase();
  if (!EMAIL_PATTERN.test(email)) throw invalid('email', 'is not an email address', { code: 'invalid_format', params: { format: 'email' } });
  if (input.password.length < 8) throw invalid('password', 'must be at least 8 characters', { code: 'too_small', params: { origin: 'string', minimum: 8 } });
  if (input.role === 'guide' && !input.staffId) throw invalid('staffId', 'a guide must be linked to a staff member', { code: 'guide_needs_staff', params: {} });
  await checkStaff(db, tenantId, input.staffId);
  try {
    return await db
      .insertInto('users')
      .values({
        tenant_id: tenantId,
        id: newId(),
        email,
        name: input.name?.trim() || email.split('@')[0] || email,
        password_hash: await argon2Hash(input.password),
        role: input.role,
        staff_id: input.staffId ?? null,
        disabled_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('email', `a user with email ${email} exists in this tenant`, { code: 'email_taken', params: { email } });
    throw err;
  }
}

/** A user or key acting as a staff member must name one of the tenant's. */
export async function checkStaff(db: Db, tenantId: string, staffId: string | null | undefined): Promise<void> {
  if (!staffId) return;
  const staff = UUID_PATTERN.test(staffId)
    ? await db.selectFrom('staff').select('id').where('tenant_id', '=', tenantId).where('id', '=', staffId).executeTakeFirst()
    : undefined;
  if (!staff) throw invalid('staffId', 'no such staff member', { code: 'unknown_staff', params: {} });
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function actorOf(tenant: Tenant, who: { role: Role; staff_id: string | null; name: string }, ids: { userId?: string; apiKeyId?: string }): Actor {
  return {
    tenantId: tenant.id,
    tenantSlug: tenant.slug,
    tenantName: tenant.name,
    timezone: tenant.timezone,
    role: who.role,
    staffId: who.staff_id,
    userId: ids.userId ?? null,
    apiKeyId: ids.apiKeyId ?? null,
    name: who.name,
  };
}

const unauthenticated = (): YuchiError => new YuchiError('unauthenticated', 'tenant, email or password is wrong');

/** Checks a login. Every failure is the same 401, whichever part was wrong. */
export async function verifyLogin(db: Db, tenantSlug: string, email: string, password: string): Promise<Actor> {
  const row = await db
    .selectFrom('users')
    .innerJoin('tenants', 'tenants.id', 'users.tenant_id')
    .selectAll('users')
    .select(['tenants.slug', 'tenants.timezone', 'tenants.name as tenant_name', 'tenants.created_at as tenant_created_at'])
    .where('tenants.slug', '=', tenantSlug)
    .where('users.email', '=', email.trim().toLowerCase())
    .where('users.disabled_at', 'is', null)
    .executeTakeFirst();
  if (!row) {
    dummyHash ??= argon2Hash('not a password of anyone');
    await argon2Verify(await dummyHash, password).catch(() => false);
    throw unauthenticated();
  }
  if (!(await argon2Verify(row.password_hash, password).catch(() => false))) throw unauthenticated();
  const tenant: Tenant = { id: row.tenant_id, slug: row.slug, name: row.tenant_name, timezone: row.timezone, created_at: row.tenant_created_at };
  return actorOf(tenant, row, { userId: row.id });
}

/** Starts a console session; the returned token goes into the cookie and is never stored. */
export async function createSession(db: Db, actor: Actor): Promise<{ token: string; expiresAt: Date }> {
  if (!actor.userId) throw new Error('sessions are for users');
  const secret = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + SESSION_DAYS * 86_400_000);
  await db.insertInto('sessions').values({ tenant_id: actor.tenantId, token_hash: sha256(secret), user_id: actor.userId, expires_at: expiresAt }).execute();
  await db.updateTable('users').set({ last_sign_in_at: new Date() }).where('tenant_id', '=', actor.tenantId).where('id', '=', actor.userId).execute();
  return { token: `${actor.tenantId}.${secret}`, expiresAt };
}

function splitToken(token: string): { tenantId: string; secret: string } | undefined {
  const dot = token.indexOf('.');
  const tenantId = token.slice(0, dot);
  const secret = token.slice(dot + 1);
  if (dot < 0 || !UUID_PATTERN.test(tenantId) || secret.length < 20) return undefined;
  return { tenantId, secret };
}

export async function authenticateSession(db: Db, token: string): Promise<Actor | undefined> {
  const parts = splitToken(token);
  if (!parts) return undefined;
  const row = await db
    .selectFrom('sessions')
    .modifyFront(PREPARED)
    .innerJoin('users', (j) => j.onRef('users.tenant_id', '=', 'sessions.tenant_id').onRef('users.id', '=', 'sessions.user_id'))
    .innerJoin('tenants', 'tenants.id', 'sessions.tenant_id')
    .select(['users.id', 'users.role', 'users.staff_id', 'users.name', 'tenants.id as tid', 'tenants.slug', 'tenants.name as tenant_name', 'tenants.timezone', 'tenants.created_at'])
    .where('sessions.tenant_id', '=', parts.tenantId)
    .where('sessions.token_hash', '=', sha256(parts.secret))
    .where('sessions.expires_at', '>', new Date())
    .where('users.disabled_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  return actorOf({ id: row.tid, slug: row.slug, name: row.tenant_name, timezone: row.timezone, created_at: row.created_at }, row, { userId: row.id });
}

/** The stored hash of a session token (to keep one session while ending the others). */
export function sessionTokenHash(token: string): Buffer | undefined {
  const parts = splitToken(token);
  return parts ? sha256(parts.secret) : undefined;
}

export async function endSession(db: Db, token: string): Promise<void> {
  const parts = splitToken(token);
  if (!parts) return;
  await db.deleteFrom('sessions').where('tenant_id', '=', parts.tenantId).where('token_hash', '=', sha256(parts.secret)).execute();
}

export interface NewApiKey {
  role: Role;
  name?: string;
  staffId?: string | null;
}

/**
 * Creates an API key. The key is returned once: `yk_<tenant id hex>_<secret>`; only its SHA-256
 * is stored (a 256-bit random secret needs no slow hash).
 */
export async function createApiKey(db: Db, tenantId: string, input: NewApiKey): Promise<{ id: string; key: string; prefix: string }> {
  if (input.role === 'guide' && !input.staffId) throw invalid('staffId', 'a guide key must be linked to a staff member', { code: 'guide_needs_staff', params: {} });
  await checkStaff(db, tenantId, input.staffId);
  const key = `yk_${tenantId.replaceAll('-', '')}_${randomBytes(32).toString('base64url')}`;
  const id = newId();
  const prefix = key.slice(0, 12) + '…' + key.slice(-4);
  await db
    .insertInto('api_keys')
    .values({ tenant_id: tenantId, id, name: input.name ?? '', role: input.role, staff_id: input.staffId ?? null, key_hash: sha256(key), key_prefix: prefix, last_used_at: null, revoked_at: null })
    .execute();
  return { id, key, prefix };
}

// When a key was last used, so an administrator can tell a live key from a forgotten one before
// revoking it: written at most once a minute per key and process, outside the request's path (and
// by a column no trigger listens to, so processes keep their cached keys).
const KEY_USE_EVERY_MS = 60_000;
const keyUseNoted = new Map<string, number>();

export function noteKeyUse(db: Db, tenantId: string, keyId: string): void {
  const now = Date.now();
  if (now - (keyUseNoted.get(keyId) ?? 0) < KEY_USE_EVERY_MS) return;
  keyUseNoted.set(keyId, now);
  void db.updateTable('api_keys').set({ last_used_at: new Date(now) })
    .where('tenant_id', '=', tenantId).where('id', '=', keyId)
    .execute().catch(() => keyUseNoted.delete(keyId));
}

export async function authenticateApiKey(db: Db, key: string): Promise<Actor | undefined> {
  const match = /^yk_([0-9a-f]{32})_[A-Za-z0-9_-]{43}$/.exec(key);
  if (!match?.[1]) return undefined;
  const hex = match[1];
  const tenantId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  const hash = sha256(key);
  const row = await db
    .selectFrom('api_keys')
    .modifyFront(PREPARED)
    .innerJoin('tenants', 'tenants.id', 'api_keys.tenant_id')
    .select(['api_keys.id', 'api_keys.role', 'api_keys.staff_id', 'api_keys.name', 'api_keys.key_hash', 'tenants.id as tid', 'tenants.slug', 'tenants.name as tenant_name', 'tenants.timezone', 'tenants.created_at'])
    .where('api_keys.tenant_id', '=', tenantId)
    .where('api_keys.key_hash', '=', hash)
    .where('api_keys.revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row || !timingSafeEqual(row.key_hash, hash)) return undefined;
  return actorOf({ id: row.tid, slug: row.slug, name: row.tenant_name, timezone: row.timezone, created_at: row.created_at }, { ...row, name: row.name || 'API key' }, { apiKeyId: row.id });
}
