import { type CookieOptions, IdCookieCodec, type IdCookieProtection, resolveCookie } from './cookies';
import { type CookieStore, isCookieStore } from './cookie-store';
import { invalidOption } from './errors';
import { type ExpiryOptions, resolveExpiry } from './expiry';
import { createMemoryStore } from './memory-store';
import { resolveSecrets } from './secrets';
import { isSerializer, jsonSerializer, type Serializer } from './serializer';
import {
  type CommitResult,
  callStore,
  commitSymbol,
  type RequestOutcome,
  Session,
  type SessionContext,
} from './session';
import { isSessionStore, type SessionStore, type UserSessionSummary } from './store';

const PACKAGE = '@sess/core';

/** Options of `createSessionManager`, which every adapter accepts too. */
export interface SessionManagerOptions {
  /**
   * Secret(s) for the cookie, at least 32 characters each. Pass an id map
   * (`{ 1: old, 2: new }`) to rotate: the highest id seals, every listed one opens.
   */
  secret: string | Readonly<Record<string, string>>;
  /** Where sessions live. @default createMemoryStore() */
  store?: SessionStore | CookieStore;
  /** Cookie name and attributes. @default { name: 'sid', httpOnly: true, sameSite: 'lax', path: '/', secure: NODE_ENV === 'production' } */
  cookie?: CookieOptions;
  /** How the id cookie is protected with iron-webcrypto: an HMAC signature or a full seal. @default 'sign' */
  cookieValue?: IdCookieProtection;
  /** Idle and absolute timeouts, touch throttling, remember-me. @default see `ExpiryOptions` */
  expiry?: ExpiryOptions;
  /** Used to detect changes (and by the default memory store). @default jsonSerializer */
  serializer?: Serializer;
  /** Persist changes even when the handler threw or answered 5xx. @default false */
  saveOnError?: boolean;
  /** A store call slower than this fails with a `SessionStoreError`. @default 3000 */
  storeTimeoutMs?: number;
  /** The clock, in epoch milliseconds; for tests. @default Date.now */
  now?: () => number;
}

/** The framework-free API every adapter calls. */
export interface SessionManager<Data extends object = Record<string, unknown>, Flash extends object = Record<string, unknown>> {
  /** Wraps one request's Cookie header. No I/O: nothing happens until the session is used. */
  open(cookieHeader: string | null | undefined): Session<Data, Flash>;
  /** After the handler: persists what changed and returns what to send. Rejects with `SessionStoreError`. */
  commit(session: Session<Data, Flash>, outcome: RequestOutcome): Promise<CommitResult>;
  /** The live sessions of a user (requires a store with `listByUser`). */
  listUserSessions(userId: string): Promise<UserSessionSummary[]>;
  /** Destroys every session of a user, "sign out everywhere" (requires `destroyByUser`). Resolves the count. */
  revokeUserSessions(userId: string): Promise<number>;
  /** Destroys one session by its store key (`session.key`). */
  revokeSession(key: string): Promise<void>;
  readonly cookieName: string;
  readonly store: SessionStore | CookieStore;
}

/** Creates the session manager; validates every option now, not on the first request. */
export function createSessionManager<
  Data extends object = Record<string, unknown>,
  Flash extends object = Record<string, unknown>,
