// Accounts and API keys (administrators), and a user's own password.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/connect.ts';
import {
  addApiKey, addUser, changeOwnPassword, changeUser, listApiKeys, listUsers, MIN_PASSWORD_LENGTH, revokeApiKey, setPassword,
} from '../../core/access/users.service.ts';
import { actorOf, SESSION_COOKIE } from '../auth.ts';
import { ErrorResponse, Id, IdParams, Instant, protectedErrors, Ref, Role } from '../schemas.ts';

const Password = z.string().min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`).max(200);

const User = z.object({
  id: z.string(), email: z.string(), name: z.string(), role: Role, staff: Ref.nullable(), disabled: z.boolean(),
  createdAt: Instant, lastSignInAt: Instant.nullable(),
});

const NewUser = z.object({
  email: z.string().trim().min(3).max(200), name: z.string().trim().max(60).optional(), role: Role,
  staffId: Id.nullable().optional().describe('required for a guide: the staff member whose customers they serve'),
  password: Password.describe('the first password; tell the person and ask them to change it'),
});

const UserPatch = z.object({
  name: z.string().trim().min(1).max(60).optional(), role: Role.optional(), staffId: Id.nullable().optional(),
  disabled: z.boolean().optional().describe('a disabled user cannot sign in; their sessions end at once'),
}).refine((p) => Object.keys(p).length > 0, { message: 'change at least one of name, role, staffId, disabled', params: { code: 'nothing_to_change' } });

const ApiKey = z.object({
  id: z.string(), name: z.string(), role: Role, staff: Ref.nullable(), prefix: z.string(),
  createdAt: Instant, lastUsedAt: Instant.nullable(), revokedAt: Instant.nullable(),
});

const NewApiKey = z.object({
  name: z.string().trim().min(1).max(60).describe('what uses the key, e.g. the POS system'),
  role: Role, staffId: Id.nullable().optional().describe('required for a guide key'),
});

export function accessRoutes(app: FastifyInstance, db: Db): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/v1/users', {
    config: { permission: 'access:write' },
    schema: { tags: ['access'], summary: 'Console users', response: { 200: z.object({ items: z.array(User) }), ...protectedErrors } },
  }, async (request) => ({ items: await listUsers(db, actorOf(request).tenantId) }));

  r.post('/api/v1/users', {
    config: { permission: 'access:write' },
    schema: {
      tags: ['access'], summary: 'Add a console user', description: 'A guide is linked to a staff member and sees only that member\'s customers.',
      body: NewUser, response: { 201: User, 409: ErrorResponse, ...protectedErrors },
    },
  }, async (request, reply) => reply.status(201).send(await addUser(db, actorOf(request), request.body)));

  r.patch('/api/v1/users/:id', {
    config: { permission: 'access:write' },
    schema: {
      tags: ['access'], summary: 'Change a user\'s name, role or staff member; disable or enable them',
      description: 'Refused (409 last_admin) when it would leave the tenant without an active administrator.',
      params: IdParams, body: UserPatch, response: { 200: User, 409: ErrorResponse, ...protectedErrors },
    },
  }, async (request) => changeUser(db, actorOf(request), request.params.id, request.body));

  r.post('/api/v1/users/:id/password', {
    config: { permission: 'access:write' },
    schema: {
      tags: ['access'], summary: 'Set a user\'s password (a forgotten one)', description: 'The user\'s sessions end.',
      params: IdParams, body: z.object({ password: Password }), response: { 204: z.null(), ...protectedErrors },
    },
  }, async (request, reply) => {
    await setPassword(db, actorOf(request), request.params.id, request.body.password);
    return reply.status(204).send(null);
  });

  r.post('/api/v1/auth/password', {
    schema: {
      tags: ['auth'], summary: 'Change your own password', description: 'Your other sessions end; this one stays.',
      body: z.object({ currentPassword: z.string().min(1), newPassword: Password }),
      response: { 204: z.null(), ...protectedErrors },
    },
  }, async (request, reply) => {
    await changeOwnPassword(db, actorOf(request), request.cookies[SESSION_COOKIE] ?? '', request.body.currentPassword, request.body.newPassword);
    return reply.status(204).send(null);
  });

  r.get('/api/v1/api-keys', {
    config: { permission: 'access:write' },
    schema: { tags: ['access'], summary: 'API keys (secrets are never shown again)', response: { 200: z.object({ items: z.array(ApiKey) }), ...protectedErrors } },
  }, async (request) => ({ items: await listApiKeys(db, actorOf(request).tenantId) }));

  r.post('/api/v1/api-keys', {
    config: { permission: 'access:write' },
    schema: {
      tags: ['access'], summary: 'Create an API key', description: 'The answer carries the key once; only its hash is kept. Send it as `Authorization: Bearer <key>`.',
      body: NewApiKey, response: { 201: z.object({ key: z.string(), apiKey: ApiKey }), ...protectedErrors },
    },
  }, async (request, reply) => reply.status(201).send(await addApiKey(db, actorOf(request), request.body)));

  r.delete('/api/v1/api-keys/:id', {
    config: { permission: 'access:write' },
    schema: { tags: ['access'], summary: 'Revoke an API key at once', params: IdParams, response: { 200: ApiKey, ...protectedErrors } },
  }, async (request) => {
    const revoked = await revokeApiKey(db, actorOf(request), request.params.id);
    request.server.forgetApiKeys();
    return revoked;
  });
}
