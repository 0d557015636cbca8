/**
 * Issue 14, point 19: a given client without the settings that keep acknowledged writes
 * through a failover is named once, with the setting that fixes it; the client the
 * store creates from `url` has them.
 */
import * as ioredis from 'ioredis';
import * as nodeRedis from 'redis';
import { describe, expect, it } from 'vitest';
import { createRedisStore, type RedisClientLike } from './redis-store';

function noticesFor(client: RedisClientLike): string[] {
  const notices: string[] = [];
  createRedisStore({ client, onNotice: (message) => notices.push(message) });
  return notices;
}

describe('failover settings', () => {
  it('names `failoverDetector: true` for an ioredis Sentinel client without it, and nothing once it is set', () => {
    const sentinels = [{ host: '127.0.0.1', port: 1 }];
    const unsafe = new ioredis.Redis({ sentinels, name: 'm', lazyConnect: true, autoResendUnfulfilledCommands: false });
    const safe = new ioredis.Redis({
      sentinels,
      name: 'm',
      lazyConnect: true,
      autoResendUnfulfilledCommands: false,
      failoverDetector: true,
    });
    expect(noticesFor(unsafe)).toEqual([
      expect.stringMatching(/^@sess\/store-redis: the ioredis Sentinel client .*`failoverDetector: true`/),
    ]);
    expect(noticesFor(safe)).toEqual([]);
  });

  it('names `autoResendUnfulfilledCommands: false` for an ioredis client that re-sends after a reconnect', () => {
    const unsafe = new ioredis.Redis({ lazyConnect: true });
    expect(noticesFor(unsafe)).toEqual([expect.stringMatching(/`autoResendUnfulfilledCommands: false`/)]);
    expect(noticesFor(new ioredis.Redis({ lazyConnect: true, autoResendUnfulfilledCommands: false }))).toEqual([]);
  });

  it('names `retryDelayOnFailover: 0` and no resending for an ioredis Cluster without them', () => {
    const nodes = [{ host: '127.0.0.1', port: 1 }];
    const unsafe = new ioredis.Cluster(nodes, { lazyConnect: true });
    const safe = new ioredis.Cluster(nodes, {
      lazyConnect: true,
      retryDelayOnFailover: 0,
      redisOptions: { autoResendUnfulfilledCommands: false },
    });
    expect(noticesFor(unsafe)).toEqual([
      expect.stringMatching(/`retryDelayOnFailover: 0` and `redisOptions: \{ autoResendUnfulfilledCommands: false \}`/),
    ]);
    expect(noticesFor(safe)).toEqual([]);
  });

  it('names `disableOfflineQueue` for a node-redis cluster that queues for a reconnecting node; a node-redis client needs nothing', () => {
    const rootNodes = [{ url: 'redis://127.0.0.1:1' }];
    const unsafe = nodeRedis.createCluster({ rootNodes });
    const safe = nodeRedis.createCluster({ rootNodes, defaults: { disableOfflineQueue: true } });
    expect(noticesFor(unsafe as unknown as RedisClientLike)).toEqual([
      expect.stringMatching(/`defaults: \{ disableOfflineQueue: true \}`/),
    ]);
    expect(noticesFor(safe as unknown as RedisClientLike)).toEqual([]);
    expect(noticesFor(nodeRedis.createClient() as unknown as RedisClientLike)).toEqual([]);
  });

  it('creates its own client from url with every safe setting', async () => {
    const store = createRedisStore({ url: 'redis://127.0.0.1:1', onNotice: () => {} });
    expect(store.client.options).toMatchObject({
      autoResendUnfulfilledCommands: false,
      enableOfflineQueue: false,
      failoverDetector: true,
    });
    await store.close?.();
  });

  it('warns once per process by default, however many stores share an unsafe client', async () => {
    const { vi } = await import('vitest');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      vi.resetModules();
      const { createRedisStore: create } = await import('./redis-store');
      const client = new ioredis.Redis({ lazyConnect: true });
      create({ client });
      create({ client, prefix: 'other:' });
      expect(warn).toHaveBeenCalledOnce();
    } finally {
      warn.mockRestore();
    }
  });
});
