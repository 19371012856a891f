// Nightly work per tenant, at a local hour of the tenant's own zone: an hourly cron job queues
// one job per tenant whose local time is that hour; the job key keeps a tenant from being queued
// twice, and each queued task must be idempotent.
import type { Task } from 'graphile-worker';
import type { Db } from '../db/connect.ts';

export function localHour(now: Date, timeZone: string): number {
  return Number(new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hourCycle: 'h23' }).format(now));
}

/** A cron task that queues `task` with `{ tenantId }` for every tenant whose local hour is `hour`. */
export function dispatchAtLocalHour(db: Db, hour: number, task: string): Task {
  return async (payload, helpers) => {
    const tenants = await db.selectFrom('tenants').select(['id', 'timezone']).execute();
    const now = scheduledAt(payload) ?? new Date();
    for (const tenant of tenants) {
      if (localHour(now, tenant.timezone) !== hour) continue;
      await helpers.addJob(task, { tenantId: tenant.id }, { jobKey: `${task}:${tenant.id}`, maxAttempts: 5 });
    }
  };
}

/** The tenant a queued per-tenant job is for. */
export function tenantIdOf(payload: unknown, task: string): string {
  const tenantId = typeof payload === 'object' && payload !== null && 'tenantId' in payload ? String(payload.tenantId) : '';
  if (!tenantId) throw new Error(`${task} needs { tenantId }`);
  return tenantId;
}

/** graphile-worker gives cron jobs the time they were scheduled for (`_cron.ts`). */
function scheduledAt(payload: unknown): Date | undefined {
  if (typeof payload !== 'object' || payload === null || !('_cron' in payload)) return undefined;
  const cron: unknown = payload._cron;
  if (typeof cron !== 'object' || cron === null || !('ts' in cron) || typeof cron.ts !== 'string') return undefined;
  const at = new Date(cron.ts);
  return Number.isNaN(at.getTime()) ? undefined : at;
}
