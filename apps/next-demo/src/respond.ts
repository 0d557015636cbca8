import {
  asDemoError,
  type DemoReply,
  type DemoRequest,
  errorReply,
  httpError,
  isJsonContentType,
  logServerError,
  MAX_FORM_BODY_BYTES,
  MAX_JSON_BODY_BYTES,
  parseJsonBody,
  wantsJson,
} from '@sess/demo-kit';
import type { NextSessionHandle } from '@sess/next';
import { unstable_rethrow } from 'next/navigation';
import { sessions } from './demo';

/** A demo reply as a Web `Response`; a 503 (a store outage) says when to retry. */
export function toResponse(reply: DemoReply): Response {
  const retry: Record<string, string> = reply.status === 503 ? { 'Retry-After': '2' } : {};
  switch (reply.kind) {
    case 'html':
      return new Response(reply.body, { status: reply.status, headers: { 'Content-Type': 'text/html; charset=utf-8', ...retry } });
    case 'json':
      return Response.json(reply.body, { status: reply.status, headers: retry });
    case 'redirect':
      return new Response(null, { status: reply.status, headers: { Location: reply.location } });
  }
}

type Params = Record<string, string | string[] | undefined>;
type RouteContext = { params: Promise<Params> };
/** What a demo route does: the demo-kit handler call. */
type DemoRoute = (request: DemoRequest, params: Params) => Promise<DemoReply> | DemoReply;

/** The contract's answer to an error (a store outage is a 503 page or JSON), logged as every demo logs it. */
export function demoErrorResponse(error: unknown, request: Request): Response {
  const demoError = asDemoError(error);
  logServerError(demoError, request.method, new URL(request.url).pathname);
  return toResponse(errorReply(demoError, wantsJson(request.headers.get('accept'))));
}

/**
 * A Route Handler of the demo's HTTP contract: the `@sess/next` route wrapper around a
 * demo-kit handler. A store outage, in the handler's load or in the commit, is answered by
 * `onStoreError` with the contract's 503, a session over the size limit by `onSessionTooLarge` with its 413;
 * any other error the handler throws by the same reply.
 */
export function demoRoute(run: DemoRoute): (request: Request, context: RouteContext) => Promise<Response> {
  const route = sessions.route(
    async (req: Request, session: NextSessionHandle, ctx: RouteContext) => {
      const body = await readBody(req);
      return toResponse(await run({ session, wantsJson: wantsJson(req.headers.get('accept')), body }, await ctx.params));
    },
    { onStoreError: demoErrorResponse, onSessionTooLarge: demoErrorResponse },
  );
  return async function demoRouteHandler(request, context) {
    try {
      return await route(request, context);
    } catch (error) {
      unstable_rethrow(error);
      return demoErrorResponse(error, request);
    }
  };
}

/** A URL-encoded form or JSON (any value), under demo-kit's body rules; `undefined` otherwise. */
async function readBody(request: Request): Promise<unknown> {
  const type = request.headers.get('content-type');
  const json = isJsonContentType(type);
  const form = !json && /^application\/x-www-form-urlencoded\s*(;|$)/i.test(type ?? '');
  const text = await readText(request, form ? MAX_FORM_BODY_BYTES : MAX_JSON_BODY_BYTES);
  if (json) return parseJsonBody(text);
  if (text === '' || !form) return undefined;
  return Object.fromEntries(new URLSearchParams(text));
}

/**
 * The body as UTF-8, at most `maxBytes`: a longer one is a 413. Its rest is read and
 * dropped, not cancelled: cancelling resets the connection, and a keep-alive client's
 * next (pipelined) request must still be answered.
 */
async function readText(request: Request, maxBytes: number): Promise<string> {
  if (request.body === null) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    size += read.value.byteLength;
    if (size <= maxBytes) chunks.push(read.value);
  }
  if (size > maxBytes) throw httpError(413, `The body is over ${maxBytes} bytes.`);
  return Buffer.concat(chunks).toString('utf8');
}
