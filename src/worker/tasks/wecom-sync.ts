// On demand (the console's or CLI's "sync from WeCom"): pull WeCom's contacts and groups into Yuchi.
// Idempotent: event ids are stable, so a retried job stores nothing twice.
import type { Task } from 'graphile-worker';
import type { Db } from '../../db/connect.ts';
import { syncWecom, WECOM_SYNC_TASK } from '../../core/channels/wecom/wecom.sync.service.ts';
import { tenantIdOf } from '../tenant-schedule.ts';

export function runWecomSync(db: Db): Task {
  return async (payload, helpers) => {
    const tenantId = tenantIdOf(payload, WECOM_SYNC_TASK);
    const r = await syncWecom(db, tenantId);
    helpers.logger.info(`WeCom sync for tenant ${tenantId}: ${r.contacts} contacts of ${r.staff} staff, ${r.memberships} memberships in ${r.groups} groups; ${r.accepted} new events, ${r.duplicates} known, ${r.rejected.length} refused`);
  };
}
