// WeCom's callback (接收事件服务器): the URL check, and the customer-contact events WeCom posts,
// which become Yuchi events through the one ingestion path. A callback with a wrong signature is
// refused before anything is read from it; one already handled (a WeCom retry or a replay) is
// answered "success" and not processed again.
import { sql } from 'kysely';
import type { Db } from '../../../db/connect.ts';
import type { Tenant } from '../../../db/schema.ts';
import type { Actor } from '../../access/access.rules.ts';
import { YuchiError } from '../../errors.ts';
import { ingestEvents, type IngestResult } from '../../ingest/ingest.service.ts';
import { findTenantBySlug } from '../../tenants/tenants.service.ts';
import { inTransaction } from '../../../db/transaction.ts';
import { channelSettings } from '../settings.service.ts';
import type { WecomSettings } from '../settings.rules.ts';
import { openSigned, WecomCryptoError, type SignedParams } from './wecom.crypto.ts';
import { groupEvents, parseEnvelope, planCallback, type GroupChange, type GroupDetail, type YuchiEventDraft } from './wecom.callback.rules.ts';
import { WecomClient, type WecomClientOptions } from './wecom.client.ts';

export interface CallbackQuery {
  msg_signature?: string;
  timestamp?: string;
  nonce?: string;
  echostr?: string;
}

export interface CallbackOutcome {
  /** The plain-text answer WeCom expects: the decrypted echostr, or "success". */
  answer: string;
  processed: 'verified' | 'ingested' | 'replay' | 'ignored';
  ingest?: IngestResult;
}

/** The callback's own actor: events it writes are by the WeCom integration of the tenant. */
function wecomActor(tenant: Tenant): Actor {
  return {
    tenantId: tenant.id, tenantSlug: tenant.slug, tenantName: tenant.name, timezone: tenant.timezone,
    role: 'admin', staffId: null, userId: null, apiKeyId: null, name: 'WeCom callback',
  };
}

async function tenantAndSettings(db: Db, slug: string): Promise<{ tenant: Tenant; settings: WecomSettings }> {
  const tenant = await findTenantBySlug(db, slug);
  if (!tenant) throw new YuchiError('not_found', `no tenant ${slug}`);
  const settings = await channelSettings(db, tenant.id, 'wecom');
  if (!settings) throw new YuchiError('not_found', `WeCom is not set up for ${slug}`);
  return { tenant, settings };
}

function signedParams(query: CallbackQuery): SignedParams {
  const missing = (['msg_signature', 'timestamp', 'nonce'] as const).filter((k) => !query[k]);
  if (missing.length > 0) {
    throw new YuchiError('invalid', `query: ${missing.join(', ')} required`, missing.map((k) => ({ path: `query.${k}`, message: 'is required' })));
  }
  return { msgSignature: query.msg_signature ?? '', timestamp: query.timestamp ?? '', nonce: query.nonce ?? '' };
}

function open(settings: WecomSettings, params: SignedParams, encrypt: string): string {
  try {
    return openSigned({ token: settings.token, encodingAesKey: settings.encodingAesKey, corpId: settings.corpId }, params, encrypt);
  } catch (err) {
    if (err instanceof WecomCryptoError) {
      if (err.reason === 'bad_signature') throw new YuchiError('forbidden', 'msg_signature does not match: the callback is not from WeCom, or the Token is wrong', [{ path: 'query.msg_signature', message: 'does not match' }]);
      throw new YuchiError('invalid', `the callback does not decrypt: ${err.message}`, [{ path: 'body.Encrypt', message: err.message }]);
    }
    throw err;
  }
}

/** GET: WeCom checks the URL by sending an encrypted echostr; the answer is its plaintext. */
export async function verifyWecomUrl(db: Db, slug: string, query: CallbackQuery): Promise<CallbackOutcome> {
  const { settings } = await tenantAndSettings(db, slug);
  const params = signedParams(query);
  if (!query.echostr) throw new YuchiError('invalid', 'query.echostr: is required', [{ path: 'query.echostr', message: 'is required' }]);
  return { answer: open(settings, params, query.echostr), processed: 'verified' };
}

export interface CallbackDeps {
  /** Options for the API client used to read a changed group (tests shorten the backoff). */
  client?: WecomClientOptions;
  now?: Date;
}

