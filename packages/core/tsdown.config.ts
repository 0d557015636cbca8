import { defineConfig, type UserConfig } from 'tsdown';

const shared = {
  dts: true,
  tsconfig: 'tsconfig.build.json',
  platform: 'neutral',
  deps: { neverBundle: [/^@sess\//, 'vitest'] },
} satisfies UserConfig;

export default defineConfig([
  {
    ...shared,
    entry: { index: 'src/index.ts', adapter: 'src/adapter.ts', store: 'src/store.ts', node: 'src/node.ts' },
    format: ['esm', 'cjs'],
  },
  {
    ...shared,
    // The test kits run only under vitest, which refuses require(): a CommonJS build could never load.
    entry: { 'testing/index': 'src/testing/index.ts' },
    format: ['esm'],
  },
]);
