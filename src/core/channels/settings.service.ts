// Reading and saving a tenant's channel settings. Secrets are stored sealed (secret-box.ts), used
// opened, and never shown.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type { ChannelKind } from '../../db/schema.ts';
import type { Actor } from '../access/access.rules.ts';
import { YuchiError } from '../errors.ts';
import { actorLabel } from '../tags/tags.rules.ts';
import { isSealed, open, seal, secretKeyring, type SecretKeyring } from './secret-box.ts';
import { CHANNEL_KINDS, issuePaths, maskSettings, SECRET_FIELDS, SETTINGS_SCHEMAS, withKeptSecrets, type SettingsOf } from './settings.rules.ts';

export interface ChannelView {
  kind: ChannelKind;
  configured: boolean;
  settings: Record<string, unknown> | null;
  updatedAt: Date | null;
  lastTest: { at: Date; ok: boolean; detail: string } | null;
  /** A stored secret this server cannot open (key missing or wrong): the channel cannot send until it is fixed. */
  problem: { code: string; message: string; field: string } | null;
}

/** The settings with every secret field sealed under the ring's current key (sealed ones under an older key are resealed). */
export function sealSecrets(tenantId: string, kind: ChannelKind, config: Record<string, unknown>, ring: SecretKeyring = secretKeyring()): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  for (const field of SECRET_FIELDS[kind]) {
    const value = out[field];
    if (value === undefined || value === null) continue;
    const place = { tenantId, channel: kind, field };
    if (isSealed(value)) {
      if (value.kid !== ring.current.id) out[field] = seal(open(value, place, ring), place, ring);
    } else {
      out[field] = seal(value, place, ring);
    }
  }
  return out;
}

/** The settings with their secrets opened; a value stored before sealing existed is taken as it is. */
export function openSecrets(tenantId: string, kind: ChannelKind, config: Record<string, unknown>, ring: SecretKeyring = secretKeyring()): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  for (const field of SECRET_FIELDS[kind]) {
    const value = out[field];
    if (isSealed(value)) out[field] = open(value, { tenantId, channel: kind, field }, ring);
  }
  return out;
}

/**
 * The settings with the secrets this server can open; a secret it cannot (sealed under a key it
 * lacks, or altered) is left out and reported, so one bad field neither hides the other channels
 * nor stops the operator from typing that secret again.
 */
function openReadable(tenantId: string, kind: ChannelKind, config: Record<string, unknown>, ring: SecretKeyring = secretKeyring()): {
  config: Record<string, unknown>; problem: ChannelView['problem'];
} {
  const out: Record<string, unknown> = { ...config };
  let problem: ChannelView['problem'] = null;
  for (const field of SECRET_FIELDS[kind]) {
    const value = out[field];
    if (!isSealed(value)) continue;
    try {
      out[field] = open(value, { tenantId, channel: kind, field }, ring);
    } catch (err) {
      if (!(err instanceof YuchiError)) throw err;
      delete out[field];
      problem ??= { code: err.reason ?? err.code, message: err.message, field };
    }
  }
  return { config: out, problem };
}

/** The channel's settings with their secrets, for sending; null when the tenant has not set it up. */
export async function channelSettings<K extends ChannelKind>(db: Db, tenantId: string, kind: K): Promise<SettingsOf[K] | null> {
  const row = await db.selectFrom('channel_settings').select('config').where('tenant_id', '=', tenantId).where('kind', '=', kind).executeTakeFirst();
  if (!row) return null;
  const parsed = SETTINGS_SCHEMAS[kind].safeParse(openSecrets(tenantId, kind, row.config));
  // Stored settings were valid when saved; a later, stricter rule must not make sending crash.
  return parsed.success ? (parsed.data as SettingsOf[K]) : null;
}

