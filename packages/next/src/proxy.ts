import { type SessionManager, settleRequest } from '@sess/core/adapter';
import { type NextRequest, NextResponse } from 'next/server.js';
import { managerAtFirstUse, type NextSessionsOptions } from './first-use';
import type { AppFlashData, AppSessionData, NextSession } from './index';
import {
  asStoreError,
  OPEN_OPTIONS,
  replacedResponse,
  type StoreErrorAnswer,
  sessionTooLarge,
  storeUnavailable,
  type TooLargeAnswer,
  withCommitHeaders,
} from './shared';

export type { NextSessionsOptions } from './first-use';
export type { StoreErrorAnswer, TooLargeAnswer } from './shared';

/** Options of `createSessionProxy()`. */
export interface SessionProxyOptions {
  /**
   * The answer to a store outage: the proxy runs before every matched page, so this is
   * where a page that reads the session answers 503 instead of Next's 500 error page.
   * @default storeUnavailable (503, `Retry-After: 2`, plain text)
   */
  onStoreError?: StoreErrorAnswer;
  /** The answer to a session that grew over the store's size limit in `decide`. @default sessionTooLarge (413, plain text) */
  onSessionTooLarge?: TooLargeAnswer;
}

/** What a proxy decision may answer: a response (a redirect...) or nothing, to let the request through. */
export type ProxyDecision = Response | undefined;

/** `createSessionProxy()`: call it from your `proxy` function. */
export interface SessionProxy {
  /**
   * Loads the session, lets `decide` answer (a redirect for a signed-out user...) or
   * pass, commits, and returns the response for `proxy` to return. When the cookie
   * must change (a rotated secret, a remember-me cookie due for a fresh Max-Age, an
   * unknown session's cookie cleared), the new cookie goes on the response *and* on
   * the request, so the page rendered for this same request already sees it.
   *
   * Server Action POSTs (the `next-action` header) pass untouched: the action commits
   * its own session, and a cookie written here would race with the one it writes.
   * A store outage is answered with `onStoreError` (by default a 503 with `Retry-After`).
   */
  (request: NextRequest, decide: (session: NextSession, request: NextRequest) => Promise<ProxyDecision> | ProxyDecision): Promise<Response>;
  /** The session manager; pass the same one to `createSessions` so both share the store. */
  readonly manager: SessionManager<AppSessionData, AppFlashData>;
}

/**
 * Sessions in Next.js 16's `proxy.ts` (`middleware.ts` in 15). Proxy checks are
 * optimistic: they spare a signed-out user a render, but never replace the check in
 * the Server Action, Route Handler or page that does the work. A request can reach
 * those without passing proxy (a matcher gap, CVE-2025-29927), so check there again.
 *
 * @example
 * // proxy.ts
 * const withSession = createSessionProxy(sessions.manager);
 * export function proxy(request: NextRequest) {
 *   return withSession(request, (session) =>
 *     session.has('user') ? undefined : NextResponse.redirect(new URL('/', request.url)),
 *   );
 * }
 * export const config = { matcher: ['/account/:path*'] };
 */
export function createSessionProxy(
  options: NextSessionsOptions | SessionManager<AppSessionData, AppFlashData>,
  proxyOptions: SessionProxyOptions = {},
): SessionProxy {
  const manager = managerAtFirstUse<AppSessionData, AppFlashData>(options, 'createSessionProxy()');
  const answers = {
    onStoreError: proxyOptions.onStoreError ?? storeUnavailable,
    onSessionTooLarge: proxyOptions.onSessionTooLarge ?? sessionTooLarge,
  };

  async function sessionProxy(
    request: NextRequest,
    decide: (session: NextSession, request: NextRequest) => Promise<ProxyDecision> | ProxyDecision,
  ): Promise<Response> {
    if (request.headers.has('next-action')) return NextResponse.next();
    // The raw header, as every entry point reads it: of two `sid` cookies the first wins.
    const handle = manager.open(request.headers.get('cookie'), OPEN_OPTIONS);
    let answer: ProxyDecision;
    try {
      answer = (await decide(await handle.load(), request)) ?? undefined;
    } catch (error) {
      // Settled as the error it is: nothing persists, and a failing commit goes to onError.
      await settleRequest(manager, handle, { error });
      const storeError = asStoreError(error);
      if (storeError === undefined) throw error;
      return answers.onStoreError(storeError, request);
    }
    const settled = await settleRequest(manager, handle, { status: answer?.status ?? 200 });
    if (settled.send === 'error') return replacedResponse(settled, request, answers);
    const { commit } = settled;
    if (answer !== undefined) return withCommitHeaders(answer, commit);

    // vercel/next.js#71110: the render of this request reads the request cookies, not the response's.
    for (const { name, value, options } of commit.cookies) {
      if (value === '' || options.maxAge === 0) request.cookies.delete(name);
      else request.cookies.set(name, value);
    }
    return withCommitHeaders(NextResponse.next({ request: { headers: request.headers } }), commit);
  }

  return Object.assign(sessionProxy, { manager });
}
