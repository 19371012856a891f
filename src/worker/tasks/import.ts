// Runs an import uploaded in the console (POST /api/v1/imports). The job row, not this task,
// carries the outcome: a refused file or a failed batch ends as status failed with its reason, so
// the task itself succeeds and graphile-worker never retries it (a partial import must not run twice).
import type { Task } from 'graphile-worker';
import type { Db } from '../../db/connect.ts';
import { IMPORT_TASK, runImportJob } from '../../core/imports/import-jobs.service.ts';

function field(payload: unknown, name: string): string {
  if (typeof payload !== 'object' || payload === null || !(name in payload)) return '';
  const value: unknown = Reflect.get(payload, name);
  return typeof value === 'string' ? value : '';
}

export function runConsoleImport(db: Db): Task {
  return async (payload, helpers) => {
    const tenantId = field(payload, 'tenantId');
    const jobId = field(payload, 'jobId');
    if (!tenantId || !jobId) throw new Error(`${IMPORT_TASK} needs { tenantId, jobId }`);
    const status = await runImportJob(db, tenantId, jobId);
    helpers.logger.info(`import ${jobId} of tenant ${tenantId}: ${status}`);
  };
}
