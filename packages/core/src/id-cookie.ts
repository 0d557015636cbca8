/**
 * The id cookie's codec: a session id to the cookie value and back, signed or sealed
 * with iron-webcrypto.
 */
import { hmacWithPassword, defaults as ironDefaults, seal, unseal } from 'iron-webcrypto';
import { isSessionIdShape, storeKeyOf } from './ids';
import { BoundedCache, isPlausibleSeal, sealSecretId } from './seal';
import { type SecretRing, sealingSecrets } from './secrets';

/** What a verified id cookie says. */
export interface OpenedIdCookie {
  id: string;
  /** The store key (SHA-256 of the id), computed once per cookie value. */
  key: string;
  /** Opened with an older secret: the cookie should be re-sealed with the newest. */
  stale: boolean;
}

interface CachedOpen {
  id: string;
  key: string;
  secretId: string;
}

/** How the id cookie is protected. */
export type IdCookieProtection = 'sign' | 'seal';

const hmacOptions = { algorithm: 'sha256', iterations: 1, minPasswordlength: 32 } as const;
const ironOptions = { ...ironDefaults, ttl: 0 };
const SIGNED_SHAPE = /^([A-Za-z0-9_-]{43})\.(\d{1,9})\.([0-9a-f]{64})\.([A-Za-z0-9_-]{43})$/;

/**
 * Turns a session id into the cookie value and back, through iron-webcrypto.
 *
 * Sealing, unsealing and key derivation cost about half a millisecond each, so the
 * codec remembers what it produced and what it verified: a steady-state request
 * pays a Map lookup, not a key derivation. The seal carries no TTL (expiry is the
 * store's job), so one id always maps to one cookie value and the cache stays valid.
 */
export class IdCookieCodec {
  readonly #secrets: SecretRing;
  readonly #protection: IdCookieProtection;
  readonly #cookieName: string;
  readonly #opened = new BoundedCache<CachedOpen | null>(10_000);
  readonly #encoded = new BoundedCache<string>(10_000);

  constructor(secrets: SecretRing, protection: IdCookieProtection, cookieName: string) {
    this.#secrets = secrets;
    this.#protection = protection;
    this.#cookieName = cookieName;
  }

  async encode(id: string): Promise<string> {
    const cached = this.#encoded.get(id);
    if (cached !== undefined) return cached;
    const secretId = this.#secrets.currentId;
    const secret = this.#secrets.byId[secretId]!;
    let value: string;
    if (this.#protection === 'seal') {
      // A seal binds the cookie name through its keys; a signature through the signed text.
      value = await seal(id, { id: secretId, secret: sealingSecrets(this.#secrets, this.#cookieName).byId[secretId]! }, ironOptions);
    } else {
      const mac = await hmacWithPassword(secret, { ...hmacOptions, saltBits: 256 }, this.#signedText(id));
      value = `${id}.${secretId}.${mac.salt}.${mac.digest}`;
    }
    this.#encoded.set(id, value);
    // A value we produced is a value we verified.
    this.#opened.set(value, { id, key: await storeKeyOf(id), secretId });
    return value;
  }

  /**
   * A value seen before, without waiting: the opened cookie, `null` for one refused
   * before, `undefined` when it must go through `decode`. The steady state of a
   * returning browser, so it costs no promise.
   */
  decodeSeen(value: string): OpenedIdCookie | null | undefined {
    const opened = this.#opened.get(value);
    return opened === undefined || opened === null ? opened : this.#current(opened);
  }

  /** `undefined` for anything not produced by us with a secret we still hold. Never throws. */
  async decode(value: string): Promise<OpenedIdCookie | undefined> {
    const seen = this.decodeSeen(value);
    if (seen !== undefined) return seen ?? undefined;
    // Junk is refused without crypto and not remembered: caching it would let clients pin large strings in memory.
    if (!this.#plausible(value)) return undefined;
    const opened = await this.#verify(value);
    // Remember failures too, so a flood of one forged value costs one verification.
    this.#opened.set(value, opened);
    return opened === null ? undefined : this.#current(opened);
  }

  #current(opened: CachedOpen): OpenedIdCookie {
    return { id: opened.id, key: opened.key, stale: opened.secretId !== this.#secrets.currentId };
  }

  #plausible(value: string): boolean {
    if (this.#protection === 'sign') return SIGNED_SHAPE.test(value);
    return value.length <= 1024 && isPlausibleSeal(value);
  }

  async #verify(value: string): Promise<CachedOpen | null> {
    try {
      if (this.#protection === 'seal') {
        const secretId = sealSecretId(value);
        const id = await unseal(value, sealingSecrets(this.#secrets, this.#cookieName).byId, ironOptions);
        if (!isSessionIdShape(id)) return null;
        return { id, key: await storeKeyOf(id), secretId };
      }
      const match = SIGNED_SHAPE.exec(value);
      if (!match) return null;
      const [, id, secretId, salt, digest] = match as unknown as [string, string, string, string, string];
      const secret = this.#secrets.byId[secretId];
      if (secret === undefined) return null;
      const mac = await hmacWithPassword(secret, { ...hmacOptions, salt }, this.#signedText(id));
      if (!timingSafeEqual(mac.digest, digest)) return null;
      return { id, key: await storeKeyOf(id), secretId };
    } catch {
      // Tampered or malformed input from a client is not an exception.
      return null;
    }
  }

  /** What the MAC covers: the cookie name too, so a value cannot move to another cookie. */
  #signedText(id: string): string {
    return `${this.#cookieName}=${id}`;
  }
}

function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
