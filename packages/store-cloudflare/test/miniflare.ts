/** Workers for the tests and the bench in workerd, with a Durable Object class bound as `SESSIONS` on SQLite storage. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Miniflare } from 'miniflare';
import { bundle, startWorker as startWorkerd } from '../../test-kit/src/runtimes/matrix';

export { workerdVersion } from '../../test-kit/src/runtimes/matrix';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Bundles `entry` (a path from this folder) and serves it, `className` bound as `SESSIONS`. */
export async function startWorker(entry: string, className: string, bindings: Record<string, string> = {}): Promise<Miniflare> {
  const name = entry.replace(/^.*\//, '').replace(/\.ts$/, '');
  const scriptPath = await bundle(here(entry), 'worker', {
    outDir: here('../node_modules/.cache/workerd'),
    external: ['cloudflare:*'],
    name,
  });
  // As `new_sqlite_classes` in wrangler's migrations: SQLite storage, not the legacy KV backend.
  return startWorkerd(scriptPath, bindings, { durableObjects: { SESSIONS: { className, useSQLite: true } } });
}

/** The README's Worker (its first ts block that exports `SessionObject`), as a module of its own; resolves its path from this folder. */
export async function readmeWorker(): Promise<string> {
  const readme = await readFile(here('../README.md'), 'utf8');
  const code = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)]
    .map((match) => match[1]!)
    .find((block) => block.includes('export { SessionObject }'));
  if (code === undefined) throw new Error('README.md: no ts block exports SessionObject');
  await mkdir(here('../node_modules/.cache/readme'), { recursive: true });
  await writeFile(here('../node_modules/.cache/readme/readme-worker.ts'), code);
  return '../node_modules/.cache/readme/readme-worker.ts';
}
