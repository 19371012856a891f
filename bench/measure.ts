// What the benchmarks read off the machine and the latencies they collected.
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

/** The load averages over 1, 5 and 15 minutes, as printed beside every figure. */
export const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');

/** The p-th percentile of ascending latencies, to a tenth of a millisecond. */
export function pct(sorted: number[], p: number): string {
  return (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0).toFixed(1);
}

/** CPU seconds a process has used (Linux /proc; 0 elsewhere), with its waited-for children when asked. */
export function cpuSeconds(pid: number | undefined, withChildren = false): number {
  if (pid === undefined || !existsSync(`/proc/${pid}/stat`)) return 0;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ').map(Number);
  // after "pid (comm) ": state is field 0, utime 11, stime 12, cutime 13, cstime 14 (clock ticks)
  const ticks = (fields[11] ?? 0) + (fields[12] ?? 0) + (withChildren ? (fields[13] ?? 0) + (fields[14] ?? 0) : 0);
  return ticks / 100;
}
