import { describe, expect, it, vi } from 'vitest';
import { Logger } from 'graphile-worker';
import { sql } from 'kysely';
import { ingestEvents } from '../../src/core/ingest/ingest.service.ts';
import { createSegment } from '../../src/core/segments/segments.service.ts';
import { CRONTAB, startWorker } from '../../src/worker/index.ts';
import { newTenant, testDb } from '../helpers.ts';
import { actorOf } from '../core/tags-fixtures.ts';

describe('segments in the background worker', () => {
  it('is swept every 15 minutes', () => {
    expect(CRONTAB.split('\n')).toContain('*/15 * * * * sweep_segments ?max=1');
  });

  it('turns ingested events into segment_entered on the timeline', async () => {
    const handle = testDb();
    const tenant = await newTenant();
    const actor = actorOf(tenant, 'admin');
    const seg = await createSegment(handle.db, actor, { name: '两次入群', definition: { field: 'event', type: 'group_joined', withinDays: 30, op: 'gte', value: 2 } });
    const worker = await startWorker(handle, { concurrency: 2 });
    try {
      const phone = '135' + String(Math.floor(Math.random() * 1e8)).padStart(8, '0');
      const at = new Date().toISOString();
      const joined = (n: number) => ({ id: `gj-${tenant.id}-${n}`, type: 'group_joined', occurredAt: at, customer: { phone }, properties: { chatId: `wr-${n}` } });
      await ingestEvents(handle.db, actor, [joined(1)]);
      await ingestEvents(handle.db, actor, [joined(2)]);
      const entered = async () => (await handle.db.selectFrom('events').select(['customer_id', 'properties', 'source'])
        .where('tenant_id', '=', tenant.id).where('type', '=', 'segment_entered').execute());
      await vi.waitFor(async () => expect(await entered()).toHaveLength(1), { timeout: 15_000, interval: 100 });
      const [event] = await entered();
      expect(event?.properties).toEqual({ segmentId: seg.id, segmentName: '两次入群', version: 1 });
      const members = await handle.db.selectFrom('segment_members').select('customer_id').where('tenant_id', '=', tenant.id).execute();
      expect(members.map((m) => m.customer_id)).toEqual([event?.customer_id]);
      await vi.waitFor(async () => {
        const left = await sql<{ n: number }>`select count(*)::int as n from segment_queue where tenant_id = ${tenant.id}`.execute(handle.db);
        expect(left.rows[0]?.n).toBe(0);
      }, { timeout: 15_000, interval: 100 });
    } finally {
      await worker.stop();
    }
  });
});
