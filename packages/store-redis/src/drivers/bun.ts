/**
 * The driver for Bun's built-in `RedisClient` (`import { RedisClient } from 'bun'`):
 * RESP3, one connection, auto-pipelining (calls of one tick go out together). It has
 * no Cluster and no Sentinel support, so neither does this driver: use ioredis or
 * node-redis under Bun for those. Every command goes through `send`, so the engine
 * sees Redis's replies as they are.
 */
import type { RedisCommandPort, RedisDriver } from '../port';
import { replyReaders } from './replies';

/** The part of Bun's `RedisClient` the driver uses. */
export interface BunRedisClient {
  send(command: string, args: string[]): Promise<unknown>;
  connect(): Promise<void>;
  readonly connected: boolean;
  readonly bufferedAmount: number;
}

const { asString, asNumber, asStrings } = replyReaders("Bun's RedisClient");

/** How often a wait for a reconnect looks at `connected`. */
const READY_POLL_MS = 25;

export const bunDriver: RedisDriver<BunRedisClient> = {
  name: 'bun',
  accepts: "Bun's built-in client (new RedisClient(url) from 'bun'; single node only)",
  transport: 'tcp',
  matches(value): value is BunRedisClient {
    const candidate = value as Partial<BunRedisClient>;
    // `bufferedAmount` is Bun's own; ioredis and node-redis have no such property.
    return (
      typeof candidate.send === 'function' &&
      typeof candidate.connect === 'function' &&
      'bufferedAmount' in value &&
      typeof candidate.connected === 'boolean'
    );
  },
  createPort(client, context): RedisCommandPort {
    let waiting: Promise<void> | undefined;
    let seenConnected = false;
    const send = (command: string, ...args: string[]) => client.send(command, args);
    const script = (head: string[], keys: readonly string[], args: readonly string[]) =>
      client.send(head[0]!, [...head.slice(1), String(keys.length), ...keys, ...args]);
    /**
     * The client connects on its first command and reconnects by itself after an
     * outage, but has no events to wait on (only single `onconnect`/`onclose` slots,
     * which are the application's). So: `connect()` once for a client never connected,
     * otherwise watch `connected`, and give up after the store's bound. A client the
     * application closed stays closed: the store never reopens it.
     */
    async function waitForConnection(): Promise<void> {
      if (!seenConnected) {
        await client.connect();
        return;
      }
      const deadlineMs = Date.now() + context.operationTimeoutMs;
      while (!client.connected) {
        if (Date.now() >= deadlineMs) throw new Error("Bun's RedisClient did not reconnect (closed, or Redis is away)");
        await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
      }
    }
    return {
      driver: 'bun',
      cluster: false,
      whenReady() {
        if (client.connected) {
          seenConnected = true;
          return undefined;
        }
        waiting ??= waitForConnection().finally(() => {
          waiting = undefined;
        });
        return waiting;
      },
      describeState: () => `connected: ${client.connected}`,
      get: async (key) => {
        const value = await send('GET', key);
        return value === null ? null : asString(value);
      },
      getRange: async (key, start, end) => asString(await send('GETRANGE', key, String(start), String(end))),
      set: async (key, value, expiresAtMs) => {
        asString(await send('SET', key, value, 'PXAT', String(expiresAtMs)));
      },
      del: async (key) => asNumber(await send('DEL', key)),
      evalSha: (sha, keys, args) => script(['EVALSHA', sha], keys, args),
      eval: (lua, keys, args) => script(['EVAL', lua], keys, args),
      zRangeByScore: async (key, min, max) => asStrings(await send('ZRANGEBYSCORE', key, String(min), String(max))),
      zRem: async (key, members) => asNumber(await send('ZREM', key, ...members)),
      scanNodes: () => [
        {
          async scan(cursor, match, count, type) {
            const reply = await send('SCAN', cursor, 'MATCH', match, 'COUNT', String(count), ...(type ? ['TYPE', type] : []));
            if (!Array.isArray(reply) || reply.length !== 2) {
              throw new Error("@sess/store-redis: Bun's RedisClient sent a malformed SCAN reply");
            }
            return { cursor: String(reply[0]), keys: asStrings(reply[1]) };
          },
        },
      ],
    };
  },
};
