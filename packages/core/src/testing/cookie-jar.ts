/**
 * The cookies one client keeps, as a browser keeps them: the last `Set-Cookie` of
 * a name wins, and one rule says when a `Set-Cookie` deletes instead.
 */

/**
 * Whether a `Set-Cookie` value deletes its cookie: an empty value, a `Max-Age` of 0
 * or less, or (without `Max-Age`, which wins over it) an `Expires` not after `nowMs`.
 */
export function isCookieDeletion(setCookie: string, nowMs: number = Date.now()): boolean {
  const [pair = '', ...attributes] = setCookie.split(';');
  if (pair.slice(pair.indexOf('=') + 1).trim() === '') return true;
  let expiresAtMs: number | undefined;
  for (const attribute of attributes) {
    const at = attribute.indexOf('=');
    const name = (at === -1 ? attribute : attribute.slice(0, at)).trim().toLowerCase();
    const value = at === -1 ? '' : attribute.slice(at + 1).trim();
    if (name === 'max-age') return Number(value) <= 0;
    if (name === 'expires') expiresAtMs = Date.parse(value);
  }
  return expiresAtMs !== undefined && expiresAtMs <= nowMs;
}

/** The `name` and `value` of a `Set-Cookie` value (its first `name=value` pair). */
export function cookiePairOf(setCookie: string): { name: string; value: string } {
  const [pair = ''] = setCookie.split(';');
  const at = pair.indexOf('=');
  return { name: pair.slice(0, at).trim(), value: pair.slice(at + 1).trim() };
}

/**
 * What a jar takes in: a response, its headers, or `Set-Cookie` values
 * (`CommitResult.setCookie`). Shapes, not classes: a Miniflare or undici `Response` fits too.
 */
export type SetCookieSource = { readonly headers: { getSetCookie(): string[] } } | { getSetCookie(): string[] } | readonly string[];

/** A one-client cookie jar for tests: takes in what responses set, sends it back as a `Cookie` header. */
export class CookieJar {
  readonly #cookies = new Map<string, string>();
  readonly #now: () => number;

  /** `now`: the clock a past `Expires` is judged by. @default Date.now */
  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  /** Takes in every `Set-Cookie` of `source`, in order: each sets its cookie or deletes it. */
  update(source: SetCookieSource): void {
    const lines = isLines(source) ? source : 'headers' in source ? source.headers.getSetCookie() : source.getSetCookie();
    for (const line of lines) {
      const { name, value } = cookiePairOf(line);
      if (isCookieDeletion(line, this.#now())) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  /** The `Cookie` header to send (`a=1; b=2`), or `undefined` when the jar is empty. */
  header(): string | undefined {
    if (this.#cookies.size === 0) return undefined;
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  get(name: string): string | undefined {
    return this.#cookies.get(name);
  }

  set(name: string, value: string): void {
    this.#cookies.set(name, value);
  }

  delete(name: string): void {
    this.#cookies.delete(name);
  }

  /** The names of the cookies held, sorted. */
  names(): string[] {
    return [...this.#cookies.keys()].sort();
  }

  clear(): void {
    this.#cookies.clear();
  }
}

/** The `Cookie` header a browser without cookies sends back after `source` (what a fresh jar keeps), or `undefined`. */
export function cookieHeaderOf(source: SetCookieSource): string | undefined {
  const jar = new CookieJar();
  jar.update(source);
  return jar.header();
}

function isLines(source: SetCookieSource): source is readonly string[] {
  return Array.isArray(source);
}
