/** koa-redis 4 ships no types: the part the benchmark uses. */
declare module 'koa-redis' {
  interface KoaRedisStore {
    get(key: string): Promise<unknown>;
    set(key: string, value: unknown, maxAgeMs?: number): Promise<void>;
    destroy(key: string): Promise<void>;
    quit(): Promise<void>;
  }
  export default function redisStore(options: { url?: string; [option: string]: unknown }): KoaRedisStore;
}
