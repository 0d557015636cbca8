import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** The one package → source map: `paths` of tsconfig.base.json, which the type checks use too. */
const { compilerOptions } = JSON.parse(readFileSync(here('./tsconfig.base.json'), 'utf8')) as {
  compilerOptions: { paths: Record<string, [string]> };
};

/** Tests and bundles of the workspace run against sources: no build needed. Longest names first (subpaths before their package). */
export const sourceAliases = Object.entries(compilerOptions.paths)
  .sort(([a], [b]) => b.length - a.length)
  .map(([name, [target]]) => ({ find: new RegExp(`^${name.replace(/[/.]/g, '\\$&')}$`), replacement: here(target) }));
