// One pass of fission bookkeeping for a tenant: attribute new contacts, credit rewards on their
// orders, claw back what refunds took. Each step is idempotent, so the worker may run it any time.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { attributeNewContacts } from './attribution.service.ts';
import { clawBackRefunds, creditRewards } from './rewards.service.ts';

export interface SweepResult {
  accepted: number;
  refused: number;
  credited: number;
  clawedBack: number;
}

export async function runReferralSweep(db: Db, tenantId: string, now = new Date()): Promise<SweepResult> {
  const { accepted, refused } = await attributeNewContacts(db, tenantId);
  const credited = await creditRewards(db, tenantId, now);
  const clawedBack = await clawBackRefunds(db, tenantId, now);
  return { accepted, refused, credited, clawedBack };
}

/** Tenants running fission at all (they have a referral code). */
export async function tenantsWithReferralCodes(db: Db): Promise<string[]> {
  const rows = await sql<{ tenant_id: string }>`select distinct tenant_id from referral_codes`.execute(db);
  return rows.rows.map((r) => r.tenant_id);
}
