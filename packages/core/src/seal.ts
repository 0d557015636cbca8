/**
 * What the two users of iron seals share (the sealed id cookie and the cookie store):
 * the cheap checks that refuse junk before any crypto, and the bounded cache that
 * remembers what was opened.
 */

const SEAL_PREFIX = 'Fe26.2*';

/**
 * Whether `value` can be an iron seal at all: its prefix, and a canonical MAC (see
 * `hasCanonicalSealMac`). Refused values cost no crypto and are never cached, so a
 * client cannot pin large strings in memory with them.
 */
export function isPlausibleSeal(value: string): boolean {
  return value.startsWith(SEAL_PREFIX) && hasCanonicalSealMac(value);
}

/** The id of the secret a seal was made with (`Fe26.2*<id>*...`), to tell a stale seal. */
export function sealSecretId(sealed: string): string {
  return sealed.split('*', 3)[1] ?? '';
}

/**
 * An iron seal ends with the base64url HMAC-SHA-256 digest, whose last digit has two
 * unused bits: iron decodes four spellings of it to the same MAC, so a changed cookie
 * would still open. Only the canonical spelling (unused bits zero) is accepted.
 */
function hasCanonicalSealMac(sealed: string): boolean {
  return /\*[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/.test(sealed);
}

/** Bounded map that forgets its oldest entries; enough for hot-path memoization. */
export class BoundedCache<V> {
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
