// Nightly refresh of the analytics first-order facts at 04:xx in each tenant's zone (after the
// order aggregates at 03:xx). Idempotent: writes only missing or stale rows.
import type { Task } from 'graphile-worker';
import type { Db } from '../../db/connect.ts';
import { refreshFirstOrderFacts } from '../../core/analytics/facts.service.ts';
import { dispatchAtLocalHour, tenantIdOf } from '../tenant-schedule.ts';

export const ANALYTICS_FACTS_LOCAL_HOUR = 4;

export function dispatchNightlyAnalyticsFacts(db: Db): Task {
  return dispatchAtLocalHour(db, ANALYTICS_FACTS_LOCAL_HOUR, 'refresh_analytics_facts');
}

export function refreshTenantAnalyticsFacts(db: Db): Task {
  return async (payload, helpers) => {
    const tenantId = tenantIdOf(payload, 'refresh_analytics_facts');
    const { customersWritten } = await refreshFirstOrderFacts(db, tenantId);
    helpers.logger.info(`analytics first-order facts refreshed for tenant ${tenantId}: ${customersWritten} customers written`);
  };
}
