// Coupon tasks: a bulk issue (POST /api/v1/coupon-templates/:id/issue-jobs; the job row carries the
// outcome, re-running a job issues nothing twice), and giving back coupons of refunded orders.
import type { Task } from 'graphile-worker';
import type { Db } from '../../db/connect.ts';
import { runIssueJob } from '../../core/coupons/issue-jobs.service.ts';
import { reverseCouponsOfRefundedOrders, tenantsWithRefundedRedemptions } from '../../core/coupons/refunds.service.ts';

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

/** Every few minutes: coupons of fully refunded orders go back to their holders. */
export function reverseRefundedCoupons(db: Db): Task {
  return async (_payload, helpers) => {
    for (const tenantId of await tenantsWithRefundedRedemptions(db)) {
      const n = await reverseCouponsOfRefundedOrders(db, tenantId);
      helpers.logger.info(`coupons of refunded orders given back in tenant ${tenantId}: ${n}`);
    }
  };
}
