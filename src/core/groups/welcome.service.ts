// Group welcome messages (入群欢迎语): one per group or per group kind (the group's own wins), and
// the welcome of each member who joins, once per member and group. Where WeCom is set up, the
// welcome becomes WeCom's group welcome material (group_welcome_template, with notify so the owner
// applies it to the group) and WeCom greets each joiner itself, in the group — Yuchi records that
// the member was greeted that way. Without WeCom, Yuchi asks for the message itself through
// requestMessages (the sandbox phone). Joins are read from the ingestion batch.
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../../db/connect.ts';
import type { GroupKind } from '../../db/schema.ts';
import { WELCOME_PRIORITY } from '../acquisition/acquisition.hooks.ts';
import { channelSettings } from '../channels/settings.service.ts';
import { WecomClient, type WecomClientOptions } from '../channels/wecom/wecom.client.ts';
import { invalid, notFound } from '../errors.ts';
import { newId, UUID_PATTERN } from '../ids.ts';
import { wordedIssue } from '../zod-details.ts';
import type { AcceptedEvent } from '../ingest/ingest.effects.ts';
import { requestMessages } from '../messaging/requests.ts';
import { renderGroupWelcome, unknownWelcomeVariable, WELCOME_VARIABLES, wecomWelcomeText } from './welcome.rules.ts';

const KINDS = ['value', 'interest', 'group_buy', 'vip', 'service', 'other'] as const satisfies readonly GroupKind[];

export const GroupWelcomeInput = z.object({
  groupId: z.string().regex(UUID_PATTERN, 'must be a group id').nullish().describe('the welcome of one group'),
  groupKind: z.enum(KINDS).nullish().describe('or the welcome of every group of this kind without its own'),
  text: z.string().trim().min(1, 'is required').max(1000).describe(`variables: ${WELCOME_VARIABLES.map((v) => `{${v}}`).join(' ')}`),
  enabled: z.boolean().default(true),
}).strict();
export type GroupWelcomeInput = z.infer<typeof GroupWelcomeInput>;

export interface GroupWelcomeView {
  id: string; groupId: string | null; groupKind: GroupKind | null; text: string; enabled: boolean;
  wecomTemplateId: string | null; wecomDetail: string | null; updatedAt: string;
}

type Row = { id: string; group_id: string | null; group_kind: GroupKind | null; text: string; enabled: boolean; wecom_template_id: string | null; wecom_detail: string | null; updated_at: Date };
const viewOf = (r: Row): GroupWelcomeView => ({
  id: r.id, groupId: r.group_id, groupKind: r.group_kind, text: r.text, enabled: r.enabled, wecomTemplateId: r.wecom_template_id, wecomDetail: r.wecom_detail, updatedAt: r.updated_at.toISOString(),
});

export async function listGroupWelcomes(db: Db, tenantId: string): Promise<GroupWelcomeView[]> {
  const rows = await db.selectFrom('group_welcomes').select(['id', 'group_id', 'group_kind', 'text', 'enabled', 'wecom_template_id', 'wecom_detail', 'updated_at'])
    .where('tenant_id', '=', tenantId).orderBy('group_kind').orderBy('updated_at').execute();
  return rows.map(viewOf);
}

