// Nightly community work at 05:xx in each tenant's zone: the weekly health of every group (this
// week and last, the one classified), the active auto-invite rules, and raw group messages past
// their keeping (the weekly rollup keeps their counts). Idempotent: health weeks are replaced,
// invitations are deduplicated per rule and customer, pruning deletes what is already too old.
import type { Task } from 'graphile-worker';
import type { Db } from '../../db/connect.ts';
import { recomputeGroupHealth } from '../../core/groups/health.service.ts';
import { runActiveInviteRules } from '../../core/groups/invites.service.ts';
import { pruneGroupMessages } from '../../core/groups/speaker-weeks.service.ts';
import { dispatchAtLocalHour, tenantIdOf } from '../tenant-schedule.ts';

export const GROUPS_LOCAL_HOUR = 5;

export function dispatchNightlyGroups(db: Db): Task {
  return dispatchAtLocalHour(db, GROUPS_LOCAL_HOUR, 'refresh_groups');
}

export function refreshTenantGroups(db: Db): Task {
  return async (payload, helpers) => {
    const tenantId = tenantIdOf(payload, 'refresh_groups');
    const weeks = typeof payload === 'object' && payload !== null && 'weeks' in payload && typeof payload.weeks === 'number' ? payload.weeks : 2;
    const health = await recomputeGroupHealth(db, tenantId, { weeks });
    const invites = await runActiveInviteRules(db, tenantId);
    const pruned = await pruneGroupMessages(db, tenantId);
    helpers.logger.info(`groups of tenant ${tenantId}: ${health.classified} classified on ${health.judgedWeek}; ${invites.reduce((n, r) => n + r.invited, 0)} invited; ${pruned} old group messages pruned`);
  };
}
