// Money as people read it. Amounts are integer fen everywhere; these are the words for them.

/** ¥199 for whole yuan, ¥9.90 otherwise; with grouping ¥12,000 (for thresholds an operator scans). */
export function yuan(fen: number, options: { grouping?: boolean } = {}): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const whole = Math.floor(abs / 100);
  const cents = abs % 100;
  return `${sign}¥${options.grouping ? whole.toLocaleString('en') : whole}${cents === 0 ? '' : `.${String(cents).padStart(2, '0')}`}`;
}
