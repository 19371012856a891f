// Where a slow request's time went (bench/pos-prompt.ts --trace): the client's own pauses
// (event-loop delay, GC), the machine (runnable tasks, CPU pressure, steal from /proc), PostgreSQL
// (backends not idle and what they wait on, checkpoints) and the server's trace
// (src/api/request-trace.ts: receive, pool acquire, query, reply), lined up on one epoch clock.
import { existsSync, readFileSync } from 'node:fs';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import type pg from 'pg';

export const epochMs = (): number => performance.timeOrigin + performance.now();

export interface Sent { due: number; sent: number; done: number; ok: boolean }
interface Sample {
  at: number; eldMax: number; gcMs: number; running: number; blocked: number;
  cpuSomeUs: number; stealTicks: number; busyTicks: number; totalTicks: number;
}
interface DbSample { at: number; ms: number; active: number; waits: string }

function procStat(): { running: number; blocked: number; steal: number; busy: number; total: number } {
  const text = readFileSync('/proc/stat', 'utf8');
  const cpu = (/^cpu\s+(.*)$/m.exec(text)?.[1] ?? '').split(/\s+/).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = cpu;
  return {
    running: Number(/^procs_running (\d+)/m.exec(text)?.[1] ?? 0),
    blocked: Number(/^procs_blocked (\d+)/m.exec(text)?.[1] ?? 0),
    steal, busy: user + nice + system + irq + softirq + steal, total: user + nice + system + idle + iowait + irq + softirq + steal,
  };
}
const cpuSomeUs = (): number => existsSync('/proc/pressure/cpu')
  ? Number(/some .*total=(\d+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'))?.[1] ?? 0) : 0;

/** Samples the client process and the machine every 100 ms, and PostgreSQL's backends every 100 ms. */
export function watch(pool: pg.Pool): { stop: () => Promise<{ samples: Sample[]; db: DbSample[]; gcs: { at: number; ms: number }[] }> } {
  const samples: Sample[] = [];
  const db: DbSample[] = [];
  const gcs: { at: number; ms: number }[] = [];
  const eld = monitorEventLoopDelay({ resolution: 5 });
  eld.enable();
  let gcMs = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcMs += e.duration;
      gcs.push({ at: performance.timeOrigin + e.startTime, ms: e.duration });
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  let prev = procStat();
  let prevPsi = cpuSomeUs();
  const tick = setInterval(() => {
    const now = procStat();
    const psi = cpuSomeUs();
    samples.push({
      at: epochMs(), eldMax: eld.max / 1e6, gcMs, running: now.running, blocked: now.blocked, cpuSomeUs: psi - prevPsi,
      stealTicks: now.steal - prev.steal, busyTicks: now.busy - prev.busy, totalTicks: now.total - prev.total,
    });
    prev = now;
    prevPsi = psi;
    eld.reset();
    gcMs = 0;
  }, 100);
  let polling = true;
  const poll = (async () => {
    while (polling) {
      const at = epochMs();
      const rows = (await pool.query<{ waits: string; active: number }>(`
        select count(*)::int as active, coalesce(string_agg(coalesce(application_name, '') || ':' || coalesce(wait_event_type || '/' || wait_event, 'cpu'), ' ' order by application_name), '') as waits
          from pg_stat_activity where state = 'active' and pid <> pg_backend_pid() and backend_type = 'client backend'`)).rows[0];
      db.push({ at, ms: epochMs() - at, active: rows?.active ?? 0, waits: rows?.waits ?? '' });
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    async stop() {
      clearInterval(tick);
      polling = false;
      await poll;
      obs.disconnect();
      eld.disable();
      return { samples, db, gcs };
    },
  };
}

interface ServerLine { t: string; [k: string]: number | string | boolean }

/** Prints the stall episodes (requests slower than `slowMs` less than 1 s apart) with what each source shows then. */
export function explain(sent: Sent[], watched: Awaited<ReturnType<ReturnType<typeof watch>['stop']>>, serverFile: string, slowMs = 50): void {
  const server = existsSync(serverFile) ? readFileSync(serverFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as ServerLine) : [];
  const reqs = server.filter((l) => l.t === 'req' && String(l.url).startsWith('/api/v1/pos/')).sort((a, b) => Number(a.recv) - Number(b.recv));
  const of = (t: string): ServerLine[] => server.filter((l) => l.t === t);
  const acquires = of('acquire');
  const queries = of('query');
  const windows = of('window');
  const sgcs = of('gc');
  const slow = sent.filter((s) => s.ok && s.done - s.due > slowMs);
  const episodes: Sent[][] = [];
  for (const s of slow) {
    const last = episodes.at(-1);
    if (last && s.due - (last.at(-1)?.due ?? 0) < 1000) last.push(s);
    else episodes.push([s]);
  }
  const t0 = sent[0]?.due ?? 0;
  const within = <T extends { at: number } | ServerLine>(xs: T[], from: number, to: number): T[] => xs.filter((x) => Number(x.at) >= from && Number(x.at) <= to);
  const max = (xs: number[]): number => xs.reduce((a, b) => Math.max(a, b), 0);
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  console.log(`  slow (> ${slowMs} ms) requests: ${slow.length} in ${episodes.length} episode(s)`);
  let recvIndex = 0;
  for (const ep of episodes.slice(0, 8)) {
    const from = (ep[0]?.due ?? 0) - 300;
    const to = max(ep.map((s) => s.done)) + 100;
    const worst = ep.reduce((a, b) => (b.done - b.due > a.done - a.due ? b : a));
    // the server request nearest the worst one's send (same machine clock)
    while (recvIndex < reqs.length - 1 && Number(reqs[recvIndex + 1]?.recv) <= worst.sent) recvIndex += 1;
    const match = reqs.slice(Math.max(0, recvIndex - 2), recvIndex + 40).find((r) => Number(r.recv) >= worst.sent - 1) ;
    const c = within(watched.samples, from, to);
    const d = within(watched.db, from, to);
    const busy = sum(c.map((x) => x.busyTicks));
    const total = sum(c.map((x) => x.totalTicks));
    console.log(`  episode at +${((ep[0]?.due ?? 0) - t0).toFixed(0)} ms: ${ep.length} slow, worst ${(worst.done - worst.due).toFixed(1)} ms`
      + ` = client late to send ${(worst.sent - worst.due).toFixed(1)}`
      + (match ? ` + to server ${(Number(match.recv) - worst.sent).toFixed(1)} + auth ${(Number(match.handler) - Number(match.recv)).toFixed(1)} + handler ${(Number(match.send) - Number(match.handler)).toFixed(1)} + reply ${(worst.done - Number(match.send)).toFixed(1)}` : ' (no server line)'));
    console.log(`    client: event-loop delay max ${max(c.map((x) => x.eldMax)).toFixed(1)} ms, GC ${sum(c.map((x) => x.gcMs)).toFixed(1)} ms`
      + ` | machine: runnable max ${max(c.map((x) => x.running))}, CPU busy ${total ? ((100 * busy) / total).toFixed(0) : '?'}%, steal ${sum(c.map((x) => x.stealTicks))} ticks, cpu pressure ${(sum(c.map((x) => x.cpuSomeUs)) / 1000).toFixed(0)} ms stalled`);
    const sw = within(windows, from, to);
    const sa = within(acquires, from, to);
    const sq = within(queries, from, to);
    console.log(`    server: event-loop delay max ${max(sw.map((w) => Number(w.eldMax))).toFixed(1)} ms, GC ${sum(within(sgcs, from, to).map((g) => Number(g.ms))).toFixed(1)} ms`
      + `, main thread ran ${sum(sw.map((w) => Number(w.runMs ?? 0))).toFixed(0)} ms and waited for a CPU ${sum(sw.map((w) => Number(w.waitMs ?? 0))).toFixed(0)} ms (max ${max(sw.map((w) => Number(w.waitMs ?? 0))).toFixed(0)} in 100 ms) over ${sw.length * 100} ms`
      + `, pool acquires ${sa.length} (opened ${sa.filter((a) => a.opened).length}, max wait ${max(sa.map((a) => Number(a.ms))).toFixed(1)} ms, max total ${max(sa.map((a) => Number(a.total)))}), queries max ${max(sq.map((q) => Number(q.ms))).toFixed(1)} ms`);
    console.log(`    postgres: active backends max ${max(d.map((x) => x.active))}, poll max ${max(d.map((x) => x.ms)).toFixed(1)} ms; waits: ${[...new Set(d.flatMap((x) => x.waits.split(' ')).filter((w) => w && !w.endsWith(':cpu')))].slice(0, 6).join(' ') || '-'}`);
  }
  const opened = acquires.filter((a) => a.opened);
  console.log(`  whole run: server pool opened ${opened.length} connection(s)${opened.length ? ` (each waited ${opened.map((a) => Number(a.ms).toFixed(0)).join(', ')} ms)` : ''}; client GC ${sum(watched.gcs.map((g) => g.ms)).toFixed(0)} ms in ${watched.gcs.length}, max ${max(watched.gcs.map((g) => g.ms)).toFixed(1)} ms; server GC ${sum(sgcs.map((g) => Number(g.ms))).toFixed(0)} ms, max ${max(sgcs.map((g) => Number(g.ms))).toFixed(1)} ms`);
}
