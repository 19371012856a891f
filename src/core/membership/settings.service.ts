// A tenant's membership rules: how orders earn points, when points expire, what tiers are
// measured on, and the member day. Checked as a whole before anything is saved.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { YuchiError, type ErrorDetail } from '../errors.ts';
import { checkMultipliers, type PointsRules } from './membership.rules.ts';

export interface MembershipSettings extends PointsRules {
  pointsEnabled: boolean;
  expiryMonths: number | null;
  tierBasis: 'spend' | 'points';
  tierWindowMonths: number;
  memberDayWeekdays: number[];
  memberDayTemplateId: string | null;
}

export const DEFAULT_SETTINGS: MembershipSettings = {
  pointsEnabled: false,
  pointsPerYuan: 1,
  channelMultipliers: {},
  storeMultipliers: {},
  skuMultipliers: {},
  memberDayMultiplier: 100,
  expiryMonths: 12,
  tierBasis: 'spend',
  tierWindowMonths: 12,
  memberDayWeekdays: [],
  memberDayTemplateId: null,
};

interface SettingsRow {
  points_enabled: boolean;
  points_per_yuan: number;
  channel_multipliers: Record<string, number>;
  store_multipliers: Record<string, number>;
  sku_multipliers: Record<string, number>;
  member_day_multiplier: number;
  expiry_months: number | null;
  tier_basis: 'spend' | 'points';
  tier_window_months: number;
  member_day_weekdays: number[];
  member_day_template_id: string | null;
}

export function settingsOf(row: SettingsRow): MembershipSettings {
  return {
    pointsEnabled: row.points_enabled,
    pointsPerYuan: row.points_per_yuan,
    channelMultipliers: row.channel_multipliers,
    storeMultipliers: row.store_multipliers,
    skuMultipliers: row.sku_multipliers,
    memberDayMultiplier: row.member_day_multiplier,
    expiryMonths: row.expiry_months,
    tierBasis: row.tier_basis,
    tierWindowMonths: row.tier_window_months,
    memberDayWeekdays: row.member_day_weekdays,
    memberDayTemplateId: row.member_day_template_id,
  };
}

/** The tenant's rules and zone; defaults (points off) when it never saved any. */
export async function getSettings(db: Db, tenantId: string): Promise<MembershipSettings & { timezone: string; saved: boolean }> {
  const row = (await sql<SettingsRow & { timezone: string; saved: boolean }>`
    select s.*, t.timezone, s.tenant_id is not null as saved
      from tenants t left join membership_settings s on s.tenant_id = t.id
     where t.id = ${tenantId}`.execute(db)).rows[0];
  if (!row) throw new YuchiError('not_found', 'tenant not found');
  return row.saved ? { ...settingsOf(row), timezone: row.timezone, saved: true } : { ...DEFAULT_SETTINGS, timezone: row.timezone, saved: false };
}

export async function saveSettings(db: Db, tenantId: string, input: MembershipSettings): Promise<MembershipSettings> {
  const details: ErrorDetail[] = [
    ...checkMultipliers('body.channelMultipliers', input.channelMultipliers),
    ...checkMultipliers('body.storeMultipliers', input.storeMultipliers),
    ...checkMultipliers('body.skuMultipliers', input.skuMultipliers),
  ];
  const weekdays = [...new Set(input.memberDayWeekdays)].sort();
  const storeIds = Object.keys(input.storeMultipliers);
  if (storeIds.length > 0) {
    const known = await sql<{ id: string }>`select id::text from stores where tenant_id = ${tenantId} and id::text = any(${storeIds}::text[])`.execute(db);
    const ids = new Set(known.rows.map((r) => r.id));
    for (const id of storeIds) if (!ids.has(id)) details.push({ path: `body.storeMultipliers.${id}`, message: `no store ${id}`, code: 'unknown_store' });
  }
  if (input.memberDayTemplateId !== null) {
    const t = await db.selectFrom('coupon_templates').select('id').where('tenant_id', '=', tenantId).where('id', '=', input.memberDayTemplateId).executeTakeFirst();
    if (!t) details.push({ path: 'body.memberDayTemplateId', message: `no coupon template ${input.memberDayTemplateId}`, code: 'unknown_coupon_template' });
  }
  if (weekdays.length > 0 && input.memberDayTemplateId === null && input.memberDayMultiplier === 100) {
    details.push({ path: 'body.memberDayTemplateId', message: 'a member day needs its coupon template or a points multiplier above 100', code: 'member_day_needs_offer' });
  }
  if (details.length > 0) throw new YuchiError('invalid', details.map((d) => `${d.path}: ${d.message}`).join('; '), details);
  const values = {
    points_enabled: input.pointsEnabled,
    points_per_yuan: input.pointsPerYuan,
    channel_multipliers: JSON.stringify(input.channelMultipliers),
    store_multipliers: JSON.stringify(input.storeMultipliers),
    sku_multipliers: JSON.stringify(input.skuMultipliers),
    member_day_multiplier: input.memberDayMultiplier,
    expiry_months: input.expiryMonths,
    tier_basis: input.tierBasis,
    tier_window_months: input.tierWindowMonths,
    member_day_weekdays: weekdays,
    member_day_template_id: input.memberDayTemplateId,
  };
  await db.insertInto('membership_settings').values({ tenant_id: tenantId, ...values })
    .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ ...values, updated_at: new Date() })).execute();
  return { ...input, memberDayWeekdays: weekdays };
}
