/**
 * Node-only helpers for the tests of sess packages and demos: a loopback server, the
 * test Redis, the runtimes' binaries. Private Redis servers and the MONITOR counter are
 * `@sess/test-kit/redis`; the Bun/Deno/workerd runner `@sess/test-kit/runtimes`. The
 * runtime-free kit (conformance suites, `CookieJar`, `createTestClient`,
 * `recordingStore`) is public, in `@sess/core/testing`.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type RequestListener } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import type { ConformanceServer } from '@sess/core/testing';
import { createRedisStore, type RedisStore } from '@sess/store-redis';
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';

/** A Node server on 127.0.0.1 and a free port; `close()` also drops kept-alive connections. */
export async function listenOnLoopback(handler: RequestListener): Promise<ConformanceServer & { baseUrl: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** The Redis the machine runs (CI too), or `REDIS_URL`. */
export const testRedisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Redis stores for `describeAdapterConformance`: one shared connection for the test
 * file (closed after it), a key prefix of its own per test, cleared after each test.
 */
export function redisConformanceStores(name: string): {
  createStore: () => RedisStore;
  cleanup: (store: RedisStore) => Promise<void>;
} {
  const redis = new Redis(testRedisUrl);
  afterAll(async () => {
    await redis.quit();
  });
  return {
    createStore: () => createRedisStore({ client: redis, prefix: `test:${name}:${randomBytes(4).toString('hex')}:` }),
    cleanup: async (store) => {
      await store.clear();
    },
  };
}

/** Where each runtime's npm package keeps its binary. */
const RUNTIME_BINARIES = {
  bun: join('bin', 'bun.exe'),
  deno: 'deno',
} as const;

/**
 * The binary of the `bun` or `deno` npm package as resolved from `fromUrl` (pass
 * `import.meta.url`). Both packages put their binary in place in a postinstall script,
 * which pnpm runs only for packages listed in `onlyBuiltDependencies`: a missing binary
 * throws an error that says so, instead of a bare spawn ENOENT.
 */
export function runtimeBinary(runtime: keyof typeof RUNTIME_BINARIES, fromUrl: string): string {
  const require = createRequire(fromUrl);
  const file = join(dirname(require.resolve(`${runtime}/package.json`)), RUNTIME_BINARIES[runtime]);
  if (!existsSync(file)) {
    throw new Error(
      `The ${runtime} binary is missing at ${file}: its postinstall script did not run. ` +
        `List ${runtime} under onlyBuiltDependencies in pnpm-workspace.yaml and install again.`,
    );
  }
  return file;
}
