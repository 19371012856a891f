// Expected failures of the domain, each with a code the API maps to HTTP in one place
// (src/api/errors.ts) and the CLI prints as a message.

export type ErrorCode =
  | 'invalid'          // 400: input breaks a rule
  | 'unauthenticated'  // 401
  | 'forbidden'        // 403: authenticated, but the role may not
  | 'not_found'        // 404
  | 'conflict'         // 409: clashes with what exists (duplicate slug, email ...)
  | 'unprocessable'    // 422: well formed, but the thing asked for does not qualify (an expired coupon ...)
  | 'too_large';       // 413

export interface ErrorDetail {
  path: string;
  message: string;
  /** For refusals a console words itself: a finer code and the values its sentence needs. */
  code?: string;
  params?: Record<string, string | number | null>;
}

export class YuchiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetail[] = [],
    /** A finer code a caller can act on (e.g. coupon_expired); the API answers with it in place of `code`. */
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'YuchiError';
  }
}

export const notFound = (what: string): YuchiError => new YuchiError('not_found', `${what} not found`);
export const invalid = (path: string, message: string, worded?: Pick<ErrorDetail, 'code' | 'params'>): YuchiError =>
  new YuchiError('invalid', `${path}: ${message}`, [{ path, message, ...worded }]);
export const conflict = (path: string, message: string, worded?: Pick<ErrorDetail, 'code' | 'params'>): YuchiError =>
  new YuchiError('conflict', message, [{ path, message, ...worded }]);

/** PostgreSQL's unique_violation, for turning a race on a unique key into a conflict. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; constraint?: unknown };
  return e.code === '23505' && (constraint === undefined || e.constraint === constraint);
}
