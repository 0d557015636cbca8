import type { IncomingMessage } from 'node:http';
import {
  asDemoError,
  createDemoHandlers,
  createDemoStore,
  type DemoAppOptions,
  type DemoConfig,
  type DemoFlashData,
  type DemoReply,
  type DemoRequest,
  type DemoSessionData,
  demoAppOptions,
  errorReply,
  httpError,
  isJsonContentType,
  listen,
  logServerError,
  MAX_FORM_BODY_BYTES,
  MAX_JSON_BODY_BYTES,
  notFoundReply,
  parseJsonBody,
  type StartDemo,
  wantsJson,
} from '@sess/demo-kit';
import { type SessionMiddleware, session } from '@sess/koa';
import Koa, { type Context } from 'koa';

// Types `ctx.session`: `(await ctx.session.load()).get('count')` is a `number | undefined`.
declare module '@sess/koa' {
  interface SessionData extends DemoSessionData {}
  interface FlashData extends DemoFlashData {}
}

/** The demo app on a given store: error replies, the session middleware, and the contract's routes. */
export function createApp(options: DemoAppOptions): Koa & { sessions: SessionMiddleware } {
  const sessions = session({ secret: options.secret, store: options.store, ...(options.cookie && { cookie: options.cookie }) });
  const handlers = createDemoHandlers({
    framework: 'Koa',
    storeMode: options.storeMode,
    storeDriver: options.storeDriver,
    manager: sessions.manager,
  });

  const app = new Koa();
  // Outermost, so it also answers a failing session commit (a store outage is a 503).
  app.use(async function demoErrors(ctx, next) {
    try {
      await next();
    } catch (error) {
      const demoError = asDemoError(error);
      logServerError(demoError, ctx.method, ctx.path);
      send(ctx, errorReply(demoError, wantsJson(ctx.get('accept'))));
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
  if (reply.kind !== 'redirect' && reply.headers !== undefined) ctx.set(reply.headers);
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
 * The small body the demo accepts: a URL-encoded form or JSON (any value, by the
 * demo-kit's rules). Koa has no parser built in, and these two formats need none:
 * `URLSearchParams` and `parseJsonBody`.
 */
async function readBody(req: IncomingMessage): Promise<unknown> {
  const json = isJsonContentType(req.headers['content-type']);
  const form = !json && /^application\/x-www-form-urlencoded\s*(;|$)/i.test(req.headers['content-type'] ?? '');
  const text = await readText(req, form ? MAX_FORM_BODY_BYTES : MAX_JSON_BODY_BYTES);
  if (json) return parseJsonBody(text);
  if (text === '') return undefined;
  if (form) return Object.fromEntries(new URLSearchParams(text));
  return undefined;
}

/** How much of an oversized body is read and discarded before the 413 goes out anyway. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

/**
 * Reads the body as UTF-8 up to `maxBytes`. Over it, discards the rest and rejects with
 * a 413 once the body has ended, as Express's body parser does: answering while the
 * client is still sending would let Node close the socket under it (a request with
 * `Connection: close`), and the client would see EPIPE instead of the 413. A client
 * still sending after `MAX_DRAIN_BYTES` gets the 413 at once.
 */
function readText(req: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const tooLarge = () => httpError(413, `The body is over ${maxBytes} bytes.`);
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      chunks.length = 0;
      if (size > MAX_DRAIN_BYTES) {
        req.off('data', onData);
        req.off('end', onEnd);
        req.resume(); // keep discarding: destroying the stream would reset the connection
        reject(tooLarge());
      }
    };
    const onEnd = () => {
      if (size > maxBytes) reject(tooLarge());
      else resolve(Buffer.concat(chunks).toString('utf8'));
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', reject);
  });
}

/** Starts the demo on `config.port` with the store `config` selects (memory, or Redis with `REDIS_URL`). */
export const start: StartDemo = async (config: DemoConfig, options = {}) => {
  const demoStore = createDemoStore(config, { clearOnClose: options.clearStoreOnClose });
  const app = createApp(demoAppOptions(config, demoStore));
  const server = await listen(app.callback(), config, demoStore.close).catch(async (error: unknown) => {
    await demoStore.close();
    throw error;
  });
  return { ...server, storeMode: demoStore.mode, storeDescription: demoStore.description };
};
