/**
 * The manager's options: what they are, and how `createSessionManager` (or an adapter's
 * `session()`) resolves them, once, when it is called.
 */
import { type CookieStore, isCookieStore, type SealedCookieStore } from './cookie-store';
import { type CookieOptions, type ResolvedCookie, resolveCookie } from './cookies';
import { invalidOption } from './errors';
import { type ExpiryOptions, type ExpiryPolicy, resolveExpiry } from './expiry';
import type { IdCookieProtection } from './id-cookie';
import { memoryStore } from './memory-store';
import { checkOptions, clockOption, serializerOption } from './options';
import { resolveSecrets, type SecretRing } from './secrets';
import type { Serializer } from './serializer';
import { isSessionStore, type SessionStore } from './store';

const DEFAULT_STORE_TIMEOUT_MS = 3000;

/** Options of `createSessionManager`, which every adapter's `session()` accepts too. */
export interface SessionManagerOptions {
  /**
   * Secret(s) for the cookie: at least 32 characters each (`openssl rand -base64 32`).
   * Pass an id map (`{ 1: old, 2: new }`) to rotate: the highest id signs, every listed one verifies.
   */
  secret: string | Readonly<Record<string, string>>;
  /** Where sessions live: a server store, or `createCookieStore()` for sealed cookies. @default createMemoryStore() */
  store?: SessionStore | CookieStore;
  /** Cookie name and attributes. @default { name: 'sid', httpOnly: true, sameSite: 'lax', path: '/', secure: NODE_ENV === 'production' } */
  cookie?: CookieOptions;
  /** How the id cookie is protected with iron-webcrypto: an HMAC signature or a full seal. @default 'sign' */
  cookieValue?: IdCookieProtection;
  /** Idle and absolute timeouts, touch throttling, remember-me, in milliseconds. @default see `ExpiryOptions` */
  expiry?: ExpiryOptions;
  /**
   * Checks values at `set`, detects changes, and encodes the default memory store.
   * Better set once, on the store (`createMemoryStore({ serializer: richSerializer })`):
   * the manager adopts the store's. Given here too, it must agree with the store's,
   * or `createSessionManager` throws, since `set` would accept values the store gives back changed.
   * @default the store's `serializer`, else jsonSerializer
   */
  serializer?: Serializer;
  /** Persist changes even when the response is a 5xx or the handler's error went unanswered. @default false */
  saveOnError?: boolean;
  /** A store call slower than this fails with a `SessionStoreError` (503). @default 3000 */
  storeTimeoutMs?: number;
  /** The clock, in epoch milliseconds; for tests. @default Date.now */
  now?: () => number;
  /**
   * Where errors go that no caller could catch: today a session write after the commit
   * (from a timer or an un-awaited helper), which is dropped and reported here as a
   * `SessionUsageError` instead of thrown into detached code, where it would end the
   * process. Send it to your logger or error tracker; a reporter that throws falls back
   * to `console.error`.
   * @default console.error
   */
  onError?: (error: Error) => void;
}

const KNOWN_OPTIONS = [
  'secret',
  'store',
  'cookie',
  'cookieValue',
  'expiry',
  'serializer',
  'saveOnError',
  'storeTimeoutMs',
  'now',
  'onError',
] as const;

/** Names people bring from express-session and koa-session, with what to use here. */
const MIGRATION_HINTS: Record<string, string> = {
  resave: 'Sessions are saved only when they change, and concurrent writes merge per key: there is nothing to set.',
  saveUninitialized: 'An empty session is never stored nor given a cookie: there is nothing to set.',
  rolling: 'Sessions always slide: `expiry.idleTimeoutMs` sets the idle timeout and `expiry.touchAfterShare` throttles the extension.',
  name: 'Use `cookie: { name }`.',
  key: 'Use `cookie: { name }`.',
  maxAge: 'Use `expiry.idleTimeoutMs` (milliseconds), and `session.rememberMe()` for a persistent cookie.',
  genid: 'Ids are always 256 random bits from the platform CSPRNG, so that they cannot be guessed: there is nothing to set.',
  signed: 'The id cookie is always signed; `cookieValue: "seal"` encrypts it too.',
  renew: 'Use `expiry.touchAfterShare` to control when a session is extended.',
  unset: 'Call `session.destroy()` to end a session.',
  proxy: 'Set `cookie: { secure: true }` behind a TLS-terminating proxy (and trust the proxy in your framework).',
  ttl: 'Use `expiry.idleTimeoutMs` (milliseconds).',
  password: 'Use `secret` (at least 32 characters).',
  cookieName: 'Use `cookie: { name }`.',
};