>(options: SessionManagerOptions): SessionManager<Data, Flash> {
  if (typeof options !== 'object' || options === null) invalidOption(PACKAGE, 'options', 'an object', options);
  const secrets = resolveSecrets(options.secret, PACKAGE);
  const cookie = resolveCookie(options.cookie, PACKAGE);
  const protection = options.cookieValue ?? 'sign';
  if (protection !== 'sign' && protection !== 'seal') invalidOption(PACKAGE, 'cookieValue', "'sign' or 'seal'", protection);
  const serializer = options.serializer ?? jsonSerializer;
  if (!isSerializer(serializer)) invalidOption(PACKAGE, 'serializer', 'an object with stringify and parse functions', serializer);
  const storeTimeoutMs = options.storeTimeoutMs ?? 3000;
  if (!Number.isSafeInteger(storeTimeoutMs) || storeTimeoutMs <= 0) {
    invalidOption(PACKAGE, 'storeTimeoutMs', 'a positive integer', storeTimeoutMs);
  }
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') invalidOption(PACKAGE, 'now', 'a function returning epoch milliseconds', now);
  const store = options.store ?? createMemoryStore({ serializer, now });
  const cookieStore = isCookieStore(store) ? store : undefined;
  if (cookieStore === undefined && !isSessionStore(store)) {
    invalidOption(PACKAGE, 'store', 'a SessionStore (get, set, destroy) or a cookie store', store);
  }
  const serverStore = cookieStore === undefined ? (store as SessionStore) : undefined;
  const ctx: SessionContext = {
    cookie,
    secrets,
    store: serverStore,
    cookieStore,
    codec: cookieStore === undefined ? new IdCookieCodec(secrets, protection, cookie.name) : undefined,
    policy: resolveExpiry(options.expiry, PACKAGE),
    serializer,
    saveOnError: options.saveOnError ?? false,
    storeTimeoutMs,
    now,
  };

  const requireServerStore = (method: 'listByUser' | 'destroyByUser'): SessionStore => {
    if (serverStore?.[method] === undefined) {
      throw new TypeError(`${PACKAGE}: the configured store does not implement \`${method}\`; per-user sessions need a store with a user index.`);
    }
    return serverStore;
  };

  return {
    cookieName: cookie.name,
    store,
    open: (cookieHeader) => new Session<Data, Flash>(ctx, cookieHeader),
    commit: (session, outcome) => session[commitSymbol](outcome),
    listUserSessions: async (userId) => {
      const s = requireServerStore('listByUser');
      return callStore(ctx, 'listByUser', () => s.listByUser!(userId));
    },
    revokeUserSessions: async (userId) => {
      const s = requireServerStore('destroyByUser');
      return callStore(ctx, 'destroyByUser', () => s.destroyByUser!(userId));
    },
    revokeSession: async (key) => {
      if (serverStore !== undefined) await callStore(ctx, 'destroy', () => serverStore.destroy(key));
    },
  };
}

/** Shape check instead of `instanceof`: holds across two copies of the package. */
export function isSessionManager(value: unknown): value is SessionManager<object, object> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as SessionManager).open === 'function' &&
    typeof (value as SessionManager).commit === 'function'
  );
}

/**
 * What every adapter's factory does with its argument: use a manager it is given
 * (so an app can share one for admin work), or create one from options.
 */
export function toSessionManager<Data extends object, Flash extends object>(
  options: SessionManagerOptions | SessionManager<Data, Flash>,
  packageName: string,
): SessionManager<Data, Flash> {
  if (typeof options !== 'object' || options === null) {
    invalidOption(packageName, 'options', 'session manager options or a SessionManager', options);
  }
  if (isSessionManager(options)) return options as SessionManager<Data, Flash>;
  return createSessionManager<Data, Flash>(options);
}

/** Writes a commit result onto response headers; the one place adapters share for it. */
export interface HeaderAccess {
  get(name: string): string | null | undefined;
  set(name: string, value: string): void;
  append(name: string, value: string): void;
}

/**
 * Appends the Set-Cookie values, adds `Cookie` to `Vary` when the session was used,
 * and keeps a response that sets a cookie out of shared caches.
 */
export function applyCommitHeaders(result: CommitResult, headers: HeaderAccess): void {
  for (const value of result.setCookie) headers.append('Set-Cookie', value);
  if (result.vary) {
    const vary = headers.get('Vary');
    if (!vary) headers.set('Vary', 'Cookie');
    else if (!/(^|,)\s*(cookie|\*)\s*(,|$)/i.test(vary)) headers.set('Vary', `${vary}, Cookie`);
  }
  if (result.private) headers.set('Cache-Control', privateCacheControl(headers.get('Cache-Control')));
}

/** Drops `public` and `s-maxage`, and adds `private` unless `no-store` already forbids storing. */
export function privateCacheControl(current: string | null | undefined): string {
  const directives = (current ?? '')
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '' && !/^(public|s-maxage=.*)$/i.test(d));
  if (!directives.some((d) => /^(private|no-store)$/i.test(d))) directives.unshift('private');
  return directives.join(', ');
}
