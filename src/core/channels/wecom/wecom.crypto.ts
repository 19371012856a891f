// WeCom's callback crypto (WXBizMsgCrypt), as a pure module:
//   msg_signature = sha1(sort([token, timestamp, nonce, encrypt]).join(''))
//   key = base64(EncodingAESKey + '='), 32 bytes; iv = the key's first 16 bytes; AES-256-CBC
//   with PKCS#7 padding to 32-byte blocks (not 16: WeCom pads to the key length)
//   plaintext = 16 random bytes + 4-byte big-endian length + message + receiveid (the corp id)
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const BLOCK = 32;

export type CryptoFailure = 'invalid_key' | 'bad_signature' | 'bad_ciphertext' | 'bad_padding' | 'bad_length' | 'wrong_receiver';

export class WecomCryptoError extends Error {
  constructor(readonly reason: CryptoFailure, message: string) {
    super(message);
    this.name = 'WecomCryptoError';
  }
}

/** Why an EncodingAESKey is unusable, or null when it is fine. */
/** What is wrong with an EncodingAESKey, with a code and values the console words in its own language. */
export function encodingAesKeyProblem(encodingAesKey: string): { code: 'aes_key_length' | 'aes_key_charset' | 'aes_key_bytes'; message: string; params: Record<string, number> } | null {
  if (encodingAesKey.length !== 43) return { code: 'aes_key_length', message: `must be 43 characters (it has ${encodingAesKey.length})`, params: { length: encodingAesKey.length } };
  if (!/^[A-Za-z0-9+/]{43}$/.test(encodingAesKey)) return { code: 'aes_key_charset', message: 'must be letters, digits, + and / only (base64 without the trailing =)', params: {} };
  if (Buffer.from(encodingAesKey + '=', 'base64').length !== 32) return { code: 'aes_key_bytes', message: 'must decode to 32 bytes', params: {} };
  return null;
}

export function checkEncodingAesKey(encodingAesKey: string): string | null {
  return encodingAesKeyProblem(encodingAesKey)?.message ?? null;
}

export function aesKeyOf(encodingAesKey: string): Buffer {
  const problem = checkEncodingAesKey(encodingAesKey);
  if (problem) throw new WecomCryptoError('invalid_key', `EncodingAESKey ${problem}`);
  return Buffer.from(encodingAesKey + '=', 'base64');
}

export function msgSignature(token: string, timestamp: string, nonce: string, encrypt: string): string {
  return createHash('sha1').update([token, timestamp, nonce, encrypt].sort().join('')).digest('hex');
}

/** Constant-time comparison, so a forger learns nothing from how long a refusal takes. */
export function signatureMatches(expected: string, given: string): boolean {
  const a = Buffer.from(expected.toLowerCase());
  const b = Buffer.from(given.toLowerCase());
  return a.length === b.length && timingSafeEqual(a, b);
}

export function decryptMessage(encodingAesKey: string, encrypt: string, receiveId: string): string {
  const key = aesKeyOf(encodingAesKey);
  const cipherBytes = Buffer.from(encrypt, 'base64');
  if (cipherBytes.length === 0 || cipherBytes.length % 16 !== 0) throw new WecomCryptoError('bad_ciphertext', 'the encrypted text is not whole AES blocks');
  let padded: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    decipher.setAutoPadding(false);
    padded = Buffer.concat([decipher.update(cipherBytes), decipher.final()]);
  } catch {
    throw new WecomCryptoError('bad_ciphertext', 'the encrypted text does not decrypt');
  }
  const pad = padded[padded.length - 1] ?? 0;
  if (pad < 1 || pad > BLOCK || pad > padded.length) throw new WecomCryptoError('bad_padding', 'the padding is not PKCS#7');
  const plain = padded.subarray(0, padded.length - pad);
  if (plain.length < 20) throw new WecomCryptoError('bad_length', 'the plaintext is shorter than its header');
  const length = plain.readUInt32BE(16);
  if (20 + length > plain.length) throw new WecomCryptoError('bad_length', 'the stated message length runs past the plaintext');
  const message = plain.subarray(20, 20 + length).toString('utf8');
  const receiver = plain.subarray(20 + length).toString('utf8');
  if (receiver !== receiveId) throw new WecomCryptoError('wrong_receiver', `the message is for ${receiver || '(nobody)'}, not ${receiveId}`);
  return message;
}

export function encryptMessage(encodingAesKey: string, message: string, receiveId: string, random: Buffer = randomBytes(16)): string {
  const key = aesKeyOf(encodingAesKey);
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const plain = Buffer.concat([random.subarray(0, 16), length, body, Buffer.from(receiveId, 'utf8')]);
  const pad = BLOCK - (plain.length % BLOCK);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
}

export interface CallbackSecrets {
  token: string;
  encodingAesKey: string;
  corpId: string;
}

export interface SignedParams {
  msgSignature: string;
  timestamp: string;
  nonce: string;
}

/** Checks the signature over `encrypt` and decrypts it; throws bad_signature before touching the ciphertext. */
export function openSigned(secrets: CallbackSecrets, params: SignedParams, encrypt: string): string {
  const expected = msgSignature(secrets.token, params.timestamp, params.nonce, encrypt);
  if (!signatureMatches(expected, params.msgSignature)) throw new WecomCryptoError('bad_signature', 'msg_signature does not match');
  return decryptMessage(secrets.encodingAesKey, encrypt, secrets.corpId);
}

/** Encrypts and signs a message as WeCom would send it (the fake server and tests use this). */
export function sealSigned(secrets: CallbackSecrets, message: string, timestamp: string, nonce: string): { encrypt: string; msgSignature: string } {
  const encrypt = encryptMessage(secrets.encodingAesKey, message, secrets.corpId);
  return { encrypt, msgSignature: msgSignature(secrets.token, timestamp, nonce, encrypt) };
}
