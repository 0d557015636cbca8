import { defaults as ironDefaults, seal } from 'iron-webcrypto';
import { describe, expect, it } from 'vitest';
import { readCookie, serializeCookie } from './cookies';
import { IdCookieCodec, type IdCookieProtection } from './id-cookie';
import { generateSessionId, storeKeyOf } from './ids';
import type { SecretRing } from './secrets';

const secretA = 'secret-a-secret-a-secret-a-secret-a';
const secretB = 'secret-b-secret-b-secret-b-secret-b';

const ring = (byId: Record<string, string>): SecretRing => ({
  currentId: String(Math.max(...Object.keys(byId).map(Number))),
  byId,
});

describe.each<IdCookieProtection>(['sign', 'seal'])('IdCookieCodec (%s)', (protection) => {
  it('round-trips an id and its store key', async () => {
    const codec = new IdCookieCodec(ring({ 1: secretA }), protection, 'sid');
    const id = generateSessionId();
    const value = await codec.encode(id);
    expect(value).not.toBe(id);
    expect(readCookie(serializeCookie({ name: 'sid', value, options: {} }), 'sid')).toBe(value);
    expect(await codec.decode(value)).toEqual({ id, key: await storeKeyOf(id), stale: false });
  });

  it('decodes a value produced by another codec with the same secret (no shared state needed)', async () => {
    const id = generateSessionId();
    const value = await new IdCookieCodec(ring({ 1: secretA }), protection, 'sid').encode(id);
    const other = new IdCookieCodec(ring({ 1: secretA }), protection, 'sid');
    expect((await other.decode(value))?.id).toBe(id);
  });

  it('refuses a value produced with another secret or for another cookie name (sid is not __Host-sid)', async () => {
    const id = generateSessionId();
    const value = await new IdCookieCodec(ring({ 1: secretA }), protection, 'sid').encode(id);
    expect(await new IdCookieCodec(ring({ 1: secretB }), protection, 'sid').decode(value)).toBeUndefined();
    for (const name of ['__Host-sid', 'other', 'si', 'sid2']) {
      expect(await new IdCookieCodec(ring({ 1: secretA }), protection, name).decode(value), name).toBeUndefined();
    }
  });

  it('refuses every single-character change of a valid value', async () => {
    const codec = new IdCookieCodec(ring({ 1: secretA }), protection, 'sid');
    const value = await codec.encode(generateSessionId());
    const verifier = new IdCookieCodec(ring({ 1: secretA }), protection, 'sid');
    // Every position, so a change in the id, the secret id, the salt or the MAC is caught.
    for (let i = 0; i < value.length; i += protection === 'seal' ? 7 : 1) {
      const replacement = value[i] === 'A' ? 'B' : 'A';
      const tampered = `${value.slice(0, i)}${replacement}${value.slice(i + 1)}`;
      expect(await verifier.decode(tampered), `position ${i}`).toBeUndefined();
    }
  });

  it('refuses every other last character, even one that only changes the unused bits of the final base64 digit', async () => {
    const value = await new IdCookieCodec(ring({ 1: secretA }), protection, 'sid').encode(generateSessionId());
    const verifier = new IdCookieCodec(ring({ 1: secretA }), protection, 'sid');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (const char of alphabet) {
      if (char === value.at(-1)) continue;
      expect(await verifier.decode(`${value.slice(0, -1)}${char}`), char).toBeUndefined();
    }
  });

  it('never throws on garbage and answers undefined', async () => {
    const codec = new IdCookieCodec(ring({ 1: secretA }), protection, 'sid');
    for (const junk of ['', '.', '*', 'Fe26.2*', 'Fe26.2**********', `Fe26.2*1*${'x'.repeat(2000)}`, 'x'.repeat(20_000), '%00', '\u0000']) {
      expect(await codec.decode(junk)).toBeUndefined();
    }
  });

  it('opens a value sealed with an older secret and flags it stale; a removed secret no longer opens', async () => {
    const id = generateSessionId();
    const oldValue = await new IdCookieCodec(ring({ 1: secretA }), protection, 'sid').encode(id);
    const rotated = new IdCookieCodec(ring({ 1: secretA, 2: secretB }), protection, 'sid');
    expect(await rotated.decode(oldValue)).toEqual({ id, key: await storeKeyOf(id), stale: true });
    const resealed = await rotated.encode(id);
    expect(resealed).not.toBe(oldValue);
    expect(await rotated.decode(resealed)).toMatchObject({ id, stale: false });
    const retired = new IdCookieCodec(ring({ 2: secretB }), protection, 'sid');
    expect(await retired.decode(oldValue)).toBeUndefined();
    expect(await retired.decode(resealed)).toMatchObject({ id, stale: false });
  });

  it('encodes one id to one value, so the verified cache stays valid', async () => {
    const codec = new IdCookieCodec(ring({ 1: secretA }), protection, 'sid');
    const id = generateSessionId();
    expect(await codec.encode(id)).toBe(await codec.encode(id));
  });

  it('decodes a value it produced or verified once without doing the crypto again', async () => {
    // The ring is ours: swapping its secret after the first use makes any real
    // verification fail, so a correct answer afterwards can only come from the cache.
    const byId: Record<string, string> = { 1: secretA };
    const codec = new IdCookieCodec({ currentId: '1', byId }, protection, 'sid');
    const produced = generateSessionId();
    const producedValue = await codec.encode(produced);
    const verified = generateSessionId();
    const verifiedValue = await new IdCookieCodec(ring({ 1: secretA }), protection, 'sid').encode(verified);
    expect((await codec.decode(verifiedValue))?.id).toBe(verified);
    const neverSeen = await new IdCookieCodec(ring({ 1: secretA }), protection, 'sid').encode(generateSessionId());

    byId[1] = secretB;
    expect((await codec.decode(producedValue))?.id).toBe(produced);
    expect((await codec.decode(verifiedValue))?.id).toBe(verified);
    expect(await codec.decode(neverSeen)).toBeUndefined();
  });

  it('remembers a failed verification, so a flood of one forged value costs one verification', async () => {
    const byId: Record<string, string> = { 1: secretB };
    const codec = new IdCookieCodec({ currentId: '1', byId }, protection, 'sid');
    const value = await new IdCookieCodec(ring({ 1: secretA }), protection, 'sid').encode(generateSessionId());
    expect(await codec.decode(value)).toBeUndefined();
    byId[1] = secretA; // would now verify, if verified again
    expect(await codec.decode(value)).toBeUndefined();
  });
});

