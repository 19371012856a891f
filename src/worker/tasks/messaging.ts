// Delivery tasks: deliver_messages sends one tenant's due messages in batches (woken by
// requestMessages at commit); dispatch_deliveries finds, every minute, tenants with messages that
// came due later (a schedule, a deferral, a retry) or claims left behind by a crashed worker.
import type { Task } from 'graphile-worker';
import type { Db } from '../../db/connect.ts';
import { deliverDue, tenantsWithDueMessages } from '../../core/messaging/delivery.service.ts';
import { dispatchDueMassSends } from '../../core/messaging/mass-dispatch.service.ts';
import { runMassSendPlan } from '../../core/messaging/mass-sends.service.ts';

function field(payload: unknown, name: string): string {
  if (typeof payload !== 'object' || payload === null || !(name in payload)) return '';
  const value: unknown = Reflect.get(payload, name);
  return typeof value === 'string' ? value : '';
}

export function deliverMessages(db: Db): Task {
  return async (payload, helpers) => {
    const tenantId = field(payload, 'tenantId');
    if (!tenantId) throw new Error('deliver_messages needs { tenantId }');
    const { totals, more } = await deliverDue(db, tenantId, { budgetMs: 20_000 });
    helpers.logger.info(`deliveries of tenant ${tenantId}: ${JSON.stringify(totals)}`);
    // a long send continues in a fresh job, so one tenant's million does not hold a worker slot for ever
    if (more) await helpers.addJob('deliver_messages', { tenantId }, { jobKey: `deliver_messages:${tenantId}`, jobKeyMode: 'preserve_run_at', maxAttempts: 5 });
  };
}

export function dispatchDeliveries(db: Db): Task {
  return async (_payload, helpers) => {
    for (const tenantId of await tenantsWithDueMessages(db)) {
      await helpers.addJob('deliver_messages', { tenantId }, { jobKey: `deliver_messages:${tenantId}`, jobKeyMode: 'preserve_run_at', maxAttempts: 5 });
    }
    const handed = await dispatchDueMassSends(db);
    if (handed > 0) helpers.logger.info(`WeCom mass sends handed to staff: ${handed}`);
  };
}

/** Plans a mass send (resumes an interrupted plan: its messages are keyed per recipient). */
export function planMassSendTask(db: Db): Task {
  return async (payload, helpers) => {
    const tenantId = field(payload, 'tenantId');
    const massSendId = field(payload, 'massSendId');
    if (!tenantId || !massSendId) throw new Error('plan_mass_send needs { tenantId, massSendId }');
    // the plan's COPY runs on a client of the worker's own pool
    const counts = await runMassSendPlan(db, tenantId, massSendId, (fn) => helpers.withPgClient(fn));
    helpers.logger.info(`mass send ${massSendId} planned: ${counts.planned} of ${counts.audience}`);
  };
}
