import { IdCookieCodec, type CookieOptions, type IdCookieProtection, type OutgoingCookie, resolveCookie, serializeCookie } from './cookies';
import { type CookieStore, isCookieStore } from './cookie-store';
import {
  type CommitFacts,
  isFailedOutcome,
  shouldClearCookie,
  shouldDestroy,
  shouldMarkPrivate,
  shouldSave,
  shouldSetCookie,
  shouldTouch,
} from './decisions';
import { invalidOption, rejectUnknownOptions, SessionUsageError } from './errors';
import { cookieMaxAgeSeconds, type ExpiryOptions, expiresAtOf, resolveExpiry } from './expiry';
import { isStoreKeyShape } from './ids';
import { memoryStore } from './memory-store';
import { type CommitPlan, cookieStorePersistence, type SessionPersistence, serverStorePersistence } from './persistence';
import { resolveSecrets } from './secrets';
import { isSerializer, jsonSerializer, type Serializer } from './serializer';
import { reportSafely, type Session, type SessionContext, SessionState } from './session';
import { storeCaller } from './store-call';
import { isSessionStore, type SessionMeta, type SessionStore, type UserSessionSummary } from './store';
import type { SessionValue } from './values';

const PACKAGE = '@sess/core';
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

const KNOWN_OPTIONS = ['secret', 'store', 'cookie', 'cookieValue', 'expiry', 'serializer', 'saveOnError', 'storeTimeoutMs', 'now', 'onError'] as const;

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

/** Options of `manager.open`. */
export interface OpenOptions {
  /**
   * A session that is read where no cookie can be set (a Next.js Server Component):
   * writes throw `SessionUsageError`, reading a flash is allowed, and the commit only
   * extends the expiry in a server store. @default false
   */
  readOnly?: boolean;
  /**
   * The framework's response call, as the message of a write after the commit names
   * it: `'after res.send(), res.json() or res.end()'` (Express). Adapters set it.
   * @default 'after the response is sent'
   */
  afterResponse?: string;
}

/** One request's lazy session: `req.session`, `ctx.session`, `c.var.session`. */
export interface SessionHandle<Data extends object = Record<string, SessionValue>, Flash extends object = Record<string, SessionValue>> {
  /**
   * Loads the session (once: concurrent and later calls share the load) and resolves
   * it; reads and writes on it are synchronous. A request that never calls it costs
   * no store call, no crypto and no cookie.
   * Rejects with `SessionStoreError` when the store fails.
   */
  load(): Promise<Session<Data, Flash>>;
}

/** Whose session `revokeSession` may revoke. */
export interface RevokeOwner {
  /** Only a session indexed under this user (`session.setUserId`) is revoked. */
  userId: string;
}

/** How the request ended, as the adapter saw it. */
export interface RequestOutcome {
  /**
   * The final response status; for an error that escaped the handler, its 4xx/5xx
   * `status` (`statusOfError`). A 5xx persists nothing (unless `saveOnError`).
   */
  status: number;
}

/** What the adapter must send. */
export interface CommitResult {
  /** `Set-Cookie` header values, to append one by one. */
  setCookie: string[];
  /** The same cookies, structured, for frameworks with a cookie API. */
  cookies: OutgoingCookie[];
  /** The session was loaded: the response depends on the Cookie header (`Vary: Cookie`). */
  vary: boolean;
  /** A cookie is set or a stored session was read: keep the response out of shared caches. */
  private: boolean;
}

