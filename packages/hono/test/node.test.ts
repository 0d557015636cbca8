import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { ConformanceServer } from '@sess/core/testing';
import type { Hono } from 'hono';
import { redisStore } from './redis';
import { describeHonoSuite } from './suite';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Serves the app over loopback HTTP through @hono/node-server, as a Node deployment does. */
function nodeServer(app: Hono): Promise<ConformanceServer> {
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
describeHonoSuite({ runtime: 'node, @hono/node-server', serve: nodeServer, stores: [redisStore(REDIS_URL)] });
