// How the console writes money, times, shares and phone numbers. Money arrives as integer fen;
// times arrive as UTC and are shown in the tenant's zone, whatever the browser's zone is.

const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 123450 → "¥1,234.50"; negative amounts keep their sign in front: "-¥12.00". */
export function formatMoney(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  // Built from integer yuan and fen, so no binary-float rounding can touch the cents.
  const abs = Math.abs(Math.round(fen));
  return `${sign}¥${whole.format(Math.trunc(abs / 100))}.${String(abs % 100).padStart(2, '0')}`;
}

/** A compact ¥ for chart axes: ¥8,000 / ¥1.2万 / ¥3.4亿 in Chinese, ¥1.2M in English. */
export function formatMoneyShort(fen: number, locale: 'zh-CN' | 'en-US'): string {
  const value = fen / 100;
  const abs = Math.abs(value);
  if (locale === 'zh-CN') {
    if (abs >= 1e8) return `¥${trim(value / 1e8)}亿`;
    if (abs >= 1e4) return `¥${trim(value / 1e4)}万`;
  } else {
    if (abs >= 1e6) return `¥${trim(value / 1e6)}M`;
    if (abs >= 1e3) return `¥${trim(value / 1e3)}K`;
  }
  return `¥${whole.format(value)}`;
}

function trim(value: number): string {
  return value.toFixed(1).replace(/\.0$/, '');
}

export function formatCount(value: number): string {
  return whole.format(value);
}

/** 0.2345 → "23.5%"; no share of nothing. */
export function formatShare(part: number, total: number): string {
  if (total <= 0) return '—';
  return `${((part / total) * 100).toFixed(1)}%`;
}

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

function partsIn(timeZone: string, iso: string): Record<string, string> {
  let format = dateTimeFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    dateTimeFormats.set(timeZone, format);
  }
  const parts: Record<string, string> = {};
  for (const part of format.formatToParts(new Date(iso))) parts[part.type] = part.value;
  return parts;
}

/** "2026-03-08 14:05" in the tenant's zone. */
export function formatDateTime(iso: string | null, timeZone: string): string {
  if (!iso) return '—';
  const p = partsIn(timeZone, iso);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** "2026-03-08" in the tenant's zone. */
export function formatDate(iso: string | null, timeZone: string): string {
  if (!iso) return '—';
  const p = partsIn(timeZone, iso);
  return `${p.year}-${p.month}-${p.day}`;
}

/** Today's calendar date in a zone, YYYY-MM-DD. */
export function todayIn(timeZone: string, now = new Date()): string {
  return formatDate(now.toISOString(), timeZone);
}

/**
 * Lists show phone numbers masked, as Chinese apps do: 13812345678 → 138****5678,
 * +8613812345678 → +86 138****5678. Anything shorter keeps only its last four digits.
 */
export function maskPhone(phone: string | null): string {
  if (!phone) return '—';
  const match = /^(\+\d{1,3})?(\d+)$/.exec(phone.replace(/[\s-]/g, ''));
  if (!match?.[2]) return phone;
  const prefix = match[1] ? `${match[1]} ` : '';
  const digits = match[2];
  if (digits.length >= 11) return `${prefix}${digits.slice(0, 3)}****${digits.slice(-4)}`;
  if (digits.length > 4) return `${prefix}${'*'.repeat(digits.length - 4)}${digits.slice(-4)}`;
  return `${prefix}${digits}`;
}

/** 1536 → "1.5 KB"; binary units, as file managers show sizes. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 ? Math.round(value) : trim(value)} ${units[unit]}`;
}
