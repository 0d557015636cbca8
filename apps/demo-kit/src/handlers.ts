import { isSessionValueError, type JsonValue, type Session, type SessionHandle, type SessionManager } from '@sess/core';
import type { DemoRedisDriver } from './config';
import { escapeHtml, renderPage } from './page';
import type { StoreMode } from './store';

/**
 * The demo's session data; each app augments its adapter's `SessionData` with it.
 * Besides its own two keys, the playground (`PUT /api/data/:key`) stores any JSON.
 */
export type DemoSessionData = { user: string; count: number } & Record<string, JsonValue>;

/** The demo's flash messages; each app augments its adapter's `FlashData` with it. */
export interface DemoFlashData {
  notice: string;
}

/** The session handle the handlers work with: what `req.session` / `ctx.session` is in the demos. */
export type DemoSession = SessionHandle<DemoSessionData, DemoFlashData>;
/** The loaded session. */
type LoadedDemoSession = Session<DemoSessionData, DemoFlashData>;

/** One request, as the framework hands it over. */
export interface DemoRequest {
  session: DemoSession;
  /** The client asked for JSON (`Accept: application/json`) rather than a page. */
  wantsJson: boolean;
  /** Parsed form fields or JSON; `undefined` without a body. */
  body?: unknown;
}

/** What to answer; each app translates it to its framework's response. */
export type DemoReply =
  | { kind: 'html'; status: number; body: string; headers?: Record<string, string> }
  | { kind: 'json'; status: number; body: unknown; headers?: Record<string, string> }
  | { kind: 'redirect'; status: 303; location: string };

/** `GET /api/session`, and the JSON answer of every action. */
export interface SessionView {
  user: string | null;
  count: number;
  /** All session data, except the pending flash messages (reading them would consume them). */
  data: Record<string, unknown>;
}

export interface DemoHandlersOptions {
  /** Shown in the page title: 'Express', 'Koa'... */
  framework: string;
  storeMode: StoreMode;
  /** The Redis client of the `redis` store mode, shown beside it. */
  storeDriver?: DemoRedisDriver | undefined;
  /** The adapter's manager (`sessions.manager`), for the per-user session index. */
  manager: Pick<SessionManager, 'listUserSessions' | 'revokeUserSessions'>;
}

const MAX_USER_LENGTH = 64;
/** Keys the playground may set: no prototype tricks, no reserved `__` keys (the flash lives in one). */
const DATA_KEY = /^(?!__)[A-Za-z0-9_.-]{1,64}$/;
const FORBIDDEN_KEYS = new Set(['constructor', 'prototype']);
/** Set only through their own routes, so the page can trust their types. */
const APP_KEYS = new Set(['user', 'count']);

/** `true` when the Accept header asks for JSON. */
export function wantsJson(accept: string | null | undefined): boolean {
  return accept != null && /\bapplication\/json\b/i.test(accept);
}

/**
 * The demo's HTTP contract, framework-free: each handler takes the request's session
 * and parsed body and says what to answer. The apps only route and translate.
 */
export function createDemoHandlers(options: DemoHandlersOptions) {
  const { framework, storeMode, storeDriver, manager } = options;

  /** Forms get a 303 back to the page (post/redirect/get); API clients get the new state. */
  function done(request: DemoRequest, session: LoadedDemoSession, extra: Record<string, unknown> = {}): DemoReply {
    if (!request.wantsJson) return { kind: 'redirect', status: 303, location: '/' };
    return { kind: 'json', status: 200, body: { ...sessionView(session), ...extra } };
  }

  /** A 400 for API clients; for forms, a flash message explains it on the page. */
  async function rejected(request: DemoRequest, message: string, status = 400): Promise<DemoReply> {
    if (request.wantsJson) return { kind: 'json', status, body: { error: message } };
    (await request.session.load()).flash('notice', message);
    return { kind: 'redirect', status: 303, location: '/' };
  }

  return {
    /** `GET /`: the page. Reads (and so consumes) the flash message. */
    async page(request: DemoRequest): Promise<DemoReply> {
      const session = await request.session.load();
      const user = session.get('user');
      const notice = session.getFlash('notice');
      const summaries = user === undefined ? [] : await manager.listUserSessions(user);
      const sessions = summaries
        .map((s) => ({
          key: s.key,
          createdAt: new Date(s.createdAtMs),
          lastActiveAt: new Date(s.lastActiveAtMs),
          expiresAt: new Date(s.expiresAtMs),
          current: s.key === session.key,
        }))
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
      const body = renderPage({
        framework,
        storeMode,
        storeDriver,
        user,
        count: session.get('count') ?? 0,
        notices: notice === undefined ? [] : [notice],
        sessions,
      });
      return { kind: 'html', status: 200, body };
    },

    /** `POST /login` (`user` from a form or JSON): a new id, the user, the user index, a welcome. */
    async login(request: DemoRequest): Promise<DemoReply> {
      const field = fieldOf(request.body, 'user');
      const user = typeof field === 'string' ? field.trim() : '';
      if (user === '' || user.length > MAX_USER_LENGTH) {
        return rejected(request, `Please give a name of 1 to ${MAX_USER_LENGTH} characters.`);
      }
      const session = await request.session.load();
      // A new id whenever the privilege level changes defeats session fixation.
      session.regenerate();
      session.set('user', user);
      session.setUserId(user);
      session.flash('notice', `Welcome, ${user}!`);
      return done(request, session);
    },

    /** `POST /count`. */
    async count(request: DemoRequest): Promise<DemoReply> {
      const session = await request.session.load();
      session.set('count', (session.get('count') ?? 0) + 1);
      return done(request, session);
    },

    /** `POST /logout`: this session only. */
    async logout(request: DemoRequest): Promise<DemoReply> {
      const session = await request.session.load();
      const wasSignedIn = session.get('user') !== undefined;
      session.destroy();
      // The flash lives in a new, anonymous session, gone again once the page has shown it.
      if (wasSignedIn && !request.wantsJson) session.flash('notice', 'You are signed out.');
      return done(request, session);
    },

    /** `POST /logout-all`: every session of the current user, this one included. */
    async logoutAll(request: DemoRequest): Promise<DemoReply> {
      const session = await request.session.load();
      const user = session.get('user');
      const revoked = user === undefined ? 0 : await manager.revokeUserSessions(user);
      session.destroy();
      if (user !== undefined && !request.wantsJson) {
        session.flash('notice', `Signed out everywhere (${revoked} ${revoked === 1 ? 'session' : 'sessions'}).`);
      }
      return done(request, session, { revoked });
    },

    /** `GET /api/session`: never modifies the session. */
    async readSession(request: DemoRequest): Promise<DemoReply> {
      return { kind: 'json', status: 200, body: sessionView(await request.session.load()) };
    },

    /** `PUT /api/data/:key`: the JSON body becomes the value of that top-level key. */
    async putData(request: DemoRequest, key: string): Promise<DemoReply> {
      const problem = checkDataKey(key);
      if (problem !== undefined) return { kind: 'json', status: 400, body: { error: problem } };
      if (request.body === undefined) {
        return { kind: 'json', status: 400, body: { error: 'Send the value as a JSON body with Content-Type: application/json.' } };
      }
      const session = await request.session.load();
      try {
        // The body came from JSON.parse: JSON, but maybe deeper than a session value may be.
        session.set(key, request.body as JsonValue);
      } catch (error) {
        if (!isSessionValueError(error)) throw error;
        return { kind: 'json', status: 400, body: { error: error.message.replace(/^@sess\/core: /, 'The ') } };
      }
      return { kind: 'json', status: 200, body: sessionView(session) };
    },

    /** `DELETE /api/data/:key`. */
    async deleteData(request: DemoRequest, key: string): Promise<DemoReply> {
      const problem = checkDataKey(key);
      if (problem !== undefined) return { kind: 'json', status: 400, body: { error: problem } };
      const session = await request.session.load();
      session.unset(key);
      return { kind: 'json', status: 200, body: sessionView(session) };
    },
  };
}

