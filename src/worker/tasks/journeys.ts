// Journeys in the background. `journey_events` (queued by the trigger on events, one job per tenant
// by job key) drains the inbox: enrolments, resumed waits, conversions. `journey_due` walks the
// tenant's due instances batch after batch, then queues itself for the next timer if it falls
// within the minute, so short waits end on time; `journey_tick` (every minute) queues journey_due
// and the birthday/schedule sweep for every tenant with a journey running.
import type { Task } from 'graphile-worker';
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { drainInbox } from '../../core/journeys/entry.service.ts';
import { runDue } from '../../core/journeys/runner.service.ts';
import { sweepDateEntries } from '../../core/journeys/sweep.service.ts';
import { tenantIdOf } from '../tenant-schedule.ts';

/** How long one journey_due job works before handing over to a fresh one. */
const SLICE_MS = 30_000;

export function journeyEvents(db: Db): Task {
  return async (payload, helpers) => {
    const tenantId = tenantIdOf(payload, 'journey_events');
    for (;;) {
      const r = await drainInbox(db, tenantId, new Date());
      if (r.events > 0) helpers.logger.debug(`journey events ${tenantId}: ${r.events} events, ${r.enrolled} enrolled, ${r.resumed} resumed, ${r.converted} converted`);
      if (r.events < 5000) break;
    }
  };
}

export function journeyDue(db: Db): Task {
  return async (payload, helpers) => {
    const tenantId = tenantIdOf(payload, 'journey_due');
    const started = Date.now();
    let more = true;
    while (more && Date.now() - started < SLICE_MS) {
      const r = await runDue(db, tenantId, { now: new Date(), maxBatches: 1 });
      more = r.instances >= 1000;
    }
    const next = more ? new Date() : (await sql<{ at: Date | null }>`
      select min(wake_at) as at from journey_instances where tenant_id = ${tenantId} and status = 'active'`.execute(db)).rows[0]?.at ?? null;
    if (next && next.getTime() < Date.now() + 60_000) {
      await helpers.addJob('journey_due', { tenantId }, { jobKey: `journey_due:${tenantId}`, runAt: next, maxAttempts: 5 });
    }
  };
}

export function journeyTick(db: Db): Task {
  return async (_payload, helpers) => {
    const tenants = await db.selectFrom('journeys').select('tenant_id').where('status', 'in', ['live', 'archived']).distinct().execute();
    for (const t of tenants) {
      await helpers.addJob('journey_due', { tenantId: t.tenant_id }, { jobKey: `journey_due:${t.tenant_id}`, maxAttempts: 5 });
      await helpers.addJob('journey_sweep', { tenantId: t.tenant_id }, { jobKey: `journey_sweep:${t.tenant_id}`, maxAttempts: 3 });
    }
  };
}

export function journeySweep(db: Db): Task {
  return async (payload, helpers) => {
    const tenantId = tenantIdOf(payload, 'journey_sweep');
    const enrolled = await sweepDateEntries(db, tenantId, new Date());
    if (enrolled > 0) helpers.logger.info(`journey sweep ${tenantId}: ${enrolled} customers entered by date or schedule`);
  };
}