/** The framework-free API every adapter calls, and apps use for work outside a request. */
export interface SessionManager<Data extends object = Record<string, SessionValue>, Flash extends object = Record<string, SessionValue>> {
  /** Wraps one request's Cookie header. No I/O: nothing happens until `load()`. */
  open(cookieHeader: string | null | undefined, options?: OpenOptions): SessionHandle<Data, Flash>;
  /**
   * After the handler: persists what changed and says what to send. Waits for a load
   * still in flight; afterwards every write on the session throws. Runs once per
   * handle. Rejects with `SessionStoreError` (503) or `SessionTooLargeError` (413).
   */
  commit(handle: SessionHandle<Data, Flash>, outcome: RequestOutcome): Promise<CommitResult>;
  /** The live sessions of a user, oldest first by creation (needs a store with `listByUser`). */
  listUserSessions(userId: string): Promise<UserSessionSummary[]>;
  /** Destroys every session of a user, "sign out everywhere" (needs `destroyByUser`). Resolves how many. */
  revokeUserSessions(userId: string): Promise<number>;
  /**
   * Destroys one session by its store key (`session.key`, or a key from
   * `listUserSessions`); needs a server store. Resolves whether a session was revoked:
   * `false` for an unknown or expired key, and, given `owner.userId`, for a session
   * that is not that user's (nothing is revoked then), so a "sign out this device"
   * button can pass the key the client sent and answer 404 on `false`.
   * Rejects with a `TypeError` for a value that is not a store key (32 base64url
   * characters) unless `owner.userId` is given: then it resolves `false`, as for any
   * key that is not that user's.
   */
  revokeSession(key: string, owner?: RevokeOwner): Promise<boolean>;
  /**
   * Sends an error no caller can catch to the `onError` option (default `console.error`):
   * adapters report here a commit that failed under an error answer (`settleRequest`).
   */
  reportError(error: Error): void;
  /** The session cookie's name. */
  readonly cookieName: string;
  readonly store: SessionStore | CookieStore;
}

export const NOTHING_TO_SEND: CommitResult = Object.freeze({ setCookie: [], cookies: [], vary: false, private: false }) as CommitResult;
const VARY_ONLY: CommitResult = Object.freeze({ setCookie: [], cookies: [], vary: true, private: false }) as CommitResult;

/** The handle's state: the manager loads through it and commits it. */
class RequestSession implements SessionHandle<Record<string, unknown>, Record<string, unknown>> {
  loading: Promise<SessionState> | undefined;
  state: SessionState | undefined;
  committed = false;

  constructor(
    readonly owner: ManagerCore,
    readonly cookieHeader: string | null | undefined,
    readonly readOnly: boolean,
    readonly afterResponse: string | undefined,
  ) {}

  load(): Promise<Session<Record<string, unknown>, Record<string, unknown>>> {
    if (this.loading === undefined) {
      if (this.committed) {
        return Promise.reject(
          new SessionUsageError(
            'committed',
            '@sess/core: session.load() was called after the session of this request was already committed. Load the session before the response is sent.',
          ),
        );
      }
      this.loading = this.owner.load(this);
    }
    // The state is seen only through the `Session` interface, whose types are the app's.
    return this.loading as Promise<unknown> as Promise<Session<Record<string, unknown>, Record<string, unknown>>>;
  }
}

/** What the manager resolved from its options; shared by every request. */
interface ManagerCore {
  ctx: SessionContext;
  persistence: SessionPersistence;
  saveOnError: boolean;
  load(request: RequestSession): Promise<SessionState>;
}

/** Creates the session manager; validates every option now, not on the first request. */
export function createSessionManager<
  Data extends object = Record<string, SessionValue>,
  Flash extends object = Record<string, SessionValue>,
>(options: SessionManagerOptions): SessionManager<Data, Flash> {
  return buildManager<Data, Flash>(options, PACKAGE, 'createSessionManager()');
}

