/*
 * Runs the @sess/hono suite (test/suite.ts) inside Bun, Deno and workerd and collects
 * each case's result, for runtimes.test.ts to declare as vitest tests.
 *
 * Why not each runtime's own test runner: vitest does not run inside workerd (the
 * Workers pool runs vitest in Node and only the test body in workerd, with its own
 * config), `bun test` maps vitest imports to bun:test with its own matchers, and
 * vitest under Deno depends on Deno's node:worker_threads. One bundle per platform,
 * with `vitest` replaced by a small host that uses vitest's own `expect`, runs the
 * same source the same way everywhere and reports in one format. The runtimes come
 * from the npm packages `bun`, `deno` and `miniflare` (workerd): nothing downloads.
 */
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { runtimeBinary } from '@sess/test-kit';
import { Miniflare } from 'miniflare';
import { sourceAliases } from '../../../../vitest.shared.ts';
import type { RuntimeTestResult } from '../host/vitest-host';
import { RESULTS_MARKER } from './marker';

export type { RuntimeTestResult };


/** One runtime's run: its results, or why there are none. */
export interface RuntimeRun {
  runtime: 'bun' | 'deno' | 'workerd';
  version: string;
  results: RuntimeTestResult[];
  /** The run itself failed (crash, timeout, unreadable output): what it printed. */
  failure?: string;
  durationMs: number;
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const require = createRequire(import.meta.url);
const packageRoot = here('../../');
const outDir = join(packageRoot, 'node_modules', '.cache', 'runtime-matrix');
/** A whole suite run in one runtime, Redis included, on a busy 2-core machine. */
const RUN_TIMEOUT_MS = 180_000;
/** The newest date the miniflare/workerd in the lockfile knows is fine; features only grow with it. */
export const WORKERD_COMPATIBILITY_DATE = '2025-09-01';

const binaries = {
  bun: runtimeBinary('bun', import.meta.url),
  deno: runtimeBinary('deno', import.meta.url),
};

/** Resolves the workspace's source aliases and maps `vitest` to the host. */
function sourcesPlugin(): Plugin {
  const aliases = [
    { find: /^vitest$/, replacement: here('../host/vitest-host.ts') },
    ...sourceAliases,
  ];
  return {
    name: 'sess-sources',
    setup(builder) {
      for (const { find, replacement } of aliases) {
        // The same regex and `$1` replacement vite applies.
        builder.onResolve({ filter: find }, (args) => ({ path: args.path.replace(find, replacement) }));
      }
    },
  };
}

/** Bundles one entry for a server runtime (Node built-ins available) or for workerd (Web APIs only). */
export async function bundle(entry: string, target: 'server' | 'worker', name: string = target): Promise<string> {
  await mkdir(outDir, { recursive: true });
  const outfile = join(outDir, `${name}.mjs`);
  await build({
    entryPoints: [here(entry)],
    outfile,
    bundle: true,
    format: 'esm',
    target: 'es2022',
    platform: target === 'server' ? 'node' : 'browser',
    conditions: target === 'worker' ? ['workerd', 'worker', 'browser'] : [],
    // workerd's own modules (`cloudflare:workers`' env) come from the runtime.
    external: target === 'worker' ? ['cloudflare:*'] : [],
    // ioredis and its dependencies are CommonJS and require() Node built-ins.
    banner:
      target === 'server'
        ? { js: "import { createRequire as __sessCreateRequire } from 'node:module'; const require = __sessCreateRequire(import.meta.url);" }
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

async function version(file: string): Promise<string> {
  const { stdout } = await run(file, ['--version'], process.env);
  return stdout.split('\n')[0]?.trim() ?? 'unknown';
}

/** Runs the server bundle in Bun or Deno; the suite prints its results on one marked line. */
async function runServerRuntime(runtime: 'bun' | 'deno', bundled: string): Promise<RuntimeRun> {
  const startedMs = performance.now();
  const binary = binaries[runtime];
  const args =
    runtime === 'bun'
      ? ['run', bundled]
      : // No config or lockfile lookup: the bundle is self-contained; -A because ioredis reads the env and opens sockets.
        ['run', '--allow-all', '--no-config', '--no-lock', '--quiet', bundled];
  const env = { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1', DENO_DIR: join(outDir, 'deno') };
  const [runtimeVersion, output] = await Promise.all([version(binary), run(binary, args, env)]);
  const line = output.stdout.split('\n').find((text) => text.startsWith(RESULTS_MARKER));
  const durationMs = Math.round(performance.now() - startedMs);
  if (line === undefined) {
    const failure = [output.error?.message, output.stderr.trim(), output.stdout.trim()].filter(Boolean).join('\n');
    return { runtime, version: runtimeVersion, results: [], failure, durationMs };
  }
  const results = JSON.parse(line.slice(RESULTS_MARKER.length)) as RuntimeTestResult[];
  return { runtime, version: runtimeVersion, results, durationMs };
}

/** Runs the worker bundle in workerd through Miniflare; one request runs the whole suite. */
async function runWorkerd(bundled: string): Promise<RuntimeRun> {
  const startedMs = performance.now();
  const mf = new Miniflare({
    modules: true,
    scriptPath: bundled,
    compatibilityDate: WORKERD_COMPATIBILITY_DATE,
  });
  const workerdVersion = `workerd ${require(join(dirname(require.resolve('miniflare/package.json')), 'package.json')).dependencies.workerd}`;
  try {
    const res = await mf.dispatchFetch('http://suite.test/run');
    const text = await res.text();
    const durationMs = Math.round(performance.now() - startedMs);
    if (!res.ok) return { runtime: 'workerd', version: workerdVersion, results: [], failure: text, durationMs };
    return { runtime: 'workerd', version: workerdVersion, results: JSON.parse(text) as RuntimeTestResult[], durationMs };
  } catch (error) {
    const failure = error instanceof Error ? (error.stack ?? error.message) : String(error);
    return { runtime: 'workerd', version: workerdVersion, results: [], failure, durationMs: 0 };
  } finally {
    await mf.dispose();
  }
}

/** Bundles the suite and runs it in each runtime, one after the other (the suite has timing bounds). */
export async function runRuntimeMatrix(): Promise<RuntimeRun[]> {
  const [server, worker] = await Promise.allSettled([
    bundle('./entry-server.ts', 'server'),
    bundle('./entry-worker.ts', 'worker'),
  ]);
  // A bundle that does not build fails that runtime's run, not the whole matrix.
  const unbuilt = (runtime: RuntimeRun['runtime'], reason: unknown): RuntimeRun => ({
    runtime,
    version: 'not started',
    results: [],
    failure: `the suite did not bundle: ${reason instanceof Error ? reason.message : String(reason)}`,
    durationMs: 0,
  });
  const runs: RuntimeRun[] = [];
  for (const runtime of ['bun', 'deno'] as const) {
    runs.push(server.status === 'fulfilled' ? await runServerRuntime(runtime, server.value) : unbuilt(runtime, server.reason));
  }
  runs.push(worker.status === 'fulfilled' ? await runWorkerd(worker.value) : unbuilt('workerd', worker.reason));
  return runs;
}
