/**
 * What a tracer sees (issue 15, point 6): ioredis and node-redis publish every command
 * with its arguments (diagnostics_channel, OpenTelemetry). MONITOR shows the same: no
 * argument of any command, sent or run inside a script, may carry a session id or a
 * cookie value, through a whole session lifecycle.
 */
import { createSessionManager } from '@sess/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// By path: @sess/test-kit depends on this package, so a dev dependency back would be a cycle.
import { type CommandStats, commandStats, type RedisServer, startRedisServer } from '../../test-kit/src/redis/index';
import { type ConnectedClient, tcpDrivers } from '../test/clients';
import { request, SECRET } from '../test/requests';
import { createRedisStore } from './redis-store';

const HOUR_MS = 3_600_000;

describe.each(tcpDrivers)('tracing on $name', (driver) => {
  let server: RedisServer;
  let stats: CommandStats;
  let connection: ConnectedClient;

  beforeAll(async () => {
    server = await startRedisServer();
    stats = await commandStats(server.port);
    connection = await driver.single(server.url);
  });
  afterAll(async () => {
    await connection?.close();
    await stats?.close();
    await server?.dispose();
  });

  it('never sends a session id or a cookie value in any command argument, from creation to sign-out everywhere', async () => {
    let clockMs = Date.now();
    const store = createRedisStore({ client: connection.client, now: () => clockMs });
    const sessions = createSessionManager({ secret: SECRET, store, now: () => clockMs });
    const secrets = new Set<string>();
    const remember = (id: string, cookieHeader: string | undefined) => {
      secrets.add(id);
      if (cookieHeader) secrets.add(cookieHeader.slice(cookieHeader.indexOf('=') + 1));
    };
    await stats.reset();

    const created = await request(sessions, undefined, (s) => s.set('cart', ['apple']));
    remember(created.session.id, created.cookieHeader);
    const signedIn = await request(sessions, created.cookieHeader, (s) => {
      s.regenerate();
      s.setUserId('user-trace');
      s.set('name', 'Ann');
    });
    remember(signedIn.session.id, signedIn.cookieHeader);
    await request(sessions, signedIn.cookieHeader, (s) => s.set('cart', ['apple', 'pear']));
    clockMs += 6 * HOUR_MS; // a touch is due
    await request(sessions, signedIn.cookieHeader, (s) => void s.get('cart'));
    const second = await request(sessions, undefined, (s) => {
      s.setUserId('user-trace');
      s.set('device', 2);
    });
    remember(second.session.id, second.cookieHeader);
    expect(await sessions.listUserSessions('user-trace')).toHaveLength(2);
    const regenerated = await request(sessions, second.cookieHeader, (s) => s.regenerate());
    remember(regenerated.session.id, regenerated.cookieHeader);
    expect(await sessions.revokeUserSessions('user-trace')).toBe(2);
    await request(sessions, created.cookieHeader, (s) => s.destroy());

    const { commands } = await stats.read();
    const kinds = new Set(commands.map((args) => args[0]?.toLowerCase()));
    for (const kind of ['set', 'get', 'evalsha', 'zadd', 'zrangebyscore', 'getrange', 'setrange', 'del']) expect(kinds).toContain(kind);
    expect(secrets.size).toBe(8);
    const leaks = commands.filter((args) => args.some((arg) => [...secrets].some((secret) => arg.includes(secret))));
    expect(leaks).toEqual([]);
  });
});
