// Opens the database for a CLI command: DATABASE_URL, the running embedded server of the data
// directory, or an embedded server started for the duration of the command. The database
// modules load on first use, so that commands which need no database start quickly.
import type { DatabaseHandle } from '../db/connect.ts';

export async function withDatabase<T>(run: (handle: DatabaseHandle) => Promise<T>, options: { migrate?: boolean } = {}): Promise<T> {
  const [{ openDatabaseServer }, { openDatabase }, { migrate }] = await Promise.all([
    import('../db/embedded.ts'), import('../db/connect.ts'), import('../db/migrate.ts'),
  ]);
  const server = await openDatabaseServer();
  const handle = openDatabase(server.url, { max: 8, applicationName: 'yuchi-cli' });
  try {
    if (options.migrate !== false) await migrate(handle.pool);
    return await run(handle);
  } finally {
    await handle.close();
    await server.stop();
  }
}
