import {
  applyCommitHeaders,
  type SessionManager,
  type SessionManagerOptions,
  settleRequest,
  statusOfError,
  toSessionManager,
} from '@sess/core/adapter';
import { invalidOption } from '@sess/core/store';
import type { Context } from 'hono';
import { asCommitError } from './errors';
import { HonoSessionHandle, type Mount, openedOn, rememberOpened } from './handle';
import { responseHeaders } from './headers';
import type { AppFlashData, AppSessionData, SessionEnv, SessionMiddleware, SessionOptions } from './index';
import { conflictingMountError, sameMount } from './mount';
import { creationTurn, sightedPerRequestMiddleware } from './per-request';

const PACKAGE = '@sess/hono';
/** How a late write's report names the moment the request ended. */
const OPEN_OPTIONS = { afterResponse: 'after the handler returned its Response (c.json(), c.text() or c.redirect())' } as const;
/** A WebSocket upgrade: the connection stops being HTTP, no header of ours can reach the browser. */
const SWITCHING_PROTOCOLS = 101;

/**
 * Hono middleware that gives every request a lazy `c.var.session` and commits it after
 * `await next()`, onto the response the app produced (including one whose headers
 * are immutable, as a `fetch()` result or `Response.redirect()`).
 *
 * The outcome follows the core's rule: a response or error status of 500 or more
 * persists nothing (unless `saveOnError`); a thrown 4xx (`HTTPException`) persists.
 * A store failure, from `load()` or from the commit of a 2xx/3xx answer, reaches `app.onError`
 * as the core's `SessionStoreError` (status 503), a session over the size limit as
 * `SessionTooLargeError` (413); Hono's default error handler answers them with that status
 * (503 with `Retry-After`, logged). A commit failing under a 4xx/5xx answer leaves that
 * answer standing and goes to the manager's `onError` (the core's `settleRequest`).
 * A WebSocket upgrade (101) commits nothing.
 *
 * @param options the `@sess/core` manager options, a `SessionManager` to share with the
 *   rest of the app, or a function of the runtime's bindings (`c.env`) returning either,
 *   called once, on the first request: on Cloudflare Workers the secret is a binding.
 * @example
 * const app = new Hono<SessionEnv>();
 * app.use(session({ secret: env.SESSION_SECRET, store: createRedisStore({ url }) }));
 * app.get('/', async (c) => {
 *   const session = await c.var.session.load();
 *   return c.text(`Hello ${session.get('user') ?? 'stranger'}`);
 * });
 * @example
 * // Cloudflare Workers: the manager is built from the first request's env, once per isolate.
 * const app = new Hono<{ Bindings: Bindings; Variables: SessionVariables }>();
 * app.use(session((env: Bindings) => ({ secret: env.SESSION_SECRET })));
 */
export function session<Data extends object = AppSessionData, Flash extends object = AppFlashData, Bindings extends object = object>(
  options: SessionOptions<Data, Flash, Bindings>,
): SessionMiddleware<Data, Flash, Bindings> {
  const fromEnv = typeof options === 'function' ? options : undefined;
  let built = fromEnv === undefined ? toSessionManager<Data, Flash>(options as SessionManagerOptions, PACKAGE) : undefined;
  const managerFor = (c: Context): SessionManager<Data, Flash> => (built ??= buildFromEnv(fromEnv!, (c.env ?? {}) as Bindings));
  const mount: Mount = { given: options, manager: () => built };
  const createdThisTurn = creationTurn();
  let firstRequest = true;

  async function sessionMiddleware(c: Context<SessionEnv<Data, Flash>>, next: () => Promise<void>): Promise<void> {
    if (firstRequest) {
      firstRequest = false;
      if (createdThisTurn() && hasCookie(c, managerFor(c).cookieName)) sightedPerRequestMiddleware();
    }
    const outer = openedOn(c);
    if (outer !== undefined) {
      // Mounted twice (app and a sub-app): the outer one owns the request's session.
      if (!sameMount(outer.mount, mount)) throw conflictingMountError(c.req.method, c.req.path);
      await next();
      return;
    }
    const manager = managerFor(c);
    const handle = manager.open(c.req.header('Cookie'), OPEN_OPTIONS);
    const exposed = new HonoSessionHandle(handle);
    rememberOpened(c, { handle: exposed, mount });
    c.set('session', exposed);
    // Nothing is written before next(): the handler may replace the response.
    await next();
    if (c.res.status === SWITCHING_PROTOCOLS) return;
    // Hono turned a thrown error into c.res through onError already; the worse of both decides.
    const status = c.error === undefined ? c.res.status : Math.max(statusOfError(c.error), c.res.status);
    const settled = await settleRequest(manager, handle, { status });
    if (settled.send === 'error') throw asCommitError(settled.error, c);
    const result = settled.commit;
    // Most requests never load the session: nothing to write, no header access to build.
    if (result.setCookie.length > 0 || result.vary || result.private) applyCommitHeaders(result, responseHeaders(c));
  }

  const middleware = Object.defineProperty(sessionMiddleware, 'manager', {
    get: () => {
      if (built === undefined) {
        throw new TypeError(
          `${PACKAGE}: session((env) => options).manager exists only once the first request has built it from the env. ` +
            'For work outside a request, create the manager yourself (createSessionManager) and return it from the function.',
        );
      }
      return built;
    },
    enumerable: true,
  });
  return middleware as unknown as SessionMiddleware<Data, Flash, Bindings>;
}

/**
 * Calls the app's function of the env, once: its result is the options or the manager.
 * Without bindings (`app.request()` on Node) it gets `{}`, so a missing secret is the core's clear error.
 */
function buildFromEnv<Data extends object, Flash extends object, Bindings extends object>(
  fromEnv: (env: Bindings) => SessionManagerOptions | SessionManager<Data, Flash>,
  env: Bindings,
): SessionManager<Data, Flash> {
  const options = fromEnv(env);
  if (options instanceof Promise) {
    invalidOption(PACKAGE, 'options', 'a function that returns the options or a manager synchronously, not a Promise');
  }
  if (typeof options !== 'object' || options === null) {
    invalidOption(PACKAGE, 'options', 'a function returning session manager options or a SessionManager', options);
  }
  return toSessionManager<Data, Flash>(options, PACKAGE);
}

function hasCookie(c: Context, name: string): boolean {
  return c.req.header('Cookie')?.includes(`${name}=`) === true;
}
