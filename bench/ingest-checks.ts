// Node CPU of the pure per-event work of ingestion, in process and without a database: checking a
// batch (checkEvents: shapes, refs, times, amounts) and planning its identity resolution
// (planResolution), on the mixed batches of bench/ingest.ts. CPU time per batch of 1,000 events,
// so the figure holds on a busy machine.
//
//   node --import tsx bench/ingest-checks.ts [--batches 200] [--rounds 5]
import { parseArgs } from 'node:util';
import { checkEvents } from '../src/core/ingest/events.rules.ts';
import { planResolution } from '../src/core/ingest/identity.rules.ts';
import { batchMaker } from './ingest-support.ts';
import { load } from './measure.ts';

const { values } = parseArgs({ options: { batches: { type: 'string', default: '200' }, rounds: { type: 'string', default: '5' } } });
const batches = Number(values.batches);
const rounds = Number(values.rounds);
const known = (n: number, f: (i: number) => string): string[] => Array.from({ length: n }, (_, i) => f(i));
const pools = {
  phones: known(50_000, (i) => `138${String(i).padStart(8, '0')}`),
  externals: known(50_000, (i) => `wmKnown${i}`),
  members: known(50_000, (i) => `M${i}`),
  ids: known(20_000, () => crypto.randomUUID()),
  staff: known(39, (i) => `staff-${i}`),
};
const maker = batchMaker(pools, { size: 1000, mergeShare: 0.01 });
// Bodies as the server receives them: JSON text, parsed once per round (not measured).
const bodies = Array.from({ length: batches }, () => JSON.stringify(maker.next()));

const cpuMs = (f: () => void): number => {
  const c0 = process.cpuUsage();
  f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

console.log(`load average before: ${load()}; ${rounds} rounds of ${batches} batches of 1,000 events`);
const check: number[] = [];
const plan: number[] = [];
for (let r = 0; r <= rounds; r++) {
  const parsed = bodies.map((b) => (JSON.parse(b) as { events: unknown[] }).events);
  const now = new Date();
  const checked: ReturnType<typeof checkEvents>[] = [];
  const c = cpuMs(() => { for (const events of parsed) checked.push(checkEvents(events, now)); });
  const p = cpuMs(() => {
    for (const batch of checked) planResolution({ refs: batch.events.map((e) => e.customer), known: new Map(), createdAt: new Map(), create: true });
  });
  if (r === 0) continue; // the first round warms the JIT up
  check.push(c / batches);
  plan.push(p / batches);
}
console.log(`checkEvents: median ${median(check).toFixed(2)} ms CPU per 1,000 events (rounds: ${check.map((x) => x.toFixed(2)).join(', ')})`);
console.log(`planResolution: median ${median(plan).toFixed(2)} ms CPU per 1,000 events (rounds: ${plan.map((x) => x.toFixed(2)).join(', ')})`);
console.log(`load average after: ${load()}`);
