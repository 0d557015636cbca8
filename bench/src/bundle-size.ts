/**
 * What sess adds to a Cloudflare Worker: bundles a tiny Hono worker without and with
 * `@sess/hono` (default options: the JSON serializer, the signed id cookie, the memory
 * store) the way Wrangler does (esbuild, minified, platform neutral, ESM), and writes
 * the minified and gzipped sizes, and the largest inputs, to bench/BUNDLE.md.
 *
 * The @sess packages are bundled from source (the workspace's tsconfig paths), so the
 * numbers describe this checkout without a build, and, when `packages/core/dist` and
 * `packages/hono/dist` exist (`npx -y pnpm@10 turbo build`), as published (their `exports`).
 * Run: npx -y pnpm@10 --filter @sess/bench bundle-size
 */
import { access, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';

const benchDir = fileURLToPath(new URL('..', import.meta.url));
const tsconfig = fileURLToPath(new URL('../../tsconfig.base.json', import.meta.url));
const reportPath = fileURLToPath(new URL('../BUNDLE.md', import.meta.url));

export const WORKERS = {
  'bare Hono': `
import { Hono } from 'hono';
const app = new Hono();
app.get('/', (c) => c.text('ok'));
export default app;
`,
  'Hono + @sess/hono': `
import { Hono } from 'hono';
import { session } from '@sess/hono';
const app = new Hono();
app.use(session({ secret: 'bundle-size-secret-0123456789abcdefghij' }));
app.get('/', async (c) => {
  const s = await c.var.session.load();
  s.set('visits', (s.get('visits') ?? 0) + 1);
  return c.text('ok');
});
export default app;
`,
} as const;

/** Packages that must not reach a worker that uses only JSON and the default cookie. */
export const MUST_TREE_SHAKE = ['devalue', '@noble/hashes'];

export interface Measured {
  name: string;
  minifiedBytes: number;
  gzippedBytes: number;
  /** Bytes in the output per package (or `@sess/...` source folder). */
  byPackage: [string, number][];
}

/** Bundles the @sess packages from their source, or from their built `dist` as an app installing them would. */
export type From = 'source' | 'dist';

export async function measure(name: string, source: string, from: From = 'source'): Promise<Measured> {
  const result = await build({
    ...(from === 'source' ? { tsconfig } : { tsconfigRaw: '{}' }),
    stdin: { contents: source, resolveDir: benchDir, loader: 'ts', sourcefile: 'worker.ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    mainFields: ['module', 'main'],
    conditions: ['workerd', 'worker', 'browser'],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  return {
    name,
    minifiedBytes: code.byteLength,
    gzippedBytes: gzipSync(code, { level: 9 }).byteLength,
    byPackage: byPackage(result.metafile),
  };
}

/** Output bytes grouped by npm package, or by source package for the workspace's own code. */
function byPackage(metafile: Metafile): [string, number][] {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      totals.set(packageOf(path), (totals.get(packageOf(path)) ?? 0) + bytesInOutput);
    }
  }
  return [...totals].filter(([, bytes]) => bytes > 0).sort((a, b) => b[1] - a[1]);
}

function packageOf(path: string): string {
  const inModules = path.split('node_modules/').at(-1)!;
  if (inModules !== path) {
    const parts = inModules.split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  const workspace = /packages\/([^/]+)\//.exec(path);
  return workspace ? `@sess/${workspace[1]} (source)` : path;
}

/** Measures both workers and writes bench/BUNDLE.md; exits 1 if a package that must tree-shake was bundled. */
async function main(): Promise<void> {
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

  const built = await Promise.all(
    ['core', 'hono'].map((pkg) => access(fileURLToPath(new URL(`../../packages/${pkg}/dist/index.js`, import.meta.url)))),
  )
    .then(() => true)
    .catch(() => false);
  const bare = await measure('bare Hono', WORKERS['bare Hono']);
  const withSess = await measure('Hono + @sess/hono', WORKERS['Hono + @sess/hono']);
  const published = built ? await measure('Hono + @sess/hono, as published (dist)', WORKERS['Hono + @sess/hono'], 'dist') : undefined;
  const leaked = MUST_TREE_SHAKE.filter((name) => [withSess, published].some((m) => m?.byPackage.some(([pkg]) => pkg === name)));
  const rows = published === undefined ? [bare, withSess] : [bare, withSess, published];

  const lines = [
    '# Bundle size in a Worker',
    '',
    'Written by `bench/src/bundle-size.ts` (`npx -y pnpm@10 --filter @sess/bench bundle-size`): a tiny Hono worker',
    'bundled as Wrangler does (esbuild, minified, `platform: neutral`, ESM), without and with `@sess/hono` on its',
    'default options (JSON serializer, signed id cookie, memory store). Gzip at level 9. The @sess packages are',
    'bundled from source, and from their built `dist` when it exists.',
    '',
    'Before the rich serializer moved to a module of its own and SHA-256 became a local function (issue 14, point',
    '14), the same worker from source was 81.0 KB minified / 29.7 KB gzipped (sess adding 61.3 / 21.5 KB), with',
    '`devalue` (10.6 KB) and `@noble/hashes` (5.3 KB) bundled though unused.',
    '',
    '| worker | minified | gzipped |',
    '| --- | ---: | ---: |',
    ...rows.map((m) => `| ${m.name} | ${kb(m.minifiedBytes)} | ${kb(m.gzippedBytes)} |`),
    `| sess adds (from source) | ${kb(withSess.minifiedBytes - bare.minifiedBytes)} | ${kb(withSess.gzippedBytes - bare.gzippedBytes)} |`,
    ...(published === undefined
      ? []
      : [
          `| sess adds (as published) | ${kb(published.minifiedBytes - bare.minifiedBytes)} | ${kb(published.gzippedBytes - bare.gzippedBytes)} |`,
        ]),
    '',
    ...(published === undefined ? ['(No `dist` of @sess/core and @sess/hono: build them for the as-published row.)', ''] : []),
    `Tree-shaken away (must not appear): ${MUST_TREE_SHAKE.map((name) => `\`${name}\``).join(', ')}: ${leaked.length === 0 ? 'none of them is bundled' : `**bundled: ${leaked.join(', ')}**`}.`,
    '',
    'Minified bytes by package, Hono + @sess/hono:',
    '',
    '| package | minified |',
    '| --- | ---: |',
    ...withSess.byPackage.map(([pkg, bytes]) => `| ${pkg} | ${kb(bytes)} |`),
    '',
  ];
  await writeFile(reportPath, lines.join('\n'));
  console.log(lines.join('\n'));
  if (leaked.length > 0) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
