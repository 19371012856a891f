// Scoring runs (RFM, lifecycle, value tiers, predicted CLV and churn): nightly at 05:xx in each
// tenant's zone — after the 03:xx aggregate refresh and the 04:xx rule-tag sweep — and on demand
// (POST /api/v1/scoring/runs queues a job naming its run). A run rewrites only changed scores, so
// running it again is harmless.
import type { Task } from 'graphile-worker';
import type { DatabaseHandle } from '../../db/connect.ts';
import { runScoring, SCORES_TASK } from '../../core/scores/scores.service.ts';
import { dispatchAtLocalHour, tenantIdOf } from '../tenant-schedule.ts';

export const SCORES_LOCAL_HOUR = 5;

export function dispatchNightlyScores(handle: DatabaseHandle): Task {
  return dispatchAtLocalHour(handle.db, SCORES_LOCAL_HOUR, SCORES_TASK);
}

export function recomputeTenantScores(handle: DatabaseHandle): Task {
  return async (payload, helpers) => {
    const tenantId = tenantIdOf(payload, SCORES_TASK);
    const runId = typeof payload === 'object' && payload !== null && 'runId' in payload && typeof payload.runId === 'string' ? payload.runId : undefined;
    const result = await runScoring(handle, tenantId, runId ? { runId } : { trigger: 'nightly' });
    helpers.logger.info(`scores recomputed for tenant ${tenantId}: ${result.buyers} buyers, ${result.rowsWritten} rows changed${result.clvReason ? `; CLV not fitted: ${result.clvReason}` : ''}`);
  };
}
