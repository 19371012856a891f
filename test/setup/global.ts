// One real PostgreSQL for the whole run: DATABASE_URL if set, else a fresh embedded server in a
// temporary directory. Migrated once; each test then makes its own tenant (test/helpers.ts).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbedded, type DatabaseServer } from '../../src/db/embedded.ts';
import { openDatabase } from '../../src/db/connect.ts';
import { migrate } from '../../src/db/migrate.ts';

let server: DatabaseServer | undefined;
let dataDir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  let url = process.env.DATABASE_URL;
  if (!url) {
    dataDir = await mkdtemp(path.join(tmpdir(), 'yuchi-test-'));
    server = await startEmbedded(dataDir);
    url = server.url;
  }
  const handle = openDatabase(url, { max: 2 });
  await migrate(handle.pool);
  await handle.close();
  project.provide('databaseUrl', url);
}

export async function teardown(): Promise<void> {
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}
