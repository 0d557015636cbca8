/**
 * The benchmark's private redis-server (never the shared one: its command counts must
 * be ours alone) and `INFO commandstats`; exact client commands are counted with MONITOR by
 * the tests' counter (`@sess/test-kit`'s src/redis/command-stats.ts).
 */
import type { Redis } from 'ioredis';
import { startRedisServer } from '../../packages/test-kit/src/redis/index';

export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  /** Kills the process and removes its working directory. */
  stop(): Promise<void>;
}

/** Starts `redis-server` on a free loopback port, without persistence (the tests' helper). */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const server = await startRedisServer();
  return { port: server.port, url: server.url, stop: () => server.dispose() };
}

/** Calls per command name from `INFO commandstats`, without our own INFO and CONFIG. */
export async function commandStats(admin: Redis): Promise<Record<string, number>> {
  const text = await admin.info('commandstats');
  const calls: Record<string, number> = {};
  for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    const name = match[1]!;
    if (name === 'info' || name.startsWith('config')) continue;
    calls[name] = Number(match[2]);
  }
  return calls;
}

/** The redis-server's own CPU time so far (user + system), in µs, from `INFO cpu`. */
export async function redisCpuUs(admin: Redis): Promise<number> {
  const text = await admin.info('cpu');
  const seconds = (name: string) => Number(text.match(new RegExp(`^${name}:([\\d.]+)`, 'm'))?.[1] ?? Number.NaN);
  return (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1e6;
}