/** Sets the welcome of a group or a kind (replacing the one it had), then hands it to WeCom when set up. */
export async function saveGroupWelcome(db: Db, tenantId: string, body: unknown, by: string, wecomOptions: WecomClientOptions = {}): Promise<GroupWelcomeView> {
  const parsed = GroupWelcomeInput.safeParse(body);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw invalid(first?.path.join('.') || 'body', first?.message ?? 'invalid', first ? wordedIssue(first.code, { ...first }, first.message) : undefined);
  }
  const input = parsed.data;
  if ((input.groupId ?? null) === null === ((input.groupKind ?? null) === null)) throw invalid('groupId', 'give either groupId or groupKind', { code: 'group_or_kind', params: {} });
  const unknown = unknownWelcomeVariable(input.text);
  if (unknown !== null) {
    throw invalid('text', `{${unknown}} is not a variable; use ${WELCOME_VARIABLES.map((v) => `{${v}}`).join(' ')}`,
      { code: 'unknown_variable', params: { variable: `{${unknown}}`, variables: WELCOME_VARIABLES.map((v) => `{${v}}`).join(' ') } });
  }
  const group = input.groupId
    ? await sql<{ name: string; store: string | null; owner: string | null }>`
        select g.name, s.name as store, st.name as owner from customer_groups g
          left join stores s on s.tenant_id = g.tenant_id and s.id = g.store_id
          left join staff st on st.tenant_id = g.tenant_id and st.id = g.owner_staff_id
         where g.tenant_id = ${tenantId} and g.id = ${input.groupId}`.execute(db).then((r) => r.rows[0])
    : undefined;
  if (input.groupId && !group) throw invalid('groupId', 'no such group', { code: 'unknown_group', params: {} });
  const existing = await db.selectFrom('group_welcomes').select(['id', 'wecom_template_id']).where('tenant_id', '=', tenantId)
    .where(input.groupId ? 'group_id' : 'group_kind', '=', (input.groupId ?? input.groupKind) as string).executeTakeFirst();
  const id = existing?.id ?? newId();
  if (existing) {
    await db.updateTable('group_welcomes').set({ text: input.text, enabled: input.enabled, updated_at: new Date(), updated_by: by }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
  } else {
    await db.insertInto('group_welcomes').values({ tenant_id: tenantId, id, group_id: input.groupId ?? null, group_kind: input.groupKind ?? null, text: input.text, enabled: input.enabled, updated_by: by }).execute();
  }
  await handToWecom(db, tenantId, id, existing?.wecom_template_id ?? null, wecomWelcomeText(input.text, group ? { group: group.name, store: group.store ?? '门店', guide: group.owner ?? '群主' } : null), wecomOptions);
  const row = await db.selectFrom('group_welcomes').select(['id', 'group_id', 'group_kind', 'text', 'enabled', 'wecom_template_id', 'wecom_detail', 'updated_at'])
    .where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirstOrThrow();
  return viewOf(row);
}

