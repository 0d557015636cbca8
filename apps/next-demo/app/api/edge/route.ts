import { createCookieStore } from '@sess/core';
import { createSessions } from '@sess/next';
import { createRedisStore } from '@sess/store-redis';
import { Redis } from '@upstash/redis';

// The adapter on the edge runtime: Web APIs only. With SESS_REDIS_DRIVER=upstash the session
// lives in Redis, reached over HTTP through @upstash/redis (no TCP socket on the edge);
// otherwise it is sealed in its own cookie.
export const runtime = 'edge';

const sessions = createSessions({
  secret: process.env.SESSION_SECRET || randomSecret(),
  // A function: made once per process at the first request, so `next build` needs no Upstash.
  store: () => {
    const url = process.env.UPSTASH_REDIS_REST_URL;
    const token = process.env.UPSTASH_REDIS_REST_TOKEN;
    if (!url || !token) return createCookieStore();
    return createRedisStore({ client: new Redis({ url, token }), prefix: `${process.env.REDIS_PREFIX || 'sess:demo:'}edge:` });
  },
  cookie: { name: 'edge.sid', secure: false },
});

function randomSecret(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(32)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** `GET /api/edge`: the edge session's counter, the runtime that answered and where the session lives. */
export const GET = sessions.route(async (_request, handle) => Response.json(view((await handle.load()).get('count'))));

/** `POST /api/edge`: counts in the edge session. */
export const POST = sessions.route(async (_request, handle) => {
  const session = await handle.load();
  const next = (session.get('count') ?? 0) + 1;
  session.set('count', next);
  return Response.json(view(next));
});

function view(count: number | undefined) {
  return {
    count: count ?? 0,
    runtime: typeof (globalThis as { EdgeRuntime?: unknown }).EdgeRuntime === 'string' ? 'edge' : 'nodejs',
    store: process.env.UPSTASH_REDIS_REST_URL ? 'upstash' : 'cookie',
  };
}