export type DemoHandlers = ReturnType<typeof createDemoHandlers>;

/** The JSON view of a session. Reads without changing anything (flashes stay pending and out of `data`). */
export function sessionView(session: LoadedDemoSession): SessionView {
  const data: Record<string, unknown> = { ...session.data };
  return {
    user: typeof data.user === 'string' ? data.user : null,
    count: typeof data.count === 'number' ? data.count : 0,
    data,
  };
}

/** Why a playground key is refused, or `undefined` when it is fine. */
function checkDataKey(key: string): string | undefined {
  if (!DATA_KEY.test(key) || FORBIDDEN_KEYS.has(key)) {
    return 'A key is 1 to 64 letters, digits, "_", "-" or "."; it may not start with "__" or be "constructor" or "prototype".';
  }
  if (APP_KEYS.has(key)) return `"${key}" belongs to the app: use POST /${key === 'user' ? 'login' : 'count'}.`;
  return undefined;
}

/** A field of a parsed form or JSON object body. */
function fieldOf(body: unknown, name: string): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  return Object.hasOwn(body, name) ? (body as Record<string, unknown>)[name] : undefined;
}

/** The answer to an error a handler or the session store threw: its `status` (a store outage is 503) or 500. */
export function errorReply(error: unknown, json: boolean): DemoReply {
  const status = errorStatus(error);
  const message =
    status >= 500
      ? status === 503
        ? 'The session store is unavailable; try again shortly.'
        : 'Something went wrong.'
      : error instanceof Error
        ? error.message
        : 'Bad request.';
  // A store outage says when to retry (the store error's own `Retry-After`).
  const headers = errorHeaders(error);
  if (json) return { kind: 'json', status, body: { error: message }, headers };
  return {
    kind: 'html',
    status,
    headers,
    body: `<!doctype html><meta charset="utf-8"><title>${status}</title><p>${escapeHtml(message)}</p><p><a href="/">Back</a></p>`,
  };
}

/** The error's own response headers (`SessionStoreError` carries `Retry-After`), as Koa and Express apply them. */
function errorHeaders(error: unknown): Record<string, string> {
  const headers = typeof error === 'object' && error !== null ? (error as { headers?: unknown }).headers : undefined;
  if (typeof headers !== 'object' || headers === null) return {};
  return Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** The 404 for a route outside the contract. */
export function notFoundReply(method: string, path: string, json: boolean): DemoReply {
  return errorReply(Object.assign(new Error(`No route for ${method} ${path}.`), { status: 404 }), json);
}

/** Logs a server-side failure: one line for a store outage (expected, transient), the whole error for a bug. */
export function logServerError(error: unknown, method: string, path: string): void {
  const status = errorStatus(error);
  if (status === 503) console.error(`${method} ${path}: 503, ${error instanceof Error ? error.message : String(error)}`);
  else if (status >= 500) console.error(`${method} ${path}: ${status}`, error);
}

/** The HTTP status an error stands for: its own 4xx/5xx `status`, else 500. */
export function errorStatus(error: unknown): number {
  const status =
    typeof error === 'object' && error !== null
      ? ((error as { status?: unknown; statusCode?: unknown }).status ?? (error as { statusCode?: unknown }).statusCode)
      : undefined;
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599 ? status : 500;
}
