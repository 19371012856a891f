// Deadlines of social selling: 接龙 past their deadline close into orders; 拼团 not full by their
// time limit are cancelled with refund events. Both sweeps are idempotent (a status flips once).
import type { Task } from 'graphile-worker';
import type { Db } from '../../db/connect.ts';
import { closeDueSolitaires } from '../../core/group-selling/solitaires.service.ts';
import { cancelExpiredGroupBuys } from '../../core/group-selling/group-buys.service.ts';

export function closeDueGroupSelling(db: Db): Task {
  return async (_payload, helpers) => {
    const closed = await closeDueSolitaires(db);
    const cancelled = await cancelExpiredGroupBuys(db);
    if (closed + cancelled > 0) helpers.logger.info(`接龙 closed: ${closed}; 拼团 cancelled: ${cancelled}`);
  };
}
