/*
 * @sess/hono: server-side sessions for Hono, on every runtime Hono runs on.
 * The middleware is in middleware.ts; this file holds the types apps name.
 */
import type { DataOf, SessionHandle, SessionManager, SessionManagerOptions } from '@sess/core/adapter';
import type { MiddlewareHandler } from 'hono';

export { getSession, type SessionOf } from './handle';
export { session } from './middleware';

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
export type ContextSession<Data extends object = AppSessionData, Flash extends object = AppFlashData> = SessionHandle<Data, Flash>;

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

/**
 * What `session()` takes: the `@sess/core` manager options, a `SessionManager` to share with
 * the rest of the app, or a function of the runtime's bindings (`c.env`) that returns either,
 * called once, on the first request (a Worker's secret and bindings exist only there).
 */
export type SessionOptions<Data extends object = AppSessionData, Flash extends object = AppFlashData, Bindings extends object = object> =
  | SessionManagerOptions
  | SessionManager<Data, Flash>
  | ((env: Bindings) => SessionManagerOptions | SessionManager<Data, Flash>);

/** The Hono middleware, with the manager it commits through. */
export interface SessionMiddleware<
  Data extends object = AppSessionData,
  Flash extends object = AppFlashData,
  Bindings extends object = object,
> extends MiddlewareHandler<{ Bindings: Bindings; Variables: SessionVariables<Data, Flash> }> {
  /**
   * The session manager, for work outside a request: listing or revoking a user's sessions.
   * Built from a function of the env, it exists from the first request on; reading it earlier throws.
   */
  readonly manager: SessionManager<Data, Flash>;
}
