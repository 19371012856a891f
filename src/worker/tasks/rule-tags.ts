// Nightly sweep of rule tags. Rules with relative windows ("spent ≥ ¥2,000 in 90 days", "no order
// within 60 days") change truth as days pass without any new order, so every rule tag is
// recomputed once a day. An hourly cron job queues one sweep per tenant whose local time is 04:xx
// (after the 03:xx aggregate refresh); the sweep is idempotent and the job key keeps a tenant
// from being queued twice.
import type { Task } from 'graphile-worker';
import type { Db } from '../../db/connect.ts';
import { sweepRuleTags } from '../../core/tags/rules.service.ts';
import { localHour } from './aggregates.ts';

export const RULE_TAGS_LOCAL_HOUR = 4;

export function dispatchNightlyRuleTags(db: Db): Task {
  return async (payload, helpers) => {
    const tenants = await db.selectFrom('tenants').select(['id', 'timezone']).execute();
    const now = cronTime(payload) ?? new Date();
    for (const tenant of tenants) {
      if (localHour(now, tenant.timezone) !== RULE_TAGS_LOCAL_HOUR) continue;
      await helpers.addJob('sweep_rule_tags', { tenantId: tenant.id }, { jobKey: `sweep_rule_tags:${tenant.id}`, maxAttempts: 5 });
    }
  };
}

export function sweepTenantRuleTags(db: Db): Task {
  return async (payload, helpers) => {
    const tenantId = typeof payload === 'object' && payload !== null && 'tenantId' in payload ? String(payload.tenantId) : '';
    if (!tenantId) throw new Error('sweep_rule_tags needs { tenantId }');
    const { tags, added, removed } = await sweepRuleTags(db, tenantId);
    helpers.logger.info(`rule tags swept for tenant ${tenantId}: ${tags} tags, ${added} added, ${removed} removed`);
  };
}

/** graphile-worker gives cron jobs the time they were scheduled for (`_cron.ts`). */
function cronTime(payload: unknown): Date | undefined {
  if (typeof payload !== 'object' || payload === null || !('_cron' in payload)) return undefined;
  const cron: unknown = payload._cron;
  if (typeof cron !== 'object' || cron === null || !('ts' in cron) || typeof cron.ts !== 'string') return undefined;
  const at = new Date(cron.ts);
  return Number.isNaN(at.getTime()) ? undefined : at;
}
