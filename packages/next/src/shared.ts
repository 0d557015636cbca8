import { isSessionStoreError, isSessionTooLargeError, type SessionStoreError, type SessionTooLargeError } from '@sess/core';
import { applyCommitHeaders, type CommitResult, type ErrorAnswer, type HeaderAccess, isSessionCookieName } from '@sess/core/adapter';

/** How a late write's report names the moment the request ended, in every entry point. */
export const AFTER_RESPONSE = 'after the Route Handler, Server Action, proxy or API route returned';
export const OPEN_OPTIONS = { afterResponse: AFTER_RESPONSE } as const;
/** What the three entries share; no `next/*` import here, so each entry pulls in only its own. */

export const PACKAGE = '@sess/next';

/** A cookie as Next's cookie APIs list it (already percent-decoded). */
export interface CookiePair {
  name: string;
  value: string;
}

/**
 * Rebuilds a Cookie header from Next's parsed cookies, keeping only the session's own:
 * a foreign value that decoded to `; sid=...` must not become a session cookie.
 */
export function cookieHeaderOf(cookies: readonly CookiePair[], cookieName: string): string {
  return cookies
    .filter(({ name }) => isSessionCookieName(name, cookieName))
    .map(({ name, value }) => `${name}=${encodeURIComponent(value)}`)
    .join('; ');
}

/**
 * The Cookie header a Server Component or Server Action reads: the raw request header,
 * so that `Cookie: sid=V; sid=A` (a cookie tossed from a sibling subdomain) resolves to
 * the first, as in Route Handlers, the proxy, the Pages Router and every other adapter;
 * Next's cookie jar keeps the last. Only when the jar holds a session cookie the header
 * does not (set or deleted earlier in this request: the re-render after an action that
 * signed in) is the jar's view used, since the header does not show it.
 */
export function sessionCookieHeader(rawHeader: string | null, jar: readonly CookiePair[], cookieName: string): string | null {
  const sent = new Map<string, Set<string>>();
  for (const part of (rawHeader ?? '').split(';')) {
    const eq = part.indexOf('=');
    const name = part.slice(0, eq).trim();
    if (eq < 0 || !isSessionCookieName(name, cookieName)) continue;
    const values = sent.get(name) ?? new Set();
    values.add(decoded(part.slice(eq + 1).trim()));
    sent.set(name, values);
  }
  const ours = jar.filter(({ name }) => isSessionCookieName(name, cookieName));
  const changedHere = ours.length !== sent.size || ours.some(({ name, value }) => !sent.get(name)?.has(value));
  return changedHere ? cookieHeaderOf(ours, cookieName) : rawHeader;
}

/** A cookie value as Next's jar holds it: percent-decoded when that is valid. */
function decoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * The response status a Next control-flow error stands for, or `undefined` for a real
 * error. Next encodes it in the error's `digest` (`NEXT_REDIRECT;replace;/to;303;`,
 * `NEXT_HTTP_ERROR_FALLBACK;404`); what matters to the commit is only 2xx/3xx/4xx
 * (persist) versus 5xx (do not), so anything else Next throws on purpose counts as 200.
 */
export function controlFlowStatus(error: unknown, isControlFlow: (error: unknown) => boolean): number | undefined {
  if (!isControlFlow(error)) return undefined;
  const digest = typeof error === 'object' && error !== null ? (error as { digest?: unknown }).digest : undefined;
  if (typeof digest !== 'string') return 200;
  const status = /^NEXT_HTTP_ERROR_FALLBACK;(\d{3})$/.exec(digest)?.[1] ?? /^NEXT_REDIRECT;[^;]*;.*;(\d{3});/.exec(digest)?.[1];
  return status === undefined ? 200 : Number(status);
}

/**
 * The response with the commit's `Set-Cookie`, `Vary` and `Cache-Control`; a copy when
 * its headers are immutable (`Response.redirect()`, a fetched response).
 */
export function withCommitHeaders<R extends Response>(response: R, commit: CommitResult): R | Response {
  if (commit.setCookie.length === 0 && !commit.vary && !commit.private) return response;
  try {
    // The first write throws on immutable headers, before anything changed.
    applyCommitHeaders(commit, headerAccess(response.headers));
    return response;
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    const copy = new Response(response.body, {
      status: response.status,
      statusText: response.statusText,
      headers: new Headers(response.headers),
    });
    applyCommitHeaders(commit, headerAccess(copy.headers));
    return copy;
  }
}

function headerAccess(headers: Headers): HeaderAccess {
  return {
    get: (name) => headers.get(name),
    set: (name, value) => headers.set(name, value),
    append: (name, value) => headers.append(name, value),
  };
}

/**
 * How a Route Handler or the proxy answers a store outage (`SessionStoreError`): a response
 * for it, such as a page in your design. `request` is the request that met the outage.
 */
export type StoreErrorAnswer = (error: SessionStoreError, request: Request) => Response | Promise<Response>;

/**
 * The default answer to a store outage: 503 Service Unavailable with the error's
 * `Retry-After` (2 s, about one store timeout), never cached. Next has no error handler
 * for Route Handlers or the proxy: without this, an outage is a bare 500.
 */
export function storeUnavailable(error: SessionStoreError): Response {
  return new Response('Service Unavailable: the session store is not answering. Try again in a moment.\n', {
    status: 503,
    headers: {
      'Content-Type': 'text/plain; charset=utf-8',
      'Cache-Control': 'no-store',
      'Retry-After': error.headers?.['Retry-After'] ?? '2',
    },
  });
}

/** `error` when it is a store outage (by shape: it may come from another copy of the core). */
export function asStoreError(error: unknown): SessionStoreError | undefined {
  return isSessionStoreError(error) ? error : undefined;
}

/**
 * How a Route Handler answers a session that grew over the store's size limit
 * (`SessionTooLargeError`, 413): a response for it, such as JSON in your API's format.
 */
export type TooLargeAnswer = (error: SessionTooLargeError, request: Request) => Response | Promise<Response>;

/** The default answer to an oversized session: 413 Content Too Large, plain text, never cached. */
export function sessionTooLarge(error: SessionTooLargeError): Response {
  return new Response(`Content Too Large: the session would be ${error.sizeBytes} bytes, over the limit of ${error.limitBytes}.\n`, {
    status: 413,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
  });
}

/** The answers a Route Handler or the proxy gives when the commit of a successful answer fails. */
export interface CommitFailureAnswers {
  onStoreError: StoreErrorAnswer;
  onSessionTooLarge: TooLargeAnswer;
}

/**
 * The response replacing one whose write was lost (`settleRequest`'s `ErrorAnswer`):
 * `onStoreError` for an outage, `onSessionTooLarge` for an oversized session; anything
 * else is a bug, thrown for Next to log and answer.
 */
export function replacedResponse(answer: ErrorAnswer, request: Request, answers: CommitFailureAnswers): Response | Promise<Response> {
  const storeError = asStoreError(answer.error);
  if (storeError !== undefined) return answers.onStoreError(storeError, request);
  if (isSessionTooLargeError(answer.error)) return answers.onSessionTooLarge(answer.error, request);
  throw answer.error;
}
