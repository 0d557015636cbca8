/**
 * The drivers `createRedisStore({ client })` chooses from, by the client's shape. A new
 * driver is one file in this folder and one entry here.
 */
import { PACKAGE } from '../engine';
import type { RedisDriver } from '../port';
import { type BunRedisClient, bunDriver } from './bun';
import { type IoredisClient, ioredisDriver } from './ioredis';
import { type NodeRedis, nodeRedisDriver } from './node-redis';
import { type UpstashClient, upstashDriver } from './upstash';

/** Every client `createRedisStore` accepts as `client`. */
export type RedisClientLike = IoredisClient | NodeRedis | UpstashClient | BunRedisClient;

export const drivers: readonly RedisDriver[] = [
  ioredisDriver as RedisDriver,
  nodeRedisDriver as RedisDriver,
  upstashDriver as RedisDriver,
  bunDriver as RedisDriver,
];

/** The driver of `client`, or a `TypeError` listing what is accepted. */
export function driverFor(client: unknown): RedisDriver {
  const driver = typeof client === 'object' && client !== null ? drivers.find((d) => d.matches(client)) : undefined;
  if (driver === undefined) {
    throw new TypeError(
      `${PACKAGE}: option \`client\` must be one of: ${drivers.map((d) => d.accepts).join('; ')} (got ${describe(client)}).`,
    );
  }
  if (driver.transport === 'tcp' && onWorkerd()) throw tcpOnWorkerd(driver.name);
  return driver;
}

/** Issue 14, point 10: on workerd a socket cannot serve another request, so a TCP client fails slowly there. */
export function onWorkerd(): boolean {
  return (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent === 'Cloudflare-Workers';
}

export function tcpOnWorkerd(name: string): TypeError {
  return new TypeError(
    `${PACKAGE}: ${name} cannot serve sessions on Cloudflare Workers: a TCP socket there belongs to the request ` +
      'that opened it, so a store shared across requests fails every call after the first request. ' +
      'Use the HTTP driver: `createRedisStore({ client: new Redis({ url, token }) })` with `@upstash/redis`.',
  );
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  const name = (value as object).constructor?.name;
  return name && name !== 'Object' ? `an instance of ${name}` : 'a plain object';
}
