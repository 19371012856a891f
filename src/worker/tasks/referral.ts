// Fission bookkeeping every minute: attribution of new contacts naming a code, rewards on their
// orders, clawbacks of refunds — per tenant that has referral codes. Ingestion never waits for it.
import type { Task } from 'graphile-worker';
import type { Db } from '../../db/connect.ts';
import { runReferralSweep, tenantsWithReferralCodes } from '../../core/referral/sweep.service.ts';

export function sweepReferrals(db: Db): Task {
  return async (_payload, helpers) => {
    for (const tenantId of await tenantsWithReferralCodes(db)) {
      const r = await runReferralSweep(db, tenantId);
      if (r.accepted + r.refused + r.credited + r.clawedBack > 0) {
        helpers.logger.info(`referrals of tenant ${tenantId}: ${r.accepted} attributed, ${r.refused} refused, ${r.credited} rewards, ${r.clawedBack} clawbacks`);
      }
    }
  };
}
