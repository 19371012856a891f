// A week at a glance: seven day columns × the hours of the day, each slot a block at its local time
// and length. Daily slots show in every column, weekly ones in their day. Clicking an empty hour
// asks for a new slot there; clicking a block opens it.
import type { MouseEvent } from 'react';
import { useT } from '../../i18n/i18n.tsx';
import type { SlotMode } from '../../api-sop.ts';
import { minutesOf } from './sop-format.ts';

export interface GridSlot {
  weekday: number | null;
  time: string;
  durationMinutes?: number;
  title: string;
  mode: SlotMode;
}

const HOUR_PX = 40;
const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;

export function WeekGrid({ slots, onSlot, onEmpty, compact = false }: {
  slots: readonly GridSlot[];
  onSlot?: (index: number) => void;
  onEmpty?: (weekday: number, hour: number) => void;
  compact?: boolean;
}) {
  const t = useT();
  const earliest = Math.min(6, ...slots.map((s) => Math.floor(minutesOf(s.time) / 60)));
  const hours = Array.from({ length: 24 - earliest }, (_, i) => earliest + i);
  const hourPx = compact ? 28 : HOUR_PX;
  const height = hours.length * hourPx;

  const clickColumn = (weekday: number) => (event: MouseEvent<HTMLDivElement>) => {
    if (!onEmpty || event.target !== event.currentTarget) return;
    const y = event.nativeEvent.offsetY;
    onEmpty(weekday, Math.min(23, earliest + Math.floor(y / hourPx)));
  };

  return (
    <div className={`week-grid${compact ? ' week-grid-compact' : ''}`} data-testid="sop-week">
      <div className="week-head">
        <div className="week-gutter" />
        {WEEKDAYS.map((d) => <div key={d} className="week-day-name">{t(`sop.weekday.${d}`)}</div>)}
      </div>
      <div className="week-body" style={{ height }}>
        <div className="week-gutter">
          {hours.map((h) => <div key={h} className="week-hour" style={{ height: hourPx }}>{String(h).padStart(2, '0')}:00</div>)}
        </div>
        {WEEKDAYS.map((d) => (
          <div key={d} className={`week-col${onEmpty ? ' week-col-editable' : ''}`} style={{ height, backgroundSize: `100% ${hourPx}px` }} onClick={clickColumn(d)}>
            {slots.map((s, i) => {
              if (s.weekday !== null && s.weekday !== d) return null;
              const start = minutesOf(s.time);
              const top = ((start - earliest * 60) / 60) * hourPx;
              const blockHeight = Math.max(((s.durationMinutes ?? 30) / 60) * hourPx, 18);
              return (
                <button
                  type="button"
                  key={i}
                  className={`week-slot week-slot-${s.mode}${s.weekday === null ? ' week-slot-daily' : ''}`}
                  style={{ top, height: blockHeight }}
                  title={`${s.time} ${s.title} · ${t(`sop.mode.${s.mode}`)}`}
                  onClick={(e) => { e.stopPropagation(); onSlot?.(i); }}
                  data-testid="sop-slot"
                >
                  <span className="week-slot-time">{s.time}</span> <span className="week-slot-title">{s.title}</span>
                </button>
              );
            })}
          </div>
        ))}
      </div>
    </div>
  );
}
