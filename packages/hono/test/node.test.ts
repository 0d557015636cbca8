import { getRequestListener } from '@hono/node-server';
import type { ConformanceServer } from '@sess/core/testing';
import { listenOnLoopback, redisConformanceStores } from '@sess/test-kit';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { type SessionEnv, session } from '../src/index';
import { describeHonoSuite } from './suite';

/** Serves the app over loopback HTTP through @hono/node-server's listener, as a Node deployment does. */
function nodeServer(app: { fetch: (request: Request) => Response | Promise<Response> }): Promise<ConformanceServer & { baseUrl: string }> {
  return listenOnLoopback(getRequestListener(app.fetch));
}

const redis = { label: 'Redis store', ...redisConformanceStores('hono-conformance') };
describeHonoSuite({ runtime: 'node', stores: [redis] });
describeHonoSuite({ runtime: 'node, @hono/node-server', serve: nodeServer, middleware: false, stores: [redis] });

describe('@sess/hono [node]: a proxied fetch() response', () => {
  it('gets the cookie although the headers of a fetch() response are immutable', async () => {
    const upstream = await nodeServer(new Hono().get('/', (c) => c.text('from upstream')));
    try {
      const app = new Hono<SessionEnv>();
      app.use(session({ secret: 'hono-adapter-test-secret-0123456789abcdef0123' }));
      app.post('/', async (c) => {
        (await c.var.session.load()).set('user', 'ann');
        return fetch(`${upstream.baseUrl}/`);
      });
      const res = await app.request('/', { method: 'POST' });
      expect(await res.text()).toBe('from upstream');
      expect(res.headers.getSetCookie()).toHaveLength(1);
    } finally {
      await upstream.close();
    }
  });
});
