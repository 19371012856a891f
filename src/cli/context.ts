// Opens the database for a CLI command: DATABASE_URL, the running embedded server of the data
// directory, or an embedded server started for the duration of the command.
import { openDatabaseServer } from '../db/embedded.ts';
import { openDatabase, type DatabaseHandle } from '../db/connect.ts';
import { migrate } from '../db/migrate.ts';

export async function withDatabase<T>(run: (handle: DatabaseHandle) => Promise<T>, options: { migrate?: boolean } = {}): Promise<T> {
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
