import { createCookieStore } from '@sess/core';
import { createSessions } from '@sess/next';

// The adapter on the edge runtime: Web APIs only, the session sealed in its own cookie.
export const runtime = 'edge';

// A store object, not a function: the cookie store keeps nothing, so a copy per bundle is harmless.
const sessions = createSessions({
  secret: process.env.SESSION_SECRET || randomSecret(),
  store: createCookieStore(),
  cookie: { name: 'edge.sid', secure: false },
});

function randomSecret(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(32)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** `GET /api/edge`: the edge session's counter, and the runtime that answered. */
export const GET = sessions.route(async (_request, handle) => Response.json(view((await handle.load()).get('count'))));

/** `POST /api/edge`: counts in the edge session. */
export const POST = sessions.route(async (_request, handle) => {
  const session = await handle.load();
  const next = (session.get('count') ?? 0) + 1;
  session.set('count', next);
  return Response.json(view(next));
});

function view(count: number | undefined) {
  return { count: count ?? 0, runtime: typeof (globalThis as { EdgeRuntime?: unknown }).EdgeRuntime === 'string' ? 'edge' : 'nodejs' };
}
