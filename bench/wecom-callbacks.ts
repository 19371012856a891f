// WeCom callbacks end to end: signed, encrypted add_external_contact callbacks POSTed to the
// callback URL (signature check, AES decrypt, XML, replay receipt, ingestion of contact_added with
// a new profile, a WeCom contact and its state), then replays of callbacks already handled. WeCom
// wants an answer within 5 s; the figures are per callback latency, callbacks/s and CPU.
// Also the crypto alone (verify + decrypt of one callback), per call.
//
//   DATABASE_URL=... node --import tsx bench/wecom-callbacks.ts [--callbacks 2000] [--concurrency 8] [--replays 500] [--port 4105]
//
// It migrates the database and works in a tenant of its own (slug wecom-bench-…); nothing else is touched.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { buildApp } from '../src/api/app.ts';
import type { Actor } from '../src/core/access/access.rules.ts';
import { saveChannelSettings } from '../src/core/channels/settings.service.ts';
import { openSigned, sealSigned } from '../src/core/channels/wecom/wecom.crypto.ts';
import { newId } from '../src/core/ids.ts';
import { createTenant } from '../src/core/tenants/tenants.service.ts';
import { openDatabase } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { load, pct } from './measure.ts';

const { values } = parseArgs({
  options: {
    callbacks: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '8' },
    replays: { type: 'string', default: '500' },
    port: { type: 'string', default: '4105' },
  },
});
const total = Number(values.callbacks);
const concurrency = Number(values.concurrency);
const replays = Math.min(Number(values.replays), total);
const url = process.env.DATABASE_URL;
if (!url) throw new Error('set DATABASE_URL');

const handle = openDatabase(url, { max: 10, applicationName: 'yuchi-bench-wecom' });
await migrate(handle.pool);
const slug = `wecom-bench-${randomBytes(4).toString('hex')}`;
const tenant = await createTenant(handle.db, { slug, name: 'WeCom callback bench' });
const staffWecom = 'bench.guide';
await handle.db.insertInto('staff').values({ tenant_id: tenant.id, id: newId(), name: '压测导购', wecom_user_id: staffWecom, phone: null }).execute();
const secrets = { token: 'benchToken', encodingAesKey: randomBytes(32).toString('base64').slice(0, 43), corpId: 'wwbenchcorp' };
const actor: Actor = { tenantId: tenant.id, tenantSlug: slug, tenantName: tenant.name, timezone: tenant.timezone, role: 'admin', staffId: null, userId: null, apiKeyId: null, name: 'bench' };
await saveChannelSettings(handle.db, actor, 'wecom', { agentId: '1', secret: 'unused', ...secrets });

const app = await buildApp({ handle, logger: false });
const base = await app.listen({ port: Number(values.port), host: '127.0.0.1' });

interface Prepared { query: string; body: string }
const prepared: Prepared[] = [];
for (let i = 0; i < total; i++) {
  const ts = String(1_780_000_000 + i);
  const nonce = String(i);
  const xml = `<xml><ToUserName><![CDATA[${secrets.corpId}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>${ts}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[add_external_contact]]></ChangeType><UserID><![CDATA[${staffWecom}]]></UserID><ExternalUserID><![CDATA[wmBENCH${slug.slice(-8)}${String(i).padStart(7, '0')}]]></ExternalUserID><State><![CDATA[store-${i % 20}]]></State><WelcomeCode><![CDATA[WC${i}]]></WelcomeCode></xml>`;
  const sealed = sealSigned(secrets, xml, ts, nonce);
  prepared.push({
    query: `msg_signature=${sealed.msgSignature}&timestamp=${ts}&nonce=${nonce}`,
    body: `<xml><ToUserName><![CDATA[${secrets.corpId}]]></ToUserName><Encrypt><![CDATA[${sealed.encrypt}]]></Encrypt><AgentID><![CDATA[1]]></AgentID></xml>`,
  });
}

async function run(items: Prepared[]): Promise<{ seconds: number; cpu: number; latencies: number[]; failures: number }> {
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (;;) {
      const item = items[next++];
      if (!item) return;
      const started = performance.now();
      const res = await fetch(`${base}/callbacks/wecom/${slug}?${item.query}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: item.body });
      const text = await res.text();
      latencies.push(performance.now() - started);
      if (res.status !== 200 || text !== 'success') failures += 1;
    }
  }));
  const cpu = process.cpuUsage(cpu0);
  return { seconds: (performance.now() - t0) / 1000, cpu: (cpu.user + cpu.system) / 1e6, latencies: latencies.sort((a, b) => a - b), failures };
}

const print = (label: string, n: number, r: Awaited<ReturnType<typeof run>>) => {
  console.log(`${label}: ${n} callbacks in ${r.seconds.toFixed(2)} s = ${Math.round(n / r.seconds)}/s; latency p50 ${pct(r.latencies, 50)} ms, p99 ${pct(r.latencies, 99)} ms, max ${pct(r.latencies, 100)} ms; `
    + `${r.failures} failures; process CPU ${r.cpu.toFixed(2)} s (${((r.cpu / n) * 1000).toFixed(2)} ms per callback, server and client in one process); load ${load()}`);
};

const fresh = await run(prepared);
print('new friends', total, fresh);
const replayed = await run(prepared.slice(0, replays));
print('replays', replays, replayed);
const stored = await handle.db.selectFrom('events').select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', tenant.id).where('type', '=', 'contact_added').executeTakeFirstOrThrow();
console.log(`contact_added events stored: ${stored.n} (expected ${total})`);

const sample = prepared[0];
if (sample) {
  const q = new URLSearchParams(sample.query);
  const encrypt = /<Encrypt><!\[CDATA\[(.*)\]\]><\/Encrypt>/.exec(sample.body)?.[1] ?? '';
  const params = { msgSignature: q.get('msg_signature') ?? '', timestamp: q.get('timestamp') ?? '', nonce: q.get('nonce') ?? '' };
  const n = 20_000;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) openSigned(secrets, params, encrypt);
  const cpu = process.cpuUsage(c0);
  console.log(`crypto alone (signature + AES-256-CBC + checks): ${(((performance.now() - t0) / n) * 1000).toFixed(1)} µs wall, ${(((cpu.user + cpu.system) / n)).toFixed(1)} µs CPU per callback; load ${load()}`);
}

await app.close();
try {
  await handle.db.deleteFrom('tenants').where('id', '=', tenant.id).execute();
} catch (err) {
  console.log(`tenant ${slug} left in place: ${err instanceof Error ? err.message : String(err)}`);
}
await handle.close();
