import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SessionManagerOptions } from '@sess/core';
import {
  type ConformanceReply,
  type ConformanceServer,
  describeAdapterConformance,
  handleConformanceRequest,
} from '@sess/core/testing';
import { createRedisStore, type RedisStore } from '@sess/store-redis';
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { createSessions } from './index';
import { createPagesSessions } from './pages';

/** A Route Handler on `sessions.route()`, driven in process the way Next calls it. */
async function startRouteHandler(options: SessionManagerOptions): Promise<ConformanceServer> {
  const handler = createSessions(options).route(async (request, session) => {
    const { pathname, search } = new URL(request.url);
    const reply = await handleConformanceRequest(session, request.method, pathname + search);
    return reply === undefined ? new Response('Not Found', { status: 404 }) : toWebResponse(reply);
  });
  return {
    // What Next does with an error a Route Handler throws: a bare 500.
    request: (path, init) =>
      handler(new Request(new URL(path, 'http://next.test'), init), {}).catch(
        () => new Response('Internal Server Error', { status: 500 }),
      ),
    close: async () => {},
  };
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
  const route = createPagesSessions(options).api(async (req, res, session) => {
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
  const server = createServer((req, res) => {
    route(req, res).catch(() => {
      if (res.headersSent) return res.destroy();
      res.statusCode = 500;
      res.end('Internal Server Error');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

// The Redis the machine runs (CI too), or REDIS_URL; each test gets a prefix of its own, cleared after it.
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
afterAll(async () => {
  await redis.quit();
});
const redisStore = (): RedisStore =>
  createRedisStore({ client: redis, prefix: `test:next-conformance:${randomBytes(4).toString('hex')}:` });
const onRedis = { createStore: redisStore, cleanup: (store: RedisStore) => store.clear() };

describeAdapterConformance('@sess/next Route Handler (in process), memory store', { start: startRouteHandler });
describeAdapterConformance('@sess/next Route Handler (in process), Redis store', { start: startRouteHandler, ...onRedis });
describeAdapterConformance('@sess/next Pages Router API route, memory store', { start: startPagesApi });
describeAdapterConformance('@sess/next Pages Router API route, Redis store', { start: startPagesApi, ...onRedis });
