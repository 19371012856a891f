// Promotions: coupons, price rules with the checkout quote, flash sales. Registered in one scope
// whose error handler answers a PromotionRefusal with its own status (409 or 422) and its reason as
// the error code; every other error goes on to the app's handler.
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/connect.ts';
import { PromotionRefusal } from '../../core/promotions/promotions.errors.ts';
import { errorBody } from '../errors.ts';
import { couponRoutes } from './coupons.ts';
import { flashSaleRoutes } from './flash-sales.ts';
import { priceRuleRoutes } from './price-rules.ts';

export function promotionRoutes(app: FastifyInstance, db: Db): void {
  void app.register(async (scope) => {
    scope.setErrorHandler((err, _request, reply) => {
      if (err instanceof PromotionRefusal) return reply.status(err.status).send(errorBody(err.reason, err.message, err.details));
      throw err;
    });
    couponRoutes(scope, db);
    priceRuleRoutes(scope, db);
    flashSaleRoutes(scope, db);
  });
}