export async function listChannels(db: Db, tenantId: string): Promise<ChannelView[]> {
  const rows = await db.selectFrom('channel_settings').selectAll().where('tenant_id', '=', tenantId).execute();
  return CHANNEL_KINDS.map((kind) => {
    const row = rows.find((r) => r.kind === kind);
    const opened = row ? openReadable(tenantId, kind, row.config) : null;
    return {
      kind,
      configured: row !== undefined,
      settings: opened ? maskSettings(kind, opened.config) : null,
      problem: opened?.problem ?? null,
      updatedAt: row?.updated_at ?? null,
      lastTest: row?.last_test_at && row.last_test_ok !== null ? { at: row.last_test_at, ok: row.last_test_ok, detail: row.last_test_detail ?? '' } : null,
    };
  });
}

export async function channelView(db: Db, tenantId: string, kind: ChannelKind): Promise<ChannelView> {
  const all = await listChannels(db, tenantId);
  const view = all.find((v) => v.kind === kind);
  if (!view) throw new YuchiError('not_found', `no channel ${kind}`);
  return view;
}

export async function saveChannelSettings(db: Db, actor: Actor, kind: ChannelKind, body: Record<string, unknown>): Promise<ChannelView> {
  const stored = await db.selectFrom('channel_settings').select('config').where('tenant_id', '=', actor.tenantId).where('kind', '=', kind).executeTakeFirst();
  const candidate = withKeptSecrets(kind, body, stored ? openReadable(actor.tenantId, kind, stored.config).config : null);
  const parsed = SETTINGS_SCHEMAS[kind].safeParse(candidate);
  if (!parsed.success) {
    const details = issuePaths(parsed.error);
    const first = details[0];
    throw new YuchiError('invalid', first ? `${first.path}: ${first.message}` : 'invalid settings', details);
  }
  const config = JSON.stringify(sealSecrets(actor.tenantId, kind, parsed.data));
  await sql`
    insert into channel_settings (tenant_id, kind, config, updated_at, updated_by)
    values (${actor.tenantId}, ${kind}, ${config}::jsonb, now(), ${actorLabel(actor)})
    on conflict (tenant_id, kind) do update
      set config = excluded.config, updated_at = excluded.updated_at, updated_by = excluded.updated_by,
          last_test_at = null, last_test_ok = null, last_test_detail = null`.execute(db);
  return channelView(db, actor.tenantId, kind);
}

export async function recordTest(db: Db, tenantId: string, kind: ChannelKind, result: { ok: boolean; detail: string }): Promise<void> {
  await db.updateTable('channel_settings')
    .set({ last_test_at: new Date(), last_test_ok: result.ok, last_test_detail: result.detail.slice(0, 1000) })
    .where('tenant_id', '=', tenantId).where('kind', '=', kind).execute();
}

/**
 * The one-off and rotation step: seals every secret still stored in plain text (rows saved before
 * sealing existed) and reseals those sealed under an older key. Idempotent; each row is rewritten
 * only when something changed, under a row lock so a concurrent save is not overwritten.
 */
export async function sealStoredSecrets(db: Db, ring: SecretKeyring = secretKeyring()): Promise<{ rows: number; sealed: number; unreadable: string[] }> {
  const keys = await db.selectFrom('channel_settings').select(['tenant_id', 'kind']).orderBy('tenant_id').orderBy('kind').execute();
  let sealed = 0;
  const unreadable: string[] = [];
  for (const key of keys) {
    try {
      const changed = await db.transaction().execute(async (trx) => {
        const row = await trx.selectFrom('channel_settings').select('config').where('tenant_id', '=', key.tenant_id).where('kind', '=', key.kind).forUpdate().executeTakeFirst();
        if (!row) return false;
        const next = sealSecrets(key.tenant_id, key.kind, row.config, ring);
        if (JSON.stringify(next) === JSON.stringify(row.config)) return false;
        await sql`update channel_settings set config = ${JSON.stringify(next)}::jsonb where tenant_id = ${key.tenant_id} and kind = ${key.kind}`.execute(trx);
        return true;
      });
      if (changed) sealed++;
    } catch (err) {
      // one row sealed under a lost key must not stop the others; it is reported by name
      if (!(err instanceof YuchiError)) throw err;
      unreadable.push(`tenant ${key.tenant_id}: ${err.message}`);
    }
  }
  return { rows: keys.length, sealed, unreadable };
}
