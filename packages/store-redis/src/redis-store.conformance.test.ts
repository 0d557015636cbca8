import { describeStoreConformance } from '@sess/core/testing';
import * as ioredis6 from 'ioredis';
import * as ioredis5 from 'ioredis5';
import { afterAll, inject } from 'vitest';
import { uniquePrefix } from '../test/clients';
import { createRedisStore, type RedisStore } from './redis-store';

// The peer range is `^5.4 || ^6`: the whole contract runs on both majors, each test named after its client.
// The store's option types come from ioredis 6; the ioredis 5 clients have the same shape at run time.
type Clients = { single: ioredis6.Redis; cluster: ioredis6.Cluster };
const clusterNodes = () => inject('redisClusterPorts').map((port) => ({ host: '127.0.0.1', port }));
const majors: [string, () => Clients][] = [
  ['ioredis 6', () => ({ single: new ioredis6.Redis(inject('redisUrl')), cluster: new ioredis6.Cluster(clusterNodes()) })],
  [
    'ioredis 5',
    () => ({
      single: new ioredis5.Redis(inject('redisUrl')) as unknown as ioredis6.Redis,
      cluster: new ioredis5.Cluster(clusterNodes()) as unknown as ioredis6.Cluster,
    }),
  ],
];

const stores: RedisStore<ioredis6.Redis | ioredis6.Cluster>[] = [];
const clients: { quit(): Promise<unknown> }[] = [];
afterAll(async () => {
  // Leave nothing behind on a shared REDIS_URL server.
  await Promise.all(stores.map((store) => store.clear()));
  await Promise.all(clients.map((client) => client.quit()));
});

for (const [major, connect] of majors) {
  const { single, cluster } = connect();
  clients.push(single, cluster);
  const targets = [
    ['Redis single node', single],
    ['Redis Cluster (3 masters)', cluster],
  ] as const;
  for (const [topology, client] of targets) {
    // One store each: every conformance test uses keys and user ids of its own.
    const store = createRedisStore({ client, prefix: uniquePrefix('conformance') });
    const sizeLimitedPrefix = uniquePrefix('conformance-size');
    stores.push(store, createRedisStore({ client, prefix: sizeLimitedPrefix }));
    describeStoreConformance(`${topology}, ${major}`, {
      createStore: () => store,
      createSizeLimitedStore: ({ maxSizeBytes }) => createRedisStore({ client, prefix: sizeLimitedPrefix, maxSizeBytes }),
    });
  }
}
