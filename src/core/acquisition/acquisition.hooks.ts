// What a friend brought by a code gets, inside the ingestion batch's transaction: the code's
// tags, its welcome coupon (once per customer) and its welcome message, requested at once so the
// delivery engine can answer within WeCom's 20-second welcome window. Batches without an
// attributed contact_added cost nothing here: no query is made.
import { sql } from 'kysely';
import { PREPARED, type Db } from '../../db/connect.ts';
import type { MessageContent } from '../../db/schema.ts';
import { issueCoupons } from '../coupons/issue.service.ts';
import { YuchiError } from '../errors.ts';
import type { AcceptedEvent } from '../ingest/ingest.effects.ts';
import type { StaffDirectory } from '../ingest/references.service.ts';
import { requestMessages, type MessageRequest } from '../messaging/requests.ts';
import { applyTagChanges } from '../tags/tag-changes.ts';
import { renderWelcome } from './acquisition.rules.ts';

/** Welcome messages are service messages that must beat everything else queued. */
export const WELCOME_PRIORITY = 90;

interface NewFriend {
  eventKey: string;
  customerId: string;
  staffId: string;
  state: string;
  nickname: string | null;
  propertiesJson: string;
}

/** WeCom's welcome code from the event's properties, read only for friends a code brought. */
function welcomeCodeOf(propertiesJson: string): string | null {
  const props: unknown = JSON.parse(propertiesJson);
  return typeof props === 'object' && props !== null && 'welcomeCode' in props && typeof props.welcomeCode === 'string' && props.welcomeCode !== ''
    ? props.welcomeCode : null;
}

function newFriends(accepted: readonly AcceptedEvent[], staff: StaffDirectory): NewFriend[] {
  const out: NewFriend[] = [];
  for (const a of accepted) {
    const e = a.event.effect;
    if (e.kind !== 'contact' || e.action !== 'added' || e.state === null) continue;
    const member = staff.find(e.staff);
    if (!member) continue;
    out.push({ eventKey: a.event.key, customerId: a.customerId, staffId: member.id, state: e.state, nickname: a.event.attributes?.name ?? null, propertiesJson: a.event.propertiesJson });
  }
  return out;
}

export async function welcomeNewFriends(db: Db, tenantId: string, accepted: readonly AcceptedEvent[], staff: StaffDirectory): Promise<void> {
  const friends = newFriends(accepted, staff);
  if (friends.length === 0) return;
  const codes = await sql<{ id: string; name: string; state: string; tag_ids: string[]; welcome_text: string; welcome_persona: string; welcome_coupon_template_id: string | null; store_name: string | null }>`${PREPARED}
    select a.id, a.name, a.state, a.tag_ids, a.welcome_text, a.welcome_persona, a.welcome_coupon_template_id, s.name as store_name
      from acquisition_codes a left join stores s on s.tenant_id = a.tenant_id and s.id = a.store_id
     where a.tenant_id = ${tenantId} and a.state = any(${[...new Set(friends.map((f) => f.state))]}::text[]) and a.status = 'active'`.execute(db);
  if (codes.rows.length === 0) return;
  const codeOf = new Map(codes.rows.map((c) => [c.state, c]));
  const attributed = friends.flatMap((f) => {
    const code = codeOf.get(f.state);
    return code ? [{ ...f, code }] : [];
  });
  const at = new Date();

  const tagRows = attributed.flatMap((f) => f.code.tag_ids.map((tagId) => ({ customerId: f.customerId, tagId, by: `code:${f.code.name}` })));
  if (tagRows.length > 0) {
    await applyTagChanges(db, tenantId, {
      adds: sql`select * from unnest(${tagRows.map((r) => r.customerId)}::uuid[], ${tagRows.map((r) => r.tagId)}::uuid[], ${tagRows.map((r) => r.by)}::text[]) as x(customer_id, tag_id, added_by)`,
      source: 'event', actor: 'acquisition', at,
    });
  }

  // One coupon per customer per welcome template, whichever code or event brings them; a paused,
  // ended or exhausted template leaves the welcome without a coupon rather than failing the batch.
  const couponOf = new Map<string, { code: string; templateId: string; validTo: string }>();
  const byTemplate = new Map<string, string[]>();
  for (const f of attributed) {
    const t = f.code.welcome_coupon_template_id;
    if (t) byTemplate.set(t, [...(byTemplate.get(t) ?? []), f.customerId]);
  }
  for (const [templateId, customerIds] of byTemplate) {
    await sql`savepoint welcome_coupon`.execute(db);
    try {
      const result = await issueCoupons(db, tenantId, templateId, customerIds, { requestKey: 'welcome', source: 'welcome', actor: 'acquisition', partial: true, now: at });
      for (const c of result.issued) couponOf.set(`${templateId}:${c.customerId}`, { code: c.code, templateId, validTo: c.validTo });
      await sql`release savepoint welcome_coupon`.execute(db);
    } catch (err) {
      if (!(err instanceof YuchiError)) throw err;
      await sql`rollback to savepoint welcome_coupon`.execute(db);
    }
  }

  const withText = attributed.filter((f) => f.code.welcome_text.trim() !== '');
  if (withText.length === 0) return;
  const [customers, guides] = await Promise.all([
    sql<{ id: string; name: string }>`select id, name from customers where tenant_id = ${tenantId} and id = any(${[...new Set(withText.map((f) => f.customerId))]}::uuid[])`.execute(db),
    sql<{ id: string; name: string; store_name: string | null }>`
      select st.id, st.name, s.name as store_name from staff st left join stores s on s.tenant_id = st.tenant_id and s.id = st.store_id
       where st.tenant_id = ${tenantId} and st.id = any(${[...new Set(withText.map((f) => f.staffId))]}::uuid[])`.execute(db),
  ]);
  const nameOf = new Map(customers.rows.map((c) => [c.id, c.name]));
  const guideOf = new Map(guides.rows.map((g) => [g.id, g]));
  const requests = withText.map((f): MessageRequest => {
    const guide = guideOf.get(f.staffId);
    const coupon = f.code.welcome_coupon_template_id ? couponOf.get(`${f.code.welcome_coupon_template_id}:${f.customerId}`) : undefined;
    const welcomeCode = welcomeCodeOf(f.propertiesJson);
    const content: MessageContent = {
      text: renderWelcome(f.code.welcome_text, f.code.welcome_persona, {
        nickname: f.nickname ?? (nameOf.get(f.customerId) || '朋友'), store: f.code.store_name ?? guide?.store_name ?? '', guide: guide?.name ?? '',
      }),
      ...(welcomeCode ? { welcomeCode } : {}),
      ...(coupon ? { attachments: [{ kind: 'coupon', ...coupon }] } : {}),
    };
    return {
      customerId: f.customerId, channel: 'wecom', purpose: 'service', priority: WELCOME_PRIORITY, source: { kind: 'welcome', id: f.code.id },
      dedupeKey: `welcome:${f.eventKey}`, staffId: f.staffId, content,
    };
  });
  await requestMessages(db, tenantId, requests);
}
