// Who is calling: a console session cookie or `Authorization: Bearer <api key>`. Runs before
// validation, so an anonymous caller learns nothing about a request's shape. Each route states
// the permission it needs in `config.permission`; routes with `config.public` need none.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../db/connect.ts';
import { can, type Actor, type Permission } from '../core/access/access.rules.ts';
import { authenticateApiKey, authenticateSession, noteKeyUse } from '../core/access/access.service.ts';
import { YuchiError } from '../core/errors.ts';
import { apiKeyCache, type ApiKeyCache } from './api-key-cache.ts';

export const SESSION_COOKIE = 'yuchi_session';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
  interface FastifyInstance {
    /** After this process changes an API key: drops the keys it holds at once (other processes hear the notice). */
    forgetApiKeys: () => void;
  }
  interface FastifyContextConfig {
    permission?: Permission;
    public?: boolean;
  }
}

async function identify(db: Db, keys: ApiKeyCache | undefined, request: FastifyRequest): Promise<Actor | undefined> {
  const header = request.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) return undefined;
    const actor = await (keys ? keys.authenticate(match[1], (key) => authenticateApiKey(db, key)) : authenticateApiKey(db, match[1]));
    // noted on every use, cached or not (it writes at most once a minute per key)
    if (actor?.apiKeyId) noteKeyUse(db, actor.tenantId, actor.apiKeyId);
    return actor;
  }
  const token = request.cookies[SESSION_COOKIE];
  return token ? authenticateSession(db, token) : undefined;
}

/** `databaseUrl` lets API keys already checked be kept in the process (api-key-cache.ts); without it every request reads the key's row. */
export function registerAuth(app: FastifyInstance, db: Db, databaseUrl?: string): void {
  const keys = databaseUrl ? apiKeyCache(databaseUrl) : undefined;
  if (keys) app.addHook('onClose', async () => keys.close());
  app.decorate('forgetApiKeys', () => keys?.forget());
  app.decorateRequest('actor', null);
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    if (!request.url.startsWith('/api/v1/') || config.public) return;
    const actor = await identify(db, keys, request);
    if (!actor) throw new YuchiError('unauthenticated', 'sign in, or send a valid API key as "Authorization: Bearer <key>"');
    request.actor = actor;
    if (config.permission && !can(actor.role, config.permission)) {
      throw new YuchiError('forbidden', `the ${actor.role} role may not do this (needs ${config.permission})`);
    }
  });
}

/** The authenticated actor of a request on a protected route. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new YuchiError('unauthenticated', 'not signed in');
  return request.actor;
}
