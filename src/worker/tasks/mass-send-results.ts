// poll_mass_send_results, every 5 minutes: asks WeCom what became of mass sends handed to guides
// (src/core/messaging/mass-confirm.service.ts). Idempotent: a confirmed hand-over is not asked again.
import type { Task } from 'graphile-worker';
import type { Db } from '../../db/connect.ts';
import { pollMassSendConfirmations } from '../../core/messaging/mass-confirm.service.ts';

export function pollMassSendResults(db: Db): Task {
  return async (_payload, helpers) => {
    const totals = await pollMassSendConfirmations(db);
    if (totals.confirmed > 0) helpers.logger.info(`WeCom mass sends confirmed by guides: ${totals.confirmed} (${totals.sent} sent, ${totals.notSent} not sent)`);
    for (const error of totals.errors.slice(0, 20)) helpers.logger.warn(`WeCom mass send results: ${error}`);
  };
}
