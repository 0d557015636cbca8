/**
 * Issue 14, point 10: on workerd a TCP client connects, but its socket belongs to the
 * request that opened it, so a store fails every call after the first request (503s
 * after 2 s). The store refuses a TCP driver there at once and names the HTTP driver.
 * workerd is told by `navigator.userAgent`, as Cloudflare documents; stubbed here.
 */
import * as ioredis from 'ioredis';
import * as nodeRedis from 'redis';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRedisStore, type RedisClientLike } from './redis-store';

describe('on Cloudflare Workers', () => {
  beforeEach(() => {
    vi.stubGlobal('navigator', { userAgent: 'Cloudflare-Workers' });
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it.each([
    ['an ioredis client', () => ({ client: new ioredis.Redis({ lazyConnect: true }) })],
    ['a node-redis client', () => ({ client: nodeRedis.createClient() as unknown as RedisClientLike })],
    ['a url (an ioredis client the store would create)', () => ({ url: 'redis://127.0.0.1:6379' })],
  ])('refuses %s with a TypeError that names @upstash/redis', (_label, options) => {
    const create = () => createRedisStore(options() as never);
    expect(create).toThrow(TypeError);
    expect(create).toThrow(
      /^@sess\/store-redis: .* cannot serve sessions on Cloudflare Workers: a TCP socket there belongs to the request/,
    );
    expect(create).toThrow(/`@upstash\/redis`/);
  });
});
