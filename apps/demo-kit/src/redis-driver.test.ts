import { describe, expect, it } from 'vitest';
import type { DemoRedisDriver } from './config';
import { createDemoStore } from './store';
import { TEST_REDIS_URL, testConfig } from './testing/modes';
import { withUpstashBridge } from './upstash-driver';

const record = () => ({
  createdAtMs: Date.now(),
  lastActiveAtMs: Date.now(),
  expiresAtMs: Date.now() + 60_000,
  persistent: false,
  data: { a: 1 },
});

describe('the demo store on each SESS_REDIS_DRIVER', () => {
  it.each<DemoRedisDriver>(['ioredis', 'node-redis', 'upstash'])(
    'keeps sessions in the test Redis through %s, and names it',
    async (driver) => {
      const lines: string[] = [];
      const bridged = await withUpstashBridge({ ...testConfig({ name: driver, store: 'redis', driver }) }, (line) => lines.push(line));
      const demo = createDemoStore(bridged.config, { clearOnClose: true });
      try {
        expect(demo.mode).toBe('redis');
        expect(demo.driver).toBe(driver);
        expect(demo.description).toContain(`through ${driver}`);
        await demo.store.set('k', record());
        expect((await demo.store.get('k'))?.data).toEqual({ a: 1 });
        if (driver === 'upstash') {
          // The bridge is announced, and every command reached the test Redis.
          expect(lines).toEqual([
            expect.stringMatching(
              /^SESS_REDIS_DRIVER=upstash: @upstash\/redis talks to an Upstash REST bridge at http:\/\/127\.0\.0\.1:\d+ /,
            ),
          ]);
          expect(demo.description).toMatch(/^Upstash REST at http:\/\/127\.0\.0\.1:\d+ through upstash/);
        } else {
          expect(lines).toEqual([]);
          expect(demo.description).toMatch(new RegExp(`^Redis at ${TEST_REDIS_URL.replace(/[/.]/g, '\\$&')}/? through ${driver}`));
        }
      } finally {
        await demo.close();
        await bridged.close();
      }
    },
  );

  it('refuses the upstash driver without a REST URL, saying how to get one', () => {
    expect(() => createDemoStore(testConfig({ name: 'upstash', store: 'redis', driver: 'upstash' }))).toThrow(
      /SESS_REDIS_DRIVER=upstash: no UPSTASH_REDIS_REST_URL/,
    );
  });

  it("refuses Bun's client outside Bun", () => {
    expect(() => createDemoStore(testConfig({ name: 'bun', store: 'redis', driver: 'bun' }))).toThrow(/start the demo under Bun/);
  });

  it('keeps the password of REDIS_URL out of the description', () => {
    const demo = createDemoStore({ ...testConfig('redis'), redisUrl: 'redis://user:hunter2@127.0.0.1:1' });
    expect(demo.description).toContain('redis://user:***@127.0.0.1:1');
    expect(demo.description).not.toContain('hunter2');
    return demo.close();
  });
});

describe('closing with Redis unreachable', () => {
  it.each<[DemoRedisDriver, boolean]>([
    ['ioredis', true],
    ['ioredis', false],
    ['node-redis', true],
    ['node-redis', false],
  ])(
    '%s: close() returns at once (after a failed call: %s), so a demo shuts down without a bound of its own',
    async (driver, afterCall) => {
      const demo = createDemoStore({ ...testConfig({ name: driver, store: 'redis', driver }), redisUrl: 'redis://127.0.0.1:1' });
      if (afterCall) await expect(demo.store.get('k')).rejects.toMatchObject({ name: 'SessionStoreError' });
      const startedMs = Date.now();
      await demo.close();
      // Far under the store's call bound: close() waits for no reconnect and no end event.
      expect(Date.now() - startedMs).toBeLessThan(1500);
    },
  );
});
