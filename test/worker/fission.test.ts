import { sql } from 'kysely';
import { describe, expect, it, vi } from 'vitest';
import { Logger, quickAddJob, runOnce } from 'graphile-worker';
import { newId } from '../../src/core/ids.ts';
import { createSolitaire, joinSolitaire } from '../../src/core/group-selling/solitaires.service.ts';
import { createReferralCode } from '../../src/core/referral/referral.service.ts';
import { CRONTAB, taskList } from '../../src/worker/index.ts';
import { newTenant, testDb } from '../helpers.ts';

const quiet = new Logger(() => () => {});

describe('fission tasks', () => {
  it('are scheduled every minute', () => {
    expect(CRONTAB.split('\n')).toEqual(expect.arrayContaining(['* * * * * close_due_group_selling ?max=1', '* * * * * sweep_referrals ?max=1']));
  });

  it('close 接龙 past their deadline and attribute contacts naming a code', async () => {
    const handle = testDb();
    const db = handle.db;
    const t = (await newTenant()).id;
    const [store, group, member, referrer, newcomer] = [newId(), newId(), newId(), newId(), newId()];
    await db.insertInto('stores').values({ tenant_id: t, id: store, code: 'S1', name: '福田店' }).execute();
    await db.insertInto('customer_groups').values({ tenant_id: t, id: group, chat_id: `wr${group}`, name: '群' }).execute();
    await db.insertInto('customers').values([member, referrer, newcomer].map((id, i) => ({ tenant_id: t, id, name: `顾客${i}` }))).execute();
    await db.insertInto('group_members').values({ tenant_id: t, group_id: group, customer_id: member, joined_at: new Date() }).execute();
    const sol = await createSolitaire(db, t, { groupId: group, title: '接龙', sku: 'A', itemName: '苹果', priceFen: 500, stock: 5, storeId: store, deadlineAt: new Date(Date.now() + 60_000).toISOString() }, { actor: 'test' });
    await joinSolitaire(db, t, sol.id, { customerId: member, quantity: 2 });
    await sql`update solitaires set deadline_at = now() - interval '1 second' where tenant_id = ${t} and id = ${sol.id}`.execute(db);
    await createReferralCode(db, t, { customerId: referrer, code: `W${t.slice(-8)}` });
    await sql`insert into events (tenant_id, id, event_key, type, customer_id, occurred_at, properties)
              values (${t}, ${newId()}, ${`k-${newId()}`}, 'contact_added', ${newcomer}, now(), ${JSON.stringify({ referralCode: `W${t.slice(-8)}` })}::jsonb)`.execute(db);

    await quickAddJob({ pgPool: handle.pool }, 'close_due_group_selling', {});
    await quickAddJob({ pgPool: handle.pool }, 'sweep_referrals', {});
    await runOnce({ pgPool: handle.pool, taskList: taskList(handle), logger: quiet });
    await vi.waitFor(async () => {
      const s = await db.selectFrom('solitaires').select('status').where('tenant_id', '=', t).where('id', '=', sol.id).executeTakeFirstOrThrow();
      expect(s.status).toBe('closed');
      const r = await db.selectFrom('referrals').select('customer_id').where('tenant_id', '=', t).execute();
      expect(r.map((x) => x.customer_id)).toEqual([newcomer]);
    }, { timeout: 10_000, interval: 100 });
    const orders = await sql<{ n: number }>`select count(*)::int as n from orders where tenant_id = ${t} and customer_id = ${member} and channel = 'group_buy' and paid_fen = 1000`.execute(db);
    expect(orders.rows[0]?.n).toBe(1);
  });
});
