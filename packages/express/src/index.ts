import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type DataOf,
  type SessionHandle,
  type SessionManager,
  type SessionManagerOptions,
  settleRequest,
  toSessionManager,
} from '@sess/core/adapter';
import { commitBeforeFirstByte } from '@sess/core/node';

const PACKAGE = '@sess/express';
/** How a late write's report names the call that sends the response. */
const OPEN_OPTIONS = { afterResponse: 'after res.send(), res.json(), res.redirect() or res.end()' } as const;
/** Requests some `session()` middleware already opened a session for. */
const opened = new WeakSet<IncomingMessage>();

/**
 * Your session's shape. Augment it to type `req.session`:
 *
 * @example
 * declare module '@sess/express' {
 *   interface SessionData { user: string }
 * }
 * const session = await req.session.load();
 * session.get('user'); // string | undefined
 */
// biome-ignore lint/suspicious/noEmptyInterface: an empty interface is what module augmentation extends.
export interface SessionData {}

/** Your flash messages' shape; augment it like `SessionData`. */
// biome-ignore lint/suspicious/noEmptyInterface: an empty interface is what module augmentation extends.
export interface FlashData {}

/** The data type `req.session` works with: your `SessionData`, or any key with a storable value while it is empty. */
export type AppSessionData = DataOf<SessionData>;
/** The flash type `req.session` works with. */
export type AppFlashData = DataOf<FlashData>;
/** The type of `req.session`: `await req.session.load()` gives the session. */
export type RequestSession = SessionHandle<AppSessionData, AppFlashData>;

declare global {
  namespace Express {
    interface Request {
      /** This request's session, from `@sess/express`: `const session = await req.session.load()`. */
      session: RequestSession;
    }
  }
}

/** The Express middleware, with the manager it commits through. */
export interface SessionMiddleware {
  (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void;
  /** The session manager, for work outside a request: listing or revoking a user's sessions. */
  readonly manager: SessionManager<AppSessionData, AppFlashData>;
}

/**
 * Express middleware (Express 4 and 5) that gives every request a lazy `req.session`
 * and commits it before the response's first byte leaves (`commitBeforeFirstByte`
 * from `@sess/core/node`), so a redirect after a sign-in always sees the sign-in.
 *
 * @param options the `@sess/core` manager options, or a `SessionManager` to share
 *   with the rest of the app.
 * @example
 * app.use(session({ secret: process.env.SESSION_SECRET, store: createRedisStore({ url }) }));
 */
export function session(options: SessionManagerOptions | SessionManager<AppSessionData, AppFlashData>): SessionMiddleware {
  const manager = toSessionManager<AppSessionData, AppFlashData>(options, PACKAGE);

  function sessionMiddleware(req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void {
    // Mounted twice (app and router): one session per request.
    if (opened.has(req)) {
      next();
      return;
    }
    opened.add(req);
    const handle = manager.open(req.headers.cookie, OPEN_OPTIONS);
    (req as IncomingMessage & { session: RequestSession }).session = handle;
    // Express's error handler sets the error's status before writing, so a thrown
    // 4xx arrives here as a 4xx (persisted) and an unhandled error as a 500 (not).
    // A lost write under a 2xx/3xx goes to Express's error handling, which answers its 503 or 413.
    commitBeforeFirstByte(
      res,
      (status) => settleRequest(manager, handle, { status }),
      (answer) => next(answer.error),
    );
    next();
  }

  return Object.assign(sessionMiddleware, { manager });
}
