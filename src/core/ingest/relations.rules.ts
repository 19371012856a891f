// WeCom friendships (customer ↔ staff) and group memberships are relations that start and end,
// reported by events that may arrive late or out of order. The stored row and the batch's events
// are facts on one line of time; the latest fact decides whether the relation holds now:
//   - latest is a start: it holds, since the first start after the last end;
//   - latest is an end: it ended then, having started at the last start before it.
// A start and an end at the same instant count as start-then-end.

export interface RelationRow {
  startedAt: Date;
  endedAt: Date | null;
  /** The state code (friendship) the current or last start came with. */
  detail: string | null;
}

export interface RelationFact {
  kind: 'start' | 'end';
  at: Date;
  detail: string | null;
}

export function foldRelation(stored: RelationRow | undefined, facts: RelationFact[]): RelationRow {
  const all: RelationFact[] = [];
  if (stored) {
    all.push({ kind: 'start', at: stored.startedAt, detail: stored.detail });
    if (stored.endedAt) all.push({ kind: 'end', at: stored.endedAt, detail: null });
  }
  all.push(...facts);
  all.sort((a, b) => a.at.getTime() - b.at.getTime() || (a.kind === b.kind ? 0 : a.kind === 'start' ? -1 : 1));
  const last = all[all.length - 1];
  if (!last) throw new Error('a relation needs at least one fact');

  let lastEnd = -1;
  for (let i = all.length - 1; i >= 0; i--) {
    if (all[i]?.kind === 'end') {
      lastEnd = i;
      break;
    }
  }
  if (last.kind === 'start') {
    const firstStart = all.slice(lastEnd + 1).find((f) => f.kind === 'start') ?? last;
    return { startedAt: firstStart.at, endedAt: null, detail: firstStart.detail ?? stored?.detail ?? null };
  }
  const before = all.slice(0, lastEnd).reverse().find((f) => f.kind === 'start');
  return { startedAt: before?.at ?? last.at, endedAt: last.at, detail: before?.detail ?? stored?.detail ?? null };
}

export function sameRelation(a: RelationRow | undefined, b: RelationRow): boolean {
  return a !== undefined
    && a.startedAt.getTime() === b.startedAt.getTime()
    && (a.endedAt?.getTime() ?? null) === (b.endedAt?.getTime() ?? null)
    && a.detail === b.detail;
}
