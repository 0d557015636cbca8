import { randomUUID } from 'node:crypto';
import { CookieJar } from '@sess/core/testing';
import type { DemoConfig, DemoRedisDriver } from '../config';
import type { RunningDemo, StartDemo, StartDemoOptions } from '../server';
import type { StoreMode } from '../store';
import { withUpstashBridge } from '../upstash-driver';

/** The Redis every machine runs (CI included); `REDIS_URL` points elsewhere. */
export const TEST_REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/** A store a demo suite runs on: the memory store, or Redis through one of its clients. */
export interface TestStoreMode {
  /** For test names: `memory`, `Redis on node-redis`... */
  name: string;
  store: StoreMode;
  driver?: DemoRedisDriver;
}

/**
 * The stores every demo suite runs on: memory, and Redis through each driver a demo can
 * take from `SESS_REDIS_DRIVER` on Node (Bun's client runs in the Hono demo's Bun test).
 * Redis is never skipped: a missing server fails.
 */
export const STORE_MODES: readonly TestStoreMode[] = [
  { name: 'memory', store: 'memory' },
  { name: 'Redis on ioredis', store: 'redis', driver: 'ioredis' },
  { name: 'Redis on node-redis', store: 'redis', driver: 'node-redis' },
  { name: 'Redis on upstash', store: 'redis', driver: 'upstash' },
];

/** A config for an in-process demo on a free loopback port; Redis keys under a prefix unique to this run. */
export function testConfig(mode: StoreMode | TestStoreMode): DemoConfig {
  const { store, driver = 'ioredis' } = typeof mode === 'string' ? { store: mode } : mode;
  return {
    port: 0,
    host: '127.0.0.1',
    secret: 'demo-test-secret-that-is-long-enough-0123456789',
    secretGenerated: false,
    redisUrl: store === 'redis' ? TEST_REDIS_URL : undefined,
    redisPrefix: `sess:demo-test:${randomUUID()}:`,
    redisDriver: driver,
    upstashRest: undefined,
    cookieName: 'sid',
    production: false,
  };
}

/**
 * Starts a demo in a mode as its command line would: on the `upstash` driver, behind the
 * Upstash REST bridge in front of the test Redis (closed with the demo).
 */
export async function startInMode(
  start: StartDemo,
  mode: TestStoreMode,
  options: StartDemoOptions & { config?: Partial<DemoConfig> } = {},
): Promise<RunningDemo> {
  const { config: overrides, ...startOptions } = options;
  const bridged = await withUpstashBridge({ ...testConfig(mode), ...overrides }, () => {});
  try {
    return bridged.attach(await start(bridged.config, startOptions));
  } catch (error) {
    await bridged.close();
    throw error;
  }
}

/** One fetch-based client: keeps its cookies, never follows redirects (the tests check them). */
export function demoClient(baseUrl: string, jar = new CookieJar()) {
  async function request(
    method: string,
    path: string,
    options: { json?: unknown; form?: Record<string, string>; accept?: 'json' | 'html' } = {},
  ) {
    const headers = new Headers();
    const cookie = jar.header();
    if (cookie !== undefined) headers.set('cookie', cookie);
    if (options.accept === 'json') headers.set('accept', 'application/json');
    if (options.accept === 'html') headers.set('accept', 'text/html');
    let body: string | undefined;
    if (options.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(options.json);
    } else if (options.form !== undefined) {
      headers.set('content-type', 'application/x-www-form-urlencoded');
      body = new URLSearchParams(options.form).toString();
    }
    const response = await fetch(new URL(path, baseUrl), { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(5000) });
    jar.update(response);
    return response;
  }
  return {
    jar,
    request,
    /** `GET /api/session`, parsed. */
    async session(): Promise<{ user: string | null; count: number; data: Record<string, unknown> }> {
      const response = await request('GET', '/api/session');
      if (response.status !== 200) throw new Error(`GET /api/session answered ${response.status}: ${await response.text()}`);
      return (await response.json()) as { user: string | null; count: number; data: Record<string, unknown> };
    },
    /** `GET /`, the HTML. */
    async page(): Promise<string> {
      const response = await request('GET', '/');
      if (response.status !== 200) throw new Error(`GET / answered ${response.status}`);
      return response.text();
    },
    /** Signs in through the JSON API. */
    async login(user: string) {
      const response = await request('POST', '/login', { json: { user }, accept: 'json' });
      if (response.status !== 200) throw new Error(`POST /login answered ${response.status}: ${await response.text()}`);
      return (await response.json()) as { user: string | null; count: number; data: Record<string, unknown> };
    },
  };
}

export type DemoClient = ReturnType<typeof demoClient>;

/** Generous for one store write on a busy 2-core machine; only demos that commit after the response wait it. */
const AFTER_RESPONSE_SETTLE_MS = 1000;

/** Gives a write made after the response (Next's `after()`) a moment to land before the next request. */
export function afterResponseSettles(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, AFTER_RESPONSE_SETTLE_MS));
}
