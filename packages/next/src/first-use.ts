import { isSessionManager, type SessionManager, type SessionManagerOptions, toSessionManager } from '@sess/core/adapter';
import { invalidOption } from '@sess/core/store';
import { PACKAGE } from './shared';

/** A server store or the cookie store, as the core's `store` option takes it. */
/** A store `createSessions` takes: a server store or a cookie store. */
export type NextSessionsStore = NonNullable<SessionManagerOptions['store']>;

/**
 * What `createSessions` takes: the `@sess/core` manager options, where `store` may also be
 * a function that makes the store. Nothing is checked or created when `lib/sessions.ts`
 * is imported (`next build` imports every route module, without your runtime secrets):
 * the manager is made at the first request, or at the first call on `sessions.manager`.
 */
export interface NextSessionsOptions extends Omit<SessionManagerOptions, 'store'> {
  /**
   * Where sessions live. A function is called once per process, at the first request, so
   * a store that connects (`createRedisStore`) connects neither during `next build` nor once
   * per route bundle. With a function, or with no store, the manager is one per process
   * whatever number of copies of this module Next evaluates (see `createSessions`).
   * A store object is used as it is, by this `createSessions` call alone.
   * @default createMemoryStore(), one per process
   */
  store?: NextSessionsStore | (() => NextSessionsStore);
}

interface Registered {
  /** The options that made it, as far as they can be compared: two copies of one module agree. */
  fingerprint: string;
  /** Which `createSessions` call made it, in the order of the calls in this process. */
  call: number;
  manager: SessionManager<object, object>;
}

// On globalThis: Next evaluates `lib/sessions.ts` once per route bundle, and those copies share nothing else.
const REGISTRY = Symbol.for('@sess/next/managers');

interface Registry {
  managers: Map<string, Registered>;
  calls: number;
}

function registry(): Registry {
  const holder = globalThis as { [REGISTRY]?: Registry };
  holder[REGISTRY] ??= { managers: new Map(), calls: 0 };
  return holder[REGISTRY];
}

function isProduction(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.NODE_ENV?.trim().toLowerCase() === 'production';
}

/**
 * A manager made at first use. With a store function or no store it is the process's
 * manager for its cookie name, kept on `globalThis`: the first copy of the module to
 * serve a request makes it, every other copy uses it. A given manager is returned as it is.
 */
export function managerAtFirstUse<Data extends object, Flash extends object>(
  options: NextSessionsOptions | SessionManager<Data, Flash>,
  factory: string,
): SessionManager<Data, Flash> {
  if (typeof options !== 'object' || options === null) {
    invalidOption(PACKAGE, 'options', 'session manager options or a SessionManager', options);
  }
  if (isSessionManager(options)) return options as SessionManager<Data, Flash>;
  const given = options as NextSessionsOptions;
  const { store } = given;
  if (store !== undefined && typeof store !== 'function' && (typeof store !== 'object' || store === null)) {
    invalidOption(PACKAGE, 'store', 'a SessionStore, a cookie store, or a function that returns one', store);
  }
  const cookieName = typeof given.cookie?.name === 'string' ? given.cookie.name : 'sid';
  const shared = typeof store !== 'object';
  const call = ++registry().calls;
  const fingerprint = JSON.stringify([
    given.cookie,
    given.cookieValue,
    given.expiry,
    given.saveOnError,
    given.storeTimeoutMs,
    store === undefined ? 'memory' : 'function',
  ]);

  let madeStore: NextSessionsStore | undefined;
  function build(): SessionManager<Data, Flash> {
    // Made once: an option the core then refuses must not make a new store on every request.
    if (typeof store === 'function') madeStore ??= store();
    const resolved: SessionManagerOptions = { ...given, store: typeof store === 'function' ? madeStore : store };
    if (resolved.store === undefined) delete resolved.store;
    return toSessionManager<Data, Flash>(resolved, PACKAGE, { factory: `${factory} of ${PACKAGE}` });
  }

  let own: SessionManager<Data, Flash> | undefined;
  let verified: Registered | undefined;
  function resolve(): SessionManager<Data, Flash> {
    if (!shared) {
      own ??= build();
      return own;
    }
    const { managers } = registry();
    const current = managers.get(cookieName);
    if (current === undefined || current !== verified) {
      // Outside production a module edited under `next dev` is evaluated again: the copy evaluated last wins.
      const edited = current !== undefined && current.fingerprint !== fingerprint && !isProduction();
      if (current === undefined || (edited && call > current.call)) {
        verified = { fingerprint, call, manager: build() };
        managers.set(cookieName, verified);
      } else if (current.fingerprint !== fingerprint && !edited) {
        throw new TypeError(
          `${PACKAGE}: two createSessions() calls in this process use the cookie "${cookieName}" with different options. ` +
            'One cookie name is one set of sessions: give the other one its own `cookie: { name }`, or import one `sessions` everywhere.',
        );
      } else {
        verified = current;
      }
    }
    return verified.manager as SessionManager<Data, Flash>;
  }

  return {
    open: (cookieHeader, openOptions) => resolve().open(cookieHeader, openOptions),
    commit: (handle, outcome) => resolve().commit(handle, outcome),
    reportError: (error) => resolve().reportError(error),
    listUserSessions: (userId) => resolve().listUserSessions(userId),
    revokeUserSessions: (userId) => resolve().revokeUserSessions(userId),
    revokeSession: (...args) => resolve().revokeSession(...args),
    cookieName,
    get store() {
      return resolve().store;
    },
  };
}
