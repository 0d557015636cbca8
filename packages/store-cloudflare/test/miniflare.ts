/** Workers for the tests and the bench in workerd, with a Durable Object class bound as `SESSIONS` on SQLite storage. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { bundle, WORKERD_COMPATIBILITY_DATE } from '../../test-kit/src/runtimes/matrix';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const require = createRequire(import.meta.url);

/** The workerd miniflare runs, as the runtime matrix names it. */
export function workerdVersion(): string {
  const manifest = require(join(dirname(require.resolve('miniflare/package.json')), 'package.json')) as { dependencies: { workerd: string } };
  return `workerd ${manifest.dependencies.workerd}`;
}

/** Bundles `entry` (a path from this folder) and serves it, `className` bound as `SESSIONS`. */
export async function startWorker(entry: string, className: string, bindings: Record<string, string> = {}): Promise<Miniflare> {
  const name = entry.replace(/^.*\//, '').replace(/\.ts$/, '');
  const scriptPath = await bundle(here(entry), 'worker', { outDir: here('../node_modules/.cache/workerd'), external: ['cloudflare:*'], name });
  const mf = new Miniflare({
    modules: true,
    scriptPath,
    compatibilityDate: WORKERD_COMPATIBILITY_DATE,
    bindings,
    // As `new_sqlite_classes` in wrangler's migrations: SQLite storage, not the legacy KV backend.
    durableObjects: { SESSIONS: { className, useSQLite: true } },
  });
  await mf.ready;
  return mf;
}

/** The README's Worker (its first ts block that exports `SessionObject`), as a module of its own; resolves its path from this folder. */
export async function readmeWorker(): Promise<string> {
  const readme = await readFile(here('../README.md'), 'utf8');
  const code = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!).find((block) => block.includes('export { SessionObject }'));
  if (code === undefined) throw new Error('README.md: no ts block exports SessionObject');
  await mkdir(here('../node_modules/.cache/readme'), { recursive: true });
  await writeFile(here('../node_modules/.cache/readme/readme-worker.ts'), code);
  return '../node_modules/.cache/readme/readme-worker.ts';
}
