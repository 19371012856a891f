// Zod schemas shared by the routes: they validate input, type the handlers and write the
// OpenAPI document. Views mirror the core's view types; tsc checks that handlers match them.
import { z } from 'zod';
import { MAX_PAGE_SIZE } from '../core/paging.ts';

export const Id = z.uuid({ error: 'must be an id (UUID)' });
export const IdParams = z.object({ id: z.string().describe('UUID') });
export const CalendarDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');
export const Fen = z.number().int().describe('money in fen (分); 100 fen = ¥1');
export const Instant = z.string().describe('ISO-8601 instant, UTC');
export const Ref = z.object({ id: z.string(), name: z.string() });

export const PageQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(20),
});

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), page: z.number().int(), pageSize: z.number().int(), total: z.number().int() });
}

export const ErrorResponse = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({
      path: z.string(),
      message: z.string(),
      code: z.string().optional(),
      params: z.record(z.string(), z.union([z.string(), z.number(), z.null()])).optional(),
    })),
  }),
});

export const Role = z.enum(['admin', 'operator', 'guide']);
export const Gender = z.enum(['male', 'female', 'unknown']);
export const IdentityKind = z.enum(['unionid', 'openid', 'external_userid', 'phone', 'member_no']);
export const OrderChannel = z.enum(['pos', 'miniprogram', 'ecommerce', 'group_buy', 'other']);
export const OrderStatus = z.enum(['paid', 'refunded', 'partially_refunded']);

/** Error responses every protected route may give, for the OpenAPI document. */
export const protectedErrors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse } as const;