describe('IdCookieCodec (seal)', () => {
  it('hides the id inside the cookie value', async () => {
    const id = generateSessionId();
    const value = await new IdCookieCodec(ring({ 1: secretA }), 'seal', 'sid').encode(id);
    expect(value.startsWith('Fe26.2*1*')).toBe(true);
    expect(value).not.toContain(id);
  });

  it('refuses a genuine seal whose content is not a session id', async () => {
    const codec = new IdCookieCodec(ring({ 1: secretA }), 'seal', 'sid');
    for (const content of ['not-an-id', { id: generateSessionId() }, 42]) {
      const sealed = await seal(content, { id: '1', secret: secretA }, { ...ironDefaults, ttl: 0 });
      expect(await codec.decode(sealed)).toBeUndefined();
    }
  });

  it('refuses a genuine seal that carries an expiry in the past', async () => {
    const codec = new IdCookieCodec(ring({ 1: secretA }), 'seal', 'sid');
    const sealed = await seal(
      generateSessionId(),
      { id: '1', secret: secretA },
      { ...ironDefaults, ttl: 1, localtimeOffsetMsec: -120_000 },
    );
    expect(await codec.decode(sealed)).toBeUndefined();
  });
});

describe('IdCookieCodec (sign)', () => {
  it('carries the id, the secret id, a salt and a MAC, all cookie-safe', async () => {
    const id = generateSessionId();
    const value = await new IdCookieCodec(ring({ 1: secretA, 7: secretB }), 'sign', 'sid').encode(id);
    expect(value).toMatch(new RegExp(`^${id}\\.7\\.[0-9a-f]{64}\\.[A-Za-z0-9_-]{43}$`));
  });

  it('refuses a signature moved onto another id', async () => {
    const codec = new IdCookieCodec(ring({ 1: secretA }), 'sign', 'sid');
    const value = await codec.encode(generateSessionId());
    const other = generateSessionId();
    const verifier = new IdCookieCodec(ring({ 1: secretA }), 'sign', 'sid');
    expect(await verifier.decode(`${other}${value.slice(43)}`)).toBeUndefined();
  });

  it('refuses a value naming a secret id it does not hold', async () => {
    const value = await new IdCookieCodec(ring({ 1: secretA }), 'sign', 'sid').encode(generateSessionId());
    const codec = new IdCookieCodec(ring({ 2: secretA }), 'sign', 'sid');
    expect(await codec.decode(value)).toBeUndefined();
  });
});
