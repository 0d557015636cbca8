/** Starting server processes and timing one window of load against one of them. */
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { ChildReply, ChildRequest } from './server-child';
import type { ServerName } from './servers';

const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
const CHILD_START_TIMEOUT_MS = 30_000;

export type Route = 'read' | 'write';
export const ROUTES: readonly Route[] = ['read', 'write'];
const ROUTE_REQUEST = { read: { method: 'GET', path: '/read' }, write: { method: 'POST', path: '/write' } } as const;

export interface ServerProcess {
  readonly name: ServerName;
  /** The name in the report: the server's, with " (at <commit>)" for a baseline one. */
  readonly label: string;
  readonly port: number;
  readonly pid: number;
  /** Sends a request over IPC and resolves its reply. */
  ask(request: DistributiveOmit<ChildRequest, 'id'>): Promise<ChildReply>;
  close(): Promise<void>;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * Forks a server process. The @sess packages are their built `dist/` files, as users
 * run them: tsx (which runs the bench's own TypeScript) wraps every function it
 * compiles in a `__name` call, several µs per request that published code never pays.
 * With `sourceRoot` (a baseline worktree, see baseline.ts) the server and the packages
 * come from there.
 */
export async function startServerProcess(
  name: ServerName,
  redisUrl: string,
  options: { sourceRoot?: string; label?: string; env?: Record<string, string> } = {},
): Promise<ServerProcess> {
  const benchDir = options.sourceRoot ? join(options.sourceRoot, 'bench') : BENCH_DIR;
  assertBuilt(join(benchDir, '..'));
  const child: ChildProcess = fork(join(benchDir, 'src', 'server-child.ts'), [name, redisUrl], {
    cwd: benchDir,
    // Without the workspace's `paths`, @sess/* resolve through node_modules to dist/.
    env: { ...process.env, TSX_TSCONFIG_PATH: join(BENCH_DIR, 'tsconfig.dist.json'), ...options.env },
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, (reply: ChildReply) => void>();
  let nextId = 1;
  // A child that dies fails whatever was asked of it: an unanswered ask kept nothing
  // alive, and the run ended with exit 13 (an unsettled top-level await) before its report.
  child.once('exit', (code, signal) => {
    for (const settle of pending.values()) settle({ id: 0, error: `exited (${signal ?? code}) before answering` });
    pending.clear();
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within ${CHILD_START_TIMEOUT_MS} ms`)), CHILD_START_TIMEOUT_MS);
    child.once('exit', (code) => reject(new Error(`${name} exited with code ${code} while starting`)));
    child.on('message', (message: { type?: string; port?: number } & Partial<ChildReply>) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve(message.port!);
      } else if (typeof message.id === 'number') {
        pending.get(message.id)?.(message as ChildReply);
        pending.delete(message.id);
      }
    });
  });

  function ask(request: DistributiveOmit<ChildRequest, 'id'>): Promise<ChildReply> {
    const id = nextId++;
    if (child.exitCode !== null || child.signalCode !== null) return Promise.reject(new Error(`${name} has exited`));
    return new Promise((resolve, reject) => {
      pending.set(id, (reply) => (reply.error ? reject(new Error(`${name}: ${reply.error}`)) : resolve(reply)));
      child.send({ ...request, id });
    });
  }

  return {
    name,
    label: options.label ?? name,
    port,
    pid: child.pid!,
    ask,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await ask({ type: 'close' }).catch(() => child.kill('SIGKILL'));
      await exited;
    },
  };
}

const BUILT_PACKAGES = ['core', 'store-redis', 'express', 'koa', 'hono'];

function assertBuilt(root: string): void {
  const missing = BUILT_PACKAGES.filter((name) => !existsSync(join(root, 'packages', name, 'dist', 'index.js')));
  if (missing.length > 0) {
    throw new Error(`The benchmark runs the built packages; build ${missing.join(', ')} first: npx -y pnpm@10 build (in ${root})`);
  }
}

export interface LoadOptions {
  port: number;
  route: Route;
  cookie: string;
  durationSeconds: number;
  connections: number;
  /** Stop after this many requests instead of after `durationSeconds` (for very slow requests). */
  amount?: number;
}

export interface LoadResult {
  requests: number;
  requestsPerSecond: number;
  p99Ms: number;
  /** Non-2xx answers, errors and timeouts: any of them makes the window suspect. */
  failures: number;
}

/** One timed window: `load`, with the server process's CPU time over it per completed request. */
export async function timedLoad(server: ServerProcess, options: LoadOptions): Promise<LoadResult & { cpuPerRequestUs: number }> {
  await server.ask({ type: 'cpu-start' });
  const result = await load(options);
  const cpu = await server.ask({ type: 'cpu-stop' });
  return { ...result, cpuPerRequestUs: ((cpu.userUs ?? 0) + (cpu.systemUs ?? 0)) / result.requests };
}

/** autocannon against one route, every request carrying the session cookie. */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const { method, path } = ROUTE_REQUEST[options.route];
  const result = await autocannon({
    url: `http://127.0.0.1:${options.port}${path}`,
    method,
    headers: options.cookie ? { cookie: options.cookie } : {},
    connections: options.connections,
    ...(options.amount === undefined ? { duration: options.durationSeconds } : { amount: options.amount }),
    timeout: 60,
  });
  return {
    requests: result.requests.total,
    // Stopping after `amount`, autocannon still ends on its next whole second: the rate is then
    // what the closed loop of connections sustains, connections over mean latency.
    requestsPerSecond:
      options.amount === undefined ? result.requests.total / result.duration : (options.connections * 1000) / result.latency.mean,
    p99Ms: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}
