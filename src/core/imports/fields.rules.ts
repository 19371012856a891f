// How one cell of an imported file becomes a value: yuan amounts, local times, dates and the
// closed vocabularies (gender, channel, order status) in English or Chinese.
// Each reader returns the value or the reason it was refused (reasons.rules.ts: a code for the
// console, words an operator can act on for the CLI).
// Phone numbers follow identity resolution's own rule (normalizePhone in ingest/identity.rules.ts).
import type { Gender, OrderChannel, OrderStatus } from '../../db/schema.ts';
import { because, type Reason, type ReasonCode } from './reasons.rules.ts';

export type Read<T> = { value: T } | Reason;

const YUAN = /^(-)?[¥￥]?(\d+)(?:\.(\d+))?$/;
const MAX_FEN = 1e15; // far above any order; keeps every sum a safe integer

/** Yuan with up to 2 decimals → integer fen, from the digits themselves (no float rounding). */
export function parseYuan(text: string): Read<number> {
  const m = YUAN.exec(text.replace(/,/g, ''));
  if (!m?.[2]) return because('not_amount');
  if (m[1]) return because('negative');
  const decimals = m[3] ?? '';
  if (decimals.length > 2) return because('too_many_decimals');
  const fen = Number(m[2]) * 100 + Number(decimals.padEnd(2, '0'));
  if (!Number.isSafeInteger(fen) || fen > MAX_FEN) return because('too_large');
  return { value: fen };
}

/** Fen → yuan text with exactly 2 decimals, the inverse of parseYuan. */
export function formatYuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

const LOCAL_TIME = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?$/;
const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

function validCalendar(y: number, mo: number, d: number): boolean {
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/**
 * Reads order times: ISO-8601 with Z or an offset, or a wall-clock time (YYYY-MM-DD HH:mm[:ss],
 * slashes allowed, date alone = midnight) in the tenant's zone. The zone's offsets are cached by
 * hour, because asking Intl for each of a million rows costs more than parsing them.
 */
export function localTimeReader(timeZone: string, now: () => Date = () => new Date()): (text: string) => Read<Date> {
  const format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
  const offsets = new Map<number, number>();
  const offsetAt = (ms: number): number => {
    const hour = Math.floor(ms / 3_600_000);
    let minutes = offsets.get(hour);
    if (minutes === undefined) {
      const name = format.formatToParts(new Date(hour * 3_600_000)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
      const m = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name);
      minutes = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) : 0;
      offsets.set(hour, minutes);
    }
    return minutes;
  };
  const latest = now().getTime() + 86_400_000; // a day's grace for clocks and zones
  return (text) => {
    let ms: number;
    if (WITH_OFFSET.test(text)) {
      ms = Date.parse(text);
      if (Number.isNaN(ms)) return because('invalid_time');
    } else {
      const m = LOCAL_TIME.exec(text);
      if (!m) return because('not_a_time');
      const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
      const [h, mi, s, frac] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), Number((m[7] ?? '').padEnd(3, '0'))];
      if (!validCalendar(y, mo, d) || h > 23 || mi > 59 || s > 59) return because('invalid_date_time');
      const wall = Date.UTC(y, mo - 1, d, h, mi, s, frac);
      // Two passes settle times near a daylight-saving change.
      ms = wall - offsetAt(wall) * 60_000;
      ms = wall - offsetAt(ms) * 60_000;
    }
    if (ms < Date.UTC(2000, 0, 1)) return because('before_2000');
    if (ms > latest) return because('in_future');
    return { value: new Date(ms) };
  };
}

/** A birthday as the YYYY-MM-DD the database keeps (slashes accepted). */
export function parseBirthday(text: string, today: Date = new Date()): Read<string> {
  const m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/.exec(text);
  if (!m) return because('not_a_date');
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!validCalendar(y, mo, d)) return because('invalid_date');
  const value = `${m[1]}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  if (y < 1900 || value > today.toISOString().slice(0, 10)) return because('implausible_birthday');
  return { value };
}

function vocabulary<T extends string>(entries: Record<string, T>, refusal: Extract<ReasonCode, 'not_gender' | 'not_channel' | 'not_status'>): (text: string) => Read<T> {
  const table = new Map(Object.entries(entries).map(([k, v]) => [k.toLowerCase(), v]));
  return (text) => {
    const value = table.get(text.toLowerCase());
    return value === undefined ? because(refusal) : { value };
  };
}

export const parseGender = vocabulary<Gender>(
  { male: 'male', female: 'female', unknown: 'unknown', m: 'male', f: 'female', 男: 'male', 女: 'female', 未知: 'unknown' },
  'not_gender',
);

export const parseChannel = vocabulary<OrderChannel>(
  {
    pos: 'pos', 门店: 'pos', miniprogram: 'miniprogram', 小程序: 'miniprogram', ecommerce: 'ecommerce', 电商: 'ecommerce',
    group_buy: 'group_buy', 接龙: 'group_buy', 拼团: 'group_buy', other: 'other', 其他: 'other',
  },
  'not_channel',
);

export const parseOrderStatus = vocabulary<OrderStatus>(
  { paid: 'paid', 已支付: 'paid', refunded: 'refunded', 已退款: 'refunded', partially_refunded: 'partially_refunded', 部分退款: 'partially_refunded' },
  'not_status',
);

/** A positive whole number of items. */
export function parseQuantity(text: string): Read<number> {
  if (!/^\d{1,6}$/.test(text) || Number(text) === 0) return because('not_quantity');
  return { value: Number(text) };
}
