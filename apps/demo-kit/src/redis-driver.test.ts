import { describe, expect, it } from 'vitest';
import { DemoConfigError } from './config';
import { createDemoRedisStore } from './redis-driver';
import { TEST_REDIS_URL } from './testing/modes';

const prefix = () => `sess:demo-driver-test:${Math.random().toString(36).slice(2)}:`;
const record = () => ({ createdAtMs: Date.now(), lastActiveAtMs: Date.now(), expiresAtMs: Date.now() + 60_000, persistent: false, data: { a: 1 } });

describe('SESS_REDIS_DRIVER', () => {
  it.each([
    ['unset', {}, 'ioredis'],
    ['ioredis', { SESS_REDIS_DRIVER: 'ioredis' }, 'ioredis'],
    ['node-redis', { SESS_REDIS_DRIVER: 'node-redis' }, 'node-redis'],
  ])('%s: stores sessions in Redis through %s', async (_label, env, driver) => {
    const demo = createDemoRedisStore(TEST_REDIS_URL, prefix(), env);
    try {
      expect(demo.driver).toBe(driver);
      await demo.store.set('k', record());
      expect((await demo.store.get('k'))?.data).toEqual({ a: 1 });
      await demo.store.clear();
    } finally {
      await demo.close();
    }
  });

  it('refuses a driver it does not know, naming the ones it does', () => {
    expect(() => createDemoRedisStore(TEST_REDIS_URL, prefix(), { SESS_REDIS_DRIVER: 'redis' })).toThrow(DemoConfigError);
    expect(() => createDemoRedisStore(TEST_REDIS_URL, prefix(), { SESS_REDIS_DRIVER: 'redis' })).toThrow(
      /^SESS_REDIS_DRIVER must be one of ioredis, node-redis \(got "redis"\)/,
    );
  });
});

describe('closing with Redis unreachable', () => {
  it.each([
    ['ioredis', true],
    ['ioredis', false],
    ['node-redis', true],
    ['node-redis', false],
  ])('%s: close() returns at once (after a failed call: %s), so a demo shuts down without a bound of its own', async (driver, afterCall) => {
    const demo = createDemoRedisStore('redis://127.0.0.1:1', prefix(), { SESS_REDIS_DRIVER: driver });
    if (afterCall) await expect(demo.store.get('k')).rejects.toMatchObject({ name: 'SessionStoreError' });
    const startedMs = Date.now();
    await demo.close();
    // Far under the store's call bound: close() waits for no reconnect and no end event.
    expect(Date.now() - startedMs).toBeLessThan(500);
  });
});
