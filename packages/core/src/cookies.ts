import { parse as parseCookieHeader, type SerializeOptions, serialize } from 'cookie';
import { defaults as ironDefaults, hmacWithPassword, seal, unseal } from 'iron-webcrypto';
import { invalidOption, rejectUnknownOptions } from './errors';
import { isSessionIdShape, storeKeyOf } from './ids';
import { type SecretRing, sealingSecrets } from './secrets';

export type { SerializeOptions as CookieSerializeOptions } from 'cookie';

/** Attributes of the session cookie. */
export interface CookieOptions {
  /** Cookie name; a `__Host-` name requires `secure`, `path: '/'` and no `domain`. @default 'sid' */
  name?: string;
  /** @default true when `NODE_ENV` is `'production'` (any case), else false */
  secure?: boolean;
  /** @default true */
  httpOnly?: boolean;
  /** @default 'lax' */
  sameSite?: 'lax' | 'strict' | 'none';
  /** @default '/' */
  path?: string;
  /** @default undefined (host-only cookie) */
  domain?: string;
  /** CHIPS partitioned cookie; requires `secure`. @default false */
  partitioned?: boolean;
  /** @default undefined */
  priority?: 'low' | 'medium' | 'high';
}

/** The cookie name and the attributes every Set-Cookie of it carries. */
export interface ResolvedCookie {
  name: string;
  attributes: SerializeOptions;
}

/** A cookie to send, structured for frameworks with a cookie API. */
export interface OutgoingCookie {
  name: string;
  value: string;
  options: SerializeOptions;
}

const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function isProduction(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.NODE_ENV?.trim().toLowerCase() === 'production';
}

export function resolveCookie(options: CookieOptions | undefined, packageName: string): ResolvedCookie {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    invalidOption(packageName, 'cookie', 'an object', options);
  }
  const o = options ?? {};
  rejectUnknownOptions(
    packageName,
    'cookie.',
    o,
    ['name', 'secure', 'httpOnly', 'sameSite', 'path', 'domain', 'partitioned', 'priority'],
    {
      'cookie.maxAge': 'The cookie lifetime follows the session: set `expiry.idleTimeoutMs`, and call `session.rememberMe()` for a persistent cookie (its lifetime is `expiry.rememberMe.absoluteTimeoutMs`).',
      'cookie.expires': 'The cookie lifetime follows the session: see `expiry` and `session.rememberMe()`.',
      'cookie.signed': 'The id cookie is always signed; `cookieValue: "seal"` encrypts it too.',
    },
  );
  const name = o.name ?? 'sid';
  if (typeof name !== 'string' || !COOKIE_NAME.test(name)) {
    invalidOption(packageName, 'cookie.name', 'a valid cookie name (RFC 6265 token)', name);
  }
  const sameSite = o.sameSite ?? 'lax';
  if (sameSite !== 'lax' && sameSite !== 'strict' && sameSite !== 'none') {
    invalidOption(packageName, 'cookie.sameSite', "'lax', 'strict' or 'none'", sameSite);
  }
  // A string from an env var ('false') would otherwise be truthy and silently flip the attribute.
  for (const flag of ['secure', 'httpOnly', 'partitioned'] as const) {
    if (o[flag] !== undefined && typeof o[flag] !== 'boolean') invalidOption(packageName, `cookie.${flag}`, 'a boolean', o[flag]);
  }
  if (o.domain !== undefined && (typeof o.domain !== 'string' || o.domain === '')) {
    invalidOption(packageName, 'cookie.domain', 'a non-empty string', o.domain);
  }
  const secure = o.secure ?? isProduction();
  const path = o.path ?? '/';
  if (typeof path !== 'string' || !path.startsWith('/')) invalidOption(packageName, 'cookie.path', "a path starting with '/'", path);
  if (o.priority !== undefined && !['low', 'medium', 'high'].includes(o.priority)) {
    invalidOption(packageName, 'cookie.priority', "'low', 'medium' or 'high'", o.priority);
  }
  // Browsers match the prefixes case-insensitively (RFC 6265bis) and drop a cookie that breaks their rules.
  const lowerName = name.toLowerCase();
  if (lowerName.startsWith('__host-') && (!secure || path !== '/' || o.domain !== undefined)) {
    invalidOption(packageName, 'cookie.name', 'used with `secure: true`, `path: "/"` and no `domain` when it starts with __Host-', name);
  }
  if (lowerName.startsWith('__secure-') && !secure) {
    invalidOption(packageName, 'cookie.secure', 'true for a cookie name starting with __Secure-', secure);
  }
  if ((sameSite === 'none' || o.partitioned) && !secure) {
    invalidOption(packageName, 'cookie.secure', 'true with `sameSite: "none"` or `partitioned: true` (browsers drop such cookies otherwise)', secure);
  }
  const attributes: SerializeOptions = { path, sameSite, httpOnly: o.httpOnly ?? true, secure };
  if (o.domain !== undefined) attributes.domain = o.domain;
  if (o.partitioned) attributes.partitioned = true;
  if (o.priority !== undefined) attributes.priority = o.priority;
  return { name, attributes };
}

