// Shared by the integration tests: the run's database and a fresh tenant per test.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, inject } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../src/db/connect.ts';
import type { Tenant } from '../src/db/schema.ts';
import { createTenant } from '../src/core/tenants/tenants.service.ts';
import { newId } from '../src/core/ids.ts';

let handle: DatabaseHandle | undefined;

/** The database of this test run; one pool per test file, closed after the file. */
export function testDb(): DatabaseHandle {
  if (!handle) {
    handle = openDatabase(inject('databaseUrl'), { max: 10, applicationName: 'yuchi-test' });
    const opened = handle;
    afterAll(async () => {
      await opened.close();
      if (handle === opened) handle = undefined;
    });
  }
  return handle;
}

/** A new tenant with a unique slug, so tests never see each other's rows. */
export async function newTenant(name = 'Test tenant'): Promise<Tenant> {
  const slug = `t-${randomBytes(6).toString('hex')}`;
  return createTenant(testDb().db, { slug, name });
}

/** CDNOW's published BG/NBD and Gamma-Gamma parameters, Gamma-Gamma's scale in fen. */
export const CDNOW_MODELS = { bgnbd: { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, gammaGamma: { p: 6.25, q: 3.74, gamma: 1544 } };

/**
 * A tenant's scoring models as a run leaves them, for tests that set scores by hand: CDNOW's
 * published BG/NBD and Gamma-Gamma parameters (Gamma-Gamma's scale in fen), calibrated to
 * `calibrationEnd`, and g(x, T) for the given (x, days T) pairs. The customer_scores view then
 * computes P(alive) and CLV from each row's history.
 */
export async function seedScoringModels(tenantId: string, calibrationEnd: string, forecasts: { x: number; tDays: number; purchases: number }[] = []): Promise<void> {
  const { db } = testDb();
  await db.insertInto('scoring_models').values({
    tenant_id: tenantId, run_id: newId(), calibration_end: calibrationEnd, scored_at: new Date(),
    ...CDNOW_MODELS.bgnbd, ...CDNOW_MODELS.gammaGamma,
  }).execute();
  if (forecasts.length > 0) {
    await db.insertInto('scoring_forecasts').values(forecasts.map((f) => ({ tenant_id: tenantId, x: f.x, t_days: f.tDays, purchases: f.purchases, discounted: f.purchases }))).execute();
  }
}

/**
 * Whether a connection named `application` comes to wait for a lock before `pending` (its work)
 * settles: polls pg_stat_activity until one or the other happens.
 */
export async function waitsForLock(application: string, pending: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void pending.then(() => { settled = true; }, () => { settled = true; });
  for (;;) {
    const rows = await sql<{ n: number }>`
      select count(*)::int as n from pg_stat_activity where application_name = ${application} and wait_event_type = 'Lock'`.execute(testDb().db);
    if ((rows.rows[0]?.n ?? 0) > 0) return true;
    if (settled) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
}
