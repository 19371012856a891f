// SOP generation: every 15 minutes `generate_sop` queues one `generate_tenant_sop` per tenant with
// an active plan; each turns the slots of the coming window into guide tasks or group sends at the
// tenant's local times. Runs are unique per slot, group and local date, so overlapping ticks and
// retries make nothing twice.
import type { Task } from 'graphile-worker';
import type { Db } from '../../db/connect.ts';
import { generateSopWork, tenantsWithPlans } from '../../core/sop/generate.service.ts';
import { tenantIdOf } from '../tenant-schedule.ts';

export function dispatchSopGeneration(db: Db): Task {
  return async (payload, helpers) => {
    const at = cronTime(payload) ?? new Date();
    for (const tenantId of await tenantsWithPlans(db)) {
      await helpers.addJob('generate_tenant_sop', { tenantId, at: at.toISOString() }, { jobKey: `generate_tenant_sop:${tenantId}`, maxAttempts: 3 });
    }
  };
}

export function generateTenantSop(db: Db): Task {
  return async (payload, helpers) => {
    const tenantId = tenantIdOf(payload, 'generate_tenant_sop');
    // The tick's own time, so a job that waited in the queue still covers the window it was made for.
    const at = typeof payload === 'object' && payload !== null && 'at' in payload && typeof payload.at === 'string' ? new Date(payload.at) : new Date();
    const result = await generateSopWork(db, tenantId, Number.isNaN(at.getTime()) ? new Date() : at);
    if (result.runs > 0) helpers.logger.info(`sop for tenant ${tenantId}: ${result.runs} runs, ${result.tasks} tasks, ${result.sent} sent, ${result.fallbacks} fell back to tasks`);
  };
}

function cronTime(payload: unknown): Date | undefined {
  if (typeof payload !== 'object' || payload === null || !('_cron' in payload)) return undefined;
  const cron: unknown = payload._cron;
  if (typeof cron !== 'object' || cron === null || !('ts' in cron) || typeof cron.ts !== 'string') return undefined;
  const at = new Date(cron.ts);
  return Number.isNaN(at.getTime()) ? undefined : at;
}
