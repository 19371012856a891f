// A latency trace for benchmarks: with YUCHI_REQUEST_TRACE=<file>, the server records every
// request's phases (received, authenticated, handler done, reply sent, on an epoch clock shared
// with the client on the same machine), every pool acquire (how long it waited, whether it opened
// a connection), every query's time on its connection, and per 100 ms window the event-loop delay,
// garbage collections and how long the main thread ran and waited for a CPU (Linux schedstat: a
// busy machine shows as time runnable but not running); the lines are appended to the file every second and when the server closes. It answers
// "was the time spent in our process, waiting for the pool, in PostgreSQL, or before we got it".
// Off unless the variable is set: nothing is wrapped then.
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';

/** Milliseconds since the epoch, sub-millisecond, comparable between processes on one machine. */
export const epochMs = (): number => performance.timeOrigin + performance.now();

interface Timed { at: number; ms: number }

/** The main thread's time on a CPU and runnable but waiting for one, in ms (Linux; zeros elsewhere). */
export function mainThreadSchedule(pid: number | 'self' = 'self'): { runMs: number; waitMs: number; slices: number } {
  const file = `/proc/${pid}/schedstat`;
  if (!existsSync(file)) return { runMs: 0, waitMs: 0, slices: 0 };
  const [run = 0, wait = 0, slices = 0] = readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
  return { runMs: run / 1e6, waitMs: wait / 1e6, slices };
}

export function traceRequests(app: FastifyInstance, pool: pg.Pool, file: string): void {
  const requests: Record<string, number | string>[] = [];
  const acquires: (Timed & { opened: boolean; waiting: number; total: number })[] = [];
  const queries: Timed[] = [];
  const windows: { at: number; eldMax: number; eldMean: number; gcMs: number; gcs: number; runMs: number; waitMs: number }[] = [];
  const gcs: (Timed & { kind: number })[] = [];
  const seen = new WeakSet<object>();

  // Pool acquire: the time from asking to holding a client; "opened" when the pool had to connect.
  const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
  (pool as { connect: () => Promise<pg.PoolClient> }).connect = async () => {
    const at = epochMs();
    const waiting = pool.waitingCount;
    const total = pool.totalCount;
    const client = await connect();
    const opened = !seen.has(client);
    seen.add(client);
    acquires.push({ at, ms: epochMs() - at, opened, waiting, total });
    if (!opened) return client; // its query is timed already
    const query = client.query.bind(client) as (...a: unknown[]) => Promise<unknown>;
    (client as unknown as { query: (...a: unknown[]) => Promise<unknown> }).query = (...args: unknown[]) => {
      const q0 = epochMs();
      const p = query(...args);
      void p.then(() => queries.push({ at: q0, ms: epochMs() - q0 }), () => {});
      return p;
    };
    return client;
  };

  const eld = monitorEventLoopDelay({ resolution: 5 });
  eld.enable();
  let gcMs = 0;
  let gcCount = 0;
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcMs += e.duration;
      gcCount += 1;
      gcs.push({ at: performance.timeOrigin + e.startTime, ms: e.duration, kind: ((e as { detail?: { kind?: number } }).detail)?.kind ?? 0 });
    }
  });
  gc.observe({ entryTypes: ['gc'] });
  let schedule = mainThreadSchedule();
  const tick = setInterval(() => {
    const now = mainThreadSchedule();
    windows.push({ at: epochMs(), eldMax: eld.max / 1e6, eldMean: eld.mean / 1e6, gcMs, gcs: gcCount, runMs: now.runMs - schedule.runMs, waitMs: now.waitMs - schedule.waitMs });
    schedule = now;
    eld.reset();
    gcMs = 0;
    gcCount = 0;
  }, 100);
  tick.unref();

  const phases = new WeakMap<object, Record<string, number | string>>();
  app.addHook('onRequest', async (request) => {
    phases.set(request, { recv: epochMs(), url: request.url, poolTotal: pool.totalCount, poolIdle: pool.idleCount, poolWaiting: pool.waitingCount });
  });
  app.addHook('preHandler', async (request) => {
    const p = phases.get(request);
    if (p) p.handler = epochMs();
  });
  app.addHook('onSend', async (request) => {
    const p = phases.get(request);
    if (p) p.send = epochMs();
  });
  app.addHook('onResponse', async (request, reply) => {
    const p = phases.get(request);
    if (!p) return;
    p.done = epochMs();
    p.status = reply.statusCode;
    requests.push(p);
  });
  // Appended every second (not only at close) so a server that is killed still leaves its trace.
  const flush = (): void => {
    const lines = [
      ...requests.map((r) => JSON.stringify({ t: 'req', ...r })),
      ...acquires.map((a) => JSON.stringify({ t: 'acquire', ...a })),
      ...queries.map((q) => JSON.stringify({ t: 'query', ...q })),
      ...windows.map((w) => JSON.stringify({ t: 'window', ...w })),
      ...gcs.map((g) => JSON.stringify({ t: 'gc', ...g })),
    ];
    for (const list of [requests, acquires, queries, windows, gcs]) list.length = 0;
    if (lines.length) appendFileSync(file, lines.join('\n') + '\n');
  };
  writeFileSync(file, '');
  const flushing = setInterval(flush, 1000);
  flushing.unref();
  app.addHook('onClose', async () => {
    clearInterval(tick);
    clearInterval(flushing);
    gc.disconnect();
    eld.disable();
    flush();
  });
}
