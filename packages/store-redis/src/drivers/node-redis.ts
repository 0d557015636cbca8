/** The node-redis driver (`redis` 5 and 6): a client from `createClient` or a cluster from `createCluster`. */
import { PACKAGE } from '../engine';
import type { DriverContext, RedisCommandPort, RedisDriver, RedisScanNode } from '../port';
import { type EventSource, readyWaiter } from './ready';

/** What the store uses of a node-redis client (`createClient()`), connected by you with `connect()`. */
export interface NodeRedisClient extends EventSource {
  sendCommand(args: string[]): Promise<unknown>;
  readonly isOpen: boolean;
  readonly isReady: boolean;
}

/** What the store uses of a node-redis cluster (`createCluster()`), connected by you with `connect()`. */
export interface NodeRedisCluster extends EventSource {
  sendCommand(firstKey: string | undefined, isReadonly: boolean | undefined, args: string[]): Promise<unknown>;
  readonly isOpen: boolean;
  readonly masters: readonly object[];
  // biome-ignore lint/suspicious/noExplicitAny: node-redis's own node type, which differs between majors.
  nodeClient(node: any): Promise<NodeRedisClient> | NodeRedisClient;
  readonly _options?: { readonly defaults?: { readonly disableOfflineQueue?: boolean } };
}

export type NodeRedis = NodeRedisClient | NodeRedisCluster;

function isCluster(client: NodeRedis): client is NodeRedisCluster {
  return typeof (client as NodeRedisCluster).nodeClient === 'function';
}

export const nodeRedisDriver: RedisDriver<NodeRedis> = {
  name: 'node-redis',
  accepts: 'a node-redis (`redis` 5 or 6) `createClient()` or `createCluster()`',
  transport: 'tcp',
  matches(value): value is NodeRedis {
    const client = value as Partial<NodeRedisClient> & { evalSha?: unknown };
    return typeof client.sendCommand === 'function' && typeof client.isOpen === 'boolean' && typeof client.evalSha === 'function';
  },
  createPort: (client, context) => (isCluster(client) ? clusterPort(client, context) : clientPort(client)),
};

type Send = (firstKey: string, args: string[]) => Promise<unknown>;

/** The commands, the same on a client and a cluster: only how a command is sent differs. */
function commands(send: Send): Omit<RedisCommandPort, 'driver' | 'cluster' | 'whenReady' | 'describeState' | 'scanNodes'> {
  return {
    get: (key) => send(key, ['GET', key]) as Promise<string | null>,
    getRange: (key, start, end) => send(key, ['GETRANGE', key, String(start), String(end)]) as Promise<string>,
    set: async (key, value, expiresAtMs) => {
      await send(key, ['SET', key, value, 'PXAT', String(expiresAtMs)]);
    },
    del: (key) => send(key, ['DEL', key]) as Promise<number>,
    evalSha: (sha, keys, args) => send(keys[0]!, ['EVALSHA', sha, String(keys.length), ...keys, ...args]),
    eval: (lua, keys, args) => send(keys[0]!, ['EVAL', lua, String(keys.length), ...keys, ...args]),
    zRangeByScore: (key, min, max) => send(key, ['ZRANGEBYSCORE', key, String(min), String(max)]) as Promise<string[]>,
    zRem: (key, members) => send(key, ['ZREM', key, ...members]) as Promise<number>,
  };
}

function scanNode(client: () => Promise<NodeRedisClient> | NodeRedisClient): RedisScanNode {
  return {
    async scan(cursor, match, count, type) {
      const args = ['SCAN', cursor, 'MATCH', match, 'COUNT', String(count)];
      if (type) args.push('TYPE', type);
      const [next, keys] = (await (await client()).sendCommand(args)) as [string, string[]];
      return { cursor: String(next), keys };
    },
  };
}

function clientPort(client: NodeRedisClient): RedisCommandPort {
  return {
    driver: 'node-redis',
    cluster: false,
    // node-redis rejects the commands in flight when a connection drops (it never re-sends
    // them); waiting for `ready` keeps the rest out of its offline queue.
    whenReady: readyWaiter(client, { isReady: () => client.isReady, isEnded: () => false }),
    describeState: () =>
      `node-redis client ${client.isReady ? 'ready' : client.isOpen ? 'reconnecting' : 'not open: call `await client.connect()`'}`,
    ...commands((_key, args) => client.sendCommand(args)),
    scanNodes: () => [scanNode(() => client)],
  };
}

function clusterPort(cluster: NodeRedisCluster, context: DriverContext): RedisCommandPort {
  if (cluster._options?.defaults?.disableOfflineQueue !== true) {
    context.notice(
      `${PACKAGE}: the node-redis cluster queues commands for a node that is reconnecting and sends them later, ` +
        'possibly after the store answered 503, which can roll sessions back. Create it with ' +
        '`defaults: { disableOfflineQueue: true }`; see "Failover" in the @sess/store-redis README.',
    );
  }
  return {
    driver: 'node-redis',
    cluster: true,
    whenReady: readyWaiter(cluster, { isReady: () => cluster.isOpen, isEnded: () => false }, 'connect'),
    describeState: () => `node-redis cluster ${cluster.isOpen ? 'open' : 'not open: call `await cluster.connect()`'}`,
    ...commands((key, args) => cluster.sendCommand(key, false, args)),
    scanNodes: () => cluster.masters.map((master) => scanNode(() => cluster.nodeClient(master))),
  };
}
