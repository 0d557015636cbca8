import { type DemoReply, type DemoRequest, errorReply, logServerError, wantsJson } from '@sess/demo-kit';
import type { NextSessionHandle } from '@sess/next';
import { unstable_rethrow } from 'next/navigation';
import { demo } from './demo';

const MAX_BODY_BYTES = 100 * 1024;

/** A demo reply as a Web `Response`. */
export function toResponse(reply: DemoReply): Response {
  switch (reply.kind) {
    case 'html':
      return new Response(reply.body, { status: reply.status, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
    case 'json':
      return Response.json(reply.body, { status: reply.status });
    case 'redirect':
      return new Response(null, { status: reply.status, headers: { Location: reply.location } });
  }
}

type Params = Record<string, string | string[] | undefined>;
/** What a demo route does with the loaded session: the demo-kit handler call. */
type DemoRoute = (request: DemoRequest, params: Params, raw: Request) => Promise<DemoReply> | DemoReply;

/**
 * A Route Handler of the demo's HTTP contract: the `@sess/next` route wrapper around a
 * demo-kit handler, and the contract's error replies (a store outage is a 503 page or
 * JSON) around both, so a failing commit is answered too.
 */
export function demoRoute(run: DemoRoute): (request: Request, context: { params: Promise<Params> }) => Promise<Response> {
  let route: ((request: Request, context: { params: Promise<Params> }) => Promise<Response>) | undefined;
  return async function demoRouteHandler(request, context) {
    // Created on the first request: the store is chosen at start time, not at build time.
    route ??= demo().sessions.route(async (req: Request, session: NextSessionHandle, ctx: { params: Promise<Params> }) => {
      const body = await readBody(req);
      return toResponse(await run({ session, wantsJson: wantsJson(req.headers.get('accept')), body }, await ctx.params, req));
    });
    try {
      return await route(request, context);
    } catch (error) {
      unstable_rethrow(error);
      const { pathname } = new URL(request.url);
      logServerError(error, request.method, pathname);
      return toResponse(errorReply(error, wantsJson(request.headers.get('accept'))));
    }
  };
}

/** A URL-encoded form or JSON (any value); `undefined` without a body or for other types. */
async function readBody(request: Request): Promise<unknown> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) throw Object.assign(new Error(`The body is over ${MAX_BODY_BYTES} bytes.`), { status: 413 });
  if (text === '') return undefined;
  if (type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(text));
  if (type === 'application/json' || type.endsWith('+json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw Object.assign(new Error('The body is not valid JSON.'), { status: 400 });
    }
  }
  return undefined;
}
