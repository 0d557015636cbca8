/**
 * Starts the Redis servers the tests share, once per run: a single node (or
 * `REDIS_URL` when given) and a real 3-master cluster. Tests read them with `inject`.
 */
import type { TestProject } from 'vitest/node';
// By path: @sess/test-kit depends on this package, so a dev dependency back would be a cycle.
import { type RedisCluster, type RedisServer, startRedisCluster, startRedisServer } from '../../test-kit/src/redis/index';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A single Redis node for tests that share it (each uses keys of its own). */
    redisUrl: string;
    /** The ports of a 3-master Redis Cluster on 127.0.0.1. */
    redisClusterPorts: number[];
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let single: RedisServer | undefined;
  let cluster: RedisCluster | undefined;
  try {
    const fromEnv = process.env.REDIS_URL;
    if (!fromEnv) single = await startRedisServer();
    cluster = await startRedisCluster();
    project.provide('redisUrl', fromEnv || single!.url);
    project.provide('redisClusterPorts', cluster.ports);
  } catch (error) {
    await Promise.all([single?.dispose(), cluster?.stop()]);
    throw error;
  }
  return async () => {
    await Promise.all([single?.dispose(), cluster?.stop()]);
  };
}
