/*
 * Runs a suite inside Bun, Deno and workerd and collects each case's result, for a
 * vitest file on Node to declare as tests (`declareRuntimeRuns`).
 *
 * Why not each runtime's own test runner: vitest does not run inside workerd, `bun test`
 * maps vitest imports to bun:test with its own matchers, and vitest under Deno depends
 * on Deno's node:worker_threads. One bundle per platform, with `vitest` replaced by a
 * small host that uses vitest's own `expect` (vitest-host.ts), runs the same source the
 * same way everywhere. The runtimes come from the npm packages `bun`, `deno` and
 * `miniflare` (workerd): nothing downloads. @sess/hono and @sess/store-redis run their suites through it.
 */
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { Miniflare, type WorkerOptions } from 'miniflare';
import { sourceAliases } from '../../../../vitest.shared.ts';
import { runtimeBinary } from '../index';
import { RESULTS_MARKER, type RuntimeTestResult } from './vitest-host';

export type { RuntimeTestResult };
export type Runtime = 'bun' | 'deno' | 'workerd';

/** One runtime's run: its results, or why there are none. */
export interface RuntimeRun {
  runtime: Runtime;
  version: string;
  results: RuntimeTestResult[];
  /** The run itself failed (crash, timeout, unreadable output): what it printed. */
  failure?: string;
  durationMs: number;
}

export interface RuntimeMatrixOptions {
  /** Run by Bun and Deno (Node built-ins there): ends with `printResults(await runCollected())` (from the host). */
  serverEntry: string;
  /** Run by workerd: a module worker whose `fetch(request, env)` answers the results as JSON. */
  workerEntry: string;
  /** A folder of the caller's for the bundles (under its `node_modules/.cache`). */
  outDir: string;
  /** Environment for Bun and Deno; text bindings (`env.NAME`) for workerd. */
  env: Record<string, string>;
  /** Imports the runtime itself provides (`bun`). */
  external?: string[];
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const require = createRequire(import.meta.url);
/** A whole suite run in one runtime, Redis included, on a busy 2-core machine. */
const RUN_TIMEOUT_MS = 180_000;
/** The newest date the miniflare/workerd in the lockfile knows is fine. */
export const WORKERD_COMPATIBILITY_DATE = '2025-09-01';

/** Resolves the workspace's source aliases and maps `vitest` to the host. */
function sourcesPlugin(): Plugin {
  const aliases = [{ find: /^vitest$/, replacement: here('./vitest-host.ts') }, ...sourceAliases];
  return {
    name: 'sess-sources',
    setup(builder) {
      for (const { find, replacement } of aliases) {
        builder.onResolve({ filter: find }, (args) => ({ path: args.path.replace(find, replacement) }));
      }
    },
  };
}

/**
 * Bundles one entry for a server runtime (Node built-ins available) or for workerd (Web APIs
 * only), with `vitest` mapped to the host; `name` names the output file (default: the target).
 */
export async function bundle(
  entry: string,
  target: 'server' | 'worker',
  options: Pick<RuntimeMatrixOptions, 'outDir' | 'external'> & { name?: string },
): Promise<string> {
  await mkdir(options.outDir, { recursive: true });
  const outfile = join(options.outDir, `${options.name ?? target}.mjs`);
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    target: 'es2022',
    platform: target === 'server' ? 'node' : 'browser',
    conditions: target === 'worker' ? ['workerd', 'worker', 'browser'] : [],
    external: options.external ?? [],
    // ioredis, node-redis and their dependencies are CommonJS and require() Node built-ins.
    banner:
      target === 'server'
        ? {
            js: "import { createRequire as __sessCreateRequire } from 'node:module'; const require = __sessCreateRequire(import.meta.url);",
          }
        : {},
    plugins: [sourcesPlugin()],
    logLevel: 'silent',
    sourcemap: 'inline',
  });
  return outfile;
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string; error?: Error }> {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: RUN_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve(error ? { stdout, stderr, error } : { stdout, stderr });
    });
  });
}

