/**
 * The benchmark's private redis-server (never the shared one: its command counts must
 * be ours alone) and the two ways it is counted.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

const STARTUP_TIMEOUT_MS = 10_000;

export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  /** Kills the process and removes its working directory. */
  stop(): Promise<void>;
}

/** A free loopback port, asked of the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function pingOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (chunk) => {
      socket.destroy();
      resolve(chunk.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Starts `redis-server` on a free loopback port, without persistence. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sess-bench-redis-'));
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (!(await pingOnce(port))) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`redis-server on port ${port} did not answer PING within ${STARTUP_TIMEOUT_MS} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
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
