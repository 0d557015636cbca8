/*
 * The @sess/hono suite (test/suite.ts) in Bun, Deno and workerd, through the shared
 * runner of `@sess/test-kit/runtimes` (why not each runtime's own test runner: see there).
 */
import { fileURLToPath } from 'node:url';
import { bundle as bundleFor, type RuntimeRun, runRuntimeMatrix as runMatrix } from '@sess/test-kit/runtimes';

export type { RuntimeRun };

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const outDir = here('../../node_modules/.cache/runtime-matrix');
// workerd's own modules (`cloudflare:workers`' env) come from the runtime.
const external = ['cloudflare:*'];

/** Bundles a test entry of this package (relative to this folder) for a server runtime or workerd. */
export function bundle(entry: string, target: 'server' | 'worker', name?: string): Promise<string> {
  return bundleFor(here(entry), target, { outDir, external, ...(name !== undefined && { name }) });
}

/** Runs the suite in each runtime, one after the other (the suite has timing bounds). */
export function runRuntimeMatrix(): Promise<RuntimeRun[]> {
  return runMatrix({ serverEntry: here('./entry-server.ts'), workerEntry: here('./entry-worker.ts'), outDir, env: {}, external });
}
