// Messaging: the restraint settings, templates with preview, mass sends (dry run, plan, progress,
// per-staff confirmation, lift report), a customer's messages with their decisions, and the
// sandbox phones (inbox and simulated reply).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/connect.ts';
import { ownCustomersOnly } from '../../core/access/access.rules.ts';
import { cancelMassSend, confirmStaffSend, createMassSend, dryRunMassSend, getMassSend, listMassSends, massSendReport } from '../../core/messaging/mass-sends.service.ts';
import { MassSendInput } from '../../core/messaging/mass-sends.rules.ts';
import { customerMessages, setCustomerTimeZone } from '../../core/messaging/messages.service.ts';
import { customerInbox, sandboxPhones, simulateReply } from '../../core/messaging/sandbox.service.ts';
import { MessagingSettings } from '../../core/messaging/settings.rules.ts';
import { getMessagingSettings, putMessagingSettings } from '../../core/messaging/settings.service.ts';
import { TemplateContent } from '../../core/messaging/templates.rules.ts';
import { getTemplate, listTemplates, previewTemplate, saveTemplate } from '../../core/messaging/templates.service.ts';
import { actorLabel } from '../../core/tags/tags.rules.ts';
import { actorOf } from '../auth.ts';
import { Id, IdParams, protectedErrors } from '../schemas.ts';

const Content = z.object({ text: z.string(), subject: z.string().optional(), attachments: z.array(z.looseObject({ kind: z.string() })).optional(), welcomeCode: z.string().optional() });
const Template = z.object({ id: z.string(), name: z.string(), content: TemplateContent, variables: z.array(z.string()), createdAt: z.string(), updatedAt: z.string() });
const TemplateBody = z.object({ name: z.string().min(1).max(100), content: TemplateContent });
const Counts = z.object({ audience: z.number().int(), planned: z.number().int(), heldOut: z.number().int(), excluded: z.record(z.string(), z.number().int()), moved: z.record(z.string(), z.number().int()) });
const MassSend = z.object({
  id: z.string(), name: z.string(), channel: z.string(), templateId: z.string(), audience: z.unknown(), schedule: z.unknown(), priority: z.number(),
  holdoutPercent: z.number(), conversionDays: z.number(), status: z.string(), sendAt: z.string(), createdAt: z.string(), plannedAt: z.string().nullable(),
  counts: Counts.partial(), progress: z.record(z.string(), z.number()),
  notSent: z.record(z.string(), z.number()).describe('messages not delivered, by reason (WeCom: wecom_not_a_friend, wecom_already_received_mass_send, wecom_not_sent_by_guide …)'),
  staff: z.array(z.object({ staffId: z.string(), name: z.string(), messages: z.number(), status: z.string(), reason: z.string().nullable(), confirmedAt: z.string().nullable() })),
});
const Group = z.object({ customers: z.number(), converted: z.number(), revenueFen: z.number(), revenueSquaresFen2: z.number() });
const Interval = z.object({ difference: z.number(), low: z.number(), high: z.number() }).nullable();
const Report = z.object({
  conversionDays: z.number(), treated: Group, heldOut: Group,
  lift: z.object({ treatedRate: z.number(), heldOutRate: z.number(), conversion: Interval, treatedRevenuePerCustomerFen: z.number(), heldOutRevenuePerCustomerFen: z.number(), revenuePerCustomer: Interval }),
});
const InboxEntry = z.object({ id: z.string(), direction: z.enum(['in', 'out']), content: Content, at: z.string(), redeliveries: z.number() });
const CustomerParams = z.object({ customerId: z.string().describe('UUID') });

