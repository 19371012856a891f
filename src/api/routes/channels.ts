// Channel settings (WeCom, email, SMS, webhook) with connection tests, and WeCom's callback.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { YuchiError } from '../../core/errors.ts';
import { WECOM_SYNC_TASK } from '../../core/channels/wecom/wecom.sync.service.ts';
import type { ChannelKind } from '../../db/schema.ts';
import { channelFor } from '../../core/channels/registry.ts';
import { CHANNEL_KINDS, EmailSettings, SmsSettings, WebhookSettings, WecomSettings } from '../../core/channels/settings.rules.ts';
import { channelView, listChannels, recordTest, saveChannelSettings, type ChannelView } from '../../core/channels/settings.service.ts';
import { setCustomerEmail } from '../../core/channels/recipients.service.ts';
import { receiveWecomCallback, verifyWecomUrl } from '../../core/channels/wecom/wecom.callback.service.ts';
import { actorOf } from '../auth.ts';
import { ErrorResponse, Id, Instant, protectedErrors } from '../schemas.ts';

const Kind = z.enum(CHANNEL_KINDS);

const Channel = z.object({
  kind: Kind,
  configured: z.boolean(),
  settings: z.record(z.string(), z.unknown()).nullable().describe('secrets masked (••••1234)'),
  updatedAt: Instant.nullable(),
  lastTest: z.object({ at: Instant, ok: z.boolean(), detail: z.string() }).nullable(),
  problem: z.object({ code: z.string(), message: z.string(), field: z.string() }).nullable()
    .describe('a stored secret this server cannot open (secret_key_missing, secret_unreadable): type that secret again to fix it'),
  callbackPath: z.string().nullable().describe('WeCom only: the path of the callback URL to enter in WeCom admin (接收事件服务器)'),
});

const secretKept = 'leave out (or send the masked value back) to keep the stored one';
// Secrets may be left out of a save: the stored ones are kept. The whole is checked after merging.
const BODIES = {
  wecom: WecomSettings.extend({
    secret: z.string().optional().describe(`the app Secret; ${secretKept}`),
    token: z.string().optional().describe(`the callback Token; ${secretKept}`),
    encodingAesKey: z.string().optional().describe(`the callback EncodingAESKey (43 characters); ${secretKept}`),
  }),
  email: EmailSettings.extend({ password: z.string().nullish().describe(`SMTP password; ${secretKept}`) }),
  sms: SmsSettings.extend({ headers: z.record(z.string(), z.string()).optional().describe(`headers sent to the gateway (API keys); ${secretKept}`) }),
  webhook: WebhookSettings.extend({ secret: z.string().optional().describe(`the signing secret (16+ characters); ${secretKept}`) }),
} as const;

const SUMMARIES: Record<ChannelKind, string> = {
  wecom: 'Set up WeCom: corp id, app AgentId and Secret, the callback Token and EncodingAESKey',
  email: 'Set up email (SMTP)',
  sms: 'Set up SMS through an HTTP gateway',
  webhook: 'Set up the webhook channel (HMAC-SHA256 signed POSTs)',
};

function present(view: ChannelView, tenantSlug: string) {
  return {
    ...view,
    updatedAt: view.updatedAt?.toISOString() ?? null,
    lastTest: view.lastTest ? { ...view.lastTest, at: view.lastTest.at.toISOString() } : null,
    callbackPath: view.kind === 'wecom' ? `/callbacks/wecom/${tenantSlug}` : null,
  };
}

