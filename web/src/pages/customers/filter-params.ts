// The customer list's filter lives in the URL (shareable, and "back" from a customer returns to
// the same list). These read and write it; the list, bulk tagging and export all use the result.
import type { CustomerFilter } from '../../api.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function wholeNumber(text: string | null, min: number, max: number): number | undefined {
  if (text === null || text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isInteger(n) && n >= min && n <= max ? n : undefined;
}

function id(text: string | null): string | undefined {
  return text && UUID.test(text) ? text : undefined;
}

/** The filter a URL states; anything malformed is left out rather than sent to be refused. */
export function filterFromParams(params: URLSearchParams): CustomerFilter {
  const filter: CustomerFilter = {};
  const q = params.get('q')?.trim();
  if (q) filter.q = q;
  const storeId = id(params.get('storeId'));
  if (storeId) filter.storeId = storeId;
  const guideId = id(params.get('guideId'));
  if (guideId) filter.guideId = guideId;
  const tagIds = (params.get('tagIds') ?? '').split(',').filter((t) => UUID.test(t));
  if (tagIds.length > 0) filter.tagIds = [...new Set(tagIds)].slice(0, 50);
  const minSpentFen = wholeNumber(params.get('minSpentFen'), 0, Number.MAX_SAFE_INTEGER);
  if (minSpentFen !== undefined) filter.minSpentFen = minSpentFen;
  const maxSpentFen = wholeNumber(params.get('maxSpentFen'), 0, Number.MAX_SAFE_INTEGER);
  if (maxSpentFen !== undefined) filter.maxSpentFen = maxSpentFen;
  const within = wholeNumber(params.get('lastOrderWithinDays'), 1, 3650);
  if (within !== undefined) filter.lastOrderWithinDays = within;
  const without = wholeNumber(params.get('noOrderWithinDays'), 1, 3650);
  if (without !== undefined) filter.noOrderWithinDays = without;
  return filter;
}

/** How many of the filters beyond search, store and guide are set (shown on the "more" button). */
export function advancedCount(filter: CustomerFilter): number {
  return [
    (filter.tagIds?.length ?? 0) > 0,
    filter.minSpentFen !== undefined || filter.maxSpentFen !== undefined,
    filter.lastOrderWithinDays !== undefined || filter.noOrderWithinDays !== undefined,
  ].filter(Boolean).length;
}

/** ¥ typed in a number box → fen, exactly for amounts of at most two decimals. */
export function yuanToFen(yuan: number): number {
  return Math.round(yuan * 100);
}
