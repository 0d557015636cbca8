/*
 * The demo app itself: Web standards only, so the same file serves on Node
 * (@hono/node-server), Bun, Deno and workerd. What starts it lives in node.ts,
 * runtime-server.ts (Bun and Deno) and worker.ts.
 */
import { isSessionStoreError, type SessionManagerOptions } from '@sess/core';
import {
  asDemoError,
  createDemoHandlers,
  type DemoFlashData,
  type DemoHandlersOptions,
  type DemoReply,
  type DemoRequest,
  type DemoSessionData,
  errorReply,
  httpError,
  isJsonContentType,
  type DemoAppOptions as KitDemoAppOptions,
  logServerError,
  MAX_FORM_BODY_BYTES,
  MAX_JSON_BODY_BYTES,
  notFoundReply,
  parseJsonBody,
  wantsJson,
} from '@sess/demo-kit';
import { type SessionEnv, type SessionMiddleware, session } from '@sess/hono';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** Types `c.var.session` through Hono's Env generic: `(await c.var.session.load()).get('count')` is a number. */
export type DemoEnv = SessionEnv<DemoSessionData, DemoFlashData>;

export interface DemoAppOptions extends KitDemoAppOptions<SessionManagerOptions['store']> {
  /** The per-user session index; defaults to the session manager (a server store has one). */
  userIndex?: DemoHandlersOptions['manager'];
}

/** The demo app on a given store: the session middleware, the contract's routes, error replies. */
export function createApp(options: DemoAppOptions): Hono<DemoEnv> & { sessions: SessionMiddleware<DemoSessionData, DemoFlashData> } {
  const sessions = session<DemoSessionData, DemoFlashData>({
    secret: options.secret,
    store: options.store,
    ...(options.cookie && { cookie: options.cookie }),
  });
  const handlers = createDemoHandlers({
    framework: 'Hono',
    storeMode: options.storeMode,
    storeDriver: options.storeDriver,
    manager: options.userIndex ?? sessions.manager,
  });

  const app = new Hono<DemoEnv>();
  // A failing session commit reaches onError too (a store outage is a 503 page or JSON).
  app.onError((error, c) => {
    const demoError = asDemoError(error);
    logServerError(demoError, c.req.method, c.req.path);
    // A store outage says when to retry (Retry-After), as Hono's default handler does for it.
    const headers = isSessionStoreError(error) ? error.headers : undefined;
    return send(c, errorReply(demoError, wantsJson(c.req.header('accept'))), headers);
  });
  app.notFound((c) => send(c, notFoundReply(c.req.method, c.req.path, wantsJson(c.req.header('accept')))));
  app.use(sessions);
  // The larger of the demo's two limits; the form limit is checked once the body is read.
  app.use(
    bodyLimit({
      maxSize: MAX_JSON_BODY_BYTES,
      onError: (c) => {
        // The rest of the body is still on the wire, unread: say the connection ends rather than
        // leave a pipelined request behind it unanswered.
        c.header('Connection', 'close');
        throw httpError(413, `The body is over ${MAX_JSON_BODY_BYTES} bytes.`);
      },
    }),
  );

  const request = async (c: Context<DemoEnv>): Promise<DemoRequest> => ({
    session: c.var.session,
    wantsJson: wantsJson(c.req.header('accept')),
    body: await readBody(c),
  });

  app.get('/', async (c) => send(c, await handlers.page(await request(c))));
  app.post('/login', async (c) => send(c, await handlers.login(await request(c))));
  app.post('/count', async (c) => send(c, await handlers.count(await request(c))));
  app.post('/logout', async (c) => send(c, await handlers.logout(await request(c))));
  app.post('/logout-all', async (c) => send(c, await handlers.logoutAll(await request(c))));
  app.get('/api/session', async (c) => send(c, await handlers.readSession(await request(c))));
  app.put('/api/data/:key', async (c) => send(c, await handlers.putData(await request(c), decodeKey(c))));
  app.delete('/api/data/:key', async (c) => send(c, await handlers.deleteData(await request(c), decodeKey(c))));

  return Object.assign(app, { sessions });
}

function send(c: Context, reply: DemoReply, headers: Readonly<Record<string, string>> = {}): Response {
  const status = reply.status as ContentfulStatusCode;
  switch (reply.kind) {
    case 'html':
      return c.html(reply.body, status, headers);
    case 'json':
      // c.json would send a bare string as JSON too; say it is JSON whatever the value.
      return c.body(JSON.stringify(reply.body), status, { ...headers, 'Content-Type': 'application/json; charset=utf-8' });
    case 'redirect':
      return c.redirect(reply.location, reply.status);
  }
}

/** The raw `:key` (Hono's param() leaves an invalid escape as it is): a bad escape is the client's 400. */
function decodeKey(c: Context): string {
  const raw = /^\/api\/data\/([^/]+)$/.exec(c.req.path)?.[1] ?? '';
  try {
    return decodeURIComponent(raw);
  } catch {
    throw httpError(400, 'The key is not valid percent-encoding.');
  }
}

/**
 * The small body the demo accepts: a URL-encoded form or JSON (any value, by the
 * demo-kit's rules), read through `Request.text()` under the body limit above.
 */
async function readBody(c: Context): Promise<unknown> {
  const type = c.req.header('content-type');
  const json = isJsonContentType(type);
  const form = !json && /^application\/x-www-form-urlencoded\s*(;|$)/i.test(type ?? '');
  if (!json && !form) return undefined;
  const text = await c.req.text();
  if (json) return parseJsonBody(text);
  if (new TextEncoder().encode(text).byteLength > MAX_FORM_BODY_BYTES) {
    throw httpError(413, `The form is over ${MAX_FORM_BODY_BYTES} bytes.`);
  }
  return text === '' ? undefined : Object.fromEntries(new URLSearchParams(text));
}
