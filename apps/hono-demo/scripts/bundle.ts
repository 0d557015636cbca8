/*
 * Bundles the demo for Bun and Deno (`server`: src/runtime-server.ts) or workerd
 * (`worker`: src/worker.ts). The workspace packages are TypeScript sources reached
 * through the same aliases as the tests; Bun and Deno then run one plain ES module.
 *
 *   tsx scripts/bundle.ts server|worker
 */
import { mkdir } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BuildOptions, build, type Plugin } from 'esbuild';
import { sourceAliases } from '../../../vitest.shared.ts';

export type BundleTarget = 'server' | 'worker';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const repoDir = join(appDir, '../..');
const kitEntry = join(repoDir, 'apps/demo-kit/src/index.ts');

/**
 * The workspace's TypeScript sources, marked free of side effects: a Worker imports
 * only the demo-kit's Web-only parts, and what it does not use (the Node server, the
 * Redis store, the config reader) must not reach the bundle with their `node:` imports.
 */
function workspaceSources(): Plugin {
  const aliases = [...sourceAliases, { find: /^@sess\/demo-kit$/, replacement: kitEntry }];
  const ours = (path: string) => path.startsWith(join(repoDir, 'packages')) || path.startsWith(join(repoDir, 'apps/demo-kit'));
  return {
    name: 'sess-workspace-sources',
    setup(builder) {
      for (const { find, replacement } of aliases) {
        builder.onResolve({ filter: find }, (args) => ({ path: args.path.replace(find, replacement), sideEffects: false }));
      }
      builder.onResolve({ filter: /^\./ }, async (args) => {
        if (!ours(args.importer) || args.pluginData === 'resolving') return undefined;
        const resolved = await builder.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'resolving' });
        return resolved.errors.length > 0 ? undefined : { path: resolved.path, sideEffects: false };
      });
    },
  };
}

/** Writes dist/<target>.mjs and resolves its path. */
export async function bundleDemo(target: BundleTarget): Promise<string> {
  const outfile = join(appDir, 'dist', `${target}.mjs`);
  await mkdir(dirname(outfile), { recursive: true });
  await build(buildOptions(target, outfile));
  return outfile;
}

/** The bundle as text, written nowhere: tests start several workers at once, and none may read another's half-written file. */
export async function bundleDemoCode(target: BundleTarget): Promise<string> {
  const result = await build({ ...buildOptions(target, join(appDir, 'dist', `${target}.mjs`)), write: false });
  return result.outputFiles[0]!.text;
}

function buildOptions(target: BundleTarget, outfile: string): BuildOptions {
  return {
    entryPoints: [join(appDir, 'src', target === 'server' ? 'runtime-server.ts' : 'worker.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    target: 'es2022',
    platform: target === 'server' ? 'node' : 'browser',
    conditions: target === 'worker' ? ['workerd', 'worker', 'browser'] : [],
    // Resolved before tree shaking drops them (ioredis requires `net`, `tls`...); one left in the
    // Worker bundle fails loudly when workerd loads it, which the demo's test does.
    external: target === 'worker' ? ['node:*', ...builtinModules] : [],
    // ioredis is CommonJS and require()s Node built-ins, which Bun and Deno provide.
    banner:
      target === 'server'
        ? {
            js: "import { createRequire as __demoCreateRequire } from 'node:module'; const require = __demoCreateRequire(import.meta.url);",
          }
        : {},
    plugins: [workspaceSources()],
    logLevel: 'warning',
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const target = process.argv[2];
  if (target !== 'server' && target !== 'worker') {
    console.error('usage: tsx scripts/bundle.ts server|worker');
    process.exit(1);
  }
  await bundleDemo(target);
}
