/*
 * The demo as a Cloudflare Worker (workerd): sessions in the sealed cookie store, since
 * a Worker has no Redis connection and no memory that outlives an isolate.
 * `SESSION_SECRET` is a binding (a Worker secret, or scripts/workerd.ts locally).
 */
import { createCookieStore } from '@sess/core';
import { createApp } from './app';

interface Env {
  SESSION_SECRET?: string;
}

let app: ReturnType<typeof createApp> | undefined;

export default {
  fetch(request: Request, env: Env): Response | Promise<Response> {
    if (env.SESSION_SECRET === undefined) {
      return new Response('hono-demo: set the SESSION_SECRET binding (32+ characters) to run the demo in workerd.', {
        status: 500,
      });
    }
    app ??= createApp({
      secret: env.SESSION_SECRET,
      store: createCookieStore(),
      storeMode: 'cookie',
      // The data lives in each browser's cookie: there is no index of a user's sessions to list or revoke.
      userIndex: { listUserSessions: async () => [], revokeUserSessions: async () => 0 },
    });
    return app.fetch(request);
  },
};
