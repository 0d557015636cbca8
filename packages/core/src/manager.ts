import type { CookieStore } from './cookie-store';
import { type OutgoingCookie, serializeCookie } from './cookies';
import { isFailedOutcome, planCommit, shouldMarkPrivate } from './decisions';
import { invalidOption, SessionUsageError } from './errors';
import { expiresAtOf } from './expiry';
import { IdCookieCodec } from './id-cookie';
import { isStoreKeyShape } from './ids';
import { resolveManagerOptions, type SessionManagerOptions } from './manager-options';
import { cookieStorePersistence, type SessionPersistence, serverStorePersistence } from './persistence';
import { adoptStoredMeta, closeForCommit, reportSafely, type Session, type SessionContext, SessionState } from './session';
import type { SessionStore, UserSessionSummary } from './store';
import { storeCaller } from './store-call';
import type { SessionValue } from './values';

export type { SessionManagerOptions } from './manager-options';

const PACKAGE = '@sess/core';

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

/** One request's session as the manager sees it; the handle keeps it out of the app's reach. */
interface PendingRequest {
  readonly core: ManagerCore;
  readonly cookieHeader: string | null | undefined;
  readonly readOnly: boolean;
  readonly afterResponse: string | undefined;
  loading: Promise<SessionState> | undefined;
  committed: boolean;
}

/** Set in RequestSession's static block: what a handle this package made stands for. */
let pendingOf: (handle: unknown) => PendingRequest | undefined;

/** The handle: `load()` and nothing else a handler can reach. */
class RequestSession implements SessionHandle<Record<string, unknown>, Record<string, unknown>> {
  readonly #request: PendingRequest;

  constructor(request: PendingRequest) {
    this.#request = request;
  }

  load(): Promise<Session<Record<string, unknown>, Record<string, unknown>>> {
    const request = this.#request;
    if (request.loading === undefined) {
      if (request.committed) {
        return Promise.reject(
          new SessionUsageError(
            'committed',
            '@sess/core: session.load() was called after the session of this request was already committed. Load the session before the response is sent.',
          ),
        );
      }
      request.loading = request.core.load(request);
    }
    // The state is seen only through the `Session` interface, whose types are the app's.
    return request.loading as Promise<unknown> as Promise<Session<Record<string, unknown>, Record<string, unknown>>>;
  }

  static {
    pendingOf = (handle) => (typeof handle === 'object' && handle !== null && #request in handle ? handle.#request : undefined);
  }
}

/** What the manager resolved from its options; shared by every request. */
interface ManagerCore {
  ctx: SessionContext;
  persistence: SessionPersistence;
  saveOnError: boolean;
  load(request: PendingRequest): Promise<SessionState>;
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
  const { secrets, cookie, protection, serverStore, cookieStore, store, serializer, storeTimeoutMs, saveOnError, now, onError, policy } =
    resolveManagerOptions(options, packageName, factory);
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
      return new SessionState(ctx, live, loaded.hadCookie, request.readOnly, request.afterResponse);
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
      new RequestSession({
        core,
        cookieHeader,
        readOnly: openOptions?.readOnly === true,
        afterResponse: openOptions?.afterResponse,
        loading: undefined,
        committed: false,
      }) as unknown as SessionHandle<Data, Flash>,
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

async function commit(core: ManagerCore, handle: unknown, outcome: RequestOutcome, packageName: string): Promise<CommitResult> {
  const request = pendingOf(handle);
  if (request?.core !== core) throw new TypeError(`${packageName}: manager.commit() takes a handle this manager's open() returned.`);
  if (typeof outcome?.status !== 'number') throw new TypeError(`${packageName}: manager.commit() needs the response status.`);
  if (request.committed) return NOTHING_TO_SEND;
  request.committed = true;
  if (request.loading === undefined) return NOTHING_TO_SEND;
  let state: SessionState;
  try {
    state = await request.loading;
  } catch {
    // The handler already received the store error; there is nothing to persist.
    return VARY_ONLY;
  }
  const { ctx, persistence } = core;
  const nowMs = ctx.now();
  // Closed only after the await: a load().then(write) the app queued before the commit still counts.
  // Any later write throws instead of being lost.
  const { facts, plan, meta } = planCommit({
    session: closeForCommit(state, nowMs),
    failed: isFailedOutcome(outcome.status, core.saveOnError),
    readOnly: request.readOnly,
    touchNeedsCookie: persistence.touchNeedsCookie,
    nowMs,
    policy: ctx.policy,
  });
  if (plan === undefined) return { ...VARY_ONLY, private: shouldMarkPrivate(facts, false) };
  const cookies = await persistence.commit(request.cookieHeader, plan);
  if (plan.save !== undefined || plan.touch !== undefined) adoptStoredMeta(state, meta);
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