/**
 * POST: one event from WeCom. There is no freshness window on the timestamp: WeCom retries late
 * and its signature already covers the timestamp; a replay, fresh or stale, is caught by its
 * content's digest in wecom_callbacks.
 */
export async function receiveWecomCallback(db: Db, slug: string, query: CallbackQuery, body: string, deps: CallbackDeps = {}): Promise<CallbackOutcome> {
  const { tenant, settings } = await tenantAndSettings(db, slug);
  const params = signedParams(query);
  const envelope = parseEnvelope(body);
  if ('error' in envelope) throw new YuchiError('invalid', `body: ${envelope.error}`, [{ path: 'body', message: envelope.error }]);
  const plaintext = open(settings, params, envelope.encrypt);
  const plan = planCallback(plaintext, deps.now ?? new Date());
  const baseId = plan.kind === 'group_change' ? plan.change.baseId : plan.baseId;

  const seen = await db.selectFrom('wecom_callbacks').select('id').where('tenant_id', '=', tenant.id).where('id', '=', baseId).executeTakeFirst();
  if (seen) return { answer: 'success', processed: 'replay' };

  let events: YuchiEventDraft[] = [];
  let detail: Record<string, unknown> = {};
  let kind: string;
  if (plan.kind === 'events') {
    events = plan.events;
    kind = plan.events[0]?.type ?? 'none';
  } else if (plan.kind === 'group_change') {
    kind = `group_${plan.change.changeType}`;
    const read = await readGroup(db, tenant.id, settings, plan.change, deps.client);
    events = groupEvents(plan.change, read.detail, read.current);
    detail = { chatId: plan.change.chatId, ...(read.error ? { apiError: read.error } : {}) };
  } else {
    kind = 'ignored';
    detail = { reason: plan.reason };
  }

  return inTransaction(db, async (trx) => {
    const fresh = await sql<{ id: string }>`
      insert into wecom_callbacks (tenant_id, id, kind, detail) values (${tenant.id}, ${baseId}, ${kind}, ${JSON.stringify(detail)}::jsonb)
      on conflict (tenant_id, id) do nothing returning id`.execute(trx);
    // A concurrent delivery of the same callback got here first.
    if (fresh.rows.length === 0) return { answer: 'success', processed: 'replay' as const };
    if (events.length === 0) return { answer: 'success', processed: 'ignored' as const };
    const ingest = await ingestEvents(trx, wecomActor(tenant), events);
    if (ingest.rejected.length > 0) {
      await trx.updateTable('wecom_callbacks').set({ detail: JSON.stringify({ ...detail, rejected: ingest.rejected }) })
        .where('tenant_id', '=', tenant.id).where('id', '=', baseId).execute();
    }
    return { answer: 'success', processed: 'ingested' as const, ingest };
  });
}

/**
 * The group as WeCom has it now (the callback carries only its id) and the external members Yuchi
 * holds as current. If WeCom cannot be asked, only what the callback names is recorded.
 */
async function readGroup(db: Db, tenantId: string, settings: WecomSettings, change: GroupChange, clientOptions?: WecomClientOptions): Promise<{ detail: GroupDetail | null; current: string[]; error?: string }> {
  const current = (await sql<{ value: string }>`
    select i.value from customer_groups g
      join group_members m on m.tenant_id = g.tenant_id and m.group_id = g.id and m.left_at is null
      join customer_identities i on i.tenant_id = m.tenant_id and i.customer_id = m.customer_id and i.kind = 'external_userid'
     where g.tenant_id = ${tenantId} and g.chat_id = ${change.chatId}`.execute(db)).rows.map((r) => r.value);
  if (change.changeType === 'dismiss') return { detail: null, current };
  try {
    // WeCom waits 5 s for the answer: one quick try, no long backoff.
    const client = new WecomClient(tenantId, settings, { maxRetries: 1, baseDelayMs: 200, timeoutMs: 3000, ...clientOptions });
    const chat = await client.getGroupChat(change.chatId);
    return {
      current,
      detail: {
        chatId: chat.chat_id, name: chat.name ?? '', owner: chat.owner ?? null,
        members: (chat.member_list ?? []).map((m) => ({ userid: m.userid, type: m.type, joinTime: m.join_time ?? null })),
      },
    };
  } catch (err) {
    return { detail: null, current, error: err instanceof Error ? err.message : String(err) };
  }
}
