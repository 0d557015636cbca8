import { createCookieStore } from '@sess/core';
import { createSessions, type NextSessions } from '@sess/next';

// The adapter on the edge runtime: Web APIs only, the session sealed in its own cookie.
export const runtime = 'edge';

let sessions: NextSessions | undefined;

function edgeSessions(): NextSessions {
  sessions ??= createSessions({
    secret: process.env.SESSION_SECRET || randomSecret(),
    store: createCookieStore(),
    cookie: { name: 'edge.sid', secure: false },
  });
  return sessions;
}

function randomSecret(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(32)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** `GET /api/edge`: the edge session's counter, and the runtime that answered. */
export function GET(request: Request, context: unknown): Promise<Response> {
  return edgeSessions().route(async (_request, handle) => Response.json(view((await handle.load()).get('count'))))(request, context);
}

/** `POST /api/edge`: counts in the edge session. */
export function POST(request: Request, context: unknown): Promise<Response> {
  return edgeSessions().route(async (_request, handle) => {
    const session = await handle.load();
    const next = (session.get('count') ?? 0) + 1;
    session.set('count', next);
    return Response.json(view(next));
  })(request, context);
}

function view(count: number | undefined) {
  return { count: count ?? 0, runtime: typeof (globalThis as { EdgeRuntime?: unknown }).EdgeRuntime === 'string' ? 'edge' : 'nodejs' };
}
