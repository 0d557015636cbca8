import { parse as parseCookieHeader, type SerializeOptions, serialize } from 'cookie';
import { invalidOption, rejectUnknownOptions } from './errors';

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
  rejectUnknownOptions(packageName, 'cookie.', o, ['name', 'secure', 'httpOnly', 'sameSite', 'path', 'domain', 'partitioned', 'priority'], {
    'cookie.maxAge':
      'The cookie lifetime follows the session: set `expiry.idleTimeoutMs`, and call `session.rememberMe()` for a persistent cookie (its lifetime is `expiry.rememberMe.absoluteTimeoutMs`).',
    'cookie.expires': 'The cookie lifetime follows the session: see `expiry` and `session.rememberMe()`.',
    'cookie.signed': 'The id cookie is always signed; `cookieValue: "seal"` encrypts it too.',
  });
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
    invalidOption(
      packageName,
      'cookie.secure',
      'true with `sameSite: "none"` or `partitioned: true` (browsers drop such cookies otherwise)',
      secure,
    );
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
