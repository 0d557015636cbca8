import type { IncomingMessage } from 'node:http';
import type { SessionStore } from '@sess/core';
import {
  createDemoHandlers,
  createDemoStore,
  type DemoConfig,
  type DemoFlashData,
  type DemoReply,
  type DemoRequest,
  type DemoSessionData,
  errorReply,
  logServerError,
  notFoundReply,
  listen,
  type StartDemo,
  type StoreMode,
  wantsJson,
} from '@sess/demo-kit';
import { type SessionMiddleware, session } from '@sess/koa';
import Koa, { type Context } from 'koa';

// Types `ctx.session`: `await ctx.session.get('count')` is a `number | undefined`.
declare module '@sess/koa' {
  interface SessionData extends DemoSessionData {}
  interface FlashData extends DemoFlashData {}
}

const MAX_BODY_BYTES = 100 * 1024;

/** The demo app on a given store: error replies, the session middleware, and the contract's routes. */
export function createApp(options: { secret: string; store: SessionStore; storeMode: StoreMode }): Koa & { sessions: SessionMiddleware } {
  const sessions = session({ secret: options.secret, store: options.store });
  const handlers = createDemoHandlers({ framework: 'Koa', storeMode: options.storeMode, manager: sessions.manager });

  const app = new Koa();
  // Outermost, so it also answers a failing session commit (a store outage is a 503).
  app.use(async function demoErrors(ctx, next) {
    try {
      await next();
    } catch (error) {
      logServerError(error, ctx.method, ctx.path);
      send(ctx, errorReply(error, wantsJson(ctx.get('accept'))));
    }
  });
  app.use(sessions);
  app.use(async function demoRoutes(ctx) {
    const request = async (): Promise<DemoRequest> => ({
      session: ctx.session,
      wantsJson: wantsJson(ctx.get('accept')),
      body: await readBody(ctx.req),
    });
    const dataKey = /^\/api\/data\/([^/]+)$/.exec(ctx.path)?.[1];
    const route = `${ctx.method} ${dataKey === undefined ? ctx.path : '/api/data/:key'}`;
    switch (route) {
      case 'GET /':
        return send(ctx, await handlers.page(await request()));
      case 'POST /login':
        return send(ctx, await handlers.login(await request()));
      case 'POST /count':
        return send(ctx, await handlers.count(await request()));
      case 'POST /logout':
        return send(ctx, await handlers.logout(await request()));
      case 'POST /logout-all':
        return send(ctx, await handlers.logoutAll(await request()));
      case 'GET /api/session':
        return send(ctx, await handlers.readSession(await request()));
      case 'PUT /api/data/:key':
        return send(ctx, await handlers.putData(await request(), decodeKey(ctx, dataKey!)));
      case 'DELETE /api/data/:key':
        return send(ctx, await handlers.deleteData(await request(), decodeKey(ctx, dataKey!)));
      default:
        return send(ctx, notFoundReply(ctx.method, ctx.path, wantsJson(ctx.get('accept'))));
    }
  });

  return Object.assign(app, { sessions });
}

function send(ctx: Context, reply: DemoReply): void {
  ctx.status = reply.status;
  switch (reply.kind) {
    case 'html':
      ctx.type = 'html';
      ctx.body = reply.body;
      return;
    case 'json':
      // Koa would send a bare string or number as text: say it is JSON.
      ctx.type = 'json';
      ctx.body = JSON.stringify(reply.body);
      return;
    case 'redirect':
      ctx.redirect(reply.location);
      ctx.status = reply.status;
      return;
  }
}

function decodeKey(ctx: Context, encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return ctx.throw(400, 'The key is not valid percent-encoding.');
  }
}

/**
 * The small body the demo accepts: a URL-encoded form or JSON (any value). Koa has no
 * parser built in, and these two formats need none: `URLSearchParams` and `JSON.parse`.
 */
async function readBody(req: IncomingMessage): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw Object.assign(new Error(`The body is over ${MAX_BODY_BYTES} bytes.`), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  const text = Buffer.concat(chunks).toString('utf8');
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

/** Starts the demo on `config.port` with the store `config` selects (memory, or Redis with `REDIS_URL`). */
export const start: StartDemo = async (config: DemoConfig, options = {}) => {
  const demoStore = createDemoStore(config, { clearOnClose: options.clearStoreOnClose });
  const app = createApp({ secret: config.secret, store: demoStore.store, storeMode: demoStore.mode });
  const server = await listen(app.callback(), config, demoStore.close).catch(async (error: unknown) => {
    await demoStore.close();
    throw error;
  });
  return { ...server, storeMode: demoStore.mode, storeDescription: demoStore.description };
};
