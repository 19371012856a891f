// Points expire at the instant a day begins; people read the last day they can still use them.
import { formatDate } from '../../format.ts';

export function lastValidDay(expiresAt: string, zone: string): string {
  return formatDate(new Date(Date.parse(expiresAt) - 1).toISOString(), zone);
}
