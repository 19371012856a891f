// Nightly refresh of customer order aggregates at 03:xx in each tenant's zone. The refresh is
// idempotent: it writes only rows whose aggregates changed.
import type { Task } from 'graphile-worker';
import type { Db } from '../../db/connect.ts';
import { refreshOrderAggregates } from '../../core/customers/aggregates.service.ts';
import { dispatchAtLocalHour, tenantIdOf } from '../tenant-schedule.ts';

export const NIGHTLY_LOCAL_HOUR = 3;

export function dispatchNightlyAggregates(db: Db): Task {
  return dispatchAtLocalHour(db, NIGHTLY_LOCAL_HOUR, 'refresh_order_aggregates');
}

export function refreshTenantAggregates(db: Db): Task {
  return async (payload, helpers) => {
    const tenantId = tenantIdOf(payload, 'refresh_order_aggregates');
    const { customersUpdated } = await refreshOrderAggregates(db, tenantId);
    helpers.logger.info(`order aggregates refreshed for tenant ${tenantId}: ${customersUpdated} customers changed`);
  };
}