/** Parses a Cookie header into name/value pairs. */
export function parseCookies(header: string): Record<string, string | undefined> {
  return parseCookieHeader(header);
}

/** Most cookies a sealed session may span (`name.0` to `name.19`). */
export const MAX_SESSION_COOKIE_CHUNKS = 20;

/**
 * The one rule for which cookies belong to the session named `name`: the cookie itself,
 * or a chunk of a sealed session split across `name.0`, `name.1`... (at most 20).
 */
export function isSessionCookieName(candidate: string, name: string): boolean {
  if (candidate === name) return true;
  return candidate.startsWith(`${name}.`) && /^1?\d$/.test(candidate.slice(name.length + 1));
}

/** Reads one cookie; skips parsing entirely when the name cannot be in the header. */
export function readCookie(header: string | null | undefined, name: string): string | undefined {
  if (!header?.includes(name)) return undefined;
  return parseCookieHeader(header)[name];
}

/** A cookie to set; `maxAgeSeconds` undefined makes a browser-session cookie. */
export function outgoingCookie(cookie: ResolvedCookie, value: string, maxAgeSeconds?: number): OutgoingCookie {
  const options: SerializeOptions = { ...cookie.attributes };
  if (maxAgeSeconds !== undefined) options.maxAge = maxAgeSeconds;
  return { name: cookie.name, value, options };
}

/** A cookie that makes the browser forget ours. */
export function clearingCookie(cookie: ResolvedCookie, name = cookie.name): OutgoingCookie {
  return { name, value: '', options: { ...cookie.attributes, maxAge: 0, expires: new Date(0) } };
}

export function serializeCookie(c: OutgoingCookie): string {
  return serialize(c.name, c.value, c.options);
}

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

/** Bounded map that forgets its oldest entries; enough for hot-path memoization. */
class BoundedCache<V> {
  readonly #map = new Map<string, V>();
  constructor(readonly maxEntries: number) {}
  get(key: string): V | undefined {
    return this.#map.get(key);
  }
  set(key: string, value: V): void {
    if (this.#map.size >= this.maxEntries) {
      const oldest = this.#map.keys().next();
      if (!oldest.done) this.#map.delete(oldest.value);
    }
    this.#map.set(key, value);
  }
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
    return value.startsWith('Fe26.2*') && value.length <= 1024 && hasCanonicalSealMac(value);
  }

  async #verify(value: string): Promise<CachedOpen | null> {
    try {
      if (this.#protection === 'seal') {
        const secretId = value.split('*', 3)[1] ?? '';
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

/**
 * An iron seal ends with the base64url HMAC-SHA-256 digest, whose last digit has two
 * unused bits: iron decodes four spellings of it to the same MAC, so a changed cookie
 * would still open. Only the canonical spelling (unused bits zero) is accepted.
 */
export function hasCanonicalSealMac(sealed: string): boolean {
  return /\*[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/.test(sealed);
}

function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
