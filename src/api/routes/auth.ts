import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/connect.ts';
import type { Actor } from '../../core/access/access.rules.ts';
import { createSession, endSession, verifyLogin } from '../../core/access/access.service.ts';
import { DEMO_CANDIDATES, demoHintsEnabled, listDemoLogins, type DemoCandidate } from '../../core/demo/demo-logins.ts';
import { MODELS } from '../../core/diagnosis/diagnosis.rules.ts';
import { actorOf, SESSION_COOKIE } from '../auth.ts';
import { ErrorResponse, Role } from '../schemas.ts';

const Me = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  role: Role,
  staffId: z.string().nullable(),
  tenant: z.object({ id: z.string(), slug: z.string(), name: z.string(), timezone: z.string() }),
});

const DemoLoginTenant = z.object({
  tenant: z.string(),
  name: z.string(),
  model: z.enum(MODELS).nullable(),
  brand: z.string().nullable(),
  logins: z.array(z.object({ role: Role, email: z.string(), password: z.string() })),
});

async function me(db: Db, actor: Actor): Promise<z.infer<typeof Me>> {
  const row = await db
    .selectFrom('users')
    .innerJoin('tenants', 'tenants.id', 'users.tenant_id')
    .select(['users.id', 'users.name', 'users.email', 'users.role', 'users.staff_id', 'tenants.slug', 'tenants.name as tenant_name', 'tenants.timezone'])
    .where('users.tenant_id', '=', actor.tenantId)
    .where('users.id', '=', actor.userId ?? '')
    .executeTakeFirstOrThrow();
  return {
    id: row.id, name: row.name, email: row.email, role: row.role, staffId: row.staff_id,
    tenant: { id: actor.tenantId, slug: row.slug, name: row.tenant_name, timezone: row.timezone },
  };
}

export function authRoutes(app: FastifyInstance, db: Db, demoCandidates: DemoCandidate[] = DEMO_CANDIDATES): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const secure = process.env.YUCHI_SECURE_COOKIES === '1';

  r.post('/api/v1/auth/login', {
    config: { public: true },
    schema: {
      tags: ['auth'],
      summary: 'Sign in to the console (sets the session cookie)',
      body: z.object({ tenant: z.string().min(1), email: z.string().min(1), password: z.string().min(1) }),
      response: { 200: z.object({ user: Me }), 400: ErrorResponse, 401: ErrorResponse },
    },
  }, async (request, reply) => {
    const actor = await verifyLogin(db, request.body.tenant.trim().toLowerCase(), request.body.email, request.body.password);
    const session = await createSession(db, actor);
    reply.setCookie(SESSION_COOKIE, session.token, { path: '/', httpOnly: true, sameSite: 'lax', secure, expires: session.expiresAt });
    return { user: await me(db, actor) };
  });

  r.get('/api/v1/auth/demo-logins', {
    config: { public: true },
    schema: {
      tags: ['auth'],
      summary: 'Demo tenants a visitor can sign in to (only those still using the published demo password; none with YUCHI_DEMO_HINTS=0)',
      response: { 200: z.object({ demos: z.array(DemoLoginTenant) }) },
    },
  }, async () => ({ demos: demoHintsEnabled() ? await listDemoLogins(db, demoCandidates) : [] }));

  r.post('/api/v1/auth/logout', {
    config: { public: true },
    schema: { tags: ['auth'], summary: 'Sign out', response: { 204: z.null() } },
  }, async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token) await endSession(db, token);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send(null);
  });

  r.get('/api/v1/auth/me', {
    schema: { tags: ['auth'], summary: 'The signed-in user', response: { 200: z.object({ user: Me }), 401: ErrorResponse } },
  }, async (request) => {
    const actor = actorOf(request);
    if (!actor.userId) {
      return { user: { id: actor.apiKeyId ?? '', name: actor.name, email: '', role: actor.role, staffId: actor.staffId, tenant: { id: actor.tenantId, slug: actor.tenantSlug, name: actor.tenantName, timezone: actor.timezone } } };
    }
    return { user: await me(db, actor) };
  });
}
