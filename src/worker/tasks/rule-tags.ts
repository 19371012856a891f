// Nightly sweep of rule tags. Rules with relative windows ("spent ≥ ¥2,000 in 90 days", "no order
// within 60 days") change truth as days pass without any new order, so every rule tag is
// recomputed once a day, at 04:xx in each tenant's zone (after the 03:xx aggregate refresh).
// The sweep is idempotent.
import type { Task } from 'graphile-worker';
import type { Db } from '../../db/connect.ts';
import { sweepRuleTags } from '../../core/tags/rules.service.ts';
import { dispatchAtLocalHour, tenantIdOf } from '../tenant-schedule.ts';

export const RULE_TAGS_LOCAL_HOUR = 4;

export function dispatchNightlyRuleTags(db: Db): Task {
  return dispatchAtLocalHour(db, RULE_TAGS_LOCAL_HOUR, 'sweep_rule_tags');
}

export function sweepTenantRuleTags(db: Db): Task {
  return async (payload, helpers) => {
    const tenantId = tenantIdOf(payload, 'sweep_rule_tags');
    const { tags, added, removed } = await sweepRuleTags(db, tenantId);
    helpers.logger.info(`rule tags swept for tenant ${tenantId}: ${tags} tags, ${added} added, ${removed} removed`);
  };
}
