// The background worker: graphile-worker on the same database (LISTEN/NOTIFY pickup), with the
// task list and schedules below. Runs inside `yuchi start`, or alone as `yuchi worker`.
import { Logger, run, type Runner, type TaskList } from 'graphile-worker';
import type { DatabaseHandle } from '../db/connect.ts';
import { dispatchNightlyAggregates, refreshTenantAggregates } from './tasks/aggregates.ts';
import { dispatchNightlyRuleTags, sweepTenantRuleTags } from './tasks/rule-tags.ts';
import { runConsoleImport } from './tasks/import.ts';
import { dispatchNightlyScores, recomputeTenantScores } from './tasks/scores.ts';
import { reverseRefundedCoupons, runCouponIssue } from './tasks/issue-coupons.ts';
import { dispatchSegmentSweeps, evaluateTenantSegments, sweepTenantSegments } from './tasks/segments.ts';
import { dispatchNightlyAnalyticsFacts, refreshTenantAnalyticsFacts } from './tasks/analytics-facts.ts';
import { dispatchMemberDay, dispatchMembershipNightly, runMemberDay, runMembershipNightly } from './tasks/membership.ts';
import { closeDueGroupSelling } from './tasks/group-selling.ts';
import { sweepReferrals } from './tasks/referral.ts';
import { runWecomSync } from './tasks/wecom-sync.ts';
import { deliverMessages, dispatchDeliveries, planMassSendTask } from './tasks/messaging.ts';
import { dispatchNightlyGroups, refreshTenantGroups } from './tasks/groups.ts';
import { dispatchSopGeneration, generateTenantSop } from './tasks/sop.ts';
import { journeyDue, journeyEvents, journeySweep, journeyTick } from './tasks/journeys.ts';
import { pollMassSendResults } from './tasks/mass-send-results.ts';

export function taskList(handle: DatabaseHandle): TaskList {
  return {
    nightly_aggregates: dispatchNightlyAggregates(handle.db),
    refresh_order_aggregates: refreshTenantAggregates(handle.db),
    nightly_rule_tags: dispatchNightlyRuleTags(handle.db),
    sweep_rule_tags: sweepTenantRuleTags(handle.db),
    import_file: runConsoleImport(handle.db),
    nightly_scores: dispatchNightlyScores(handle),
    recompute_scores: recomputeTenantScores(handle),
    issue_coupons: runCouponIssue(handle.db),
    reverse_refunded_coupons: reverseRefundedCoupons(handle.db),
    evaluate_segments: evaluateTenantSegments(handle.db),
    sweep_segments: dispatchSegmentSweeps(handle.db),
    sweep_tenant_segments: sweepTenantSegments(handle.db),
    nightly_analytics_facts: dispatchNightlyAnalyticsFacts(handle.db),
    refresh_analytics_facts: refreshTenantAnalyticsFacts(handle.db),
    member_day: dispatchMemberDay(handle.db),
    member_day_coupons: runMemberDay(handle.db),
    nightly_membership: dispatchMembershipNightly(handle.db),
    membership_nightly: runMembershipNightly(handle.db),
    close_due_group_selling: closeDueGroupSelling(handle.db),
    sweep_referrals: sweepReferrals(handle.db),
    wecom_sync: runWecomSync(handle.db),
    deliver_messages: deliverMessages(handle.db),
    dispatch_deliveries: dispatchDeliveries(handle.db),
    plan_mass_send: planMassSendTask(handle.db),
    nightly_groups: dispatchNightlyGroups(handle.db),
    refresh_groups: refreshTenantGroups(handle.db),
    generate_sop: dispatchSopGeneration(handle.db),
    generate_tenant_sop: generateTenantSop(handle.db),
    journey_events: journeyEvents(handle.db),
    journey_due: journeyDue(handle.db),
    journey_tick: journeyTick(handle.db),
    journey_sweep: journeySweep(handle.db),
    poll_mass_send_results: pollMassSendResults(handle.db),
  };
}

/** Schedules, in graphile-worker's crontab format (UTC). Tasks themselves apply tenant zones. */
export const CRONTAB = [
  '0 * * * * nightly_aggregates ?max=1',
  '0 * * * * nightly_rule_tags ?max=1',
  '0 * * * * nightly_scores ?max=1',
  '*/5 * * * * reverse_refunded_coupons ?max=1',
  '*/15 * * * * sweep_segments ?max=1',
  '0 * * * * nightly_analytics_facts ?max=1',
  '0 * * * * member_day ?max=1',
  '0 * * * * nightly_membership ?max=1',
  '* * * * * close_due_group_selling ?max=1',
  '* * * * * sweep_referrals ?max=1',
  '* * * * * dispatch_deliveries ?max=1',
  '0 * * * * nightly_groups ?max=1',
  '*/15 * * * * generate_sop ?max=1',
  '* * * * * journey_tick ?max=1',
  '*/5 * * * * poll_mass_send_results ?max=1',
].join('\n');

export interface WorkerOptions {
  concurrency?: number;
  log?: (level: string, message: string) => void;
}

export async function startWorker(handle: DatabaseHandle, options: WorkerOptions = {}): Promise<Runner> {
  const log = options.log ?? (() => {});
  return run({
    pgPool: handle.pool,
    concurrency: options.concurrency ?? 4,
    noHandleSignals: true,
    pollInterval: 2000,
    taskList: taskList(handle),
    crontab: CRONTAB,
    logger: new Logger(() => (level, message) => log(level, message)),
  });
}
