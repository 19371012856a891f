// Channel secrets at rest: sealed in the row, opened for use, resealed on rotation, and a wrong
// key is an error naming the setting.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyFileKeyring, keyringOf, newKeyBase64, parseKey, reloadSecretKeyring, rotateKeyFile, secretKeyring, type SecretKeyring } from '../../src/core/channels/secret-box.ts';
import { channelSettings, listChannels, saveChannelSettings, sealStoredSecrets } from '../../src/core/channels/settings.service.ts';
import type { Actor } from '../../src/core/access/access.rules.ts';
import { YuchiError } from '../../src/core/errors.ts';
import { newTenant, testDb } from '../helpers.ts';

const keyA = newKeyBase64();
process.env.YUCHI_SECRET_KEY = keyA;
delete process.env.YUCHI_SECRET_KEYS_PREVIOUS;
reloadSecretKeyring();

const WECOM = { corpId: 'ww1436e0e65a779aee', agentId: '1000002', secret: 'corp-secret-PLAIN-0001', token: 'QDG6eK', encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' };
const SMTP = { host: 'smtp.example.com', port: 587, from: 'shop@example.com', user: 'shop', password: 'smtp-password-PLAIN' };

function actorOf(tenantId: string): Actor {
  return { tenantId, tenantSlug: 't', tenantName: 't', timezone: 'Asia/Shanghai', role: 'admin', staffId: null, userId: null, apiKeyId: null, name: 'test admin' };
}

const rowText = async (tenantId: string, kind: string) =>
  (await sql<{ t: string }>`select config::text as t from channel_settings where tenant_id = ${tenantId} and kind = ${kind}`.execute(testDb().db)).rows[0]?.t ?? '';

let dir = '';
beforeAll(async () => { dir = await mkdtemp(path.join(tmpdir(), 'yuchi-keys-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('channel secrets at rest', () => {
  it('stores no plaintext secret in the row and gives the secrets back for sending', async () => {
    const t = await newTenant();
    await saveChannelSettings(testDb().db, actorOf(t.id), 'wecom', WECOM);
    await saveChannelSettings(testDb().db, actorOf(t.id), 'email', SMTP);
    const wecomRow = await rowText(t.id, 'wecom');
    for (const plain of [WECOM.secret, WECOM.token, WECOM.encodingAesKey]) expect(wecomRow).not.toContain(plain);
    expect(wecomRow).toContain(WECOM.corpId);
    expect(wecomRow).toContain(secretKeyring().current.id);
    expect(await rowText(t.id, 'email')).not.toContain(SMTP.password);
    expect(await channelSettings(testDb().db, t.id, 'wecom')).toMatchObject({ secret: WECOM.secret, token: WECOM.token, encodingAesKey: WECOM.encodingAesKey });
    expect(await channelSettings(testDb().db, t.id, 'email')).toMatchObject({ password: SMTP.password });
    const listed = (await listChannels(testDb().db, t.id)).find((c) => c.kind === 'wecom');
    expect(listed?.settings).toMatchObject({ secret: '••••0001', corpId: WECOM.corpId });
  });

  it('keeps a sealed secret a later save leaves out, and gateway headers are sealed as a whole', async () => {
    const t = await newTenant();
    await saveChannelSettings(testDb().db, actorOf(t.id), 'sms', { url: 'https://sms.example.com/send', headers: { 'X-Api-Key': 'sms-key-PLAIN-9999' }, bodyTemplate: '{"p":"{phone}","t":"{text}"}' });
    await saveChannelSettings(testDb().db, actorOf(t.id), 'sms', { url: 'https://sms.example.com/v2', bodyTemplate: '{"p":"{phone}","t":"{text}"}' });
    expect(await rowText(t.id, 'sms')).not.toContain('sms-key-PLAIN-9999');
    expect(await channelSettings(testDb().db, t.id, 'sms')).toMatchObject({ url: 'https://sms.example.com/v2', headers: { 'X-Api-Key': 'sms-key-PLAIN-9999' } });
  });

  it('seals rows stored in plain text once, and a second run changes nothing', async () => {
    const t = await newTenant();
    await sql`insert into channel_settings (tenant_id, kind, config, updated_by) values (${t.id}, 'webhook', ${JSON.stringify({ url: 'https://hooks.example.com/x', secret: 'webhook-secret-PLAIN-123' })}::jsonb, 'old')`.execute(testDb().db);
    const first = await sealStoredSecrets(testDb().db);
    expect(first.sealed).toBeGreaterThanOrEqual(1);
    expect(await rowText(t.id, 'webhook')).not.toContain('webhook-secret-PLAIN-123');
    const sealedRow = await rowText(t.id, 'webhook');
    await sealStoredSecrets(testDb().db);
    expect(await rowText(t.id, 'webhook')).toBe(sealedRow);
    expect(await channelSettings(testDb().db, t.id, 'webhook')).toMatchObject({ secret: 'webhook-secret-PLAIN-123' });
  });

  it('rotates: a new current key reseals every secret, and the old key is then no longer needed', async () => {
    const t = await newTenant();
    await saveChannelSettings(testDb().db, actorOf(t.id), 'wecom', WECOM);
    const oldId = secretKeyring().current.id;
    const keyB = newKeyBase64();
    const rotated: SecretKeyring = keyringOf([parseKey(keyB, 'b'), parseKey(keyA, 'a')], 'test ring');
    await sealStoredSecrets(testDb().db, rotated);
    const row = await rowText(t.id, 'wecom');
    expect(row).toContain(rotated.current.id);
    expect(row).not.toContain(oldId);
    process.env.YUCHI_SECRET_KEY = keyB;
    reloadSecretKeyring();
    try {
      expect(await channelSettings(testDb().db, t.id, 'wecom')).toMatchObject({ secret: WECOM.secret });
    } finally {
      process.env.YUCHI_SECRET_KEY = keyA;
      reloadSecretKeyring();
    }
  });

  it('a wrong key is an error naming the setting, never garbage', async () => {
    const t = await newTenant();
    await saveChannelSettings(testDb().db, actorOf(t.id), 'wecom', WECOM);
    process.env.YUCHI_SECRET_KEY = newKeyBase64();
    reloadSecretKeyring();
    try {
      const err = await channelSettings(testDb().db, t.id, 'wecom').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(YuchiError);
      expect((err as YuchiError).message).toMatch(/the wecom setting "secret" was sealed with secret key [0-9a-f]{12}, which is not among the keys/);
      // the same key id but different key bytes: the envelope does not open
      const ring = keyringOf([parseKey(newKeyBase64(), 'x')], 'x');
      const envelope = JSON.parse(await rowText(t.id, 'wecom')) as { secret: { kid: string } };
      ring.byId.set(envelope.secret.kid, parseKey(newKeyBase64(), 'y'));
      const { openSecrets } = await import('../../src/core/channels/settings.service.ts');
      expect(() => openSecrets(t.id, 'wecom', envelope as unknown as Record<string, unknown>, ring)).toThrow(/the wecom setting "secret" cannot be opened with secret key/);
    } finally {
      process.env.YUCHI_SECRET_KEY = keyA;
      reloadSecretKeyring();
    }
  });

  it('an envelope copied into another tenant does not open there', async () => {
    const [a, b] = [await newTenant(), await newTenant()];
    await saveChannelSettings(testDb().db, actorOf(a.id), 'webhook', { url: 'https://hooks.example.com/a', secret: 'webhook-secret-of-tenant-a' });
    await sql`insert into channel_settings (tenant_id, kind, config, updated_by)
              select ${b.id}, kind, config, 'copy' from channel_settings where tenant_id = ${a.id} and kind = 'webhook'`.execute(testDb().db);
    await expect(channelSettings(testDb().db, b.id, 'webhook')).rejects.toThrow(/the webhook setting "secret" cannot be opened/);
  });

  it('the key file is made once with permissions 0600, and rotation puts a new key first', async () => {
    const first = keyFileKeyring(dir);
    const again = keyFileKeyring(dir);
    expect(again.current.id).toBe(first.current.id);
    const file = path.join(dir, 'secret-keys');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const newId = rotateKeyFile(dir);
    const ring = keyFileKeyring(dir);
    expect(ring.current.id).toBe(newId);
    expect(ring.byId.has(first.current.id)).toBe(true);
    expect((await readFile(file, 'utf8')).trim().split('\n')).toHaveLength(2);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});
