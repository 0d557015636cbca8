export type { BunRedisClient } from './drivers/bun';
export type { IoredisClient } from './drivers/ioredis';
export type { NodeRedis } from './drivers/node-redis';
export type { EventSource } from './drivers/ready';
export type { UpstashClient } from './drivers/upstash';
export type { RedisSessionEngine } from './engine';
export type { DriverContext, RedisCommandPort, RedisDriver, RedisScanNode } from './port';
export {
  createRedisStore,
  type NodeRedisClient,
  type NodeRedisCluster,
  type RedisClientLike,
  type RedisStore,
  type RedisStoreOptions,
} from './redis-store';
