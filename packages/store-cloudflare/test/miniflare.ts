/** The test Worker (test/worker.ts) in workerd, with `TestSessionObject` bound as `SESSIONS` on SQLite storage. */
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

export async function startTestWorker(): Promise<Miniflare> {
  const scriptPath = await bundle(here('./worker.ts'), 'worker', {
    outDir: here('../node_modules/.cache/workerd'),
    external: ['cloudflare:*'],
    name: 'store-worker',
  });
  const mf = new Miniflare({
    modules: true,
    scriptPath,
    compatibilityDate: WORKERD_COMPATIBILITY_DATE,
    // As `new_sqlite_classes` in wrangler's migrations: SQLite storage, not the legacy KV backend.
    durableObjects: { SESSIONS: { className: 'TestSessionObject', useSQLite: true } },
  });
  await mf.ready;
  return mf;
}
