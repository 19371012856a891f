// WeCom's callback crypto against the vectors published with WeCom's official WXBizMsgCrypt
// samples, and round trips of Yuchi's own encryption.
import { createDecipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  checkEncodingAesKey, decryptMessage, encryptMessage, msgSignature, openSigned, sealSigned, WecomCryptoError,
} from '../../src/core/channels/wecom/wecom.crypto.ts';
import { DOC_VECTOR, PY_VECTOR } from '../fakes/wecom-vectors.ts';

describe('published vectors', () => {
  it('signs the documentation\'s POST exactly as WeCom did', () => {
    const { token, post } = DOC_VECTOR;
    expect(msgSignature(token, post.timestamp, post.nonce, post.encrypt)).toBe(post.msgSignature);
  });

  it('verifies the URL check of the documentation and reveals its echostr', () => {
    const v = DOC_VECTOR;
    expect(openSigned(v, v.verify, v.verify.echostr)).toBe('1616140317555161061');
  });

  it('decrypts the documentation\'s message to its XML', () => {
    const v = DOC_VECTOR;
    const xml = openSigned(v, v.post, v.post.encrypt);
    expect(xml).toContain('<Content><![CDATA[hello]]></Content>');
    expect(xml).toContain('<MsgId>4561255354251345929</MsgId>');
    expect(xml.startsWith('<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>')).toBe(true);
  });

  it('verifies and decrypts the Python sample (XML, Chinese text counted in bytes)', () => {
    const v = PY_VECTOR;
    expect(openSigned(v, v.verify, v.verify.echostr)).toBe('1288432023552776189');
    const xml = openSigned(v, v.post, v.post.encrypt);
    expect(xml).toBe('<xml><ToUserName>ww1436e0e65a779aee</ToUserName><FromUserName>ChenJiaShun</FromUserName><CreateTime>1476422779</CreateTime><MsgType>text</MsgType><Content>你好</Content><MsgId>1456453720</MsgId><AgentID>1000002</AgentID></xml>');
  });

  it('decrypts the JSON sample', () => {
    const v = PY_VECTOR;
    const text = openSigned(v, v.json, v.json.encrypt);
    // The sample's own plaintext is not valid JSON (":mycreate"); the crypto must give it back as sent.
    expect(text).toContain('"Content": "hello"');
    expect(text).toContain('"MsgId": 4561255354251345929');
  });
});

describe('refusals', () => {
  it('refuses a wrong signature before decrypting', () => {
    const v = DOC_VECTOR;
    const tampered = { ...v.post, msgSignature: v.post.msgSignature.replace(/^4/, '5') };
    expect(() => openSigned(v, tampered, v.post.encrypt)).toThrow(expect.objectContaining({ reason: 'bad_signature' }));
    // the same signature over a different timestamp
    expect(() => openSigned(v, { ...v.post, timestamp: '1409659814' }, v.post.encrypt)).toThrow(WecomCryptoError);
  });

  it('refuses a message for another corp', () => {
    const v = DOC_VECTOR;
    expect(() => decryptMessage(v.encodingAesKey, v.post.encrypt, 'ww-someone-else')).toThrow(expect.objectContaining({ reason: 'wrong_receiver' }));
  });

  it('refuses ciphertext that is not whole blocks, and a key of the wrong size', () => {
    expect(() => decryptMessage(DOC_VECTOR.encodingAesKey, 'AAAA', DOC_VECTOR.corpId)).toThrow(expect.objectContaining({ reason: 'bad_ciphertext' }));
    expect(() => decryptMessage('short', DOC_VECTOR.post.encrypt, DOC_VECTOR.corpId)).toThrow(expect.objectContaining({ reason: 'invalid_key' }));
  });

  it('checks an EncodingAESKey', () => {
    expect(checkEncodingAesKey(DOC_VECTOR.encodingAesKey)).toBeNull();
    expect(checkEncodingAesKey(DOC_VECTOR.encodingAesKey.slice(0, 42))).toMatch(/43 characters/);
    expect(checkEncodingAesKey(`${DOC_VECTOR.encodingAesKey.slice(0, 42)}=`)).toMatch(/letters, digits/);
  });
});

describe('round trips', () => {
  it('encrypts as WeCom does: the sample\'s plaintext with the sample\'s random bytes gives the sample\'s ciphertext', () => {
    const v = DOC_VECTOR;
    // The first 16 plaintext bytes are random; take WeCom's from the vector to reproduce its ciphertext.
    const key = Buffer.from(v.encodingAesKey + '=', 'base64');
    const xml = decryptMessage(v.encodingAesKey, v.post.encrypt, v.corpId);
    const random = randomPrefix(key, v.post.encrypt);
    expect(encryptMessage(v.encodingAesKey, xml, v.corpId, random)).toBe(v.post.encrypt);
  });

  it('pads to 32-byte blocks for every length, including multi-byte text', () => {
    const v = PY_VECTOR;
    for (const message of ['', 'a', '你好，鱼池', 'x'.repeat(11), 'x'.repeat(12), 'x'.repeat(44), '<xml><Content>养鱼，不是杀猪</Content></xml>']) {
      const sealed = sealSigned(v, message, '1700000000', '42');
      expect(Buffer.from(sealed.encrypt, 'base64').length % 32).toBe(0);
      expect(openSigned(v, { msgSignature: sealed.msgSignature, timestamp: '1700000000', nonce: '42' }, sealed.encrypt)).toBe(message);
    }
  });
});

function randomPrefix(key: Buffer, encrypt: string): Buffer {
  const d = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  d.setAutoPadding(false);
  return Buffer.concat([d.update(Buffer.from(encrypt, 'base64')), d.final()]).subarray(0, 16);
}
