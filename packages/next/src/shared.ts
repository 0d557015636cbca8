import { applyCommitHeaders, type CommitResult, type HeaderAccess } from '@sess/core/adapter';
/** What the three entries share; no `next/*` import here, so each entry pulls in only its own. */

export const PACKAGE = '@sess/next';

/** A cookie as Next's cookie APIs list it (already percent-decoded). */
export interface CookiePair {
  name: string;
  value: string;
}

/**
 * Rebuilds the Cookie header the core parses from Next's parsed cookies, keeping only
 * the session's own (`sid`, or the cookie store's `sid.0`, `sid.1`...): a foreign
 * value that decoded to `; sid=...` must not become a session cookie. Next's cookie
 * APIs reflect cookies set earlier in the same request (by an action, or by proxy),
 * which the raw header does not.
 */
export function cookieHeaderOf(cookies: readonly CookiePair[], cookieName: string): string {
  return cookies
    .filter(({ name }) => name === cookieName || (name.startsWith(`${cookieName}.`) && /^\d+$/.test(name.slice(cookieName.length + 1))))
    .map(({ name, value }) => `${name}=${encodeURIComponent(value)}`)
    .join('; ');
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
