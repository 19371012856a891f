// Questionnaires with codebooks: define them, take submissions (which tag the customer with the
// tags of the chosen options), read the results.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/connect.ts';
import { createForm, formResults, getForm, listForms, updateForm } from '../../core/forms/forms.service.ts';
import { submitForm } from '../../core/forms/submissions.service.ts';
import { actorOf } from '../auth.ts';
import { IdParams, Instant, protectedErrors } from '../schemas.ts';

const QuestionType = z.enum(['single', 'multi', 'text']);
const FormStatus = z.enum(['draft', 'published', 'closed']);

const Option = z.object({
  code: z.string().max(20).describe('the codebook code, e.g. "3" or "D"; unique within the question'),
  label: z.string().max(100),
  tagId: z.string().optional().describe('the tag this answer codes'),
});

const Question = z.object({
  id: z.string().max(40).describe('letters, digits, _ or -; unique within the form'),
  text: z.string().max(200),
  type: QuestionType,
  options: z.array(Option).max(50).optional().describe('for single and multi questions'),
});

const Form = z.object({
  id: z.string(), name: z.string(), description: z.string(), status: FormStatus,
  questions: z.array(Question.extend({ options: z.array(Option) })), submissionCount: z.number().int(), createdAt: Instant,
});

const NewForm = z.object({
  name: z.string().max(100),
  description: z.string().max(500).optional(),
  status: FormStatus.optional().describe('published (default) takes answers; draft and closed do not'),
  questions: z.array(Question).max(100),
});

const Answer = z.union([z.string(), z.array(z.string())]);

const Submission = z.object({
  id: z.string().max(200).describe('your id for this submission; a retry with the same id changes nothing'),
  customer: z.object({
    customerId: z.string().optional(), externalUserId: z.string().optional(), unionId: z.string().optional(),
    openId: z.string().optional(), phone: z.string().optional(), memberNo: z.string().optional(),
  }).describe('who answered: a customer id or any identity; unknown people become customers'),
  answers: z.record(z.string(), Answer).describe('question id → option code (single), list of codes (multi) or text'),
  submittedAt: Instant.optional(),
});

const SubmissionResult = z.object({
  submissionId: z.string(), customerId: z.string().nullable(), tagsAdded: z.array(z.string()), duplicate: z.boolean(),
});

const Results = z.object({
  formId: z.string(),
  submissions: z.number().int(),
  questions: z.array(z.object({
    id: z.string(), text: z.string(), type: QuestionType, answered: z.number().int(),
    options: z.array(z.object({ code: z.string(), label: z.string(), tagId: z.string().nullable(), count: z.number().int(), share: z.number().describe('of those who answered the question, 0–1') })),
  })),
  recent: z.array(z.object({ id: z.string(), customerId: z.string().nullable(), customerName: z.string().nullable(), submittedAt: Instant, answers: z.record(z.string(), Answer) })),
});

export function formRoutes(app: FastifyInstance, db: Db): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/v1/forms', {
    config: { permission: 'customers:read' },
    schema: { tags: ['forms'], summary: 'Questionnaires, newest first', response: { 200: z.object({ items: z.array(Form) }), ...protectedErrors } },
  }, async (request) => ({ items: await listForms(db, actorOf(request).tenantId) }));

  r.post('/api/v1/forms', {
    config: { permission: 'forms:write' },
    schema: {
      tags: ['forms'], summary: 'Create a questionnaire with its codebook',
      description: 'Each option may code a tag (tagId): a submission choosing it tags the customer. Tags must be manual tags of this tenant.',
      body: NewForm, response: { 201: Form, ...protectedErrors },
    },
  }, async (request, reply) => reply.status(201).send(await createForm(db, actorOf(request).tenantId, request.body)));

  r.get('/api/v1/forms/:id', {
    config: { permission: 'customers:read' },
    schema: { tags: ['forms'], summary: 'One questionnaire', params: IdParams, response: { 200: Form, ...protectedErrors } },
  }, async (request) => getForm(db, actorOf(request).tenantId, request.params.id));

  r.patch('/api/v1/forms/:id', {
    config: { permission: 'forms:write' },
    schema: { tags: ['forms'], summary: 'Change, close or reopen a questionnaire', params: IdParams, body: NewForm.partial(), response: { 200: Form, ...protectedErrors } },
  }, async (request) => updateForm(db, actorOf(request).tenantId, request.params.id, request.body));

  r.post('/api/v1/forms/:id/submissions', {
    config: { permission: 'forms:write' },
    schema: {
      tags: ['forms'], summary: 'Record a submission and tag the customer by the codebook',
      description: '201 when stored; 200 with duplicate: true when this id was stored before. An unknown option code is refused naming answers.<question id>.',
      params: IdParams, body: Submission, response: { 200: SubmissionResult, 201: SubmissionResult, ...protectedErrors },
    },
  }, async (request, reply) => {
    const result = await submitForm(db, actorOf(request), request.params.id, request.body);
    return reply.status(result.duplicate ? 200 : 201).send(result);
  });

  r.get('/api/v1/forms/:id/results', {
    config: { permission: 'analytics:read' },
    schema: {
      tags: ['forms'], summary: 'Answers per question and option, with recent submissions',
      params: IdParams, querystring: z.object({ recent: z.coerce.number().int().min(0).max(100).default(20) }),
      response: { 200: Results, ...protectedErrors },
    },
  }, async (request) => formResults(db, actorOf(request).tenantId, request.params.id, { recent: request.query.recent }));
}
