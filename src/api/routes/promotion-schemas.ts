// Schemas shared by the promotion routes (coupons, price rules, flash sales).
import { z } from 'zod';
import { ErrorResponse, Fen, protectedErrors } from '../schemas.ts';

/** Coupon, price-rule and sale channels (orders also know 'other'). */
export const PromotionChannel = z.enum(['pos', 'miniprogram', 'ecommerce', 'group_buy']);

/** A refused promotion: 409 for the state of things, 422 for a request that does not qualify. */
export const refusalErrors = { ...protectedErrors, 409: ErrorResponse, 422: ErrorResponse } as const;

export const CartItem = z.object({ sku: z.string().min(1).max(64), name: z.string().max(100).default(''), quantity: z.number().int().min(1).max(10_000), unitPriceFen: Fen.min(0) });
