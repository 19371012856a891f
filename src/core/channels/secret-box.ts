// Channel secrets at rest: each secret field of a channel's settings is stored as an AES-256-GCM
// envelope that names the key it was sealed with, so keys can rotate (old envelopes open with an
// older key of the ring, `yuchi secrets rotate` reseals them under the current one). The tenant,
// channel and field are the additional data: an envelope copied into another tenant's row or
// another field does not open.
//
// The keys: YUCHI_SECRET_KEY (base64, 32 bytes) is the current key and YUCHI_SECRET_KEYS_PREVIOUS
// (comma-separated) the older ones; without them, the key file `secret-keys` in the data directory
// (YUCHI_DATA_DIR, default ./.yuchi), created once with permissions 0600, one key per line, the
// current key first.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { YuchiError } from '../errors.ts';

export interface SecretKey {
  id: string;
  key: Buffer;
}

export interface SecretKeyring {
  current: SecretKey;
  /** Every key that may open an envelope, the current one included, by id. */
  byId: Map<string, Buffer>;
  /** Where the keys came from, for error messages. */
  source: string;
}

/** How a sealed secret sits in the settings document. */
export interface SecretEnvelope {
  $sealed: 'aes-256-gcm';
  kid: string;
  iv: string;
  tag: string;
  data: string;
}

export const KEY_FILE = 'secret-keys';

/** A key's id: a digest of the key, so the id tells which key sealed a value without revealing it. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('yuchi-secret-key:').update(key).digest('hex').slice(0, 12);
}

export function parseKey(base64: string, source: string): Buffer {
  const key = Buffer.from(base64.trim(), 'base64');
  if (key.length !== 32) throw new Error(`${source}: a secret key must be 32 bytes in base64 (it decodes to ${key.length} bytes)`);
  return key;
}

export function keyringOf(keys: Buffer[], source: string): SecretKeyring {
  const first = keys[0];
  if (!first) throw new Error(`${source}: no secret key`);
  return { current: { id: keyIdOf(first), key: first }, byId: new Map(keys.map((k) => [keyIdOf(k), k])), source };
}

export function newKeyBase64(): string {
  return randomBytes(32).toString('base64');
}

function readKeyFile(file: string): Buffer[] {
  return readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))
    .map((line, i) => parseKey(line, `${file} line ${i + 1}`));
}

/** The keys of a data directory's key file, creating the file with one fresh key the first time. */
export function keyFileKeyring(dataDir: string): SecretKeyring {
  const file = path.join(dataDir, KEY_FILE);
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    try {
      // 'wx': two processes starting at once must not each write a different key.
      writeFileSync(file, `${newKeyBase64()}\n`, { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return keyringOf(readKeyFile(file), file);
}

/** Puts a fresh key first in the key file; the older keys stay to open what they sealed. Returns the new key's id. */
export function rotateKeyFile(dataDir: string): string {
  const file = path.join(dataDir, KEY_FILE);
  const old = existsSync(file) ? readKeyFile(file) : [];
  const fresh = newKeyBase64();
  writeFileSync(file, [fresh, ...old.map((k) => k.toString('base64'))].join('\n') + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return keyIdOf(parseKey(fresh, file));
}

export function keyringFromEnvironment(env: NodeJS.ProcessEnv = process.env): SecretKeyring {
  const current = env.YUCHI_SECRET_KEY;
  if (current && current.trim() !== '') {
    const previous = (env.YUCHI_SECRET_KEYS_PREVIOUS ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
    return keyringOf([parseKey(current, 'YUCHI_SECRET_KEY'), ...previous.map((p, i) => parseKey(p, `YUCHI_SECRET_KEYS_PREVIOUS[${i}]`))], 'YUCHI_SECRET_KEY');
  }
  // the data directory as src/db/embedded.ts resolves it (not imported: it loads the PostgreSQL binaries' package)
  return keyFileKeyring(path.resolve(env.YUCHI_DATA_DIR ?? '.yuchi'));
}

let cached: SecretKeyring | undefined;

/** The process's keyring, read once. */
export function secretKeyring(): SecretKeyring {
  cached ??= keyringFromEnvironment();
  return cached;
}

/** Forgets the cached keyring (after a rotation of the key file). */
export function reloadSecretKeyring(): void {
  cached = undefined;
}

export function isSealed(value: unknown): value is SecretEnvelope {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return v.$sealed === 'aes-256-gcm' && typeof v.kid === 'string' && typeof v.iv === 'string' && typeof v.tag === 'string' && typeof v.data === 'string';
}

/** The secret's place, bound into the envelope: tenant / channel / field. */
export interface SecretPlace {
  tenantId: string;
  channel: string;
  field: string;
}

const aadOf = (p: SecretPlace): Buffer => Buffer.from(`${p.tenantId}/${p.channel}/${p.field}`, 'utf8');

export function seal(value: unknown, place: SecretPlace, ring: SecretKeyring = secretKeyring()): SecretEnvelope {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', ring.current.key, iv);
  cipher.setAAD(aadOf(place));
  const data = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return { $sealed: 'aes-256-gcm', kid: ring.current.id, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

/** Opens an envelope; a missing or wrong key is an error naming the setting, never garbage. */
export function open(envelope: SecretEnvelope, place: SecretPlace, ring: SecretKeyring = secretKeyring()): unknown {
  const setting = `the ${place.channel} setting "${place.field}"`;
  const key = ring.byId.get(envelope.kid);
  if (!key) {
    throw new YuchiError('unprocessable', `${setting} was sealed with secret key ${envelope.kid}, which is not among the keys of ${ring.source} (current ${ring.current.id}); restore that key (YUCHI_SECRET_KEYS_PREVIOUS or the key file) or save the setting again`,
      [{ path: `channels.${place.channel}.${place.field}`, message: `sealed with unknown key ${envelope.kid}`, code: 'secret_key_missing', params: { channel: place.channel } }], 'secret_key_missing');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(envelope.iv, 'base64'));
    decipher.setAAD(aadOf(place));
    decipher.setAuthTag(Buffer.from(envelope.tag, 'base64'));
    const text = Buffer.concat([decipher.update(Buffer.from(envelope.data, 'base64')), decipher.final()]).toString('utf8');
    return JSON.parse(text) as unknown;
  } catch {
    throw new YuchiError('unprocessable', `${setting} cannot be opened with secret key ${envelope.kid}: the key is wrong or the stored value was altered; save the setting again`,
      [{ path: `channels.${place.channel}.${place.field}`, message: 'cannot be decrypted', code: 'secret_unreadable', params: { channel: place.channel } }], 'secret_unreadable');
  }
}
