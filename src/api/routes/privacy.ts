// PIPL: marketing consent per channel, one person's data as JSON, and erasure.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/connect.ts';
import { personalData } from '../../core/privacy/personal-data.service.ts';
import { CONSENT_CHANNELS, eraseCustomer, listConsents, setConsent } from '../../core/privacy/privacy.service.ts';
import { actorOf } from '../auth.ts';
import { IdParams, Instant, protectedErrors } from '../schemas.ts';

const ConsentChannel = z.enum(CONSENT_CHANNELS);

const Consent = z.object({
  channel: ConsentChannel,
  granted: z.boolean().nullable().describe('null: never recorded'),
  source: z.string().nullable(),
  updatedAt: Instant.nullable(),
});

export function privacyRoutes(app: FastifyInstance, db: Db): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/v1/customers/:id/consents', {
    config: { permission: 'customers:read' },
    schema: { tags: ['privacy'], summary: "A customer's marketing consent, per channel", params: IdParams, response: { 200: z.object({ items: z.array(Consent) }), ...protectedErrors } },
  }, async (request) => ({ items: await listConsents(db, actorOf(request), request.params.id) }));

  r.put('/api/v1/customers/:id/consents/:channel', {
    config: { permission: 'privacy:write' },
    schema: {
      tags: ['privacy'],
      summary: 'Record marketing consent for one channel',
      description: `Channels: ${CONSENT_CHANNELS.join(', ')}. A change is written to the customer timeline as consent_changed; sending the value already held changes nothing (changed: false).`,
      params: IdParams.extend({ channel: ConsentChannel }),
      body: z.object({
        granted: z.boolean(),
        source: z.string().trim().min(1).max(50).describe('where the customer said so, e.g. miniprogram_signup, store_paper_form, wecom_sidebar'),
      }),
      response: { 200: Consent.extend({ changed: z.boolean() }), ...protectedErrors },
    },
  }, async (request) => setConsent(db, actorOf(request), request.params.id, request.params.channel, request.body));

  r.get('/api/v1/customers/:id/personal-data', {
    config: { permission: 'customers:export' },
    schema: {
      tags: ['privacy'],
      summary: 'Everything held about one customer, as one JSON document',
      description: 'Profile, identities, orders with lines, timeline events, tags, groups, WeCom contacts, consents and questionnaire submissions. Each call is written to the audit log.',
      params: IdParams,
      response: { 200: z.record(z.string(), z.unknown()), ...protectedErrors },
    },
  }, async (request) => ({ ...(await personalData(db, actorOf(request), request.params.id)) }));

  r.delete('/api/v1/customers/:id', {
    config: { permission: 'privacy:erase' },
    schema: {
      tags: ['privacy'],
      summary: 'Erase a customer (PIPL)',
      description: 'Removes identities, personal fields (the name becomes 已删除), event details, questionnaire answers, contacts, groups, consents and tags. Orders stay, linked to the anonymous profile, so GMV and aggregates do not change. Audited. Erasing an erased customer answers 200 with alreadyErased: true. Admins only.',
      params: IdParams,
      response: { 200: z.object({ customerId: z.string(), erasedAt: Instant, alreadyErased: z.boolean() }), ...protectedErrors },
    },
  }, async (request) => eraseCustomer(db, actorOf(request), request.params.id));
}
