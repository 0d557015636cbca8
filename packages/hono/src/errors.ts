/*
 * How the core's typed errors meet Hono's error handling. Hono's default handler answers an
 * error that has `getResponse()` (the protocol of its HTTPException) with that response and
 * logs nothing; any other error it logs and answers 500. A store failure, raised by `load()`
 * in the handler or by the commit after it, gets the same `getResponse()` either way: 503
 * with `Retry-After`, logged once as the default handler logs its 500s. The error stays the
 * core's own object, so an app's `app.onError` still tells `SessionStoreError` apart.
 */
import { isSessionStoreError, isSessionTooLargeError } from '@sess/core';
import { REPLACED_RESPONSE_HEADERS, statusOfError } from '@sess/core/adapter';
import type { Context } from 'hono';
import { responseHeaders } from './headers';

/** What Hono's default error handler answers our errors with. */
const STATUS_TEXT: Record<number, string> = { 413: 'Payload Too Large', 503: 'Service Unavailable' };

/**
 * Gives a store failure or an oversized session the response Hono's default handler sends
 * (503 or 413, with the error's own headers such as `Retry-After`), and returns it.
 * Other errors pass unchanged: the default handler logs them and answers 500.
 */
export function withHonoResponse(error: unknown): unknown {
  if (!(isSessionStoreError(error) || isSessionTooLargeError(error)) || 'getResponse' in error) return error;
  const status = statusOfError(error);
  const headers = (error as { headers?: Record<string, string> }).headers;
  Object.defineProperty(error, 'getResponse', {
    value: () => {
      // A 503 is an outage the operator must see; Hono logs nothing for errors that answer themselves.
      // A 413 is the request's doing, like an HTTPException 4xx, which Hono does not log either.
      if (status >= 500) console.error(error);
      return new Response(STATUS_TEXT[status] ?? 'Internal Server Error', { status, headers });
    },
    configurable: true,
  });
  return error;
}

/**
 * Prepares a commit failure for `app.onError`, whose response replaces the handler's.
 * Hono carries the handler's headers into it: those that describe the replaced body
 * or send the client elsewhere (a redirect's Location after a write that failed) are
 * removed; the ones the app sets on every response (CORS...) stay.
 */
export function asCommitError(error: unknown, c: Context): unknown {
  // onError's response starts from these headers (c.text copies them, c.res = merges them).
  const headers = responseHeaders(c);
  for (const name of REPLACED_RESPONSE_HEADERS) headers.delete(name);
  return withHonoResponse(error);
}
