/**
 * Outages, on a private server this file stops and restarts. It keeps an append-only
 * file (fsync always) so that, as in production, a restart keeps what was committed.
 */
import { createSessionManager, isSessionStoreError, type SessionManager } from '@sess/core';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// By path: @sess/test-kit depends on this package, so a dev dependency back would be a cycle.
import { type RedisServer, startRedisServer } from '../../test-kit/src/redis/index';
import { request, SECRET } from '../test/requests';
import { createRedisStore, type RedisStore } from './redis-store';

/** Slack for timers and a loaded CI machine on top of the bound under test. */
const SLACK_MS = 400;

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Runs `work`, expecting a store error; resolves the error and how long it took. */
async function failure(work: () => Promise<unknown>): Promise<{ error: unknown; elapsedMs: number }> {
  const startedMs = Date.now();
  try {
    await work();
  } catch (error) {
    return { error, elapsedMs: Date.now() - startedMs };
  }
  throw new Error('expected the request to fail');
}

describe('when Redis is unreachable', () => {
  let server: RedisServer;
  let ownStore: RedisStore; // made from a URL: the store's own fail-fast client
  let givenClient: Redis; // made by the app with ioredis defaults (offline queue on)
  let givenStore: RedisStore;
  let viaOwn: SessionManager;
  let viaGiven: SessionManager;

  beforeAll(async () => {
    server = await startRedisServer(['--appendonly', 'yes', '--appendfsync', 'always']);
    ownStore = createRedisStore({ url: server.url });
    givenClient = new Redis(server.url, { retryStrategy: () => 100 });
    givenClient.on('error', () => {});
    givenStore = createRedisStore({ client: givenClient, operationTimeoutMs: 500 });
    viaOwn = createSessionManager({ secret: SECRET, store: ownStore });
    viaGiven = createSessionManager({ secret: SECRET, store: givenStore });
  });

  afterAll(async () => {
    await ownStore?.close?.();
    givenClient?.disconnect();
    await server?.dispose();
  });

  it('fails fast with a store error, loses nothing committed, and recovers without a restart', async () => {
    const committed = await request(viaOwn, undefined, (s) => s.set('cart', ['apple']));
    const committedViaGiven = await request(viaGiven, undefined, (s) => s.set('cart', ['pear']));

    await server.stop();
    await until(() => ownStore.client.status !== 'ready' && givenClient.status !== 'ready');

    // The default bound (2 s) fires before the manager's own 3 s timeout.
    const own = await failure(() => request(viaOwn, committed.cookieHeader, (s) => s.set('late', true)));
    expect(isSessionStoreError(own.error)).toBe(true);
    expect(own.error).toMatchObject({ operation: 'get', status: 503 });
    expect((own.error as Error).message).toContain('@sess/store-redis');
    expect(own.elapsedMs).toBeLessThan(2000 + SLACK_MS);

    // A client with an offline queue does not make a request wait on it: the bound holds.
    const given = await failure(() => request(viaGiven, committedViaGiven.cookieHeader, (s) => s.set('late', true)));
    expect(given.error).toMatchObject({ name: 'SessionStoreError', operation: 'get', timedOut: true });
    expect(given.elapsedMs).toBeLessThan(500 + SLACK_MS);
    // Many calls during an outage share one wait for the reconnect (no listener pile-up).
    const readyListenersBefore = givenClient.listenerCount('ready');
    const calls = Array.from({ length: 30 }, () => failure(() => givenStore.get('any')));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(givenClient.listenerCount('ready') - readyListenersBefore).toBeLessThanOrEqual(1);
    for (const call of await Promise.all(calls)) expect(call.error).toMatchObject({ timedOut: true });
    const write = await failure(() =>
      givenStore.set('some-key', {
        createdAtMs: 0,
        lastActiveAtMs: 0,
        expiresAtMs: Date.now() + 60_000,
        persistent: false,
        data: { late: true },
      }),
    );
    expect(write.error).toMatchObject({ name: 'SessionStoreError', operation: 'set', timedOut: true });

    await server.start();

    // The very next requests succeed, and see exactly what was committed before the outage.
    const after = await request(viaOwn, committed.cookieHeader, async () => {});
    expect(after.session.data).toEqual({ cart: ['apple'] });
    const afterViaGiven = await request(viaGiven, committedViaGiven.cookieHeader, async () => {});
    expect(afterViaGiven.session.data).toEqual({ cart: ['pear'] });
    // Nothing attempted during the outage lands later from a queue.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await givenStore.get('some-key')).toBeUndefined();
    expect((await ownStore.get(after.session.key))?.data).toEqual({ cart: ['apple'] });
  });

  it('times out, as configured, when Redis holds the connection but does not answer', async () => {
    const store = createRedisStore({ url: server.url, operationTimeoutMs: 200 });
    const admin = new Redis(server.url);
    try {
      await store.set('paused', { createdAtMs: 0, lastActiveAtMs: 0, expiresAtMs: Date.now() + 60_000, persistent: false, data: {} });
      await admin.client('PAUSE', 1000, 'ALL');
      const paused = await failure(() => store.get('paused'));
      expect(paused.error).toMatchObject({ name: 'SessionStoreError', operation: 'get', timedOut: true });
      expect(paused.elapsedMs).toBeLessThan(200 + SLACK_MS);
    } finally {
      await admin.client('UNPAUSE').catch(() => {});
      admin.disconnect();
      await store.close?.();
    }
  });
});
