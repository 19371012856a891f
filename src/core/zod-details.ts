// A zod issue as a detail the console can word in its own language: zod's issue code and the values
// its sentence needs (a bound, the expected type, the allowed options, the format). The message stays
// zod's English text for callers of the API.
import type { ErrorDetail } from './errors.ts';

type Params = NonNullable<ErrorDetail['params']>;
type Worded = Pick<ErrorDetail, 'code' | 'params'>;

/** A value the detail can carry: numbers and strings as they are, dates as ISO text, lists joined. */
function flat(value: unknown): string | number | null | undefined {
  if (value === null) return null;
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => String(flat(v))).join(', ');
  return undefined;
}

const KEPT = ['origin', 'minimum', 'maximum', 'inclusive', 'exact', 'expected', 'format', 'divisor', 'values', 'keys'] as const;
// zod names the allowed values `values` and the unknown keys `keys`; the console speaks of options.
const RENAMED: Partial<Record<(typeof KEPT)[number], string>> = { values: 'options' };

/**
 * `keyword` is zod's issue code, `issue` the rest of the issue (fastify-type-provider-zod's params).
 * A custom issue (a refine in a schema) carries its own code in `params.code` when it has one.
 */
export function wordedIssue(keyword: string, issue: Record<string, unknown>, message: string): Worded {
  if (keyword === 'custom') {
    const own = issue.params;
    if (typeof own !== 'object' || own === null) return { code: 'custom' };
    const { code, ...rest } = own as Record<string, unknown>;
    const params: Params = {};
    for (const [name, value] of Object.entries(rest)) {
      const v = flat(value);
      if (v !== undefined) params[name] = v;
    }
    return { code: typeof code === 'string' ? code : 'custom', params };
  }
  const params: Params = {};
  for (const name of KEPT) {
    const v = flat(issue[name]);
    if (v !== undefined) params[RENAMED[name] ?? name] = v;
  }
  // zod 4 leaves the input out of the issue; its message still says what came, and a missing value
  // reads differently from a wrong one ("required" rather than "must be a number").
  if (keyword === 'invalid_type') {
    const received = /received (\w+)$/.exec(message)?.[1];
    if (received !== undefined) params.received = received;
  }
  return { code: keyword, params };
}

/** A zod issue met outside a route's schema (a rule parsing part of its input) as a detail at `path`. */
export function issueDetail(path: string, issue: { code: string; message: string }): ErrorDetail {
  const { code, message, ...rest } = issue as { code: string; message: string } & Record<string, unknown>;
  return { path, message, ...wordedIssue(code, rest, message) };
}

/** zod's issue codes, as details carry them (for schemas that list the codes a detail may have). */
export const SCHEMA_ISSUE_CODES = [
  'too_small', 'too_big', 'invalid_type', 'invalid_value', 'invalid_format', 'invalid_union', 'invalid_key', 'invalid_element',
  'not_multiple_of', 'unrecognized_keys', 'custom',
] as const;
export type SchemaIssueCode = (typeof SCHEMA_ISSUE_CODES)[number];
export const isSchemaIssueCode = (code: string | undefined): code is SchemaIssueCode => (SCHEMA_ISSUE_CODES as readonly (string | undefined)[]).includes(code);
