import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  applyCommitHeaders,
  type Session,
  type SessionManager,
  type SessionManagerOptions,
  toSessionManager,
} from '@sess/core';

const PACKAGE = '@sess/express';
/** Requests some `session()` middleware already opened a session for. */
const opened = new WeakSet<IncomingMessage>();

/**
 * Your session's shape. Augment it to type `req.session`:
 *
 * @example
 * declare module '@sess/express' {
 *   interface SessionData { user: string }
 * }
 * const user = await req.session.get('user'); // string | undefined
 */
// biome-ignore lint/suspicious/noEmptyInterface: an empty interface is what module augmentation extends.
export interface SessionData {}

/** Your flash messages' shape; augment it like `SessionData`. */
// biome-ignore lint/suspicious/noEmptyInterface: an empty interface is what module augmentation extends.
export interface FlashData {}

/** The data type `req.session` works with: your `SessionData`, plus any other key as `unknown`. */
export type AppSessionData = SessionData & Record<string, unknown>;
/** The flash type `req.session` works with. */
export type AppFlashData = FlashData & Record<string, unknown>;
/** The type of `req.session`. */
export type RequestSession = Session<AppSessionData, AppFlashData>;

declare global {
  namespace Express {
    interface Request {
      /** This request's session, from `@sess/express`. */
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
 * and commits it before the response leaves (see `commitBeforeFirstByte`).
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

  function sessionMiddleware(req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void {
    // Mounted twice (app and router): one session per request.
    if (opened.has(req)) {
      next();
      return;
    }
    opened.add(req);
    const session = manager.open(req.headers.cookie);
    (req as IncomingMessage & { session: RequestSession }).session = session;
    commitBeforeFirstByte(
      res,
      async (status) => applyCommitHeaders(await manager.commit(session, { status }), nodeHeaders(res)),
      next,
    );
    next();
  }

  return Object.assign(sessionMiddleware, { manager });
}

type HeldCall = 'writeHead' | 'write' | 'end';
/** Headers that describe the handler's response, dropped when an error response replaces it. */
const ABANDONED_HEADERS = ['Location', 'Content-Length', 'Content-Type', 'ETag'];

/**
 * The commit point. Express has no hook after the handler, so the first call that
 * would start sending the response (`writeHead`, `write` or `end`, which is also what
 * `res.send`, `res.json`, `res.redirect` and piped streams end up calling) is held,
 * with every call after it, until the session is committed. Then the commit headers
 * are set and the held calls replayed in order. So a redirect after a login leaves
 * only once the login is stored, and a streamed body starts after its Set-Cookie.
 *
 * While held, `write` answers `true` (keep writing): the chunks wait in memory for at
 * most the store timeout. When the commit fails the held calls are dropped and the
 * error goes to `next(err)`, so Express's error handler answers instead (the store
 * error carries status 503).
 */
function commitBeforeFirstByte(
  res: ServerResponse,
  commit: (status: number) => Promise<void>,
  fail: (error: unknown) => void,
): void {
  const original = { writeHead: res.writeHead, write: res.write, end: res.end };
  const held: [HeldCall, unknown[]][] = [];
  let state: 'open' | 'committing' | 'sent' = 'open';
  const replay = (call: HeldCall, args: unknown[]): unknown => Reflect.apply(original[call], res, args);

  const hold = (call: HeldCall) =>
    function heldUntilCommitted(...args: unknown[]): unknown {
      // Stays a pass-through afterwards: later middleware may have wrapped us.
      if (state === 'sent') return replay(call, args);
      held.push([call, args]);
      if (state === 'open') {
        state = 'committing';
        const status = call === 'writeHead' && typeof args[0] === 'number' ? args[0] : res.statusCode;
        commit(status)
          .then(() => {
            state = 'sent';
            for (const [heldCall, heldArgs] of held.splice(0)) replay(heldCall, heldArgs);
          })
          .catch((error: unknown) => {
            state = 'sent';
            held.length = 0;
            // The abandoned response must not leak into the error response.
            if (!res.headersSent) for (const name of ABANDONED_HEADERS) res.removeHeader(name);
            fail(error);
          });
      }
      return call === 'write' ? true : res;
    };

  res.writeHead = hold('writeHead') as ServerResponse['writeHead'];
  res.write = hold('write') as ServerResponse['write'];
  res.end = hold('end') as ServerResponse['end'];
}

/** Node's response headers, as `applyCommitHeaders` reads and writes them. */
function nodeHeaders(res: ServerResponse) {
  return {
    get(name: string): string | undefined {
      const value = res.getHeader(name);
      return value === undefined ? undefined : Array.isArray(value) ? value.join(', ') : String(value);
    },
    set: (name: string, value: string) => void res.setHeader(name, value),
    append: (name: string, value: string) => void res.appendHeader(name, value),
  };
}
