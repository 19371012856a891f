// CPU and garbage per POS prompt inside one process (no sockets, so the machine's scheduling and
// the client do not enter the figure): the HTTP path through Fastify (app.inject: auth, query
// validation, handler, serialization) and the service call alone, on the shared bench tenant.
// CPU time is this process's own (user+system); the database's share is PostgreSQL's.
//
//   DATABASE_URL=... node [--max-semi-space-size=N] --import tsx bench/pos-prompt-cpu.ts [--tenant bench-...] [--requests 4000] [--concurrency 16]
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { buildApp } from '../src/api/app.ts';
import { createApiKey } from '../src/core/access/access.service.ts';
import { posPrompt } from '../src/core/workbench/pos-prompt.service.ts';
import { openDatabase } from '../src/db/connect.ts';
import { load } from './measure.ts';

const { values } = parseArgs({ options: { tenant: { type: 'string' }, requests: { type: 'string', default: '4000' }, concurrency: { type: 'string', default: '16' } } });
const url = process.env.DATABASE_URL;
if (!url) throw new Error('set DATABASE_URL (the shared bench database: head -1 /tmp/benchdb.log)');
const total = Number(values.requests);
const concurrency = Number(values.concurrency);

const handle = openDatabase(url, { max: 6, min: 6, applicationName: 'yuchi-bench-pos-cpu' });
try {
  const tenant = (await handle.pool.query<{ id: string; slug: string }>(
    values.tenant ? `select id, slug from tenants where slug = $1` : `select id, slug from tenants where slug like 'bench-%' order by created_at limit 1`,
    values.tenant ? [values.tenant] : [])).rows[0];
  if (!tenant) throw new Error('no tenant to measure');
  const sample = (await handle.pool.query<{ kind: string; value: string }>(`
    select kind, value from customer_identities tablesample system (1)
     where tenant_id = $1 and kind in ('phone', 'member_no') limit 20000`, [tenant.id])).rows;
  const key = (await createApiKey(handle.db, tenant.id, { role: 'operator', name: 'pos prompt cpu bench' })).key;
  const who = (i: number): { phone?: string; memberNo?: string } => {
    if (i % 10 === 9) return { phone: `199${String(10_000_000 + ((i * 7919) % 89_999_999)).slice(-8)}` };
    const id = sample[(i * 7919) % sample.length];
    return id?.kind === 'member_no' ? { memberNo: id.value } : { phone: id?.value ?? '' };
  };
  const path = (i: number): string => {
    const w = who(i);
    return w.memberNo !== undefined ? `/api/v1/pos/prompt?memberNo=${encodeURIComponent(w.memberNo)}` : `/api/v1/pos/prompt?phone=${w.phone ?? ''}`;
  };
  const app = await buildApp({ handle, logger: false });
  const headers = { authorization: `Bearer ${key}` };

  let scavenges = 0;
  let majors = 0;
  let gcMs = 0;
  let gcMax = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as { detail?: { kind?: number } }).detail?.kind ?? 0;
      if (kind === 1) scavenges += 1;
      else majors += 1;
      gcMs += e.duration;
      gcMax = Math.max(gcMax, e.duration);
    }
  });
  obs.observe({ entryTypes: ['gc'] });

  async function measure(label: string, one: (i: number) => Promise<unknown>, offset: number): Promise<void> {
    for (let i = 0; i < 500; i++) await one(offset + 5_000_000 + i); // warm-up: JIT, prepared statements
    scavenges = 0; majors = 0; gcMs = 0; gcMax = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < total) await one(offset + next++);
    }));
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    console.log(`${label}: ${total} requests, CPU ${((cpu.user + cpu.system) / 1000 / total).toFixed(3)} ms per request (wall ${(wall / total).toFixed(3)} ms); `
      + `GC: ${scavenges} scavenges (one per ${(total / Math.max(1, scavenges)).toFixed(0)} requests), ${majors} other, ${gcMs.toFixed(0)} ms in all, longest ${gcMax.toFixed(1)} ms; load average ${load()}`);
  }
  await measure('service call alone', (i) => posPrompt(handle.db, tenant.id, who(i), { storeId: null, staffId: null, ownOnly: undefined }), 0);
  await measure('HTTP path (app.inject)', async (i) => {
    const res = await app.inject({ method: 'GET', url: path(i), headers });
    if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}: ${res.body}`);
  }, 1_000_000);
  obs.disconnect();
  await app.close();
} finally {
  await handle.close();
}