function buildManager<Data extends object, Flash extends object>(
  options: SessionManagerOptions,
  packageName: string,
  factory: string,
): SessionManager<Data, Flash> {
  if (typeof options !== 'object' || options === null) invalidOption(packageName, 'options', 'an object', options);
  rejectUnknownOptions(packageName, '', options, KNOWN_OPTIONS, MIGRATION_HINTS);
  const secrets = resolveSecrets(options.secret, packageName);
  const cookie = resolveCookie(options.cookie, packageName);
  const protection = options.cookieValue ?? 'sign';
  if (protection !== 'sign' && protection !== 'seal') invalidOption(packageName, 'cookieValue', "'sign' or 'seal'", protection);
  const given = options.store;
  if (given !== undefined && !isCookieStore(given) && !isSessionStore(given)) {
    invalidOption(packageName, 'store', 'a SessionStore (get, set, destroy) or a cookie store', given);
  }
  const storeSerializer: unknown = given?.serializer;
  if (storeSerializer !== undefined && !isSerializer(storeSerializer)) {
    invalidOption(packageName, 'store.serializer', "an object with stringify and parse functions (and `kind` 'json', 'rich' or none)", storeSerializer);
  }
  const serializer = options.serializer ?? storeSerializer ?? jsonSerializer;
  if (!isSerializer(serializer)) {
    invalidOption(packageName, 'serializer', "an object with stringify and parse functions (and `kind` 'json', 'rich' or none)", serializer);
  }
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
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') invalidOption(packageName, 'now', 'a function returning epoch milliseconds', now);
  const onError = options.onError;
  if (onError !== undefined && typeof onError !== 'function') invalidOption(packageName, 'onError', 'a function taking an Error', onError);
  const policy = resolveExpiry(options.expiry, packageName);
  const store = given ?? memoryStore({ serializer, now }, factory);
  const cookieStore = isCookieStore(store) ? store : undefined;
  const serverStore = cookieStore === undefined ? (store as SessionStore) : undefined;
  const ctx: SessionContext = { policy, serializer, now, packageName, onError };
  const persistence =
    serverStore !== undefined
      ? serverStorePersistence(serverStore, new IdCookieCodec(secrets, protection, cookie.name), cookie, storeTimeoutMs)
      : cookieStorePersistence(cookieStore!, { cookie, secrets, now });

  const core: ManagerCore = {
    ctx,
    persistence,
    saveOnError,
    async load(request) {
      const loaded = await persistence.load(request.cookieHeader);
      const opened = loaded.session;
      // An expired record is as good as none, whatever the store still holds.
      const live = opened !== undefined && now() < expiresAtOf(opened.record, policy) ? opened : undefined;
      const state = new SessionState(ctx, live, loaded.hadCookie, request.readOnly, request.afterResponse);
      request.state = state;
      return state;
    },
  };

  const call = storeCaller(serverStore, storeTimeoutMs);
  const requireServerStore = (method: 'listByUser' | 'destroyByUser' | 'destroy'): SessionStore => {
    if (serverStore?.[method] === undefined) {
      throw new TypeError(
        method === 'destroy'
          ? `${packageName}: sessions in a cookie store cannot be revoked server-side; use a server store (memory, Redis) to revoke sessions.`
          : `${packageName}: the configured store does not implement \`${method}\`; per-user sessions need a store with a user index.`,
      );
    }
    return serverStore;
  };

  return {
    cookieName: cookie.name,
    store,
    open: (cookieHeader, openOptions) =>
      new RequestSession(core, cookieHeader, openOptions?.readOnly === true, openOptions?.afterResponse) as unknown as SessionHandle<Data, Flash>,
    commit: (handle, outcome) => commit(core, handle, outcome, packageName),
    reportError: (error) => reportSafely(onError, error),
    listUserSessions: async (userId) => {
      const s = requireServerStore('listByUser');
      return call('listByUser', () => s.listByUser!(userId));
    },
    revokeUserSessions: async (userId) => {
      const s = requireServerStore('destroyByUser');
      return call('destroyByUser', () => s.destroyByUser!(userId));
    },
    revokeSession: async (key, owner) => {
      const s = requireServerStore('destroy');
      const userId = owner?.userId;
      if (owner !== undefined && (typeof userId !== 'string' || userId === '')) {
        throw new TypeError(`${packageName}: revokeSession(key, { userId }) takes a non-empty string user id.`);
      }
      // Anything else under the store's prefix (a user index, another app's data) is never touched.
      if (!isStoreKeyShape(key)) {
        if (userId !== undefined) return false;
        throw new TypeError(
          `${packageName}: revokeSession() takes a store key (\`session.key\` or a key from listUserSessions: 32 base64url characters), got ${describeKey(key)}. ` +
            'For a key sent by a client, pass the signed-in user too, revokeSession(key, { userId }), which resolves false for any key that is not theirs.',
        );
      }
      const record = await call('get', () => s.get(key));
      if (record === undefined || (userId !== undefined && record.userId !== userId)) return false;
      await call('destroy', () => s.destroy(key));
      return true;
    },
  };
}

