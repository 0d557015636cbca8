export {
  createRedisStore,
  type NodeRedisClient,
  type NodeRedisCluster,
  type RedisClientLike,
  type RedisStore,
  type RedisStoreOptions,
} from './redis-store';
export type { DriverContext, RedisCommandPort, RedisDriver, RedisScanNode } from './port';
