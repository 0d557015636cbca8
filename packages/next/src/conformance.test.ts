import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SessionManagerOptions } from '@sess/core';
import { statusOfError } from '@sess/core/adapter';
import { type ConformanceReply, type ConformanceServer, describeAdapterConformance, handleConformanceRequest } from '@sess/core/testing';
import { listenOnLoopback, redisConformanceStores } from '@sess/test-kit';
import { serialize } from 'cookie';
import { vi } from 'vitest';
import { createSessions } from './index';
import { createPagesSessions } from './pages';

/*
 * Next's request scope, in process: the cookies a handler sets through `cookies()` are
 * kept per request and added to the response it ends with, as Next's route module does
 * (`appendMutableCookies`). `route()` uses it only for a handler that threw.
 */
const scope = vi.hoisted(async () => {
  const { AsyncLocalStorage } = await import('node:async_hooks');
  return new AsyncLocalStorage<{ name: string; value: string; options: object }[]>();
});
vi.mock('next/headers.js', () => ({
  cookies: async () => {
    const jar = (await scope).getStore();
    if (jar === undefined) throw new Error('cookies() was called outside a request scope');
    return { getAll: () => [], set: (name: string, value: string, options: object) => jar.push({ name, value, options }) };
  },
}));
type OutgoingJar = { name: string; value: string; options: object }[];

/**
 * A Route Handler on `sessions.route()`, called the way Next calls it, inside an error
 * wrapper that answers a thrown error with its status (as the demo's Route Handlers do;
 * Next alone answers 500), so the cookies set through `cookies()` reach the browser.
 */
async function startRouteHandler(options: SessionManagerOptions): Promise<ConformanceServer> {
  const requestCookies = await scope;
  const handler = createSessions(options).route(async (request, session) => {
    const { pathname, search } = new URL(request.url);
    const reply = await handleConformanceRequest(session, request.method, pathname + search);
    return reply === undefined ? new Response('Not Found', { status: 404 }) : toWebResponse(reply);
  });
  const next = (request: Request): Promise<Response> => {
    const jar: OutgoingJar = [];
    return requestCookies.run(jar, async () => {
      let response: Response;
      try {
        response = await handler(request, {});
      } catch (error) {
        response = new Response('error', { status: statusOfError(error) });
      }
      if (jar.length === 0) return response;
      const headers = new Headers(response.headers);
      for (const cookie of jar) headers.append('Set-Cookie', serialize(cookie.name, cookie.value, cookie.options));
      return new Response(response.body, { status: response.status, headers });
    });
  };
  return { request: (path, init) => next(new Request(new URL(path, 'http://next.test'), init)), close: async () => {} };
}

function toWebResponse(reply: ConformanceReply): Response {
  switch (reply.kind) {
    case 'json':
      return Response.json(reply.body, { status: reply.status, headers: reply.headers });
    case 'redirect':
      // Immutable headers, as Next's own `Response.redirect` users get: the adapter must cope.
      return Response.redirect(new URL(reply.location, 'http://next.test'), 302);
    case 'stream': {
      const encoder = new TextEncoder();
      const chunks = reply.chunks[Symbol.asyncIterator]();
      return new Response(
        new ReadableStream<Uint8Array>({
          async pull(controller) {
            const next = await chunks.next();
            if (next.done) controller.close();
            else controller.enqueue(encoder.encode(next.value));
          },
        }),
        { headers: { 'Content-Type': 'text/plain' } },
      );
    }
  }
}

/** A Pages Router API route on `pages.api()`, behind a Node server that answers a throw as Next does. */
async function startPagesApi(options: SessionManagerOptions): Promise<ConformanceServer & { baseUrl: string }> {
  const route = createPagesSessions(options).api<IncomingMessage, ServerResponse>(async (req, res, session) => {
    const reply = await handleConformanceRequest(session, req.method ?? 'GET', req.url ?? '/');
    if (reply === undefined) {
      res.statusCode = 404;
      res.end('Not Found');
      return;
    }
    switch (reply.kind) {
      case 'json':
        res.statusCode = reply.status;
        for (const [name, value] of Object.entries(reply.headers)) res.setHeader(name, value);
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify(reply.body));
        return;
      case 'redirect':
        res.writeHead(302, { Location: reply.location }).end();
        return;
      case 'stream':
        res.setHeader('Content-Type', 'text/plain');
        for await (const chunk of reply.chunks) res.write(chunk);
        res.end();
        return;
    }
  });
  // An API route's error wrapper that answers a thrown error with its status (Next alone answers 500).
  return listenOnLoopback((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (res.headersSent) return res.destroy();
      res.statusCode = statusOfError(error);
      res.end('error');
    });
  });
}

const onRedis = redisConformanceStores('next-conformance');

describeAdapterConformance('@sess/next Route Handler (in process), memory store', { start: startRouteHandler });
describeAdapterConformance('@sess/next Route Handler (in process), Redis store', { start: startRouteHandler, ...onRedis });
describeAdapterConformance('@sess/next Pages Router API route, memory store', { start: startPagesApi });
describeAdapterConformance('@sess/next Pages Router API route, Redis store', { start: startPagesApi, ...onRedis });
