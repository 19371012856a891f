// The periods a report's date picker offers, in the tenant's zone. The last one is the server's
// default range (the 12 calendar months up to today).
import { useMemo } from 'react';
import dayjs, { type Dayjs } from 'dayjs';
import { todayIn } from '../format.ts';
import { useT } from '../i18n/i18n.tsx';
import { useTenantZone } from '../session.tsx';

export const DAY = 'YYYY-MM-DD';
export type Period = [Dayjs, Dayjs];

export function last12Months(today: Dayjs): Period {
  return [today.subtract(11, 'month').startOf('month'), today];
}

/** Today in the tenant's zone and the picker's presets (last 30 days, last 90 days, this year, last 12 months). */
export function usePeriodPresets(): { today: Dayjs; presets: { label: string; value: Period }[] } {
  const t = useT();
  const zone = useTenantZone();
  return useMemo(() => {
    const today = dayjs(todayIn(zone), DAY);
    const presets: { label: string; value: Period }[] = [
      { label: t('dashboard.last30'), value: [today.subtract(29, 'day'), today] },
      { label: t('dashboard.last90'), value: [today.subtract(3, 'month').add(1, 'day'), today] },
      { label: t('dashboard.thisYear'), value: [today.startOf('year'), today] },
      { label: t('dashboard.last12'), value: last12Months(today) },
    ];
    return { today, presets };
  }, [zone, t]);
}
