/*
 * This request's session as the middleware keeps it: in a module-private map keyed by
 * Hono's Context, so another middleware's `session` variable (better-auth's guide sets
 * one) can neither hide ours nor pass for it, and `getSession(c)` finds ours whatever
 * `c.var.session` holds.
 */

import type { Session } from '@sess/core';
import type { SessionHandle } from '@sess/core/adapter';
import type { Context, Env } from 'hono';
import { withHonoResponse } from './errors';
import type { AppFlashData, AppSessionData } from './index';

/** Which `session()` opened a request's session, to tell a second mount that agrees from one that does not. */
export interface Mount {
  /** The argument `session()` was given: options, a manager, or a function of the env. */
  readonly given: unknown;
  /** The manager, once built (a function of the env builds it on the first request). */
  manager(): unknown;
}

/** `c.var.session`: the core's handle, whose load errors answer through Hono's default handler. */
export class HonoSessionHandle<Data extends object, Flash extends object> implements SessionHandle<Data, Flash> {
  readonly #handle: SessionHandle<Data, Flash>;

  constructor(handle: SessionHandle<Data, Flash>) {
    this.#handle = handle;
  }

  load(): Promise<Session<Data, Flash>> {
    const loading = this.#handle.load();
    // A side branch, not a link in the chain: registered before the caller's own handlers, it
    // prepares the error first, and the caller's `then` runs in the same turn as without it
    // (the commit counts a `load().then(write)` queued before it).
    loading.catch(withHonoResponse);
    return loading;
  }
}

/** A request's session as the middleware that opened it left it. */
export interface Opened {
  readonly handle: SessionHandle<object, object>;
  readonly mount: Mount;
}

const opened = new WeakMap<Context, Opened>();

/** The session a `session()` already opened on this request, if any. */
export function openedOn(c: Context): Opened | undefined {
  return opened.get(c);
}

export function rememberOpened(c: Context, entry: Opened): void {
  opened.set(c, entry);
}

/** The loaded session type of an app's `Env`: the one its `session` variable declares, else the app-wide one. */
export type SessionOf<E extends Env> = E extends { Variables: { session: SessionHandle<infer Data, infer Flash> } }
  ? Session<Data, Flash>
  : Session<AppSessionData, AppFlashData>;

/**
 * Loads this request's session, like `await c.var.session.load()`, but with a clear error
 * where that one would be a bare `TypeError` on `undefined`: a route that `session()` did
 * not run before (a route registered before `app.use(session(...))`, or on an app that
 * does not use it). It also finds the session when another middleware overwrote the
 * `session` variable with its own.
 *
 * @example
 * app.get('/', async (c) => {
 *   const session = await getSession(c);
 *   return c.text(`Hello ${session.get('user') ?? 'stranger'}`);
 * });
 */
export function getSession<E extends Env>(c: Context<E>): Promise<SessionOf<E>> {
  const entry = opened.get(c as Context);
  if (entry === undefined) {
    return Promise.reject(
      new Error(
        `@sess/hono: getSession(c) found no session on this request (${c.req.method} ${c.req.path}): session() did not run before this handler. ` +
          'Hono runs handlers in the order they are registered: call app.use(session(options)) before the routes that use the session, ' +
          'on the app that serves them (or on the parent app of a sub-app mounted with app.route()).',
      ),
    );
  }
  return entry.handle.load() as Promise<unknown> as Promise<SessionOf<E>>;
}
