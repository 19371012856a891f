// Promotions: coupons, price rules with the checkout quote, flash sales. A refusal (PromotionRefusal)
// is answered by the app's error handler with 409 or 422 and its reason as the error code.
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/connect.ts';
import { couponRoutes } from './coupons.ts';
import { flashSaleRoutes } from './flash-sales.ts';
import { priceRuleRoutes } from './price-rules.ts';

export function promotionRoutes(app: FastifyInstance, db: Db): void {
  couponRoutes(app, db);
  priceRuleRoutes(app, db);
  flashSaleRoutes(app, db);
}
