// Membership's schedules, in each tenant's zone: at 00:xx the member day's coupon (for that local
// date, once), at 02:xx points expiry and the tier recompute. Each task is idempotent.
import type { Task } from 'graphile-worker';
import type { Db } from '../../db/connect.ts';
import { expirePoints } from '../../core/membership/ledger.service.ts';
import { issueMemberDayCoupons } from '../../core/membership/member-day.service.ts';
import { localDate } from '../../core/time.ts';
import { recomputeTiers } from '../../core/membership/tiers.service.ts';
import { localHour, tenantIdOf } from '../tenant-schedule.ts';

export const MEMBER_DAY_LOCAL_HOUR = 0;
export const MEMBERSHIP_NIGHTLY_LOCAL_HOUR = 2;

/** The time a cron job was scheduled for (graphile-worker's `_cron.ts`), or now. */
function cronTime(payload: unknown): Date {
  if (typeof payload === 'object' && payload !== null && '_cron' in payload) {
    const cron: unknown = payload._cron;
    if (typeof cron === 'object' && cron !== null && 'ts' in cron && typeof cron.ts === 'string') {
      const at = new Date(cron.ts);
      if (!Number.isNaN(at.getTime())) return at;
    }
  }
  return new Date();
}

/** Hourly: queues `task` with { tenantId, date } for tenants that use membership and whose local hour is `hour`. */
function dispatchMembership(db: Db, hour: number, task: string): Task {
  return async (payload, helpers) => {
    const now = cronTime(payload);
    const tenants = await db.selectFrom('membership_settings as s').innerJoin('tenants as t', 't.id', 's.tenant_id').select(['t.id', 't.timezone']).execute();
    for (const tenant of tenants) {
      if (localHour(now, tenant.timezone) !== hour) continue;
      const date = localDate(now, tenant.timezone);
      await helpers.addJob(task, { tenantId: tenant.id, date }, { jobKey: `${task}:${tenant.id}:${date}`, maxAttempts: 5 });
    }
  };
}

function dateOf(payload: unknown, task: string): string {
  const date = typeof payload === 'object' && payload !== null && 'date' in payload ? String(payload.date) : '';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`${task} needs { date }`);
  return date;
}

export const dispatchMemberDay = (db: Db): Task => dispatchMembership(db, MEMBER_DAY_LOCAL_HOUR, 'member_day_coupons');
export const dispatchMembershipNightly = (db: Db): Task => dispatchMembership(db, MEMBERSHIP_NIGHTLY_LOCAL_HOUR, 'membership_nightly');

export function runMemberDay(db: Db): Task {
  return async (payload, helpers) => {
    const tenantId = tenantIdOf(payload, 'member_day_coupons');
    const run = await issueMemberDayCoupons(db, tenantId, dateOf(payload, 'member_day_coupons'));
    helpers.logger.info(`member day ${run.date} for tenant ${tenantId}: ${run.ran ? `${run.issued} issued, ${run.skipped} skipped` : run.skippedBecause ?? ''}`);
  };
}

export function runMembershipNightly(db: Db): Task {
  return async (payload, helpers) => {
    const tenantId = tenantIdOf(payload, 'membership_nightly');
    const expired = await expirePoints(db, tenantId, new Date());
    const tiers = await recomputeTiers(db, tenantId, { cause: 'recompute' });
    helpers.logger.info(`membership for tenant ${tenantId}: ${expired.points} points expired in ${expired.entries} lots; ${tiers.changed} tier changes`);
  };
}
