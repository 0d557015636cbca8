/**
 * What each request costs, counted on a real server: commands from `INFO commandstats`,
 * round trips by a proxy between the client and the server (see `@sess/test-kit`'s src/redis/round-trip-proxy.ts).
 */
import { createSessionManager } from '@sess/core';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// By path: @sess/test-kit depends on this package, so a dev dependency back would be a cycle.
import {
  type CommandStats,
  commandStats,
  type RedisServer,
  type RoundTripProxy,
  startRedisServer,
  startRoundTripProxy,
} from '../../test-kit/src/redis/index';
import { type ConnectedClient, tcpDrivers } from '../test/clients';
import { request, SECRET } from '../test/requests';
import { createRedisStore } from './redis-store';

const HOUR_MS = 3_600_000;

describe.each(tcpDrivers)('round trips and commands per request, on $name', (driver) => {
  let server: RedisServer;
  let proxy: RoundTripProxy;
  let stats: CommandStats;
  let connection: ConnectedClient;
  let admin: Redis;
  let clockMs = Date.now();
  const manager = () =>
    createSessionManager({ secret: SECRET, store: createRedisStore({ client: connection.client }), now: () => clockMs });

  beforeAll(async () => {
    // A server of its own: commandstats must see this test's commands only.
    server = await startRedisServer();
    proxy = await startRoundTripProxy(server.port);
    stats = await commandStats(server.port);
    connection = await driver.single(proxy.url);
    admin = new Redis(server.url);
    // Warm the script cache, as any running app has: the first call of a script on a
    // fresh server costs a NOSCRIPT reply and an EVAL.
    const sessions = manager();
    const first = await request(sessions, undefined, (s) => s.set('warm', 1));
    await request(sessions, first.cookieHeader, async (s) => {
      await s.set('warm', 2);
      await s.setUserId('warm-user');
    });
    await request(sessions, first.cookieHeader, (s) => s.touch());
  });

  afterAll(async () => {
    await connection?.close();
    await admin?.quit();
    await stats?.close();
    await proxy?.close();
    await server?.dispose();
  });

  async function measure(work: () => Promise<unknown>): Promise<{ roundTrips: number; commands: Record<string, number> }> {
    await stats.reset();
    proxy.reset();
    await work();
    return { roundTrips: proxy.roundTrips(), commands: (await stats.read()).sent };
  }

  it('creates a session with one round trip and one command', async () => {
    const sessions = manager();
    const cost = await measure(() => request(sessions, undefined, (s) => s.set('cart', ['apple'])));
    expect(cost).toEqual({ roundTrips: 1, commands: { set: 1 } });
  });

  it('serves a request on an unmodified session, not due for a touch, with one read and no write', async () => {
    const sessions = manager();
    const { cookieHeader } = await request(sessions, undefined, (s) => s.set('cart', ['apple']));
    clockMs += 60_000;
    const cost = await measure(() =>
      request(sessions, cookieHeader, (s) => {
        expect(s.get('cart')).toEqual(['apple']);
      }),
    );
    expect(cost).toEqual({ roundTrips: 1, commands: { get: 1 } });
  });

  it('loads a session in one round trip and commits a change in one more', async () => {
    const sessions = manager();
    const { cookieHeader } = await request(sessions, undefined, (s) => s.set('cart', ['apple']));
    const handle = sessions.open(cookieHeader);
    const load = await measure(() => handle.load());
    (await handle.load()).set('cart', ['apple', 'pear']);
    const commit = await measure(() => sessions.commit(handle, { status: 200 }));
    expect(load).toEqual({ roundTrips: 1, commands: { get: 1 } });
    expect(commit).toEqual({ roundTrips: 1, commands: { evalsha: 1 } });
  });

  it('loads in one round trip when sliding expiry is due, and extends it with one write at commit', async () => {
    const sessions = manager();
    const { cookieHeader, session: created } = await request(sessions, undefined, (s) => s.set('cart', []));
    const firstExpiryMs = created.expiresAt.getTime();
    clockMs += 6 * HOUR_MS; // past touchAfterShare (0.2) of the 1-day idle timeout
    const handle = sessions.open(cookieHeader);
    const load = await measure(() => handle.load());
    const commit = await measure(() => sessions.commit(handle, { status: 200 }));
    expect(load).toEqual({ roundTrips: 1, commands: { get: 1 } });
    expect(commit).toEqual({ roundTrips: 1, commands: { evalsha: 1 } });
    expect(await admin.pexpiretime(`sess:${(await handle.load()).key}`)).toBeGreaterThan(firstExpiryMs);

    // Just touched: the next request writes nothing.
    const next = await measure(() =>
      request(sessions, cookieHeader, (s) => {
        s.get('cart');
      }),
    );
    expect(next).toEqual({ roundTrips: 1, commands: { get: 1 } });
  });

  it('commits a signed-in session and its user index entry in one round trip', async () => {
    const sessions = manager();
    const { cookieHeader } = await request(sessions, undefined, (s) => s.set('cart', []));
    const handle = sessions.open(cookieHeader);
    const session = await handle.load();
    session.setUserId('user-42');
    session.set('cart', ['apple']);
    const commit = await measure(() => sessions.commit(handle, { status: 200 }));
    expect(commit).toEqual({ roundTrips: 1, commands: { evalsha: 2 } });
  });

  it('rotates a signed-in session to a new key with one round trip and one command', async () => {
    const store = createRedisStore({ client: connection.client });
    const nowMs = Date.now();
    const record = {
      createdAtMs: nowMs,
      lastActiveAtMs: nowMs,
      expiresAtMs: nowMs + HOUR_MS,
      persistent: false,
      userId: 'rotating',
      data: { a: 1 },
    };
    await store.set('rotate-from', record);
    await store.rotate('rotate-from', 'rotate-warm', record); // loads the script on this server
    await store.set('rotate-from', record);
    const cost = await measure(() => store.rotate('rotate-from', 'rotate-to', record));
    expect(cost).toEqual({ roundTrips: 1, commands: { evalsha: 1 } });
  });

  it('destroys a session with one round trip', async () => {
    const sessions = manager();
    const { cookieHeader } = await request(sessions, undefined, (s) => s.set('cart', []));
    const handle = sessions.open(cookieHeader);
    (await handle.load()).destroy();
    const commit = await measure(() => sessions.commit(handle, { status: 200 }));
    expect(commit).toEqual({ roundTrips: 1, commands: { del: 1 } });
  });
});
