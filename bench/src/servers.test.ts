/**
 * The benchmark's setup, checked without timing anything: every server answers its
 * routes, and on the session servers the cookie round-trips and writes are stored.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, checkServer, login } from './client';
import { type PrivateRedis, startPrivateRedis } from './redis';
import { EXPERIMENT_SPECS, SERVER_SPECS, startServer } from './servers';

describe('benchmark servers', () => {
  let redis: PrivateRedis;

  beforeAll(async () => {
    redis = await startPrivateRedis();
  });

  afterAll(async () => {
    await redis?.stop();
  });

  for (const spec of [...SERVER_SPECS, ...EXPERIMENT_SPECS]) {
    it(`${spec.name} answers /read and /write as the benchmark assumes`, async () => {
      const server = await startServer(spec.name, redis.url);
      try {
        await checkServer(spec, server.port);
      } finally {
        await server.close();
      }
    });
  }

  it('keeps the session servers storing their sessions in Redis', async () => {
    const admin = new Redis(redis.url);
    try {
      for (const spec of SERVER_SPECS.filter((s) => s.sessions && s.redis)) {
        await admin.flushall();
        const server = await startServer(spec.name, redis.url);
        try {
          const cookie = await login(server.port);
          expect((await call(server.port, 'POST', '/write', cookie)).body.count).toBe(1);
          expect(await admin.dbsize(), spec.name).toBeGreaterThan(0);
        } finally {
          await server.close();
        }
      }
    } finally {
      admin.disconnect();
    }
  });
});
