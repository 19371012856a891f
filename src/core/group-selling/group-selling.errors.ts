// A 接龙, 拼团 or 拼单 (or a referral) refused for a reason the caller can act on. Like the
// promotions' refusals: 409 when the state of things refuses it (deadline passed, sold out,
// already joined, group full), 422 when the request itself does not qualify (not a member of the
// group, a self-referral). The reason is the error code in the body.
import { YuchiError, type ErrorDetail } from '../errors.ts';

export type GroupSellingReason =
  | 'deadline_passed'
  | 'closed'
  | 'sold_out'
  | 'limit_reached'
  | 'already_joined'
  | 'not_joined'
  | 'group_full'
  | 'not_group_member'
  | 'group_dissolved'
  | 'not_initiator'
  | 'cart_empty'
  | 'self_referral'
  | 'code_taken';

const STATE_CONFLICTS = new Set<GroupSellingReason>([
  'deadline_passed', 'closed', 'sold_out', 'limit_reached', 'already_joined', 'not_joined', 'group_full', 'code_taken', 'cart_empty',
]);

export class GroupSellingRefusal extends YuchiError {
  constructor(
    override readonly reason: GroupSellingReason,
    message: string,
    path = 'body',
    /** The values the console's sentence for the reason needs (a count, a status, a time). */
    params: ErrorDetail['params'] = {},
  ) {
    // The detail carries the reason too, so the console words it like any coded refusal.
    super(STATE_CONFLICTS.has(reason) ? 'conflict' : 'unprocessable', message, [{ path, message, code: reason, params }], reason);
    this.name = 'GroupSellingRefusal';
  }
}