/** WeCom's group welcome material, added or edited; what WeCom answered is kept on the welcome. */
async function handToWecom(db: Db, tenantId: string, id: string, templateId: string | null, text: string, options: WecomClientOptions): Promise<void> {
  const settings = await channelSettings(db, tenantId, 'wecom');
  if (!settings) return;
  let detail: string;
  let newTemplateId = templateId;
  try {
    const client = new WecomClient(tenantId, settings, options);
    if (templateId) {
      await client.call('POST', '/cgi-bin/externalcontact/group_welcome_template/edit', {}, { template_id: templateId, text: { content: text } });
    } else {
      const answer = await client.call('POST', '/cgi-bin/externalcontact/group_welcome_template/add', {}, { text: { content: text }, notify: 1 });
      newTemplateId = typeof answer.template_id === 'string' ? answer.template_id : null;
    }
    detail = 'WeCom group welcome material saved; the owner applies it to the group in WeCom';
  } catch (err) {
    detail = `WeCom refused the group welcome material: ${err instanceof Error ? err.message : String(err)}`;
  }
  await db.updateTable('group_welcomes').set({ wecom_template_id: newTemplateId, wecom_detail: detail.slice(0, 500) }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

export async function deleteGroupWelcome(db: Db, tenantId: string, id: string): Promise<void> {
  const gone = UUID_PATTERN.test(id) ? await db.deleteFrom('group_welcomes').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst() : undefined;
  if (!gone || Number(gone.numDeletedRows) === 0) throw notFound('group welcome');
}

/**
 * Welcomes the members a batch saw join, once per member and group, inside the batch's transaction.
 * Batches without a join cost nothing here: no query is made.
 */
export async function welcomeGroupJoiners(db: Db, tenantId: string, accepted: readonly AcceptedEvent[]): Promise<number> {
  const joins = accepted.flatMap((a) => (a.event.effect.kind === 'group' && a.event.effect.action === 'joined'
    ? [{ customerId: a.customerId, chatId: a.event.effect.chatId, nickname: a.event.attributes?.name ?? null }] : []));
  if (joins.length === 0) return 0;
  const candidates = await sql<{ group_id: string; chat_id: string; customer_id: string; welcome_id: string; text: string; group_name: string; store: string | null; owner: string | null; owner_id: string | null; customer_name: string | null }>`
    with j as (select distinct * from unnest(${joins.map((j) => j.chatId)}::text[], ${joins.map((j) => j.customerId)}::uuid[]) as j(chat_id, customer_id))
    select g.id as group_id, g.chat_id, j.customer_id, w.id as welcome_id, w.text, g.name as group_name, s.name as store, st.name as owner, g.owner_staff_id as owner_id, c.name as customer_name
      from j join customer_groups g on g.tenant_id = ${tenantId} and g.chat_id = j.chat_id
      join lateral (select id, text from group_welcomes w
                     where w.tenant_id = ${tenantId} and w.enabled and (w.group_id = g.id or w.group_kind = g.kind)
                     order by (w.group_id is null) limit 1) w on true
      left join stores s on s.tenant_id = g.tenant_id and s.id = g.store_id
      left join staff st on st.tenant_id = g.tenant_id and st.id = g.owner_staff_id
      left join customers c on c.tenant_id = ${tenantId} and c.id = j.customer_id`.execute(db);
  if (candidates.rows.length === 0) return 0;
  const viaWecom = (await channelSettings(db, tenantId, 'wecom')) !== null;
  const fresh = await sql<{ group_id: string; customer_id: string }>`
    insert into group_welcomes_sent (tenant_id, group_id, customer_id, welcome_id, via)
    select ${tenantId}, r.group_id, r.customer_id, r.welcome_id, ${viaWecom ? 'wecom' : 'message'}
      from unnest(${candidates.rows.map((c) => c.group_id)}::uuid[], ${candidates.rows.map((c) => c.customer_id)}::uuid[], ${candidates.rows.map((c) => c.welcome_id)}::uuid[]) as r(group_id, customer_id, welcome_id)
    on conflict do nothing
    returning group_id, customer_id`.execute(db);
  if (viaWecom || fresh.rows.length === 0) return fresh.rows.length;
  const isFresh = new Set(fresh.rows.map((r) => `${r.group_id}|${r.customer_id}`));
  const nicknames = new Map(joins.map((j) => [`${j.chatId}|${j.customerId}`, j.nickname]));
  const asked = await requestMessages(db, tenantId, candidates.rows.filter((c) => isFresh.has(`${c.group_id}|${c.customer_id}`)).map((c) => ({
    customerId: c.customer_id, channel: 'sandbox' as const, purpose: 'service' as const, priority: WELCOME_PRIORITY,
    source: { kind: 'group_welcome', id: c.welcome_id }, dedupeKey: `group_welcome:${c.group_id}:${c.customer_id}`, staffId: c.owner_id,
    content: { text: renderGroupWelcome(c.text, { nickname: nicknames.get(`${c.chat_id}|${c.customer_id}`) ?? c.customer_name ?? '', group: c.group_name, store: c.store ?? '', guide: c.owner ?? '' }) },
  })));
  const messageOf = new Map(asked.map((m) => [m.dedupeKey, m.id]));
  await sql`update group_welcomes_sent x set message_id = r.message_id
              from unnest(${asked.map((m) => m.dedupeKey.split(':')[1] ?? '')}::uuid[], ${asked.map((m) => m.dedupeKey.split(':')[2] ?? '')}::uuid[], ${[...messageOf.values()]}::uuid[]) as r(group_id, customer_id, message_id)
             where x.tenant_id = ${tenantId} and x.group_id = r.group_id and x.customer_id = r.customer_id`.execute(db);
  return fresh.rows.length;
}
