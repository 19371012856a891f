// Reading and saving a tenant's channel settings. Secrets are stored and used, never shown.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type { ChannelKind } from '../../db/schema.ts';
import type { Actor } from '../access/access.rules.ts';
import { YuchiError } from '../errors.ts';
import { actorLabel } from '../tags/tags.rules.ts';
import { CHANNEL_KINDS, issuePaths, maskSettings, SETTINGS_SCHEMAS, withKeptSecrets, type SettingsOf } from './settings.rules.ts';

export interface ChannelView {
  kind: ChannelKind;
  configured: boolean;
  settings: Record<string, unknown> | null;
  updatedAt: Date | null;
  lastTest: { at: Date; ok: boolean; detail: string } | null;
}

/** The channel's settings with their secrets, for sending; null when the tenant has not set it up. */
export async function channelSettings<K extends ChannelKind>(db: Db, tenantId: string, kind: K): Promise<SettingsOf[K] | null> {
  const row = await db.selectFrom('channel_settings').select('config').where('tenant_id', '=', tenantId).where('kind', '=', kind).executeTakeFirst();
  if (!row) return null;
  const parsed = SETTINGS_SCHEMAS[kind].safeParse(row.config);
  // Stored settings were valid when saved; a later, stricter rule must not make sending crash.
  return parsed.success ? (parsed.data as SettingsOf[K]) : null;
}

export async function listChannels(db: Db, tenantId: string): Promise<ChannelView[]> {
  const rows = await db.selectFrom('channel_settings').selectAll().where('tenant_id', '=', tenantId).execute();
  return CHANNEL_KINDS.map((kind) => {
    const row = rows.find((r) => r.kind === kind);
    return {
      kind,
      configured: row !== undefined,
      settings: row ? maskSettings(kind, row.config) : null,
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
  const candidate = withKeptSecrets(kind, body, stored?.config ?? null);
  const parsed = SETTINGS_SCHEMAS[kind].safeParse(candidate);
  if (!parsed.success) {
    const details = issuePaths(parsed.error);
    const first = details[0];
    throw new YuchiError('invalid', first ? `${first.path}: ${first.message}` : 'invalid settings', details);
  }
  const config = JSON.stringify(parsed.data);
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
