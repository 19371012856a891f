// A promotion refused for a business reason the caller can act on (expired coupon, sold out ...):
// HTTP 409 when the state of things refuses it (already used, sold out, limit reached), 422 when the
// request itself does not qualify (expired, other store, threshold not met). The reason is the
// error code in the body, so a till can show the right message.
import { YuchiError, type ErrorDetail } from '../errors.ts';

export type RefusalReason =
  | 'coupon_unknown'
  | 'coupon_not_yet_valid'
  | 'coupon_expired'
  | 'coupon_wrong_store'
  | 'coupon_wrong_channel'
  | 'coupon_no_eligible_items'
  | 'coupon_threshold_not_met'
  | 'coupon_not_combinable'
  | 'coupon_unavailable'
  | 'coupon_wrong_customer'
  | 'coupon_already_redeemed'
  | 'coupon_void'
  | 'coupon_not_redeemed'
  | 'coupon_order_mismatch'
  | 'template_not_active'
  | 'template_ended'
  | 'stock_exhausted'
  | 'limit_reached'
  | 'sold_out'
  | 'not_started'
  | 'ended'
  | 'sale_cancelled';

const STATE_CONFLICTS = new Set<RefusalReason>([
  'coupon_already_redeemed', 'coupon_void', 'coupon_not_redeemed', 'coupon_order_mismatch', 'template_not_active', 'template_ended',
  'stock_exhausted', 'limit_reached', 'sold_out', 'not_started', 'ended', 'sale_cancelled',
]);

export class PromotionRefusal extends YuchiError {
  constructor(
    override readonly reason: RefusalReason,
    message: string,
    path = 'body',
    /** The values the console's sentence for the reason needs (a count, a name, a time). */
    params: ErrorDetail['params'] = {},
  ) {
    // The detail carries the reason too, so a form words it under its field like any coded refusal.
    super(STATE_CONFLICTS.has(reason) ? 'conflict' : 'unprocessable', message, [{ path, message, code: reason, params }], reason);
    this.name = 'PromotionRefusal';
  }
}