/** The manager's options, checked, with their defaults. */
export interface ResolvedManagerOptions {
  secrets: SecretRing;
  cookie: ResolvedCookie;
  protection: IdCookieProtection;
  /** Exactly one of the two is set. */
  serverStore: SessionStore | undefined;
  cookieStore: SealedCookieStore | undefined;
  store: SessionStore | CookieStore;
  serializer: Serializer;
  storeTimeoutMs: number;
  saveOnError: boolean;
  now: () => number;
  onError: ((error: Error) => void) | undefined;
  policy: ExpiryPolicy;
}

/** Checks every option now, not on the first request; `factory` names the caller in the memory store's warnings. */
export function resolveManagerOptions(options: SessionManagerOptions, packageName: string, factory: string): ResolvedManagerOptions {
  if (typeof options !== 'object' || options === null) invalidOption(packageName, 'options', 'an object', options);
  checkOptions(packageName, options, KNOWN_OPTIONS, MIGRATION_HINTS);
  const secrets = resolveSecrets(options.secret, packageName);
  const cookie = resolveCookie(options.cookie, packageName);
  const protection = options.cookieValue ?? 'sign';
  if (protection !== 'sign' && protection !== 'seal') invalidOption(packageName, 'cookieValue', "'sign' or 'seal'", protection);
  const given = options.store;
  if (given !== undefined && !isCookieStore(given) && !isSessionStore(given)) {
    invalidOption(packageName, 'store', 'a SessionStore (get, set, destroy) or a cookie store', given);
  }
  const storeSerializer = given?.serializer === undefined ? undefined : serializerOption(packageName, 'store.serializer', given.serializer);
  const serializer = serializerOption(packageName, 'serializer', options.serializer, storeSerializer);
  if (storeSerializer !== undefined && disagree(serializer, storeSerializer)) {
    throw new TypeError(serializerMismatch(packageName, serializer, storeSerializer));
  }
  const storeTimeoutMs = options.storeTimeoutMs ?? DEFAULT_STORE_TIMEOUT_MS;
  if (!Number.isSafeInteger(storeTimeoutMs) || storeTimeoutMs <= 0) {
    invalidOption(packageName, 'storeTimeoutMs', 'a positive integer number of milliseconds', storeTimeoutMs);
  }
  const storeBound: unknown = given !== undefined && 'callTimeoutMs' in given ? given.callTimeoutMs : undefined;
  if (storeBound !== undefined && (typeof storeBound !== 'number' || !Number.isFinite(storeBound) || storeBound <= 0)) {
    invalidOption(packageName, 'store.callTimeoutMs', 'a positive number of milliseconds', storeBound);
  }
  const saveOnError = options.saveOnError ?? false;
  if (typeof saveOnError !== 'boolean') invalidOption(packageName, 'saveOnError', 'a boolean', saveOnError);
  const now = clockOption(packageName, 'now', options.now);
  const onError = options.onError;
  if (onError !== undefined && typeof onError !== 'function') invalidOption(packageName, 'onError', 'a function taking an Error', onError);
  const policy = resolveExpiry(options.expiry, packageName);
  const store = given ?? memoryStore({ serializer, now }, factory);
  const cookieStore = isCookieStore(store) ? store : undefined;
  const serverStore = cookieStore === undefined ? (store as SessionStore) : undefined;
  return { secrets, cookie, protection, serverStore, cookieStore, store, serializer, storeTimeoutMs, saveOnError, now, onError, policy };
}

/**
 * Whether values `set` accepts under `manager` could come back changed from a store
 * encoding with `store`. Only known kinds can be compared: a serializer without one
 * (a custom format) is trusted to agree, as it always was.
 */
function disagree(manager: Serializer, store: Serializer): boolean {
  if (manager === store || manager.kind === undefined || store.kind === undefined) return false;
  return manager.kind !== store.kind;
}

function serializerMismatch(packageName: string, manager: Serializer, store: Serializer): string {
  // Both kinds are known here (see \`disagree\`); named by kind, so this module never loads the rich serializer.
  const option = `{ serializer: ${manager.kind}Serializer }`;
  return (
    `${packageName}: option \`serializer\` is a ${manager.kind} serializer but the store encodes with a ${store.kind} one, ` +
    (manager.kind === 'rich'
      ? 'so `session.set` would accept values the store gives back changed (a Date as a string). '
      : 'so `session.set` would check values by other rules than the store encodes them with. ') +
    `Pass the same serializer to the store, such as createMemoryStore(${option}), createCookieStore(${option}) or your store's option, ` +
    "and leave out the manager's `serializer`: it adopts the store's."
  );
}
