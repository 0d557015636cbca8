import {
  applyCommitHeaders,
  type CommitResult,
  type DataOf,
  type HeaderAccess,
  type SessionHandle,
  type SessionManager,
  type SessionManagerOptions,
  statusOfError,
  toSessionManager,
} from '@sess/core/adapter';
import type { Context, MiddlewareHandler } from 'hono';

const PACKAGE = '@sess/hono';
/** A WebSocket upgrade: the connection stops being HTTP, no header of ours can reach the browser. */
const SWITCHING_PROTOCOLS = 101;
/** Headers of a discarded response that would be wrong on the error response replacing it. */
const DISCARDED_RESPONSE_HEADERS = [
  'Location',
  'Refresh',
  'Content-Length',
  'Content-Type',
  'Content-Encoding',
  'Content-Disposition',
  'Content-Location',
  'Content-Range',
  'ETag',
  'Last-Modified',
];
/** What Hono's default error handler answers a commit failure with. */
const STATUS_TEXT: Record<number, string> = { 413: 'Payload Too Large', 503: 'Service Unavailable' };

/**
 * Your session's shape, for every app of the process. Augment it to type `c.var.session`
 * without naming the types at each `session()` call:
 *
 * @example
 * declare module '@sess/hono' {
 *   interface SessionData { user: string; count: number }
 * }
 */
// biome-ignore lint/suspicious/noEmptyInterface: an empty interface is what module augmentation extends.
export interface SessionData {}

/** Your flash messages' shape; augment it like `SessionData`. */
// biome-ignore lint/suspicious/noEmptyInterface: an empty interface is what module augmentation extends.
export interface FlashData {}

/** The data type `c.var.session` works with: your `SessionData`, or any storable value per key when not augmented. */
export type AppSessionData = DataOf<SessionData>;
/** The flash type `c.var.session` works with. */
export type AppFlashData = DataOf<FlashData>;
/** The type of `c.var.session`: the lazy handle; `await c.var.session.load()` gives the session. */
export type ContextSession<Data extends object = AppSessionData, Flash extends object = AppFlashData> = SessionHandle<
  Data,
  Flash
>;

/** The context variables `session()` sets. */
export interface SessionVariables<Data extends object = AppSessionData, Flash extends object = AppFlashData> {
  /** This request's lazy session, from `@sess/hono`. */
  session: ContextSession<Data, Flash>;
}

/**
 * The Hono `Env` that types `c.get('session')` and `c.var.session`:
 * `new Hono<SessionEnv>()`, or merged with your own variables.
 */
export interface SessionEnv<Data extends object = AppSessionData, Flash extends object = AppFlashData> {
  Variables: SessionVariables<Data, Flash>;
}

/** The Hono middleware, with the manager it commits through. */
export interface SessionMiddleware<Data extends object = AppSessionData, Flash extends object = AppFlashData>
  extends MiddlewareHandler<SessionEnv<Data, Flash>> {
  /** The session manager, for work outside a request: listing or revoking a user's sessions. */
  readonly manager: SessionManager<Data, Flash>;
}

/**
 * Hono middleware that gives every request a lazy `c.var.session` and commits it after
 * `await next()`, onto the response the app produced (including one whose headers
 * are immutable, as a `fetch()` result or `Response.redirect()`).
 *
 * The outcome follows the core's rule: a response or error status of 500 or more
 * persists nothing (unless `saveOnError`); a thrown 4xx (`HTTPException`) persists.
 * A store failure reaches `app.onError` as the core's `SessionStoreError` (status 503),
 * a session over the size limit as `SessionTooLargeError` (413); Hono's default error
 * handler answers them with that status. A WebSocket upgrade (101) commits nothing.
 *
 * @param options the `@sess/core` manager options, or a `SessionManager` to share with
 *   the rest of the app.
 * @example
 * const app = new Hono<SessionEnv>();
 * app.use(session({ secret: env.SESSION_SECRET, store: createRedisStore({ url }) }));
 * app.get('/', async (c) => {
 *   const session = await c.var.session.load();
 *   return c.text(`Hello ${session.get('user') ?? 'stranger'}`);
 * });
 */
export function session<Data extends object = AppSessionData, Flash extends object = AppFlashData>(
  options: SessionManagerOptions | SessionManager<Data, Flash>,
): SessionMiddleware<Data, Flash> {
  const manager = toSessionManager<Data, Flash>(options, PACKAGE);

  async function sessionMiddleware(c: Context<SessionEnv<Data, Flash>>, next: () => Promise<void>): Promise<void> {
    // Mounted twice (app and a sub-app): the outer one owns the request's session.
    if (c.get('session') !== undefined) {
      await next();
      return;
    }
    const handle = manager.open(c.req.header('Cookie'));
    c.set('session', handle);
    // Nothing is written before next(): the handler may replace the response.
    await next();
    if (c.res.status === SWITCHING_PROTOCOLS) return;
    // Hono turned a thrown error into c.res through onError already; the worse of both decides.
    const status = c.error === undefined ? c.res.status : Math.max(statusOfError(c.error), c.res.status);
    let result: CommitResult;
    try {
      result = await manager.commit(handle, { status });
    } catch (error) {
      throw asHonoError(error, c);
    }
    applyCommitHeaders(result, honoHeaders(c));
  }

  return Object.assign(sessionMiddleware, { manager });
}

/** Response headers through Hono's own API, which copies a response whose headers are immutable. */
function honoHeaders(c: Context): HeaderAccess {
  return {
    get: (name) => c.res.headers.get(name),
    set: (name, value) => c.header(name, value),
    append: (name, value) => c.header(name, value, { append: true }),
  };
}

/**
 * Prepares a commit failure for `app.onError`, whose response replaces the handler's.
 * Hono carries the handler's headers into it: those that describe the replaced body
 * or send the client elsewhere (a redirect's Location after a write that failed) are
 * removed; the ones the app sets on every response (CORS...) stay.
 * The error stays the core's typed error; `getResponse` is the protocol Hono's
 * default handler answers with, so it says 503 or 413 rather than 500.
 */
function asHonoError(error: unknown, c: Context): unknown {
  // onError's response starts from these headers (c.text copies them, c.res = merges them).
  for (const name of DISCARDED_RESPONSE_HEADERS) c.header(name, undefined);
  if (error instanceof Error && !('getResponse' in error)) {
    const status = statusOfError(error);
    Object.defineProperty(error, 'getResponse', {
      value: () => new Response(STATUS_TEXT[status] ?? 'Internal Server Error', { status }),
      configurable: true,
    });
  }
  return error;
}
