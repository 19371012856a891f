// Nightly refresh of customer order aggregates. An hourly cron job looks for the tenants whose
// local time is 03:xx and queues one refresh per tenant; each refresh is idempotent (it writes
// only rows whose aggregates changed), and the job key keeps a tenant from being queued twice.
import type { Task } from 'graphile-worker';
import type { Db } from '../../db/connect.ts';
import { refreshOrderAggregates } from '../../core/customers/aggregates.service.ts';

export const NIGHTLY_LOCAL_HOUR = 3;

export function localHour(now: Date, timeZone: string): number {
  return Number(new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hourCycle: 'h23' }).format(now));
}

export function dispatchNightlyAggregates(db: Db): Task {
  return async (payload, helpers) => {
    const tenants = await db.selectFrom('tenants').select(['id', 'timezone']).execute();
    const now = scheduledAt(payload) ?? new Date();
    for (const tenant of tenants) {
      if (localHour(now, tenant.timezone) !== NIGHTLY_LOCAL_HOUR) continue;
      await helpers.addJob('refresh_order_aggregates', { tenantId: tenant.id }, { jobKey: `refresh_order_aggregates:${tenant.id}`, maxAttempts: 5 });
    }
  };
}

export function refreshTenantAggregates(db: Db): Task {
  return async (payload, helpers) => {
    const tenantId = typeof payload === 'object' && payload !== null && 'tenantId' in payload ? String(payload.tenantId) : '';
    if (!tenantId) throw new Error('refresh_order_aggregates needs { tenantId }');
    const { customersUpdated } = await refreshOrderAggregates(db, tenantId);
    helpers.logger.info(`order aggregates refreshed for tenant ${tenantId}: ${customersUpdated} customers changed`);
  };
}

/** graphile-worker gives cron jobs the time they were scheduled for (`_cron.ts`). */
function scheduledAt(payload: unknown): Date | undefined {
  if (typeof payload !== 'object' || payload === null || !('_cron' in payload)) return undefined;
  const cron: unknown = payload._cron;
  if (typeof cron !== 'object' || cron === null || !('ts' in cron) || typeof cron.ts !== 'string') return undefined;
  const at = new Date(cron.ts);
  return Number.isNaN(at.getTime()) ? undefined : at;
}
