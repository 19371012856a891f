// Console users and API keys as an administrator manages them: who has an account, with which
// role and (for a guide) which staff member; disabling, passwords, keys and their revocation.
// Every change is audited. A tenant always keeps one active administrator, so nobody can lock the
// brand out of its own console; disabling a user or setting their password ends their sessions.
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { inTransaction } from '../../db/transaction.ts';
import type { Role } from '../../db/schema.ts';
import { YuchiError, invalid, notFound } from '../errors.ts';
import { newId, UUID_PATTERN } from '../ids.ts';
import { actorLabel } from '../tags/tags.rules.ts';
import type { Actor } from './access.rules.ts';
import { checkStaff, createApiKey, createUser, sessionTokenHash, type NewApiKey, type NewUser } from './access.service.ts';

export const MIN_PASSWORD_LENGTH = 8;

export interface UserView {
  id: string;
  email: string;
  name: string;
  role: Role;
  staff: { id: string; name: string } | null;
  disabled: boolean;
  createdAt: string;
  lastSignInAt: string | null;
}

export interface ApiKeyView {
  id: string;
  name: string;
  role: Role;
  staff: { id: string; name: string } | null;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface UserChange {
  name?: string;
  role?: Role;
  staffId?: string | null;
  disabled?: boolean;
}

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

export async function listUsers(db: Db, tenantId: string, onlyId?: string): Promise<UserView[]> {
  let q = db
    .selectFrom('users as u')
    .leftJoin('staff as s', (j) => j.onRef('s.tenant_id', '=', 'u.tenant_id').onRef('s.id', '=', 'u.staff_id'))
    .select(['u.id', 'u.email', 'u.name', 'u.role', 'u.staff_id', 's.name as staff_name', 'u.disabled_at', 'u.created_at', 'u.last_sign_in_at'])
    .where('u.tenant_id', '=', tenantId);
  if (onlyId) q = q.where('u.id', '=', onlyId);
  const rows = await q.orderBy('u.disabled_at', (o) => o.desc().nullsFirst()).orderBy('u.created_at').execute();
  return rows.map((r) => ({
    id: r.id, email: r.email, name: r.name, role: r.role,
    staff: r.staff_id ? { id: r.staff_id, name: r.staff_name ?? '' } : null,
    disabled: r.disabled_at !== null, createdAt: iso(r.created_at) ?? '', lastSignInAt: iso(r.last_sign_in_at),
  }));
}

async function oneUser(db: Db, tenantId: string, id: string): Promise<UserView> {
  const [user] = await listUsers(db, tenantId, id);
  if (!user) throw notFound('user');
  return user;
}

async function audit(db: Db, actor: Actor, action: string, targetType: string, targetId: string, details: Record<string, unknown>): Promise<void> {
  await db.insertInto('audit_log').values({
    tenant_id: actor.tenantId, id: newId(), actor: actorLabel(actor), action, target_type: targetType, target_id: targetId, details: JSON.stringify(details),
  }).execute();
}

function checkPassword(path: string, password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw invalid(path, `must be at least ${MIN_PASSWORD_LENGTH} characters`, { code: 'too_small', params: { origin: 'string', minimum: MIN_PASSWORD_LENGTH } });
}

export async function addUser(db: Db, actor: Actor, input: NewUser): Promise<UserView> {
  return inTransaction(db, async (trx) => {
    const user = await createUser(trx, actor.tenantId, input);
    await audit(trx, actor, 'user.created', 'user', user.id, { email: user.email, role: user.role, staffId: user.staff_id });
    return oneUser(trx, actor.tenantId, user.id);
  });
}

/** Refuses a change that would leave the tenant without an active administrator. */
async function keepAnAdmin(db: Db, tenantId: string, userId: string): Promise<void> {
  const others = await db
    .selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('tenant_id', '=', tenantId).where('role', '=', 'admin').where('disabled_at', 'is', null).where('id', '!=', userId)
    .executeTakeFirstOrThrow();
  if (Number(others.n) === 0) {
    throw new YuchiError('conflict', 'the tenant would have no active administrator left; make another user an administrator first',
      [{ path: 'role', message: 'the last active administrator stays an active administrator', code: 'last_admin', params: {} }], 'last_admin');
  }
}

export async function changeUser(db: Db, actor: Actor, id: string, change: UserChange): Promise<UserView> {
  if (!UUID_PATTERN.test(id)) throw notFound('user');
  return inTransaction(db, async (trx) => {
    // Administrators' rows are locked in one order, so two admins demoting each other at once
    // cannot both pass the last-admin check.
    await sql`select id from users where tenant_id = ${actor.tenantId} and role = 'admin' order by id for update`.execute(trx);
    const row = await trx.selectFrom('users').selectAll().where('tenant_id', '=', actor.tenantId).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) throw notFound('user');
    const role = change.role ?? row.role;
    const staffId = change.staffId === undefined ? row.staff_id : change.staffId;
    const disabled = change.disabled ?? row.disabled_at !== null;
    if (role === 'guide' && !staffId) throw invalid('staffId', 'a guide must be linked to a staff member', { code: 'guide_needs_staff', params: {} });
    if (staffId !== row.staff_id) await checkStaff(trx, actor.tenantId, staffId);
    const name = change.name?.trim();
    if (change.name !== undefined && !name) throw invalid('name', 'must not be empty', { code: 'too_small', params: { origin: 'string', minimum: 1 } });
    if (row.role === 'admin' && row.disabled_at === null && (role !== 'admin' || disabled)) await keepAnAdmin(trx, actor.tenantId, id);

    await trx.updateTable('users').set({
      name: name ?? row.name, role, staff_id: staffId,
      disabled_at: disabled ? (row.disabled_at ?? new Date()) : null,
    }).where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
    // A role change takes effect at the next request anyway (sessions read the user row); a
    // disabled user is signed out everywhere at once.
    if (disabled && row.disabled_at === null) await trx.deleteFrom('sessions').where('tenant_id', '=', actor.tenantId).where('user_id', '=', id).execute();
    const changed = Object.fromEntries(Object.entries({ name, role, staffId, disabled }).filter(([k]) => k in change));
    await audit(trx, actor, disabled && row.disabled_at === null ? 'user.disabled' : 'user.changed', 'user', id, changed);
    return oneUser(trx, actor.tenantId, id);
  });
}

