/*
 * The demo as a Cloudflare Worker (workerd). Its bindings choose the store, once per isolate:
 *
 * - `SESSION_STORE=cookie`: the sealed cookie store, asked for by name (no revocation, no session list);
 * - `UPSTASH_REDIS_REST_URL` and `UPSTASH_REDIS_REST_TOKEN`: Redis over HTTP through `@upstash/redis`,
 *   the one Redis client that works in workerd (a TCP socket there belongs to the request that opened it);
 * - otherwise the `SESSIONS` Durable Object binding, on the `SessionObject` class exported below.
 *
 * `SESSION_SECRET` is a binding (a Worker secret, or scripts/workerd.ts locally). Every store here
 * holds only a binding or a URL, never an I/O object, so one serves every request of the isolate.
 */
import { createCookieStore, type SessionManagerOptions } from '@sess/core';
import type { DemoRedisDriver, StoreMode } from '@sess/demo-kit';
import { createDurableObjectStore, type DurableObjectNamespaceLike } from '@sess/store-cloudflare';
import { createRedisStore } from '@sess/store-redis';
import { Redis } from '@upstash/redis/cloudflare';
import { createApp } from './app';

// workerd finds the Durable Object class the `SESSIONS` binding names in the main module.
export { SessionObject } from '@sess/store-cloudflare';

export interface WorkerEnv {
  SESSION_SECRET?: string;
  /** `cookie` for the sealed cookie store; unset, the store follows from the other bindings. */
  SESSION_STORE?: string;
  SESSIONS?: DurableObjectNamespaceLike;
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
  /** The key prefix in Redis. @default 'sess:demo:' */
  REDIS_PREFIX?: string;
  /** @default 'sid' */
  SESSION_COOKIE_NAME?: string;
  /** `true` when served over https (production): the cookie is `Secure`, as a `__Host-` name needs. */
  SESSION_COOKIE_SECURE?: string;
}

interface WorkerStore {
  store: SessionManagerOptions['store'];
  mode: StoreMode;
  driver?: DemoRedisDriver;
}

/** The store the bindings ask for, or the sentence saying which bindings are missing. */
function storeFor(env: WorkerEnv): WorkerStore | string {
  if (env.SESSION_STORE === 'cookie') return { store: createCookieStore(), mode: 'cookie' };
  if (env.SESSION_STORE !== undefined) return `SESSION_STORE is "cookie" or unset (got ${JSON.stringify(env.SESSION_STORE)}).`;
  const { UPSTASH_REDIS_REST_URL: url, UPSTASH_REDIS_REST_TOKEN: token } = env;
  if (url !== undefined || token !== undefined) {
    if (url === undefined || token === undefined)
      return 'UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN go together: set both, or neither.';
    const client = new Redis({ url, token });
    return { store: createRedisStore({ client, prefix: env.REDIS_PREFIX ?? 'sess:demo:' }), mode: 'redis', driver: 'upstash' };
  }
  if (env.SESSIONS !== undefined) return { store: createDurableObjectStore(env.SESSIONS), mode: 'durable-objects' };
  return 'bind the SESSIONS Durable Object namespace (class SessionObject, SQLite storage), set UPSTASH_REDIS_REST_URL and _TOKEN, or SESSION_STORE=cookie.';
}

let app: ReturnType<typeof createApp> | undefined;

export default {
  fetch(request: Request, env: WorkerEnv): Response | Promise<Response> {
    if (app === undefined) {
      if (env.SESSION_SECRET === undefined) return misconfigured('set the SESSION_SECRET binding (32+ characters).');
      const chosen = storeFor(env);
      if (typeof chosen === 'string') return misconfigured(chosen);
      app = createApp({
        secret: env.SESSION_SECRET,
        store: chosen.store,
        storeMode: chosen.mode,
        storeDriver: chosen.driver,
        cookie: { name: env.SESSION_COOKIE_NAME ?? 'sid', secure: env.SESSION_COOKIE_SECURE === 'true' },
        // The data lives in each browser's cookie: there is no index of a user's sessions to list or revoke.
        ...(chosen.mode === 'cookie' && { userIndex: { listUserSessions: async () => [], revokeUserSessions: async () => 0 } }),
      });
    }
    return answer(app, request);
  },
};

/** The most of a refused body the Worker reads to keep the connection (a pipelined request may follow it). */
const MAX_DRAINED_BODY_BYTES = 4 * 1024 * 1024;

/**
 * workerd's HTTP server drops the `Connection: close` the app sets on a 413 and resets a connection whose
 * request body is left unread, losing the pipelined requests behind it (and at times the 413). Reading the
 * rest of a refused body, up to a bound, keeps the connection usable, as Node's server does.
 */
async function answer(demo: NonNullable<typeof app>, request: Request): Promise<Response> {
  const response = await demo.fetch(request);
  if (response.status === 413 && request.body !== null && !request.bodyUsed) {
    const reader = request.body.getReader();
    let readBytes = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        readBytes += value.byteLength;
        if (readBytes > MAX_DRAINED_BODY_BYTES) {
          await reader.cancel();
          break;
        }
      }
    } catch {
      // The client went away: the 413 goes nowhere either way.
    }
  }
  return response;
}

function misconfigured(fix: string): Response {
  return new Response(`hono-demo: ${fix}`, { status: 500 });
}
