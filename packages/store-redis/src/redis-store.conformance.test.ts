import { describeStoreConformance } from '@sess/core/testing';
import { afterAll, inject } from 'vitest';
import { type ConnectedClient, tcpDrivers, uniquePrefix } from '../test/clients';
import { createRedisStore, type RedisClientLike, type RedisStore } from './redis-store';

// The whole contract on every TCP driver and topology, each test named after both.
const stores: RedisStore<RedisClientLike>[] = [];
const connections: ConnectedClient[] = [];
afterAll(async () => {
  // Leave nothing behind on a shared REDIS_URL server.
  await Promise.all(stores.map((store) => store.clear()));
  await Promise.all(connections.map((connection) => connection.close()));
});

for (const driver of tcpDrivers) {
  const targets = [
    ['Redis single node', await driver.single(inject('redisUrl'))],
    ['Redis Cluster (3 masters)', await driver.cluster(inject('redisClusterPorts'))],
  ] as const;
  for (const [topology, connection] of targets) {
    connections.push(connection);
    const { client } = connection;
    // One store each: every conformance test uses keys and user ids of its own.
    const store = createRedisStore({ client, prefix: uniquePrefix('conformance') });
    const sizeLimitedPrefix = uniquePrefix('conformance-size');
    stores.push(store, createRedisStore({ client, prefix: sizeLimitedPrefix }));
    describeStoreConformance(`${topology}, ${driver.name}`, {
      createStore: () => store,
      createSizeLimitedStore: ({ maxSizeBytes }) => createRedisStore({ client, prefix: sizeLimitedPrefix, maxSizeBytes }),
    });
  }
}