export function channelRoutes(app: FastifyInstance, db: Db): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/v1/channels', {
    config: { permission: 'channels:write' },
    schema: { tags: ['channels'], summary: 'Every channel with its settings (secrets masked) and last connection test', response: { 200: z.object({ items: z.array(Channel) }), ...protectedErrors } },
  }, async (request) => {
    const actor = actorOf(request);
    return { items: (await listChannels(db, actor.tenantId)).map((v) => present(v, actor.tenantSlug)) };
  });

  for (const kind of CHANNEL_KINDS) {
    r.put(`/api/v1/channels/${kind}`, {
      config: { permission: 'channels:write' },
      schema: { tags: ['channels'], summary: SUMMARIES[kind], body: BODIES[kind], response: { 200: Channel, ...protectedErrors } },
    }, async (request) => {
      const actor = actorOf(request);
      return present(await saveChannelSettings(db, actor, kind, request.body as Record<string, unknown>), actor.tenantSlug);
    });
  }

  r.post('/api/v1/channels/:kind/test', {
    config: { permission: 'channels:write' },
    schema: {
      tags: ['channels'],
      summary: 'Test a channel\'s settings against its provider',
      description: 'WeCom: gets an access token and lists the staff with customer-contact permission. Email: connects (and signs in) to the SMTP server. SMS: checks the gateway answers (sends nothing). Webhook: POSTs a signed test event. The result is kept as the channel\'s last test.',
      params: z.object({ kind: Kind }),
      response: { 200: z.object({ ok: z.boolean(), detail: z.string() }), ...protectedErrors },
    },
  }, async (request) => {
    const actor = actorOf(request);
    const kind = request.params.kind;
    const view = await channelView(db, actor.tenantId, kind);
    if (!view.configured) return { ok: false, detail: `${kind} is not set up yet` };
    const adapter = channelFor(kind);
    const result = adapter?.test ? await adapter.test({ db, tenantId: actor.tenantId }) : { ok: false, detail: 'this channel has no connection test' };
    await recordTest(db, actor.tenantId, kind, result);
    return result;
  });

  r.post('/api/v1/channels/wecom/sync', {
    config: { permission: 'channels:write' },
    schema: {
      tags: ['channels'],
      summary: 'Pull WeCom\'s external contacts and customer groups into Yuchi (queued)',
      description: 'Queues one background job per tenant (a second request while one waits is the same job). Contacts become contact_added events and group members group_joined events with stable ids, so repeating it adds only what is new. Also: `yuchi wecom sync --tenant <slug>`.',
      response: { 202: z.object({ queued: z.boolean() }), ...protectedErrors, 422: ErrorResponse },
    },
  }, async (request, reply) => {
    const actor = actorOf(request);
    const view = await channelView(db, actor.tenantId, 'wecom');
    if (!view.configured) throw new YuchiError('unprocessable', 'WeCom is not set up yet', [], 'wecom_not_set_up');
    await sql`select graphile_worker.add_job(${WECOM_SYNC_TASK}, json_build_object('tenantId', ${actor.tenantId}::text), job_key => ${`${WECOM_SYNC_TASK}:${actor.tenantId}`}, max_attempts => 3)`.execute(db);
    return reply.status(202).send({ queued: true });
  });

  r.put('/api/v1/customers/:id/email', {
    config: { permission: 'events:write' },
    schema: {
      tags: ['channels'],
      summary: 'Set the address the email channel writes to (null clears it)',
      params: z.object({ id: Id }),
      body: z.object({ email: z.email('must be an email address').max(254).nullable() }),
      response: { 200: z.object({ customerId: z.string(), email: z.string().nullable() }), ...protectedErrors },
    },
  }, async (request) => setCustomerEmail(db, actorOf(request).tenantId, request.params.id, request.body.email));

  void app.register(async (scope) => {
    // WeCom posts XML as text/xml (or JSON); the body is read as text and parsed after the signature check.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 256 * 1024 }, (_request, body, done) => done(null, body));
    const s = scope.withTypeProvider<ZodTypeProvider>();
    const Query = z.object({
      msg_signature: z.string().max(128).optional(),
      timestamp: z.string().max(32).optional(),
      nonce: z.string().max(64).optional(),
      echostr: z.string().max(2048).optional(),
    });
    const params = z.object({ tenantSlug: z.string().max(40) });
    const errors = { 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };

    s.get('/callbacks/wecom/:tenantSlug', {
      schema: { tags: ['channels'], summary: 'WeCom callback: URL verification (answers the decrypted echostr)', params, querystring: Query, response: { 200: z.string(), ...errors } },
    }, async (request, reply) => {
      const outcome = await verifyWecomUrl(db, request.params.tenantSlug, request.query);
      return reply.type('text/plain').send(outcome.answer);
    });

    s.post('/callbacks/wecom/:tenantSlug', {
      schema: {
        tags: ['channels'],
        summary: 'WeCom callback: customer-contact events (XML or JSON, AES-256-CBC encrypted)',
        description: 'Friend added/deleted, group created/changed/dismissed and customer messages become Yuchi events. A wrong msg_signature is refused with 403 and nothing is processed; a callback already handled is answered "success" and not processed again.',
        params, querystring: Query, response: { 200: z.string(), ...errors },
      },
    }, async (request, reply) => {
      const body = typeof request.body === 'string' ? request.body : '';
      const outcome = await receiveWecomCallback(db, request.params.tenantSlug, request.query, body);
      return reply.type('text/plain').send(outcome.answer);
    });
  });
}
