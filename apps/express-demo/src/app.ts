import {
  asDemoError,
  createDemoHandlers,
  createDemoStore,
  type DemoAppOptions,
  type DemoConfig,
  type DemoFlashData,
  type DemoReply,
  type DemoSessionData,
  demoAppOptions,
  errorReply,
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
import { type SessionMiddleware, session } from '@sess/express';
import express, { type ErrorRequestHandler, type Express, type Request, type Response } from 'express';

// Types `req.session`: `(await req.session.load()).get('count')` is a `number | undefined`.
declare module '@sess/express' {
  interface SessionData extends DemoSessionData {}
  interface FlashData extends DemoFlashData {}
}

/** The demo app on a given store: the session middleware, body parsers, and the contract's routes. */
export function createApp(options: DemoAppOptions): Express & { sessions: SessionMiddleware } {
  const sessions = session({ secret: options.secret, store: options.store, ...(options.cookie && { cookie: options.cookie }) });
  const handlers = createDemoHandlers({
    framework: 'Express',
    storeMode: options.storeMode,
    storeDriver: options.storeDriver,
    manager: sessions.manager,
  });

  const app = express();
  app.disable('x-powered-by');
  app.use(sessions);
  app.use(express.urlencoded({ extended: false, limit: MAX_FORM_BODY_BYTES }));
  // JSON is read as text and parsed by the demo-kit's rules (any value, not empty, bounded depth),
  // which express.json() cannot express: it turns an empty body into {} and accepts any depth.
  app.use(express.text({ type: (req) => isJsonContentType(req.headers['content-type']), limit: MAX_JSON_BODY_BYTES }));
  app.use(function parseJson(req, _res, next) {
    if (typeof req.body === 'string' && isJsonContentType(req.get('content-type'))) req.body = parseJsonBody(req.body);
    next();
  });

  /** The request as the framework-free handlers take it. */
  const demoRequest = (req: Request) => ({ session: req.session, wantsJson: wantsJson(req.get('accept')), body: req.body as unknown });

  app.get('/', async (req, res) => send(res, await handlers.page(demoRequest(req))));
  app.post('/login', async (req, res) => send(res, await handlers.login(demoRequest(req))));
  app.post('/count', async (req, res) => send(res, await handlers.count(demoRequest(req))));
  app.post('/logout', async (req, res) => send(res, await handlers.logout(demoRequest(req))));
  app.post('/logout-all', async (req, res) => send(res, await handlers.logoutAll(demoRequest(req))));
  app.get('/api/session', async (req, res) => send(res, await handlers.readSession(demoRequest(req))));
  app.put('/api/data/:key', async (req, res) => send(res, await handlers.putData(demoRequest(req), req.params.key!)));
  app.delete('/api/data/:key', async (req, res) => send(res, await handlers.deleteData(demoRequest(req), req.params.key!)));

  app.use(function notFound(req, res) {
    send(res, notFoundReply(req.method, req.path, wantsJson(req.get('accept'))));
  });
  // Express 5 forwards rejected handlers here; a failing session commit arrives here too (503).
  const demoErrors: ErrorRequestHandler = function demoErrors(error, req, res, next) {
    if (res.headersSent) return next(error);
    const demoError = asDemoError(error);
    logServerError(demoError, req.method, req.path);
    send(res, errorReply(demoError, wantsJson(req.get('accept'))));
  };
  app.use(demoErrors);

  return Object.assign(app, { sessions });
}

function send(res: Response, reply: DemoReply): void {
  if (reply.kind !== 'redirect' && reply.headers !== undefined) res.set(reply.headers);
  switch (reply.kind) {
    case 'html':
      res.status(reply.status).type('html').send(reply.body);
      return;
    case 'json':
      res.status(reply.status).json(reply.body);
      return;
    case 'redirect':
      res.redirect(reply.status, reply.location);
      return;
  }
}

/** Starts the demo on `config.port` with the store `config` selects (memory, or Redis with `REDIS_URL`). */
export const start: StartDemo = async (config: DemoConfig, options = {}) => {
  const demoStore = createDemoStore(config, { clearOnClose: options.clearStoreOnClose });
  const app = createApp(demoAppOptions(config, demoStore));
  const server = await listen(app, config, demoStore.close).catch(async (error: unknown) => {
    await demoStore.close();
    throw error;
  });
  return { ...server, storeMode: demoStore.mode, storeDescription: demoStore.description };
};
