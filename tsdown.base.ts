/**
 * What every published package builds the same way: ESM and CommonJS from its TypeScript
 * sources, declarations, platform-neutral output, and the other @sess packages (and any
 * `external` given) left as imports, never bundled.
 */
import type { UserConfig } from 'tsdown';

export function packageBuild(options: {
  entry: UserConfig['entry'];
  external?: (string | RegExp)[];
  format?: UserConfig['format'];
}): UserConfig {
  return {
    entry: options.entry,
    format: options.format ?? ['esm', 'cjs'],
    dts: true,
    tsconfig: 'tsconfig.build.json',
    platform: 'neutral',
    deps: { neverBundle: [/^@sess\//, ...(options.external ?? [])] },
  };
}
