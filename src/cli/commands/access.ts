// tenant create, user create, apikey create: what an administrator sets up from a shell.
import type { Command } from 'commander';
import { createApiKey, createUser } from '../../core/access/access.service.ts';
import { isRole, type Actor } from '../../core/access/access.rules.ts';
import { setPassword } from '../../core/access/users.service.ts';
import { createTenant, getTenantBySlug } from '../../core/tenants/tenants.service.ts';
import { CommandError, fail, report, type OutputOptions } from '../output.ts';
import { withDatabase } from '../context.ts';
import type { Role } from '../../db/schema.ts';

function roleOf(value: string): Role {
  if (!isRole(value)) throw new CommandError(`--role must be admin, operator or guide (got "${value}")`);
  return value;
}

export function registerAccessCommands(program: Command): void {
  const tenant = program.command('tenant').description('manage tenants (one brand each)');
  tenant
    .command('create')
    .description('create a tenant')
    .requiredOption('--slug <slug>', 'short id used at login, e.g. "guoyuan"')
    .requiredOption('--name <name>', 'display name, e.g. "果园鲜生"')
    .option('--timezone <zone>', 'IANA time zone', 'Asia/Shanghai')
    .option('--json', 'print JSON')
    .action(async (o: { slug: string; name: string; timezone: string } & OutputOptions) => {
      try {
        const t = await withDatabase(({ db }) => createTenant(db, { slug: o.slug, name: o.name, timezone: o.timezone }));
        report(o, { id: t.id, slug: t.slug, name: t.name, timezone: t.timezone }, `created tenant ${t.slug} (${t.name}), id ${t.id}`);
      } catch (err) {
        fail(o, err);
      }
    });

  const user = program.command('user').description('manage console users');
  user
    .command('password')
    .description('set a console user\'s password (an administrator locked out); their sessions end')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .requiredOption('--email <email>', 'login email')
    .option('--password <password>', 'at least 8 characters (else read from YUCHI_PASSWORD)')
    .option('--json', 'print JSON')
    .action(async (o: { tenant: string; email: string; password?: string } & OutputOptions) => {
      try {
        const password = o.password ?? process.env.YUCHI_PASSWORD;
        if (!password) throw new CommandError('give --password or set YUCHI_PASSWORD');
        const id = await withDatabase(async ({ db }) => {
          const t = await getTenantBySlug(db, o.tenant);
          const row = await db.selectFrom('users').select('id').where('tenant_id', '=', t.id).where('email', '=', o.email.trim().toLowerCase()).executeTakeFirst();
          if (!row) throw new CommandError(`--email: no user ${o.email} in tenant ${o.tenant}`);
          const actor: Actor = { tenantId: t.id, tenantSlug: t.slug, tenantName: t.name, timezone: t.timezone, role: 'admin', staffId: null, userId: null, apiKeyId: null, name: 'yuchi CLI' };
          await setPassword(db, actor, row.id, password);
          return row.id;
        });
        report(o, { id, email: o.email.trim().toLowerCase() }, `password set for ${o.email}; their sessions ended`);
      } catch (err) {
        fail(o, err);
      }
    });
  user
    .command('create')
    .description('create a console user')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .requiredOption('--email <email>', 'login email')
    .requiredOption('--role <role>', 'admin | operator | guide')
    .option('--name <name>', 'display name')
    .option('--password <password>', 'at least 8 characters (else read from YUCHI_PASSWORD)')
    .option('--staff <id>', 'staff id the user acts as (required for guides)')
    .option('--json', 'print JSON')
    .action(async (o: { tenant: string; email: string; role: string; name?: string; password?: string; staff?: string } & OutputOptions) => {
      try {
        const password = o.password ?? process.env.YUCHI_PASSWORD;
        if (!password) throw new CommandError('give --password or set YUCHI_PASSWORD');
        const role = roleOf(o.role);
        const user = await withDatabase(async ({ db }) => {
          const t = await getTenantBySlug(db, o.tenant);
          return createUser(db, t.id, { email: o.email, name: o.name, password, role, staffId: o.staff ?? null });
        });
        report(o, { id: user.id, email: user.email, role: user.role }, `created ${user.role} ${user.email}, id ${user.id}`);
      } catch (err) {
        fail(o, err);
      }
    });

  program
    .command('apikey')
    .description('manage API keys')
    .command('create')
    .description('create an API key; the key is printed once and only its hash is kept')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .requiredOption('--role <role>', 'admin | operator | guide')
    .option('--name <name>', 'what the key is for, e.g. "POS integration"')
    .option('--staff <id>', 'staff id (required for guide keys)')
    .option('--json', 'print JSON: {"key": "..."}')
    .action(async (o: { tenant: string; role: string; name?: string; staff?: string } & OutputOptions) => {
      try {
        const role = roleOf(o.role);
        const created = await withDatabase(async ({ db }) => {
          const t = await getTenantBySlug(db, o.tenant);
          return createApiKey(db, t.id, { role, name: o.name, staffId: o.staff ?? null });
        });
        report(o, { key: created.key, id: created.id, role }, [created.key, `(${role} key ${created.id}; shown once — store it now)`]);
      } catch (err) {
        fail(o, err);
      }
    });
}
