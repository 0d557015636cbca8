import { describeStoreConformance } from '@sess/core/testing';
import { afterAll } from 'vitest';
import { clusterClient, singleNodeClient, uniquePrefix } from '../test/clients';
import { createRedisStore } from './redis-store';

const single = singleNodeClient();
const cluster = clusterClient();
// One store each: every conformance test uses keys and user ids of its own.
const singleStore = createRedisStore({ client: single, prefix: uniquePrefix('conformance') });
const clusterStore = createRedisStore({ client: cluster, prefix: uniquePrefix('conformance') });
const sizeLimitedPrefix = uniquePrefix('conformance-size');
const limited = (client: typeof single | typeof cluster) => ({ maxSizeBytes }: { maxSizeBytes: number }) =>
  createRedisStore({ client, prefix: sizeLimitedPrefix, maxSizeBytes });
afterAll(async () => {
  // Leave nothing behind on a shared REDIS_URL server.
  await Promise.all([singleStore.clear(), clusterStore.clear(), limited(single)({ maxSizeBytes: 1 }).clear(), limited(cluster)({ maxSizeBytes: 1 }).clear()]);
  await Promise.all([single.quit(), cluster.quit()]);
});

describeStoreConformance('Redis single node', { createStore: () => singleStore, createSizeLimitedStore: limited(single) });
describeStoreConformance('Redis Cluster (3 masters)', { createStore: () => clusterStore, createSizeLimitedStore: limited(cluster) });
