/** Clients for the servers the global setup started, and a key prefix per test file. */
import { randomBytes } from 'node:crypto';
import * as ioredis6 from 'ioredis';
import * as ioredis5 from 'ioredis5';
import * as nodeRedis5 from 'redis';
import * as nodeRedis6 from 'redis6';
import { inject } from 'vitest';
import type { RedisClientLike } from '../src/redis-store';

/** A prefix no other test uses, so tests can share one server and run in parallel. */
export function uniquePrefix(label: string): string {
  return `test:${label}:${randomBytes(4).toString('hex')}:`;
}

export function singleNodeClient(): ioredis6.Redis {
  return new ioredis6.Redis(inject('redisUrl'));
}

export function clusterClient(): ioredis6.Cluster {
  return new ioredis6.Cluster(inject('redisClusterPorts').map((port) => ({ host: '127.0.0.1', port })));
}

/** A client of one TCP driver, connected, and how to let it go. */
export interface ConnectedClient {
  readonly client: RedisClientLike;
  close(): Promise<void>;
}

/** One client library at one major, able to connect to a single node (by URL) and to a cluster (by ports). */
export interface TcpDriverUnderTest {
  /** For test names: `'ioredis 6'`, `'node-redis 5'`, ... */
  readonly name: string;
  single(url: string): Promise<ConnectedClient>;
  cluster(ports: readonly number[]): Promise<ConnectedClient>;
}

const ioredis = (name: string, lib: typeof ioredis6): TcpDriverUnderTest => ({
  name,
  async single(url) {
    // The settings the README recommends (see "Failover").
    const client = new lib.Redis(url, { autoResendUnfulfilledCommands: false });
    return { client, close: async () => void (await client.quit()) };
  },
  async cluster(ports) {
    const client = new lib.Cluster(
      ports.map((port) => ({ host: '127.0.0.1', port })),
      { retryDelayOnFailover: 0, redisOptions: { autoResendUnfulfilledCommands: false } },
    );
    return { client, close: async () => void (await client.quit()) };
  },
});

const nodeRedis = (name: string, lib: typeof nodeRedis5): TcpDriverUnderTest => ({
  name,
  async single(url) {
    const client = await lib
      .createClient({ url })
      .on('error', () => {})
      .connect();
    return { client: client as unknown as RedisClientLike, close: async () => void (await client.close()) };
  },
  async cluster(ports) {
    const cluster = lib.createCluster({
      rootNodes: ports.map((port) => ({ url: `redis://127.0.0.1:${port}` })),
      defaults: { disableOfflineQueue: true },
    });
    cluster.on('error', () => {});
    await cluster.connect();
    return { client: cluster as unknown as RedisClientLike, close: async () => void (await cluster.close()) };
  },
});

/** Every TCP driver the store supports, each major the peer ranges allow. */
export const tcpDrivers: readonly TcpDriverUnderTest[] = [
  ioredis('ioredis 6', ioredis6),
  ioredis('ioredis 5', ioredis5 as unknown as typeof ioredis6),
  nodeRedis('node-redis 5', nodeRedis5),
  nodeRedis('node-redis 6', nodeRedis6 as unknown as typeof nodeRedis5),
];
