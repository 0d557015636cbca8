import { createRequire } from 'node:module';
import { createMemoryStore, createSessionManager, type SessionManagerOptions } from '@sess/core';
import { type ConformanceReply, type ConformanceServer, describeAdapterConformance, handleConformanceRequest } from '@sess/core/testing';
import { listenOnLoopback, redisConformanceStores } from '@sess/test-kit';
import express5, { type Response } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { type AppFlashData, type AppSessionData, session } from './index';

// `express4` is an npm alias of express@4; its types are Express 5's, close enough for these calls.
const express4 = createRequire(import.meta.url)('express4') as typeof express5;

const SECRET = 'express-adapter-test-secret-0123456789abcdef';

/** Builds the conformance app: the session middleware, then the suite's routes. */
function conformanceApp(express: typeof express5, options: Parameters<typeof session>[0]) {
  const app = express();
  app.use(session(options));
  app.use(async function conformanceRoutes(req, res, next) {
    try {
      const reply = await handleConformanceRequest(req.session, req.method, req.originalUrl);
      if (reply === undefined) return next();
      await answer(res, reply);
    } catch (error) {
      // Express 4 does not catch rejected promises; Express 5 would.
      next(error);
    }
  });
  return app;
}

async function answer(res: Response, reply: ConformanceReply): Promise<void> {
  switch (reply.kind) {
    case 'json':
      res.status(reply.status).set(reply.headers).json(reply.body);
      return;
    case 'redirect':
      res.redirect(reply.location);
      return;
    case 'stream':
      res.status(200).type('text/plain');
      for await (const chunk of reply.chunks) res.write(chunk);
      res.end();
      return;
  }
}

const redisStores = redisConformanceStores('express-conformance');

for (const [label, express] of [
  ['express 5', express5],
  ['express 4', express4],
] as const) {
  const start = async (options: SessionManagerOptions) => listenOnLoopback(conformanceApp(express, options));
  describeAdapterConformance(`@sess/express on ${label}, memory store`, { start });
  describeAdapterConformance(`@sess/express on ${label}, Redis store`, { start, ...redisStores });
}

describe('session()', () => {
  const servers: ConformanceServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  it('returns a named middleware that exposes its manager', () => {
    const middleware = session({ secret: SECRET });
    expect(middleware.name).toBe('sessionMiddleware');
    expect(middleware.manager.cookieName).toBe('sid');
  });

  it('shares a manager given to it, so the app can revoke sessions outside a request', async () => {
    const store = createMemoryStore();
    const manager = createSessionManager<AppSessionData, AppFlashData>({ secret: SECRET, store });
    const middleware = session(manager);
    expect(middleware.manager).toBe(manager);

    const app = express5();
    app.use(middleware);
    app.post('/login', async (req, res) => {
      (await req.session.load()).set('user', 'alice');
      (await req.session.load()).setUserId('alice');
      res.json({ ok: true });
    });
    const server = await listenOnLoopback(app);
    servers.push(server);
    const res = await fetch(`${server.baseUrl}/login`, { method: 'POST' });
    expect(res.headers.getSetCookie()).toHaveLength(1);
    expect(await manager.listUserSessions('alice')).toHaveLength(1);
    expect(await manager.revokeUserSessions('alice')).toBe(1);
  });

  it('throws a TypeError naming the package for missing options', () => {
    expect(() => session(undefined as unknown as SessionManagerOptions)).toThrow(/@sess\/express: option `options`/);
    expect(() => session({ secret: 'short' })).toThrow(TypeError);
  });

  it('commits before an explicit writeHead sends the head', async () => {
    const app = express5();
    app.use(session({ secret: SECRET }));
    app.get('/raw', async (req, res) => {
      (await req.session.load()).set('user', 'alice');
      res.writeHead(201, { 'content-type': 'text/plain' });
      res.end('created');
    });
    const server = await listenOnLoopback(app);
    servers.push(server);
    const res = await fetch(`${server.baseUrl}/raw`);
    expect(res.status).toBe(201);
    expect(res.headers.getSetCookie()).toHaveLength(1);
    expect(res.headers.get('vary')).toBe('Cookie');
    expect(await res.text()).toBe('created');
  });

  it('gives a router mounted under the app the same session once', async () => {
    const app = express5();
    const router = express5.Router();
    const middleware = session({ secret: SECRET });
    app.use(middleware);
    router.use(middleware);
    router.get('/twice', async (req, res) => {
      (await req.session.load()).set('user', 'alice');
      res.send('ok');
    });
    app.use('/r', router);
    const server = await listenOnLoopback(app);
    servers.push(server);
    const res = await fetch(`${server.baseUrl}/r/twice`);
    expect(res.headers.getSetCookie()).toHaveLength(1);
  });

  it('passes a store error to the app error handler', async () => {
    const app = express5();
    const down = () => Promise.reject(new Error('down'));
    app.use(session({ secret: SECRET, store: { get: down, set: down, destroy: down } }));
    app.post('/set', async (req, res) => {
      (await req.session.load()).set('user', 'alice');
      res.redirect('/next');
    });
    const seen: unknown[] = [];
    app.use((error: unknown, _req: unknown, res: Response, _next: unknown) => {
      seen.push(error);
      res.status(503).json({ error: 'store down' });
    });
    const server = await listenOnLoopback(app);
    servers.push(server);
    const res = await fetch(`${server.baseUrl}/set`, { method: 'POST', redirect: 'manual' });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: 'store down' });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ name: 'SessionStoreError', operation: 'set', status: 503 });
  });
});
