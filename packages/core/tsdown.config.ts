import { defineConfig } from 'tsdown';
import { packageBuild } from '../../tsdown.base.ts';

export default defineConfig([
  packageBuild({
    entry: { index: 'src/index.ts', adapter: 'src/adapter.ts', store: 'src/store.ts', node: 'src/node.ts' },
    external: ['vitest'],
  }),
  // The test kits run only under vitest, which refuses require(): a CommonJS build could never load.
  packageBuild({ entry: { 'testing/index': 'src/testing/index.ts' }, external: ['vitest'], format: ['esm'] }),
]);
