import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDemoStore, type StartDemo } from '@sess/demo-kit';

/** The app's folder. */
export const APP_DIR = fileURLToPath(new URL('..', import.meta.url));
const REPO_DIR = join(APP_DIR, '../..');
const NEXT_BIN = createRequire(join(APP_DIR, 'package.json')).resolve('next/dist/bin/next');
const BUILD_ID = join(APP_DIR, '.next/BUILD_ID');
/** What the build compiles: a change here makes `ensureBuilt` build again. */
const SOURCES = [
  join(APP_DIR, 'app'),
  join(APP_DIR, 'src'),
  join(APP_DIR, 'proxy.ts'),
  join(APP_DIR, 'next.config.mjs'),
  join(REPO_DIR, 'packages/core/src'),
  join(REPO_DIR, 'packages/next/src'),
  join(REPO_DIR, 'packages/store-redis/src'),
  join(REPO_DIR, 'apps/demo-kit/src'),
];
const READY_TIMEOUT_MS = 45_000;
/** Next's environment for every command: no telemetry (CI has no network for it anyway). */
const NEXT_ENV = { NEXT_TELEMETRY_DISABLED: '1' };

/**
 * Runs `next build` unless `.next` holds a build newer than every source it compiles.
 * Resolves whether it built and how long it took.
 */
export async function ensureBuilt(options: { quiet?: boolean } = {}): Promise<{ built: boolean; ms: number }> {
  if (existsSync(BUILD_ID) && newestSourceMs() < statSync(BUILD_ID).mtimeMs) return { built: false, ms: 0 };
  const startedMs = performance.now();
  const child = spawn(process.execPath, [NEXT_BIN, 'build'], {
    cwd: APP_DIR,
    env: { ...process.env, ...NEXT_ENV, NODE_ENV: 'production' },
    stdio: options.quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
  });
  const output = collect(child);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`next build failed (exit code ${code}).\n${output()}`);
  return { built: true, ms: Math.round(performance.now() - startedMs) };
}

/**
 * Starts the demo the way `pnpm start` runs it: the production build under `next start`,
 * its store chosen now from `config` (memory, or Redis with `redisUrl`). Builds first when
 * the build is missing or stale.
 */
export const start: StartDemo = async (config, options = {}) => {
  await ensureBuilt();
  const port = config.port === 0 ? await freePort(config.host) : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  const child = spawn(process.execPath, [NEXT_BIN, 'start', '--port', String(port), '--hostname', config.host], {
    cwd: APP_DIR,
    env: {
      ...process.env,
      ...NEXT_ENV,
      NODE_ENV: 'production',
      // `next start` forces NODE_ENV=production; the demo reads this one for its own rules (secure cookies).
      SESS_DEMO_NODE_ENV: config.production ? 'production' : 'development',
      SESSION_SECRET: config.secret,
      REDIS_URL: config.redisUrl ?? '',
      REDIS_PREFIX: config.redisPrefix,
      SESS_REDIS_DRIVER: config.redisUrl === undefined && config.upstashRest === undefined ? '' : config.redisDriver,
      UPSTASH_REDIS_REST_URL: config.upstashRest?.url ?? '',
      UPSTASH_REDIS_REST_TOKEN: config.upstashRest?.token ?? '',
      SESSION_COOKIE_NAME: config.cookieName,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = collect(child, (line) => {
    // The app's own lines (store outages) still reach the console.
    if (!/^\s*(▲|✓|-|$)/.test(line)) process.stderr.write(`[next-demo] ${line}\n`);
  });
  const demoStore = createDemoStore(config, { clearOnClose: options.clearStoreOnClose });
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await demoStore.close();
    })();
    return closing;
  };
  try {
    await waitUntilReady(url, child, output);
  } catch (error) {
    await close();
    throw error;
  }
  return { url, storeMode: demoStore.mode, storeDescription: demoStore.description, close };
};

async function waitUntilReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadlineMs = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadlineMs) {
    if (child.exitCode !== null) throw new Error(`next start exited with code ${child.exitCode}.\n${output()}`);
    try {
      const response = await fetch(new URL('/api/session', url), { signal: AbortSignal.timeout(2000) });
      await response.body?.cancel();
      // Any answer means the server is up (a 503 is a store outage, which some tests want).
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`next start did not answer within ${READY_TIMEOUT_MS} ms.\n${output()}`);
}

/** Keeps the last lines a child wrote, for error messages; `onLine` sees each line. */
function collect(child: ChildProcess, onLine?: (line: string) => void): () => string {
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) {
        if (line === '') continue;
        lines.push(line);
        if (lines.length > 200) lines.shift();
        onLine?.(line);
      }
    });
  }
  return () => lines.join('\n');
}

function newestSourceMs(): number {
  let newest = 0;
  const visit = (path: string) => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path)) if (entry !== 'node_modules') visit(join(path, entry));
    } else if (!path.endsWith('.test.ts')) newest = Math.max(newest, stat.mtimeMs);
  };
  for (const source of SOURCES) visit(source);
  return newest;
}

/** A port nothing listens on now: `next start` needs a number, not 0. */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
