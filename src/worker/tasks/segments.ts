// Segment membership in the background: `evaluate_segments` drains a tenant's queue of changed
// customers (queued by the writes themselves, see membership.service.ts); `sweep_segments`, every
// 15 minutes, queues one `sweep_tenant_segments` per tenant with active segments, which fully
// re-evaluates the segments whose truth changes with time or scores and records today's sizes.
import type { Task } from 'graphile-worker';
import type { Db } from '../../db/connect.ts';
import { drainAll, sweepSegments } from '../../core/segments/membership.service.ts';
import { tenantIdOf } from '../tenant-schedule.ts';

export function evaluateTenantSegments(db: Db): Task {
  return async (payload, helpers) => {
    const tenantId = tenantIdOf(payload, 'evaluate_segments');
    const { customers, entered, exited } = await drainAll(db, tenantId);
    if (customers > 0) helpers.logger.debug(`segments evaluated for ${customers} queued customers of ${tenantId}: ${entered} entered, ${exited} exited`);
  };
}

export function dispatchSegmentSweeps(db: Db): Task {
  return async (_payload, helpers) => {
    const tenants = await db.selectFrom('segments').select('tenant_id').where('status', '=', 'active').distinct().execute();
    for (const t of tenants) {
      await helpers.addJob('sweep_tenant_segments', { tenantId: t.tenant_id }, { jobKey: `sweep_tenant_segments:${t.tenant_id}`, maxAttempts: 3 });
    }
  };
}

export function sweepTenantSegments(db: Db): Task {
  return async (payload, helpers) => {
    const tenantId = tenantIdOf(payload, 'sweep_tenant_segments');
    const { segments, entered, exited } = await sweepSegments(db, tenantId);
    helpers.logger.info(`segments swept for tenant ${tenantId}: ${segments} segments, ${entered} entered, ${exited} exited`);
  };
}
