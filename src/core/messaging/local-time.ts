// Local calendar arithmetic for the engine, fast enough for a million recipients: a zone's offset
// is read once per zone and hour, not through a new Intl formatter per call.
const formatters = new Map<string, Intl.DateTimeFormat>();
/** Per zone, the offset of each hour already seen (a million recipients touch a handful of hours). */
const offsets = new Map<string, Map<number, number>>();
const HOUR = 3_600_000;
const DAY = 86_400_000;

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    formatters.set(zone, f);
  }
  return f;
}

/** Minutes east of UTC at an instant (zone offsets change on hour boundaries at most). */
export function offsetMinutes(instant: number, zone: string): number {
  const hour = Math.floor(instant / HOUR);
  let byHour = offsets.get(zone);
  if (!byHour) {
    byHour = new Map();
    offsets.set(zone, byHour);
  }
  const cached = byHour.get(hour);
  if (cached !== undefined) return cached;
  const name = formatter(zone).formatToParts(new Date(instant)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name);
  const minutes = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) : 0;
  if (byHour.size > 50_000) byHour.clear();
  byHour.set(hour, minutes);
  return minutes;
}

/** Whether a string names a zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** The local wall clock of an instant as a UTC-based number (days since epoch * DAY + time of day). */
export function localWall(instant: number, zone: string): number {
  return instant + offsetMinutes(instant, zone) * 60_000;
}

/** The instant a local wall-clock value happens in a zone. */
export function fromLocalWall(wall: number, zone: string): number {
  let guess = wall - offsetMinutes(wall, zone) * 60_000;
  guess = wall - offsetMinutes(guess, zone) * 60_000;
  return guess;
}

/** Local midnight (as wall) of the day holding the wall value. */
export function wallDayStart(wall: number): number {
  return Math.floor(wall / DAY) * DAY;
}

/** Local Monday midnight (as wall) of the week holding the wall value. */
export function wallWeekStart(wall: number): number {
  const day = wallDayStart(wall);
  const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday 0
  return day - weekday * DAY;
}

/** Local first-of-month midnight (as wall) of the month holding the wall value. */
export function wallMonthStart(wall: number): number {
  const d = new Date(wall);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

export function wallNextMonthStart(wall: number): number {
  const d = new Date(wall);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** Minutes since local midnight of a HH:MM time. */
export function clockMinutes(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

export { DAY, HOUR };
