// Export of a large customer list over HTTP (GET /api/v1/customers/export) from a fresh embedded
// PostgreSQL: prints rows/s and bytes for CSV and XLSX, and the process's resident memory before
// and at its peak during each export, to show that the export streams in bounded memory.
// Run: npx tsx bench/export-customers.ts [--customers 1000000] [--formats csv,xlsx] [--keep]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { buildApp } from '../src/api/app.ts';
import { createApiKey } from '../src/core/access/access.service.ts';
import { createTenant } from '../src/core/tenants/tenants.service.ts';
import { openDatabase } from '../src/db/connect.ts';
import { startEmbedded } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? fallback : fallback;
}

const customers = Number(arg('customers', '1000000'));
const formats = arg('formats', 'csv,xlsx').split(',');
const keep = process.argv.includes('--keep');
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

const dataDir = await mkdtemp(path.join(tmpdir(), 'yuchi-bench-export-'));
const server = await startEmbedded(dataDir);
const handle = openDatabase(server.url, { max: 10 });
try {
  await migrate(handle.pool);
  const tenant = await createTenant(handle.db, { slug: 'bench-export', name: 'Export bench' });
  const seeded = performance.now();
  await sql`
    insert into customers (tenant_id, id, name, gender, city, source_channel, created_at, order_count, order_days, total_spent_fen, first_order_at, last_order_at)
    select ${tenant.id}::uuid, gen_random_uuid(), '客户' || g, case when g % 3 = 0 then 'female' when g % 3 = 1 then 'male' else 'unknown' end,
           '深圳', 'store_qr', now() - make_interval(secs => g), g % 7, g % 5, (g % 1000) * 137,
           case when g % 7 > 0 then now() - make_interval(days => g % 700) end, case when g % 7 > 0 then now() - make_interval(days => g % 30) end
      from generate_series(1, ${customers}) g`.execute(handle.db);
  await sql`
    insert into customer_identities (tenant_id, kind, value, customer_id)
    select tenant_id, 'phone', '139' || lpad((row_number() over ())::text, 8, '0'), id from customers where tenant_id = ${tenant.id}`.execute(handle.db);
  await sql`analyze customers`.execute(handle.db);
  await sql`analyze customer_identities`.execute(handle.db);
  console.log(`seeded ${customers.toLocaleString('en')} customers with phones in ${((performance.now() - seeded) / 1000).toFixed(1)} s`);

  const { key } = await createApiKey(handle.db, tenant.id, { role: 'admin', staffId: null });
  const app = await buildApp({ handle });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    for (const format of formats) {
      global.gc?.();
      const before = process.memoryUsage().rss;
      let peak = before;
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().rss);
      }, 50);
      const started = performance.now();
      const res = await fetch(`${address}/api/v1/customers/export?format=${format}`, { headers: { authorization: `Bearer ${key}` } });
      if (res.status !== 200 || !res.body) throw new Error(`export answered ${res.status}: ${await res.text()}`);
      let bytes = 0;
      let newlines = 0;
      for await (const chunk of res.body) {
        bytes += chunk.length;
        if (format === 'csv') for (const b of chunk) if (b === 10) newlines++;
      }
      const ms = performance.now() - started;
      clearInterval(sampler);
      peak = Math.max(peak, process.memoryUsage().rss);
      const audit = await handle.db.selectFrom('audit_log').select('details').where('tenant_id', '=', tenant.id).orderBy('at', 'desc').executeTakeFirstOrThrow();
      const rows = Number(audit.details.rows);
      console.log(`${format}: ${rows.toLocaleString('en')} rows${format === 'csv' ? ` (${(newlines - 1).toLocaleString('en')} data lines)` : ''}, ${mb(bytes)} in ${(ms / 1000).toFixed(1)} s → ${Math.round(rows / (ms / 1000)).toLocaleString('en')} rows/s; RSS ${mb(before)} before, ${mb(peak)} at peak (server and client in this process)`);
    }
  } finally {
    await app.close();
  }
} finally {
  await handle.close();
  await server.stop();
  if (!keep) await rm(dataDir, { recursive: true, force: true });
  else console.log(`kept ${dataDir}`);
}