function describeKey(key: unknown): string {
  return typeof key === 'string' ? JSON.stringify(key.length > 40 ? `${key.slice(0, 37)}...` : key) : typeof key;
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

async function commit(core: ManagerCore, handle: unknown, outcome: RequestOutcome, packageName: string): Promise<CommitResult> {
  if (!(handle instanceof RequestSession) || handle.owner !== core) {
    throw new TypeError(`${packageName}: manager.commit() takes a handle this manager's open() returned.`);
  }
  if (typeof outcome?.status !== 'number') throw new TypeError(`${packageName}: manager.commit() needs the response status.`);
  if (handle.committed) return NOTHING_TO_SEND;
  handle.committed = true;
  if (handle.loading === undefined) return NOTHING_TO_SEND;
  let state: SessionState;
  try {
    state = await handle.loading;
  } catch {
    // The handler already received the store error; there is nothing to persist.
    return VARY_ONLY;
  }
  // Closed only after the await: a load().then(write) the app queued before the commit still counts.
  // Any later write throws instead of being lost.
  state.close();

  const { ctx, persistence } = core;
  const nowMs = ctx.now();
  const changes = state.changes();
  const facts: CommitFacts = {
    failed: isFailedOutcome(outcome.status, core.saveOnError),
    isNew: !state.stored,
    modified: changes.modified,
    empty: state.empty,
    regenerated: state.regenerated,
    hasRecordToDrop: state.recordToDrop !== undefined,
    touchDue: state.touchDue(nowMs),
    persistenceChanged: state.persistenceChanged,
    hadCookie: state.hadCookie,
    staleCookie: state.staleCookie,
  };
  // A read-only session sends no cookie, so it may only do store work that needs none.
  const canWrite = !handle.readOnly || !persistence.touchNeedsCookie;
  const save = canWrite && shouldSave(facts);
  const touch = canWrite && shouldTouch(facts);
  const destroy = canWrite && shouldDestroy(facts);
  const setCookie = !handle.readOnly && shouldSetCookie(facts);
  const clearCookie = !handle.readOnly && shouldClearCookie(facts);
  if (!save && !touch && !destroy && !setCookie && !clearCookie) {
    return { ...VARY_ONLY, private: shouldMarkPrivate(facts, false) };
  }

  const meta: SessionMeta = { ...state.meta, lastActiveAtMs: save || touch ? nowMs : state.meta.lastActiveAtMs };
  meta.expiresAtMs = expiresAtOf(meta, ctx.policy);
  const plan: CommitPlan = {
    id: state.id,
    key: state.key,
    record: state.record(meta),
    setCookie,
    clearCookie,
    cookieMaxAgeSeconds: cookieMaxAgeSeconds(meta, ctx.policy, nowMs),
  };
  if (save) {
    const whole = facts.isNew || facts.regenerated;
    plan.save = { patch: whole ? undefined : { set: changes.set, removed: changes.removed, meta } };
  } else if (touch) {
    plan.touch = meta;
  }
  // A regenerated stored session moves to its new key only if it was not revoked meanwhile.
  if (save && facts.regenerated && state.recordToDrop !== undefined) plan.rotateFrom = state.recordToDrop;
  // The record the cookie pointed at: destroyed, or emptied by the handler.
  else if (destroy) plan.destroyKey = state.recordToDrop ?? state.key;
  const cookies = await persistence.commit(handle.cookieHeader, plan);
  if (save || touch) state.meta = meta;
  return { setCookie: cookies.map(serializeCookie), cookies, vary: true, private: shouldMarkPrivate(facts, cookies.length > 0) };
}

/** Shape check instead of `instanceof`: holds across two copies of the package. */
export function isSessionManager(value: unknown): value is SessionManager<object, object> {
  return looksLikeManager(value);
}

function looksLikeManager(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as SessionManager).open === 'function' &&
    typeof (value as SessionManager).commit === 'function'
  );
}

/**
 * What every adapter's factory does with its argument: use a manager it is given
 * (so an app can share one for admin work), or create one from options, with
 * errors that name the adapter's package.
 */
export function toSessionManager<Data extends object, Flash extends object>(
  options: SessionManagerOptions | SessionManager<Data, Flash>,
  packageName: string,
  adapter: AdapterInfo = {},
): SessionManager<Data, Flash> {
  if (typeof options !== 'object' || options === null) {
    invalidOption(packageName, 'options', 'session manager options or a SessionManager', options);
  }
  // A plain boolean check: narrowing between two instantiations of the generic types costs the compiler dearly.
  if (looksLikeManager(options)) return options as SessionManager<Data, Flash>;
  return buildManager<Data, Flash>(options as SessionManagerOptions, packageName, adapter.factory ?? `session() of ${packageName}`);
}

/** What `toSessionManager` may know of the adapter calling it, for its messages. */
export interface AdapterInfo {
  /**
   * The adapter's factory, as warnings name it ("Pass a shared store as the `store`
   * option of ..."), such as `'createSessions() of @sess/next'`.
   * @default `session() of ${packageName}`
   */
  factory?: string;
}
