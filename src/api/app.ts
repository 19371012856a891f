// The HTTP server: JSON API under /api/v1, its OpenAPI document and reference page, health
// check, and the console (web/dist) with a single-page-app fallback.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import type { DatabaseHandle } from '../db/connect.ts';
import { registerAuth } from './auth.ts';
import { traceRequests } from './request-trace.ts';
import { errorBody, registerErrorHandler } from './errors.ts';
import { authRoutes } from './routes/auth.ts';
import type { DemoCandidate } from '../core/demo/demo-logins.ts';
import { accessRoutes } from './routes/access.ts';
import { customerRoutes } from './routes/customers.ts';
import { dashboardRoutes } from './routes/dashboard.ts';
import { analyticsRoutes } from './routes/analytics.ts';
import { eventRoutes } from './routes/events.ts';
import { exportRoutes } from './routes/exports.ts';
import { formRoutes } from './routes/forms.ts';
import { importRoutes } from './routes/imports.ts';
import { orderRoutes } from './routes/orders.ts';
import { orgRoutes } from './routes/org.ts';
import { privacyRoutes } from './routes/privacy.ts';
import { profileRoutes } from './routes/profile.ts';
import { promotionRoutes } from './routes/promotions.ts';
import { tagRoutes } from './routes/tags.ts';
import { scoreRoutes } from './routes/scores.ts';
import { diagnosisRoutes } from './routes/diagnosis.ts';
import { playbookRoutes } from './routes/playbooks.ts';
import { segmentRoutes } from './routes/segments.ts';
import { membershipRoutes } from './routes/membership.ts';
import { groupSellingRoutes } from './routes/group-selling.ts';
import { referralRoutes } from './routes/referral.ts';
import { channelRoutes } from './routes/channels.ts';
import { messagingRoutes } from './routes/messaging.ts';
import { acquisitionRoutes } from './routes/acquisition.ts';
import { workbenchRoutes } from './routes/workbench.ts';
import { groupRoutes } from './routes/groups.ts';
import { sopRoutes } from './routes/sop.ts';
import { journeyRoutes } from './routes/journeys.ts';

export const CONSOLE_DIR = fileURLToPath(new URL('../../web/dist/', import.meta.url));

export interface AppOptions {
  handle: DatabaseHandle;
  /** pino logger options, or false for none (tests, benchmarks). */
  logger?: boolean | { level: string };
  /** The demo tenants the sign-in page may offer; the built-in demos unless given. */
  demoLogins?: DemoCandidate[];
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { db } = options.handle;
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: 5 * 1024 * 1024,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);
  await app.register(fastifyCookie);
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Yuchi API',
        version: '1',
        description: 'Private-domain operations platform. Authenticate with `Authorization: Bearer <api key>` (create one with `yuchi apikey create`). Money is in fen (分); times are ISO-8601 UTC.',
      },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
      security: [{ apiKey: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  if (process.env.YUCHI_REQUEST_TRACE) traceRequests(app, options.handle.pool, process.env.YUCHI_REQUEST_TRACE);
  registerAuth(app, db, options.handle.url);
  app.get('/healthz', { schema: { hide: true } }, async (_request, reply) => {
    try {
      await sql`select 1`.execute(db);
      return { ok: true };
    } catch {
      return reply.status(503).send({ ok: false });
    }
  });
  authRoutes(app, db, options.demoLogins);
  accessRoutes(app, db);
  orgRoutes(app, db);
  customerRoutes(app, db);
  orderRoutes(app, db);
  dashboardRoutes(app, db);
  eventRoutes(app, db);
  profileRoutes(app, db);
  exportRoutes(app, db);
  importRoutes(app, db);
  scoreRoutes(app, db);
  privacyRoutes(app, db);
  tagRoutes(app, db);
  formRoutes(app, db);
  promotionRoutes(app, db);
  segmentRoutes(app, db);
  analyticsRoutes(app, db);
  diagnosisRoutes(app, db);
  playbookRoutes(app, db);
  membershipRoutes(app, db);
  groupSellingRoutes(app, db);
  referralRoutes(app, db);
  channelRoutes(app, db);
  messagingRoutes(app, db);
  acquisitionRoutes(app, db);
  workbenchRoutes(app, db);
  groupRoutes(app, db);
  sopRoutes(app, db);
  journeyRoutes(app, db);

  const consoleBuilt = existsSync(CONSOLE_DIR + 'index.html');
  if (consoleBuilt) {
    // wildcard: files built after start-up are served too; preCompressed: the build writes .br/.gz;
    // hashed assets never change, so browsers may keep them for a year.
    await app.register(fastifyStatic, {
      root: CONSOLE_DIR,
      wildcard: true,
      preCompressed: true,
      index: ['index.html'],
      cacheControl: false,
      setHeaders: (res, filePath) => {
        res.setHeader('cache-control', filePath.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  }
  app.setNotFoundHandler((request, reply) => {
    const api = request.url.startsWith('/api/') || request.url === '/api';
    // A missing asset must not come back as the page: the browser would run HTML as a script.
    if (request.url.startsWith('/assets/')) return reply.status(404).type('text/plain').send('not found');
    if (!api && request.method === 'GET' && consoleBuilt) return reply.type('text/html').sendFile('index.html');
    if (!api && request.method === 'GET') {
      return reply.type('text/plain').status(404).send('The console is not built: run `npm run build:console` (npm start does it for you).');
    }
    return reply.status(404).send(errorBody('not_found', `no route ${request.method} ${request.url.split('?')[0] ?? ''}`));
  });
  return app;
}
