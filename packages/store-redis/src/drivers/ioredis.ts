/** The ioredis driver (5.4+ and 6): a single node, Sentinel or Cluster client. */
import { invalidOption } from '@sess/core/store';
import type { Cluster, Redis, RedisOptions } from 'ioredis';
import { PACKAGE } from '../engine';
import type { DriverContext, RedisCommandPort, RedisDriver, RedisScanNode } from '../port';
import { readyWaiter } from './ready';

/** An ioredis `Redis` (plain or Sentinel) or `Cluster`. */
export type IoredisClient = Redis | Cluster;

export const ioredisDriver: RedisDriver<IoredisClient> = {
  name: 'ioredis',
  accepts: 'an ioredis `new Redis(...)` (single node or Sentinel) or `new Cluster(...)`',
  transport: 'tcp',
  matches(value): value is IoredisClient {
    const client = value as Partial<Redis>;
    return typeof client.evalsha === 'function' && typeof client.hgetall === 'function' && typeof client.status === 'string';
  },
  createPort: (client, context) => ioredisPort(client, context, false),
};

/** The port; `owned` when the store created the client and closes it. */
export function ioredisPort(client: IoredisClient, context: DriverContext, owned: boolean): RedisCommandPort {
  const cluster = client.isCluster;
  const nodeOptions: Partial<RedisOptions> = cluster ? ((client as Cluster).options.redisOptions ?? {}) : (client as Redis).options;
  if (client.options.keyPrefix || nodeOptions.keyPrefix) {
    // ioredis would prefix script keys but not SCAN patterns: one prefix, ours.
    invalidOption(PACKAGE, 'client', 'a client without ioredis `keyPrefix` (use the `prefix` option)', 'keyPrefix');
  }
  if (!owned) noticeUnsafeFailover(client, context);
  // Cluster has the same command methods as Redis; one view keeps the calls typed.
  const redis = client as Redis;
  const scanNode = (node: Redis): RedisScanNode => ({
    async scan(cursor, match, count, type) {
      const [next, keys] = type
        ? await node.scan(cursor, 'MATCH', match, 'COUNT', count, 'TYPE', type)
        : await node.scan(cursor, 'MATCH', match, 'COUNT', count);
      return { cursor: next, keys };
    },
  });
  return {
    driver: 'ioredis',
    cluster,
    whenReady: readyWaiter(client, {
      isReady: () => client.status === 'ready',
      isEnded: () => client.status === 'end',
      connect: () => {
        if (client.status === 'wait') client.connect().catch(() => {}); // lazyConnect clients
      },
    }),
    describeState: () => `Redis client status: ${client.status}`,
    get: (key) => redis.get(key),
    getRange: (key, start, end) => redis.getrange(key, start, end),
    set: async (key, value, expiresAtMs) => {
      await redis.set(key, value, 'PXAT', expiresAtMs);
    },
    del: (key) => redis.del(key),
    evalSha: (sha, keys, args) => redis.evalsha(sha, keys.length, ...keys, ...args),
    eval: (lua, keys, args) => redis.eval(lua, keys.length, ...keys, ...args),
    zRangeByScore: (key, min, max) => redis.zrangebyscore(key, min, max),
    zRem: (key, members) => redis.zrem(key, ...members),
    scanNodes: () => (cluster ? (client as Cluster).nodes('master') : [redis]).map(scanNode),
    ...(owned && { close: (timeoutMs: number) => closeIoredis(client, timeoutMs) }),
  };
}

/**
 * Issue 14, point 19: with a master that hangs instead of crashing, these defaults
 * lose acknowledged writes (measured with a real Sentinel and Cluster). Said once per
 * process, with the setting that fixes it.
 */
function noticeUnsafeFailover(client: IoredisClient, context: DriverContext): void {
  const advice = 'see "Failover" in the @sess/store-redis README.';
  if (client.isCluster) {
    const { retryDelayOnFailover, redisOptions } = (client as Cluster).options;
    if (retryDelayOnFailover !== 0 || redisOptions?.autoResendUnfulfilledCommands !== false) {
      context.notice(
        `${PACKAGE}: the ioredis Cluster re-sends commands after a failover, possibly after the store answered 503, ` +
          'which can roll sessions back. Create it with `retryDelayOnFailover: 0` and ' +
          `\`redisOptions: { autoResendUnfulfilledCommands: false }\`; ${advice}`,
      );
    }
    return;
  }
  const options = (client as Redis).options as RedisOptions & { sentinels?: unknown; failoverDetector?: boolean };
  if (options.sentinels && options.failoverDetector !== true) {
    context.notice(
      `${PACKAGE}: the ioredis Sentinel client stays on a master that hangs, whose acknowledged writes are lost when ` +
        `Sentinel demotes it. Create it with \`failoverDetector: true\`; ${advice}`,
    );
  }
  if (options.autoResendUnfulfilledCommands !== false) {
    context.notice(
      `${PACKAGE}: the ioredis client re-sends commands in flight after a reconnect, possibly after the store answered ` +
        `503, which can roll sessions back. Create it with \`autoResendUnfulfilledCommands: false\`; ${advice}`,
    );
  }
}

async function closeIoredis(client: IoredisClient, timeoutMs: number): Promise<void> {
  if (client.status === 'end') return;
  // Without a connection there is nothing to wait for, and 'end' may never come.
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const ended = new Promise<void>((resolve) => {
    client.once('end', () => resolve());
    // QUIT lets replies in flight arrive, within the operation bound.
    timer = setTimeout(() => {
      client.disconnect();
      resolve();
    }, timeoutMs);
  });
  await client.quit().catch(() => client.disconnect());
  await ended;
  clearTimeout(timer);
}
