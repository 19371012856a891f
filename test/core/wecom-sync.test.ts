// Pulling WeCom's contacts and groups into Yuchi, against the fake WeCom server: once, and again
// with only what is new.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Actor } from '../../src/core/access/access.rules.ts';
import { saveChannelSettings } from '../../src/core/channels/settings.service.ts';
import { syncWecom } from '../../src/core/channels/wecom/wecom.sync.service.ts';
import { newTenant, testDb } from '../helpers.ts';
import { buildWorld, type World } from '../fixtures.ts';
import { FakeWecom } from '../fakes/wecom.ts';
import { DOC_VECTOR } from '../fakes/wecom-vectors.ts';

let world: World;
let liWecom = '';
const fake = new FakeWecom('wwsynctest', 'sync-secret');

beforeAll(async () => {
  const tenant = await newTenant();
  world = await buildWorld(testDb().db, tenant.id);
  const actor: Actor = { tenantId: tenant.id, tenantSlug: tenant.slug, tenantName: tenant.name, timezone: tenant.timezone, role: 'admin', staffId: null, userId: null, apiKeyId: null, name: 'test' };
  liWecom = (await testDb().db.selectFrom('staff').select('wecom_user_id').where('tenant_id', '=', tenant.id).where('id', '=', world.staff.li).executeTakeFirstOrThrow()).wecom_user_id ?? '';
  await fake.start();
  await saveChannelSettings(testDb().db, actor, 'wecom', { corpId: fake.corpId, agentId: '1', secret: fake.secret, token: DOC_VECTOR.token, encodingAesKey: DOC_VECTOR.encodingAesKey, apiBaseUrl: fake.url });
});
afterAll(async () => { await fake.stop(); });

describe('WeCom sync', () => {
  it('brings contacts with their state and groups with their members, and a repeat only what is new', async () => {
    fake.contacts.set(liWecom, ['wmSYNC00001', 'wmSYNC00002']);
    fake.contactStates.set('wmSYNC00001', 'store-ft-01');
    fake.groups.set('wrSYNC01', { chat_id: 'wrSYNC01', name: '福田会员群', owner: liWecom, member_list: [
      { userid: liWecom, type: 1, join_time: 1_700_000_000 }, { userid: 'wmSYNC00001', type: 2, join_time: 1_700_000_100 },
    ] });
    const first = await syncWecom(testDb().db, world.tenantId, { sleep: async () => {} });
    expect(first).toMatchObject({ staff: 1, contacts: 2, groups: 1, memberships: 1, accepted: 3, duplicates: 0, rejected: [] });
    const contacts = await sql<{ value: string; state: string | null; added_at: Date }>`
      select i.value, k.state, k.added_at from customer_contacts k join customer_identities i on i.tenant_id = k.tenant_id and i.customer_id = k.customer_id and i.kind = 'external_userid'
       where k.tenant_id = ${world.tenantId} and k.staff_id = ${world.staff.li} order by i.value`.execute(testDb().db);
    expect(contacts.rows).toEqual([
      { value: 'wmSYNC00001', state: 'store-ft-01', added_at: new Date(1_700_000_000_000) },
      { value: 'wmSYNC00002', state: null, added_at: new Date(1_700_000_000_000) },
    ]);

    fake.contacts.set(liWecom, ['wmSYNC00001', 'wmSYNC00002', 'wmSYNC00003']);
    const second = await syncWecom(testDb().db, world.tenantId, { sleep: async () => {} });
    expect(second).toMatchObject({ contacts: 3, accepted: 1, duplicates: 3 });
  });
});
