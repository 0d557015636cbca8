import { describe, expect, it } from 'vitest';
import { base64url, generateSessionId, isSessionIdShape, storeKeyOf } from './ids';

/** base64url decoding, written out so the test does not trust the code under test. */
function decodeBase64url(text: string): Uint8Array {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const bytes: number[] = [];
  let bits = 0;
  let buffer = 0;
  for (const char of text) {
    const value = alphabet.indexOf(char);
    if (value < 0) throw new Error(`not base64url: ${char}`);
    buffer = (buffer << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  return new Uint8Array(bytes);
}

describe('generateSessionId', () => {
  it('mints 43 base64url characters that decode to 32 random bytes (256 bits)', () => {
    const id = generateSessionId();
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(decodeBase64url(id)).toHaveLength(32);
    expect(base64url(decodeBase64url(id))).toBe(id);
  });

  it('never repeats across 10,000 draws', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 10_000; i++) ids.add(generateSessionId());
    expect(ids.size).toBe(10_000);
  });

  it('uses every position of the alphabet, so no byte is stuck', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) for (const char of generateSessionId()) seen.add(char);
    expect(seen.size).toBe(64);
  });

  it('produces ids that pass its own shape check', () => {
    for (let i = 0; i < 100; i++) expect(isSessionIdShape(generateSessionId())).toBe(true);
  });
});

describe('isSessionIdShape', () => {
  it('rejects values of the wrong type, length or alphabet', () => {
    const good = generateSessionId();
    for (const bad of [
      undefined,
      null,
      42,
      {},
      [good],
      '',
      good.slice(0, 42),
      `${good}A`,
      `${good.slice(0, 42)}=`,
      `${good.slice(0, 42)}+`,
      `${good.slice(0, 42)}/`,
      `${good.slice(0, 42)}.`,
      ` ${good.slice(1)}`,
      `${good}\n`,
      `${good.slice(0, 42)}é`,
    ]) {
      expect(isSessionIdShape(bad), JSON.stringify(bad) ?? String(bad)).toBe(false);
    }
    expect(isSessionIdShape(good)).toBe(true);
  });
});

describe('storeKeyOf', () => {
  it('is the first 192 bits of the SHA-256 digest of the id, base64url (known vector)', async () => {
    expect(await storeKeyOf('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qc');
  });

  it('matches a digest computed independently with crypto.subtle', async () => {
    const id = generateSessionId();
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(id)));
    const key = await storeKeyOf(id);
    expect(decodeBase64url(key)).toEqual(digest.subarray(0, 24));
    expect(key).toHaveLength(32);
  });

  it('differs from the id, so a store dump yields no replayable cookie', async () => {
    for (let i = 0; i < 50; i++) {
      const id = generateSessionId();
      const key = await storeKeyOf(id);
      expect(key).not.toBe(id);
      expect(await storeKeyOf(key)).not.toBe(id);
    }
  });

  it('is deterministic', async () => {
    const id = generateSessionId();
    expect(await storeKeyOf(id)).toBe(await storeKeyOf(id));
  });
});

describe('base64url', () => {
  it('encodes every length remainder without padding, like the RFC 4648 test vectors', () => {
    const encode = (text: string) => base64url(new TextEncoder().encode(text));
    expect(encode('')).toBe('');
    expect(encode('f')).toBe('Zg');
    expect(encode('fo')).toBe('Zm8');
    expect(encode('foo')).toBe('Zm9v');
    expect(encode('foob')).toBe('Zm9vYg');
    expect(encode('fooba')).toBe('Zm9vYmE');
    expect(encode('foobar')).toBe('Zm9vYmFy');
  });

  it('uses - and _ instead of + and /', () => {
    expect(base64url(new Uint8Array([0xfb, 0xff, 0xbf]))).toBe('-_-_');
  });

  it('round-trips random bytes of every small length', () => {
    for (let length = 0; length < 40; length++) {
      const bytes = crypto.getRandomValues(new Uint8Array(length));
      expect(decodeBase64url(base64url(bytes))).toEqual(bytes);
    }
  });
});
