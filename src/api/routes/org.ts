// Stores and staff: the brand's organisation.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/connect.ts';
import { createStore, getStore, listStores } from '../../core/stores/stores.service.ts';
import { createStaff, getStaff, listStaff } from '../../core/staff/staff.service.ts';
import { notFound } from '../../core/errors.ts';
import { UUID_PATTERN } from '../../core/ids.ts';
import { actorOf } from '../auth.ts';
import { ErrorResponse, Id, IdParams, protectedErrors, Ref } from '../schemas.ts';

const Time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM');

const Store = z.object({
  id: z.string(), code: z.string(), name: z.string(), city: z.string(), district: z.string(), address: z.string(),
  latitude: z.number().nullable(), longitude: z.number().nullable(), opensAt: z.string().nullable(), closesAt: z.string().nullable(),
  status: z.enum(['open', 'closed']), staffCount: z.number().int(), customerCount: z.number().int(),
});

const NewStore = z.object({
  code: z.string().trim().min(1).max(40),
  name: z.string().trim().min(1).max(100),
  city: z.string().max(60).optional(),
  district: z.string().max(60).optional(),
  address: z.string().max(200).optional(),
  latitude: z.number().min(-90).max(90).nullable().optional(),
  longitude: z.number().min(-180).max(180).nullable().optional(),
  opensAt: Time.nullable().optional(),
  closesAt: Time.nullable().optional(),
});

const StaffTitle = z.enum(['guide', 'manager', 'advisor']);
const StaffMember = z.object({
  id: z.string(), name: z.string(), store: Ref.nullable(), title: StaffTitle, wecomUserId: z.string().nullable(),
  phone: z.string().nullable(), status: z.enum(['active', 'resigned']), customerCount: z.number().int(),
});

const NewStaff = z.object({
  name: z.string().trim().min(1).max(60),
  storeId: Id.nullable().optional(),
  title: StaffTitle.optional(),
  wecomUserId: z.string().trim().min(1).max(64).nullable().optional(),
  phone: z.string().trim().max(20).nullable().optional(),
});

const uuidOr404 = (id: string, what: string): string => {
  if (!UUID_PATTERN.test(id)) throw notFound(what);
  return id;
};

export function orgRoutes(app: FastifyInstance, db: Db): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/v1/stores', {
    config: { permission: 'org:read' },
    schema: { tags: ['stores'], summary: 'List stores', response: { 200: z.object({ items: z.array(Store) }), ...protectedErrors } },
  }, async (request) => ({ items: await listStores(db, actorOf(request).tenantId) }));

  r.get('/api/v1/stores/:id', {
    config: { permission: 'org:read' },
    schema: { tags: ['stores'], summary: 'One store', params: IdParams, response: { 200: Store, ...protectedErrors } },
  }, async (request) => getStore(db, actorOf(request).tenantId, uuidOr404(request.params.id, 'store')));

  r.post('/api/v1/stores', {
    config: { permission: 'org:write' },
    schema: { tags: ['stores'], summary: 'Create a store', body: NewStore, response: { 201: Store, 409: ErrorResponse, ...protectedErrors } },
  }, async (request, reply) => reply.status(201).send(await createStore(db, actorOf(request).tenantId, request.body)));

  r.get('/api/v1/staff', {
    config: { permission: 'org:read' },
    schema: {
      tags: ['staff'], summary: 'List staff (guides, managers, advisors)',
      querystring: z.object({ storeId: Id.optional() }),
      response: { 200: z.object({ items: z.array(StaffMember) }), ...protectedErrors },
    },
  }, async (request) => ({ items: await listStaff(db, actorOf(request).tenantId, { storeId: request.query.storeId }) }));

  r.get('/api/v1/staff/:id', {
    config: { permission: 'org:read' },
    schema: { tags: ['staff'], summary: 'One staff member', params: IdParams, response: { 200: StaffMember, ...protectedErrors } },
  }, async (request) => getStaff(db, actorOf(request).tenantId, uuidOr404(request.params.id, 'staff member')));

  r.post('/api/v1/staff', {
    config: { permission: 'org:write' },
    schema: { tags: ['staff'], summary: 'Add a staff member', body: NewStaff, response: { 201: StaffMember, 409: ErrorResponse, ...protectedErrors } },
  }, async (request, reply) => reply.status(201).send(await createStaff(db, actorOf(request).tenantId, request.body)));
}
