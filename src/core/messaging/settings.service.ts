// Reading and replacing a tenant's restraint settings.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { invalid } from '../errors.ts';
import { wordedIssue } from '../zod-details.ts';
import { MessagingSettings, settingsFrom } from './settings.rules.ts';

export async function getMessagingSettings(db: Db, tenantId: string): Promise<MessagingSettings> {
  const row = await db.selectFrom('messaging_settings').select('settings').where('tenant_id', '=', tenantId).executeTakeFirst();
  return settingsFrom(row?.settings);
}

/** Replaces the settings; a field out of range is refused by name and nothing changes. */
export async function putMessagingSettings(db: Db, tenantId: string, input: unknown, by: string): Promise<MessagingSettings> {
  const parsed = MessagingSettings.safeParse(input);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw invalid(first?.path.join('.') || 'settings', first?.message ?? 'invalid', first ? wordedIssue(first.code, { ...first }, first.message) : undefined);
  }
  const json = JSON.stringify(parsed.data);
  await sql`insert into messaging_settings (tenant_id, settings, updated_by) values (${tenantId}, ${json}::jsonb, ${by})
            on conflict (tenant_id) do update set settings = excluded.settings, updated_at = now(), updated_by = excluded.updated_by`.execute(db);
  return parsed.data;
}