export function messagingRoutes(app: FastifyInstance, db: Db): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['messaging'];

  r.get('/api/v1/messaging/settings', {
    config: { permission: 'customers:read' },
    schema: { tags, summary: 'Restraint settings: platform quota, caps, quiet hours, consent, priorities, control group', response: { 200: MessagingSettings, ...protectedErrors } },
  }, async (request) => getMessagingSettings(db, actorOf(request).tenantId));

  r.put('/api/v1/messaging/settings', {
    config: { permission: 'messaging:write' },
    schema: { tags, summary: 'Replace the restraint settings', description: 'A value out of range is refused with the field named; nothing changes.', body: z.unknown(), response: { 200: MessagingSettings, ...protectedErrors } },
  }, async (request) => {
    const actor = actorOf(request);
    return putMessagingSettings(db, actor.tenantId, request.body, actorLabel(actor));
  });

  r.get('/api/v1/message-templates', {
    config: { permission: 'customers:read' },
    schema: { tags, summary: 'Message templates', response: { 200: z.object({ items: z.array(Template) }), ...protectedErrors } },
  }, async (request) => ({ items: await listTemplates(db, actorOf(request).tenantId) }));

  r.post('/api/v1/message-templates', {
    config: { permission: 'messaging:write' },
    schema: { tags, summary: 'Create a template', description: 'Variables: {name} {store} {guide} {couponCode} {tags} {city}; an unknown one is refused with the field and the variable named.', body: TemplateBody, response: { 201: Template, ...protectedErrors } },
  }, async (request, reply) => reply.status(201).send(await saveTemplate(db, actorOf(request).tenantId, request.body)));

  r.get('/api/v1/message-templates/:id', {
    config: { permission: 'customers:read' },
    schema: { tags, summary: 'One template', params: IdParams, response: { 200: Template, ...protectedErrors } },
  }, async (request) => getTemplate(db, actorOf(request).tenantId, request.params.id));

  r.put('/api/v1/message-templates/:id', {
    config: { permission: 'messaging:write' },
    schema: { tags, summary: 'Replace a template', params: IdParams, body: TemplateBody, response: { 200: Template, ...protectedErrors } },
  }, async (request) => saveTemplate(db, actorOf(request).tenantId, request.body, request.params.id));

  r.post('/api/v1/message-templates/preview', {
    config: { permission: 'customers:read' },
    schema: {
      tags, summary: 'A template filled for a real customer', description: 'SMS previews carry the length in characters and segments (70, or 67 per part, for Chinese).',
      body: z.object({ templateId: Id.optional(), content: TemplateContent.optional(), channel: z.enum(['wecom', 'sandbox', 'email', 'sms']), customerId: Id }),
      response: { 200: z.object({ channel: z.string(), content: Content, values: z.record(z.string(), z.string()), sms: z.object({ characters: z.number(), segments: z.number(), perSegment: z.number(), encoding: z.string() }).nullable() }), ...protectedErrors },
    },
  }, async (request) => previewTemplate(db, actorOf(request).tenantId, request.body));

  r.post('/api/v1/mass-sends/dry-run', {
    config: { permission: 'messaging:write' },
    schema: { tags, summary: 'Audience count after consent, holdouts, quotas, caps and quiet hours, with exclusion reasons', body: MassSendInput, response: { 200: Counts, ...protectedErrors } },
  }, async (request) => dryRunMassSend(db, actorOf(request).tenantId, request.body));

  r.post('/api/v1/mass-sends', {
    config: { permission: 'messaging:write' },
    schema: { tags, summary: 'Ask for a mass send (群发)', description: 'Recorded now and planned by the worker: every recipient through the restraint engine. WeCom sends go per staff member for confirmation.', body: MassSendInput, response: { 201: MassSend, ...protectedErrors } },
  }, async (request, reply) => {
    const actor = actorOf(request);
    return reply.status(201).send(await createMassSend(db, actor.tenantId, request.body, actorLabel(actor)));
  });

  r.get('/api/v1/mass-sends', {
    config: { permission: 'customers:read' },
    schema: { tags, summary: 'Mass sends with progress', response: { 200: z.object({ items: z.array(MassSend) }), ...protectedErrors } },
  }, async (request) => ({ items: await listMassSends(db, actorOf(request).tenantId) }));

  r.get('/api/v1/mass-sends/:id', {
    config: { permission: 'customers:read' },
    schema: { tags, summary: 'One mass send with progress and per-staff confirmation', params: IdParams, response: { 200: MassSend, ...protectedErrors } },
  }, async (request) => getMassSend(db, actorOf(request).tenantId, request.params.id));

  r.post('/api/v1/mass-sends/:id/cancel', {
    config: { permission: 'messaging:write' },
    schema: { tags, summary: 'Cancel what has not gone yet', params: IdParams, response: { 200: MassSend, ...protectedErrors } },
  }, async (request) => cancelMassSend(db, actorOf(request).tenantId, request.params.id));

  r.post('/api/v1/mass-sends/:id/staff/:staffId/confirm', {
    config: { permission: 'messaging:write' },
    schema: { tags, summary: 'A staff member\'s WeCom mass send was confirmed and sent', params: z.object({ id: z.string(), staffId: Id }), response: { 200: MassSend, 409: protectedErrors[400], ...protectedErrors } },
  }, async (request) => confirmStaffSend(db, actorOf(request).tenantId, request.params.id, request.params.staffId));

  r.get('/api/v1/mass-sends/:id/report', {
    config: { permission: 'analytics:read' },
    schema: { tags, summary: 'Lift: conversion and revenue of treated vs held-out customers, 95% interval on the difference', params: IdParams, response: { 200: Report, ...protectedErrors } },
  }, async (request) => massSendReport(db, actorOf(request).tenantId, request.params.id));

  r.get('/api/v1/customers/:customerId/messages', {
    config: { permission: 'customers:read' },
    schema: { tags, summary: 'A customer\'s messages with every decision of the engine', params: CustomerParams, response: { 200: z.object({ items: z.array(z.unknown()) }), ...protectedErrors } },
  }, async (request) => {
    const actor = actorOf(request);
    return { items: await customerMessages(db, actor.tenantId, request.params.customerId, ownCustomersOnly(actor)) };
  });

  r.put('/api/v1/customers/:customerId/time-zone', {
    config: { permission: 'messaging:write' },
    schema: { tags, summary: 'The customer\'s own time zone, for quiet hours', params: CustomerParams, body: z.object({ timeZone: z.string().min(1).max(64).nullable() }), response: { 200: z.object({ timeZone: z.string().nullable() }), ...protectedErrors } },
  }, async (request) => ({ timeZone: await setCustomerTimeZone(db, actorOf(request).tenantId, request.params.customerId, request.body.timeZone) }));

  r.get('/api/v1/sandbox/phones', {
    config: { permission: 'customers:read' },
    schema: { tags, summary: 'Simulated phones that received a message', response: { 200: z.object({ items: z.array(z.object({ customerId: z.string(), name: z.string(), messages: z.number(), lastAt: z.string(), lastText: z.string() })) }), ...protectedErrors } },
  }, async (request) => {
    const actor = actorOf(request);
    return { items: await sandboxPhones(db, actor.tenantId, ownCustomersOnly(actor)) };
  });

  r.get('/api/v1/sandbox/phones/:customerId', {
    config: { permission: 'customers:read' },
    schema: { tags, summary: 'One customer\'s simulated inbox', params: CustomerParams, response: { 200: z.object({ items: z.array(InboxEntry) }), ...protectedErrors } },
  }, async (request) => {
    const actor = actorOf(request);
    return { items: await customerInbox(db, actor.tenantId, request.params.customerId, ownCustomersOnly(actor)) };
  });

  r.post('/api/v1/sandbox/phones/:customerId/replies', {
    config: { permission: 'messaging:write' },
    schema: { tags, summary: 'Simulate the customer\'s reply', description: 'Lands in the inbox and is ingested as a message_received event.', params: CustomerParams, body: z.object({ text: z.string().min(1).max(2000) }), response: { 201: InboxEntry, ...protectedErrors } },
  }, async (request, reply) => {
    const actor = actorOf(request);
    return reply.status(201).send(await simulateReply(db, actor, request.params.customerId, request.body.text, ownCustomersOnly(actor)));
  });
}
