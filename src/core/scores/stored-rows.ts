// The scores a tenant's customers have now (customer_score_rows), read in customer id order beside
// the run's own, so the run writes only the rows that change. Texts come back as their place in
// the run's lists (array_position), so nothing is decoded per row, and the columns are packed into
// four numbers: each field sent costs the database and Node a little for each of a million rows.
import type pg from 'pg';
import { UUID_PATTERN } from '../ids.ts';
import { readBinaryCopy } from './binary-copy.ts';

/**
 * A stored row, packed into a few numbers (each field sent costs the database and Node alike, and
 * texts the most): per row its scores, its history days, its spend in the window and after the
 * first purchase day. packScores and packDays give a run's own values the same shape.
 */
export interface StoredRows {
  count: number;
  ids: Buffer;
  /** packScores of frequency, r·36 + f·6 + m (0 without scores), and the cell's, stage's and tier's places. */
  scoresHigh: Int32Array;
  scoresLow: Int32Array;
  /** packDays of the first and last purchase day and the purchase days, as two 32-bit halves. */
  daysHigh: Int32Array;
  daysLow: Int32Array;
  monetary: Float64Array;
  /** NaN when null. */
  repeatSpend: Float64Array;
}

/** The names texts are numbered by: cells, stages and tiers, each in the run's order. */
export interface ScoreNames { cells: readonly string[]; stages: readonly string[]; tiers: readonly string[] }

/**
 * Places are 1-based, 0 for null, −1 for a name the lists do not hold (a tier renamed since);
 * stored one up: 0 unknown, 1 null, k + 1 the k-th name. High half: frequency; low half: rfm code
 * (8 bits) | cell (4) | stage (4) | tier (16).
 */
export function packScores(frequency: number, rfm: number, cell: number, stage: number, tier: number): [number, number] {
  return [frequency | 0, ((rfm << 24) | ((cell + 1) << 20) | ((stage + 1) << 16) | (tier + 1)) | 0];
}

/** The cell, stage and tier in packScores' low half (not the rfm code). */
export const STATE_BITS = 0x00ff_ffff;

/**
 * First and last purchase day as days since 1970-01-01 plus one (0 for null; 21 bits each) and the
 * purchase days (21 bits) in 63 bits, first << 42 | last << 21 | days, as two 32-bit halves: high =
 * first << 10 | last's top 10 bits, low = last's low 11 bits << 21 | days. Values out of range give
 * NaN, equal to nothing, so such a row is always rewritten (the database sends −1 for them).
 */
export function packDays(first: number | null, last: number | null, purchaseDays: number | null): [number, number] {
  const f = first === null ? 0 : first + 1;
  const l = last === null ? 0 : last + 1;
  const p = purchaseDays ?? 0;
  if (f < 0 || f >= DAYS_LIMIT || l < 0 || l >= DAYS_LIMIT || p < 0 || p >= DAYS_LIMIT) return [Number.NaN, Number.NaN];
  return [f * 1024 + Math.floor(l / 2048), ((l % 2048) * DAYS_LIMIT + p) | 0];
}

const DAYS_LIMIT = 2_097_152; // 2^21

const literal = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const textArray = (names: readonly string[]): string => `array[${names.map(literal).join(', ')}]::text[]`;
const place = (column: string, names: readonly string[]): string =>
  `(case when ${column} is null then 1 else coalesce(array_position(${textArray(names)}, ${column}) + 1, 0) end)::int8`;
const day = (column: string): string => `coalesce(${column} - date '1970-01-01' + 1, 0)::int8`;

export async function readStoredRows(client: pg.PoolClient, tenantId: string, names: ScoreNames): Promise<StoredRows> {
  if (!UUID_PATTERN.test(tenantId)) throw new Error('readStoredRows: bad tenant id');
  let capacity = 1 << 16;
  let s = emptyRows(capacity);
  const inRange = (v: string): string => `(${v} between 0 and ${DAYS_LIMIT - 1})`;
  await readBinaryCopy(client, `
    select customer_id,
           (frequency::int8 << 32) | (coalesce(r_score * 36 + f_score * 6 + m_score, 0)::int8 << 24)
             | (${place('rfm_cell', names.cells)} << 20) | (${place('lifecycle_stage', names.stages)} << 16) | ${place('value_tier', names.tiers)},
           case when ${inRange(day('first_order_day'))} and ${inRange(day('last_order_day'))} and ${inRange('coalesce(purchase_days, 0)')}
                then (${day('first_order_day')} << 42) | (${day('last_order_day')} << 21) | coalesce(purchase_days, 0)::int8
                else -1 end,
           monetary_fen, repeat_spend_fen
      from customer_score_rows where tenant_id = '${tenantId}' order by customer_id`, 5, (buf, at) => {
    if (s.count === capacity) {
      capacity *= 2;
      s = grown(s, capacity);
    }
    const i = s.count++;
    const field = (k: number): number => at[k] ?? -1;
    buf.copy(s.ids, i * 16, field(0), field(0) + 16);
    s.scoresHigh[i] = buf.readInt32BE(field(1));
    s.scoresLow[i] = buf.readInt32BE(field(1) + 4);
    s.daysHigh[i] = buf.readInt32BE(field(2));
    s.daysLow[i] = buf.readInt32BE(field(2) + 4);
    s.monetary[i] = Number(buf.readBigInt64BE(field(3)));
    s.repeatSpend[i] = field(4) < 0 ? Number.NaN : Number(buf.readBigInt64BE(field(4)));
  });
  return s;
}

function emptyRows(capacity: number): StoredRows {
  return {
    count: 0, ids: Buffer.alloc(capacity * 16),
    scoresHigh: new Int32Array(capacity), scoresLow: new Int32Array(capacity), daysHigh: new Int32Array(capacity), daysLow: new Int32Array(capacity),
    monetary: new Float64Array(capacity), repeatSpend: new Float64Array(capacity),
  };
}

function grown(s: StoredRows, capacity: number): StoredRows {
  const g = emptyRows(capacity);
  g.count = s.count;
  s.ids.copy(g.ids);
  for (const key of ['scoresHigh', 'scoresLow', 'daysHigh', 'daysLow'] as const) g[key].set(s[key]);
  for (const key of ['monetary', 'repeatSpend'] as const) g[key].set(s[key]);
  return g;
}
