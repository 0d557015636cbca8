import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { ConformanceServer } from '@sess/core/testing';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { type SessionEnv, session } from '../src/index';
import { redisStore } from './redis';
import { describeHonoSuite } from './suite';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Serves the app over loopback HTTP through @hono/node-server, as a Node deployment does. */
function nodeServer(app: { fetch: (request: Request) => Response | Promise<Response> }): Promise<ConformanceServer> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
      resolve({
        baseUrl: `http://127.0.0.1:${info.port}`,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((error) => (error ? fail(error) : done()));
            if ('closeAllConnections' in server) server.closeAllConnections();
          }),
      });
    });
  });
}

describeHonoSuite({ runtime: 'node', stores: [redisStore(REDIS_URL)] });
describeHonoSuite({ runtime: 'node, @hono/node-server', serve: nodeServer, middleware: false, stores: [redisStore(REDIS_URL)] });

describe('@sess/hono [node]: a proxied fetch() response', () => {
  it('gets the cookie although the headers of a fetch() response are immutable', async () => {
    const upstream = new Hono().get('/', (c) => c.text('from upstream'));
    const server = await nodeServer(upstream);
    try {
      const app = new Hono<SessionEnv>();
      app.use(session({ secret: 'hono-adapter-test-secret-0123456789abcdef0123' }));
      app.post('/', async (c) => {
        (await c.var.session.load()).set('user', 'ann');
        return fetch(`${'baseUrl' in server ? server.baseUrl : ''}/`);
      });
      const res = await app.request('/', { method: 'POST' });
      expect(await res.text()).toBe('from upstream');
      expect(res.headers.getSetCookie()).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});
