import type { IncomingMessage } from 'node:http';
import {
  applyCommitHeaders,
  type CommitResult,
  type DataOf,
  REPLACED_RESPONSE_HEADERS,
  type SessionHandle,
  type SessionManager,
  type SessionManagerOptions,
  settleRequest,
  toSessionManager,
} from '@sess/core/adapter';
import type { Next, ParameterizedContext } from 'koa';

const PACKAGE = '@sess/koa';
/** How a late write's report names the moment the response is sent. */
const OPEN_OPTIONS = { afterResponse: 'after the middleware that set ctx.body returned' } as const;
/** Requests some `session()` middleware already opened a session for. */
const opened = new WeakSet<IncomingMessage>();

/**
 * Your session's shape. Augment it to type `ctx.session`:
 *
 * @example
 * declare module '@sess/koa' {
 *   interface SessionData { user: string }
 * }
 * const session = await ctx.session.load();
 * session.get('user'); // string | undefined
 */
// biome-ignore lint/suspicious/noEmptyInterface: an empty interface is what module augmentation extends.
export interface SessionData {}

/** Your flash messages' shape; augment it like `SessionData`. */
// biome-ignore lint/suspicious/noEmptyInterface: an empty interface is what module augmentation extends.
export interface FlashData {}

/** The data type `ctx.session` works with: your `SessionData`, or any key with a storable value while it is empty. */
export type AppSessionData = DataOf<SessionData>;
/** The flash type `ctx.session` works with. */
export type AppFlashData = DataOf<FlashData>;
/** The type of `ctx.session`: `await ctx.session.load()` gives the session. */
export type ContextSession = SessionHandle<AppSessionData, AppFlashData>;

declare module 'koa' {
  interface ExtendableContext {
    /** This request's session, from `@sess/koa`: `const session = await ctx.session.load()`. */
    session: ContextSession;
  }
}

/** The Koa middleware, with the manager it commits through. */
export interface SessionMiddleware {
  (ctx: ParameterizedContext, next: Next): Promise<void>;
  /** The session manager, for work outside a request: listing or revoking a user's sessions. */
  readonly manager: SessionManager<AppSessionData, AppFlashData>;
}

/**
 * Koa middleware (Koa 2 and 3) that gives every request a lazy `ctx.session` and
 * commits it after `await next()`, before Koa sends the response.
 *
 * After the handler, the core's `settleRequest` decides: a 2xx/3xx answer whose write
 * fails becomes the store error, thrown into Koa's error handling (503 with
 * `Retry-After`, or 413). When a downstream middleware throws, its error is rethrown
 * unchanged; a 4xx error persists the session like a 4xx answer (its cookie is set
 * on the response, for an upstream middleware that answers the error, and on
 * `error.headers`, which Koa's own error response keeps), a 5xx or status-less one
 * persists nothing, and a commit failing under it goes to the manager's `onError`.
 *
 * @param options the `@sess/core` manager options, or a `SessionManager` to share
 *   with the rest of the app.
 * @example
 * app.use(session({ secret: process.env.SESSION_SECRET, store: createRedisStore({ url }) }));
 */
export function session(options: SessionManagerOptions | SessionManager<AppSessionData, AppFlashData>): SessionMiddleware {
  const manager = toSessionManager<AppSessionData, AppFlashData>(options, PACKAGE);

  async function sessionMiddleware(ctx: ParameterizedContext, next: Next): Promise<void> {
    // Mounted twice (app and a mounted sub-app): one session per request.
    if (opened.has(ctx.req)) {
      await next();
      return;
    }
    opened.add(ctx.req);
    const handle = manager.open(ctx.req.headers.cookie, OPEN_OPTIONS);
    ctx.session = handle;
    try {
      await next();
    } catch (error) {
      // A thrown error is the answer (a failing commit under it goes to the manager's onError).
      // Its cookie goes on the response, for an upstream middleware that catches the error and
      // answers it, and on the error, for Koa's ctx.onerror, which drops the response's headers first.
      const settled = await settleRequest(manager, handle, { error });
      if (settled.send === 'error') throw settled.error;
      applyToContext(ctx, settled.commit);
      attachToError(error, settled.commit);
      throw error;
    }
    const settled = await settleRequest(manager, handle, { status: ctx.status });
    if (settled.send === 'error') {
      // Koa's error handling answers the store's 503 (with `Retry-After`) or 413 instead.
      if (!ctx.headerSent) for (const name of REPLACED_RESPONSE_HEADERS) ctx.remove(name);
      throw settled.error;
    }
    applyToContext(ctx, settled.commit);
  }
  return Object.assign(sessionMiddleware, { manager });
}

function applyToContext(ctx: ParameterizedContext, result: CommitResult): void {
  // A middleware that wrote to ctx.res itself already sent its head: nothing can be added.
  if (ctx.headerSent) return;
  applyCommitHeaders(result, {
    get: (name) => ctx.response.get(name) || undefined,
    set: (name, value) => ctx.set(name, value),
    append: (name, value) => ctx.append(name, value),
  });
}

/**
 * Koa's error response drops every header set so far and then applies
 * `error.headers`: the commit's headers go there, so a 4xx form reply keeps its cookie.
 */
function attachToError(error: unknown, result: CommitResult): void {
  if (typeof error !== 'object' || error === null) return;
  const target = error as { headers?: Record<string, string | string[]> };
  const headers: Record<string, string | string[]> = { ...target.headers };
  applyCommitHeaders(result, {
    get: (name) => {
      const value = headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    },
    set: (name, value) => {
      headers[name] = value;
    },
    append: (name, value) => {
      const current = headers[name];
      headers[name] = current === undefined ? [value] : [...(Array.isArray(current) ? current : [current]), value];
    },
  });
  try {
    target.headers = headers;
  } catch {
    // A frozen error keeps its own headers; the session was still committed.
  }
}
