// Shared by the integration tests: the run's database and a fresh tenant per test.
import { randomBytes } from 'node:crypto';
import { afterAll, inject } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../src/db/connect.ts';
import type { Tenant } from '../src/db/schema.ts';
import { createTenant } from '../src/core/tenants/tenants.service.ts';

let handle: DatabaseHandle | undefined;

/** The database of this test run; one pool per test file, closed after the file. */
export function testDb(): DatabaseHandle {
  if (!handle) {
    handle = openDatabase(inject('databaseUrl'), { max: 10, applicationName: 'yuchi-test' });
    const opened = handle;
    afterAll(async () => {
      await opened.close();
      if (handle === opened) handle = undefined;
    });
  }
  return handle;
}

/** A new tenant with a unique slug, so tests never see each other's rows. */
export async function newTenant(name = 'Test tenant'): Promise<Tenant> {
  const slug = `t-${randomBytes(6).toString('hex')}`;
  return createTenant(testDb().db, { slug, name });
}
