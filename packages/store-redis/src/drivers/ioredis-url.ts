/**
 * The client the store creates from `url`: ioredis, tuned to fail fast. ioredis is an
 * optional peer dependency, so it is loaded only here, when a store is made from a URL:
 * an app on node-redis or HTTP never needs it installed, and a bundle for workerd
 * never contains it.
 */
import { invalidOption } from '@sess/core/store';
import type * as Ioredis from 'ioredis';
import { PACKAGE } from '../engine';

type NodeModule = { createRequire(from: string): (id: string) => unknown };

function loadIoredis(): typeof Ioredis {
  const runtime = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const nodeModule = runtime?.getBuiltinModule?.('node:module') as NodeModule | undefined;
  try {
    if (nodeModule === undefined) throw new Error('no process.getBuiltinModule');
    return nodeModule.createRequire(import.meta.url)('ioredis') as typeof Ioredis;
  } catch (error) {
    return invalidOption(
      PACKAGE,
      'url',
      `given with ioredis installed (\`npm install ioredis\`; loading it failed: ${(error as Error).message}), or pass \`client\` (a node-redis or @upstash/redis client)`,
    );
  }
}

export function createIoredisClient(url: string, redisOptions: Ioredis.RedisOptions, operationTimeoutMs: number): Ioredis.Redis {
  const { Redis } = loadIoredis();
  const client = new Redis(url, {
    connectTimeout: operationTimeoutMs,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    // With `sentinels` in redisOptions: leave a master that hangs as soon as Sentinel switches (issue 14, point 19).
    failoverDetector: true,
    ...redisOptions,
  });
  // Connection errors surface on the store calls they fail; the event would only log.
  client.on('error', () => {});
  return client;
}
