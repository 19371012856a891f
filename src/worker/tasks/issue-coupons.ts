// Runs a bulk coupon issue (POST /api/v1/coupon-templates/:id/issue-jobs). The job row carries the
// outcome; re-running a job issues nothing twice.
import type { Task } from 'graphile-worker';
import type { Db } from '../../db/connect.ts';
import { runIssueJob } from '../../core/coupons/issue-jobs.service.ts';

function field(payload: unknown, name: string): string {
  if (typeof payload !== 'object' || payload === null || !(name in payload)) return '';
  const value: unknown = Reflect.get(payload, name);
  return typeof value === 'string' ? value : '';
}

export function runCouponIssue(db: Db): Task {
  return async (payload, helpers) => {
    const tenantId = field(payload, 'tenantId');
    const jobId = field(payload, 'jobId');
    if (!tenantId || !jobId) throw new Error('issue_coupons needs { tenantId, jobId }');
    const status = await runIssueJob(db, tenantId, jobId);
    helpers.logger.info(`coupon issue ${jobId} of tenant ${tenantId}: ${status}`);
  };
}