/** An administrator sets someone's password (a forgotten one); their sessions end. */
export async function setPassword(db: Db, actor: Actor, id: string, password: string): Promise<void> {
  if (!UUID_PATTERN.test(id)) throw notFound('user');
  checkPassword('password', password);
  const hash = await argon2Hash(password);
  await inTransaction(db, async (trx) => {
    const updated = await trx.updateTable('users').set({ password_hash: hash }).where('tenant_id', '=', actor.tenantId).where('id', '=', id).executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) throw notFound('user');
    await trx.deleteFrom('sessions').where('tenant_id', '=', actor.tenantId).where('user_id', '=', id).execute();
    await audit(trx, actor, 'user.password_set', 'user', id, {});
  });
}

/** A signed-in user changes their own password; their other sessions end, this one stays. */
export async function changeOwnPassword(db: Db, actor: Actor, currentSession: string, current: string, next: string): Promise<void> {
  if (!actor.userId) throw new YuchiError('forbidden', 'only a console user has a password');
  checkPassword('newPassword', next);
  if (next === current) throw invalid('newPassword', 'must differ from the current password', { code: 'password_unchanged', params: {} });
  const row = await db.selectFrom('users').select('password_hash').where('tenant_id', '=', actor.tenantId).where('id', '=', actor.userId).executeTakeFirst();
  if (!row) throw notFound('user');
  if (!(await argon2Verify(row.password_hash, current).catch(() => false))) {
    throw new YuchiError('invalid', 'currentPassword: is wrong', [{ path: 'currentPassword', message: 'is wrong', code: 'wrong_password', params: {} }], 'wrong_password');
  }
  const hash = await argon2Hash(next);
  const keep = sessionTokenHash(currentSession);
  await inTransaction(db, async (trx) => {
    await trx.updateTable('users').set({ password_hash: hash }).where('tenant_id', '=', actor.tenantId).where('id', '=', actor.userId ?? '').execute();
    let others = trx.deleteFrom('sessions').where('tenant_id', '=', actor.tenantId).where('user_id', '=', actor.userId ?? '');
    if (keep) others = others.where('token_hash', '!=', keep);
    await others.execute();
    await audit(trx, actor, 'user.password_changed', 'user', actor.userId ?? '', {});
  });
}

export async function listApiKeys(db: Db, tenantId: string, onlyId?: string): Promise<ApiKeyView[]> {
  let q = db
    .selectFrom('api_keys as k')
    .leftJoin('staff as s', (j) => j.onRef('s.tenant_id', '=', 'k.tenant_id').onRef('s.id', '=', 'k.staff_id'))
    .select(['k.id', 'k.name', 'k.role', 'k.staff_id', 's.name as staff_name', 'k.key_prefix', 'k.created_at', 'k.last_used_at', 'k.revoked_at'])
    .where('k.tenant_id', '=', tenantId);
  if (onlyId) q = q.where('k.id', '=', onlyId);
  const rows = await q
    .orderBy('k.revoked_at', (o) => o.desc().nullsFirst()).orderBy('k.created_at', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.id, name: r.name, role: r.role, staff: r.staff_id ? { id: r.staff_id, name: r.staff_name ?? '' } : null, prefix: r.key_prefix,
    createdAt: iso(r.created_at) ?? '', lastUsedAt: iso(r.last_used_at), revokedAt: iso(r.revoked_at),
  }));
}

/** Creates a key; the secret is in the answer once and never again. */
export async function addApiKey(db: Db, actor: Actor, input: NewApiKey): Promise<{ key: string; apiKey: ApiKeyView }> {
  if (!input.name?.trim()) throw invalid('name', 'say what the key is for (e.g. the POS system or the mini-program)', { code: 'key_name_needed', params: {} });
  return inTransaction(db, async (trx) => {
    const created = await createApiKey(trx, actor.tenantId, { ...input, name: input.name?.trim() });
    await audit(trx, actor, 'api_key.created', 'api_key', created.id, { name: input.name?.trim(), role: input.role });
    const [apiKey] = await listApiKeys(trx, actor.tenantId, created.id);
    if (!apiKey) throw new Error('created key not found');
    return { key: created.key, apiKey };
  });
}

/** Revokes a key at once; revoking it again changes nothing. */
export async function revokeApiKey(db: Db, actor: Actor, id: string): Promise<ApiKeyView> {
  if (!UUID_PATTERN.test(id)) throw notFound('API key');
  return inTransaction(db, async (trx) => {
    const row = await trx.selectFrom('api_keys').select(['id', 'revoked_at']).where('tenant_id', '=', actor.tenantId).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) throw notFound('API key');
    if (row.revoked_at === null) {
      await trx.updateTable('api_keys').set({ revoked_at: new Date() }).where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
      await audit(trx, actor, 'api_key.revoked', 'api_key', id, {});
    }
    const [key] = await listApiKeys(trx, actor.tenantId, id);
    if (!key) throw notFound('API key');
    return key;
  });
}
