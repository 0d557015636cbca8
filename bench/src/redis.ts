/**
 * The benchmark's private redis-server (never the shared one: its command counts must
 * be ours alone) and the two ways it is counted.
 */
import { Redis } from 'ioredis';
import { startRedisServer } from '../../packages/store-redis/test/redis-server';

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

export function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

export interface CommandMonitor {
  /** Runs `work` and counts what clients sent meanwhile, apart from what scripts ran inside Redis. */
  count(work: () => Promise<void>): Promise<{ sent: Record<string, number>; inScripts: number }>;
  close(): Promise<void>;
}

/**
 * Counts commands exactly with MONITOR, which tells client commands from script ones
 * (`INFO commandstats` lumps them). MONITOR slows Redis down, so it only runs outside
 * the timed windows.
 */
export async function commandMonitor(port: number): Promise<CommandMonitor> {
  const admin = new Redis({ port, host: '127.0.0.1' });
  const monitored = new Redis({ port, host: '127.0.0.1' });
  const monitor = await monitored.monitor();
  let counts = { sent: {} as Record<string, number>, inScripts: 0 };
  let marker: { text: string; seen: () => void } | undefined;
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    const name = args[0]?.toLowerCase() ?? '';
    if (name === 'echo' && marker !== undefined && args[1] === marker.text) return marker.seen();
    if (source === 'lua') counts.inScripts++;
    else counts.sent[name] = (counts.sent[name] ?? 0) + 1;
  });
  let markers = 0;
  /** MONITOR reports in order: once our marker shows up, everything sent before it has. */
  async function flush(): Promise<void> {
    const text = `bench-marker-${markers++}`;
    const seen = new Promise<void>((resolve) => {
      marker = { text, seen: resolve };
    });
    await admin.echo(text);
    await seen;
  }
  return {
    async count(work) {
      await flush();
      counts = { sent: {}, inScripts: 0 };
      await work();
      await flush();
      return counts;
    },
    async close() {
      monitor.disconnect();
      monitored.disconnect();
      await admin.quit();
    },
  };
}
