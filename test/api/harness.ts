// An in-process API for tests (Fastify inject: no sockets) plus keys of each role.
import { afterAll } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.ts';
import { createApiKey } from '../../src/core/access/access.service.ts';
import type { Role } from '../../src/db/schema.ts';
import { testDb } from '../helpers.ts';

let app: FastifyInstance | undefined;

export async function api(): Promise<FastifyInstance> {
  if (!app) {
    const built = await buildApp({ handle: testDb() });
    app = built;
    afterAll(async () => {
      await built.close();
    });
  }
  return app;
}

export async function keyFor(tenantId: string, role: Role, staffId?: string): Promise<string> {
  return (await createApiKey(testDb().db, tenantId, { role, staffId: staffId ?? null })).key;
}

export function bearer(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}