async function runServerRuntime(runtime: 'bun' | 'deno', bundled: string, options: RuntimeMatrixOptions): Promise<RuntimeRun> {
  const startedMs = performance.now();
  const binary = runtimeBinary(runtime, import.meta.url);
  const args =
    runtime === 'bun'
      ? ['run', bundled]
      : // No config or lockfile lookup: the bundle is self-contained; -A for the env and sockets.
        ['run', '--allow-all', '--no-config', '--no-lock', '--quiet', bundled];
  const env = { ...process.env, ...options.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1', DENO_DIR: join(options.outDir, 'deno') };
  const [versionOutput, output] = await Promise.all([run(binary, ['--version'], process.env), run(binary, args, env)]);
  const version = versionOutput.stdout.split('\n')[0]?.trim() ?? 'unknown';
  const line = output.stdout.split('\n').find((text) => text.startsWith(RESULTS_MARKER));
  const durationMs = Math.round(performance.now() - startedMs);
  if (line === undefined) {
    const failure = [output.error?.message, output.stderr.trim(), output.stdout.trim()].filter(Boolean).join('\n');
    return { runtime, version, results: [], failure, durationMs };
  }
  return { runtime, version, results: JSON.parse(line.slice(RESULTS_MARKER.length)) as RuntimeTestResult[], durationMs };
}

/** The workerd that miniflare runs, as the runs name it (`workerd 1.2026...`). */
export function workerdVersion(): string {
  const manifest = require(join(dirname(require.resolve('miniflare/package.json')), 'package.json')) as {
    dependencies: { workerd: string };
  };
  return `workerd ${manifest.dependencies.workerd}`;
}

/**
 * Serves a bundled module worker in workerd (Miniflare) as a deployed Worker runs: one
 * isolate for every request, `bindings` as text bindings (`env.NAME`); `options` adds
 * Miniflare worker options (`durableObjects`). `dispose()` it after.
 */
export async function startWorker(
  scriptPath: string,
  bindings: Record<string, string> = {},
  options: Pick<WorkerOptions, 'durableObjects'> = {},
): Promise<Miniflare> {
  const mf = new Miniflare({ modules: true, scriptPath, compatibilityDate: WORKERD_COMPATIBILITY_DATE, bindings, ...options });
  await mf.ready;
  return mf;
}

async function runWorkerd(bundled: string, options: RuntimeMatrixOptions): Promise<RuntimeRun> {
  const startedMs = performance.now();
  const version = workerdVersion();
  let mf: Miniflare | undefined;
  try {
    mf = await startWorker(bundled, options.env);
    const res = await mf.dispatchFetch('http://suite.test/run');
    const text = await res.text();
    const durationMs = Math.round(performance.now() - startedMs);
    if (!res.ok) return { runtime: 'workerd', version, results: [], failure: text, durationMs };
    return { runtime: 'workerd', version, results: JSON.parse(text) as RuntimeTestResult[], durationMs };
  } catch (error) {
    const failure = error instanceof Error ? (error.stack ?? error.message) : String(error);
    return { runtime: 'workerd', version, results: [], failure, durationMs: 0 };
  } finally {
    await mf?.dispose();
  }
}

/** Bundles both entries and runs them in Bun, Deno and workerd, one after the other (suites have timing bounds). */
export async function runRuntimeMatrix(options: RuntimeMatrixOptions): Promise<RuntimeRun[]> {
  const [server, worker] = await Promise.allSettled([
    bundle(options.serverEntry, 'server', options),
    bundle(options.workerEntry, 'worker', options),
  ]);
  const unbuilt = (runtime: Runtime, reason: unknown): RuntimeRun => ({
    runtime,
    version: 'not started',
    results: [],
    failure: `the suite did not bundle: ${reason instanceof Error ? reason.message : String(reason)}`,
    durationMs: 0,
  });
  const runs: RuntimeRun[] = [];
  for (const runtime of ['bun', 'deno'] as const) {
    runs.push(server.status === 'fulfilled' ? await runServerRuntime(runtime, server.value, options) : unbuilt(runtime, server.reason));
  }
  runs.push(worker.status === 'fulfilled' ? await runWorkerd(worker.value, options) : unbuilt('workerd', worker.reason));
  return runs;
}
