// The `yuchi` command as a user runs it: a real process, real database, exit codes and --json.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyLogin } from '../../src/core/access/access.service.ts';
import { buildApp } from '../../src/api/app.ts';
import { startEmbedded } from '../../src/db/embedded.ts';
import { testDb } from '../helpers.ts';
import { yuchi } from './yuchi.ts';




const slug = (): string => `cli-${randomBytes(4).toString('hex')}`;

describe('yuchi CLI', () => {
  it('lists its commands', async () => {
    const help = await yuchi(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['start', 'worker', 'migrate', 'tenant', 'user', 'apikey', 'clv']) expect(help.stdout).toContain(command);
  });

  it('creates a tenant, a user and an API key that works against the API, with --json', async () => {
    const s = slug();
    const tenant = await yuchi(['tenant', 'create', '--slug', s, '--name', '果园鲜生', '--json']);
    expect(tenant.code).toBe(0);
    expect(JSON.parse(tenant.stdout)).toMatchObject({ slug: s, name: '果园鲜生', timezone: 'Asia/Shanghai' });
    const user = await yuchi(['user', 'create', '--tenant', s, '--email', 'ops@example.com', '--role', 'operator', '--password', 'long enough', '--json']);
    expect(user.code).toBe(0);
    expect(JSON.parse(user.stdout)).toMatchObject({ email: 'ops@example.com', role: 'operator' });
    const created = await yuchi(['apikey', 'create', '--tenant', s, '--role', 'admin', '--json']);
    expect(created.code).toBe(0);
    const { key } = JSON.parse(created.stdout) as { key: string };
    expect(key).toMatch(/^yk_[0-9a-f]{32}_/);
    const stored = await testDb().db.selectFrom('api_keys').innerJoin('tenants', 'tenants.id', 'api_keys.tenant_id').select(['key_hash', 'key_prefix']).where('tenants.slug', '=', s).execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]?.key_hash.toString('utf8')).not.toContain(key.slice(40));
    const app = await buildApp({ handle: testDb() });
    const res = await app.inject({ url: '/api/v1/customers', headers: { authorization: `Bearer ${key}` } });
    await app.close();
    expect(res.statusCode).toBe(200);

    // a locked-out user gets a new password from the shell; a short one or an unknown email is refused
    const reset = await yuchi(['user', 'password', '--tenant', s, '--email', 'OPS@example.com', '--password', 'a new one!', '--json']);
    expect(reset.code).toBe(0);
    const short = await yuchi(['user', 'password', '--tenant', s, '--email', 'ops@example.com', '--password', 'short']);
    expect(short.code).not.toBe(0);
    expect(short.stderr).toContain('at least 8 characters');
    const nobody = await yuchi(['user', 'password', '--tenant', s, '--email', 'nobody@example.com', '--password', 'long enough']);
    expect(nobody.code).not.toBe(0);
    expect(nobody.stderr).toContain('no user nobody@example.com');
    const login = (password: string) => verifyLogin(testDb().db, s, 'ops@example.com', password).then(() => 'ok', () => 'refused');
    expect(await login('long enough')).toBe('refused');
    expect(await login('a new one!')).toBe('ok');
  });

  it('explains bad input and exits non-zero, changing nothing', async () => {
    const s = slug();
    expect((await yuchi(['tenant', 'create', '--slug', s, '--name', 'A'])).code).toBe(0);
    const duplicate = await yuchi(['tenant', 'create', '--slug', s, '--name', 'B']);
    expect(duplicate.code).not.toBe(0);
    expect(duplicate.stderr).toContain(`a tenant with slug ${s} exists`);
    const badRole = await yuchi(['apikey', 'create', '--tenant', s, '--role', 'boss']);
    expect(badRole.code).not.toBe(0);
    expect(badRole.stderr).toContain('--role must be admin, operator or guide');
    const noTenant = await yuchi(['user', 'create', '--tenant', 'nope-nope', '--email', 'a@b.cn', '--role', 'admin', '--password', 'long enough', '--json']);
    expect(noTenant.code).not.toBe(0);
    expect(JSON.parse(noTenant.stdout)).toEqual({ error: { message: 'tenant nope-nope not found' } });
    const missing = await yuchi(['tenant', 'create', '--slug', slug()]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("required option '--name <name>' not specified");
    const users = await testDb().db.selectFrom('users').innerJoin('tenants', 'tenants.id', 'users.tenant_id').select('users.id').where('tenants.slug', '=', s).execute();
    expect(users).toEqual([]);
  });

  it('uses the running embedded database of its data directory instead of starting another', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'yuchi-cli-'));
    const server = await startEmbedded(dataDir);
    try {
      const s = slug();
      const created = await yuchi(['tenant', 'create', '--slug', s, '--name', 'Reuse', '--json'], { YUCHI_DATA_DIR: dataDir });
      expect(created.code).toBe(0);
      // The command connected to the running server and left it running: we can still query it.
      const pg = (await import('pg')).default;
      const client = new pg.Client(server.url);
      await client.connect();
      const found = await client.query('select name from tenants where slug = $1', [s]);
      await client.end();
      expect(found.rows).toEqual([{ name: 'Reuse' }]);
    } finally {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('starts the embedded database for a command when none is running, and stops it after', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'yuchi-cli-'));
    try {
      const first = await yuchi(['migrate', '--json'], { YUCHI_DATA_DIR: dataDir });
      expect(first.code).toBe(0);
      expect(JSON.parse(first.stdout).applied).toContain('0001_foundation.sql');
      const second = await yuchi(['migrate', '--json'], { YUCHI_DATA_DIR: dataDir });
      expect(JSON.parse(second.stdout).applied).toEqual([]);
      const { existsSync } = await import('node:fs');
      expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
