import {
  applyCommitHeaders,
  type Session,
  type SessionManager,
  type SessionManagerOptions,
  toSessionManager,
} from '@sess/core';
import type { IncomingMessage } from 'node:http';
import type { Next, ParameterizedContext } from 'koa';

const PACKAGE = '@sess/koa';
/** Requests some `session()` middleware already opened a session for. */
const opened = new WeakSet<IncomingMessage>();

/**
 * Your session's shape. Augment it to type `ctx.session`:
 *
 * @example
 * declare module '@sess/koa' {
 *   interface SessionData { user: string }
 * }
 * const user = await ctx.session.get('user'); // string | undefined
 */
// biome-ignore lint/suspicious/noEmptyInterface: an empty interface is what module augmentation extends.
export interface SessionData {}

/** Your flash messages' shape; augment it like `SessionData`. */
// biome-ignore lint/suspicious/noEmptyInterface: an empty interface is what module augmentation extends.
export interface FlashData {}

/** The data type `ctx.session` works with: your `SessionData`, plus any other key as `unknown`. */
export type AppSessionData = SessionData & Record<string, unknown>;
/** The flash type `ctx.session` works with. */
export type AppFlashData = FlashData & Record<string, unknown>;
/** The type of `ctx.session`. */
export type ContextSession = Session<AppSessionData, AppFlashData>;

declare module 'koa' {
  interface ExtendableContext {
    /** This request's session, from `@sess/koa`. */
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
 * Store errors are thrown into Koa's error handling (they carry status 503). When a
 * downstream middleware throws, nothing is persisted (unless `saveOnError`) and its
 * error is rethrown unchanged.
 *
 * @param options the `@sess/core` manager options, or a `SessionManager` to share
 *   with the rest of the app.
 * @example
 * app.use(session({ secret: process.env.SESSION_SECRET, store: createRedisStore({ url }) }));
 */
export function session(
  options: SessionManagerOptions | SessionManager<AppSessionData, AppFlashData>,
): SessionMiddleware {
  const manager = toSessionManager<AppSessionData, AppFlashData>(options, PACKAGE);

  async function sessionMiddleware(ctx: ParameterizedContext, next: Next): Promise<void> {
    // Mounted twice (app and a mounted sub-app): one session per request.
    if (opened.has(ctx.req)) {
      await next();
      return;
    }
    opened.add(ctx.req);
    const session = manager.open(ctx.req.headers.cookie);
    ctx.session = session;
    try {
      await next();
    } catch (error) {
      // The handler's error is the response; a failing commit on top of it only gets reported.
      await manager.commit(session, { status: statusOf(error), threw: true }).catch((commitError: unknown) => {
        ctx.app.emit('error', commitError, ctx);
      });
      throw error;
    }
    const result = await manager.commit(session, { status: ctx.status });
    // A middleware that wrote to ctx.res itself already sent its head: nothing can be added.
    if (ctx.headerSent) return;
    applyCommitHeaders(result, {
      get: (name) => ctx.response.get(name) || undefined,
      set: (name, value) => ctx.set(name, value),
      append: (name, value) => ctx.append(name, value),
    });
  }

  return Object.assign(sessionMiddleware, { manager });
}

/** The status Koa will answer a thrown error with. */
function statusOf(error: unknown): number {
  const status = (error as { status?: unknown; statusCode?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}
