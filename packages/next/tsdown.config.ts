import { defineConfig } from 'tsdown';

export default defineConfig({
  // Three entries, so the Pages Router and proxy never pull in `next/headers` (App Router only).
  entry: ['src/index.ts', 'src/proxy.ts', 'src/pages.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  tsconfig: 'tsconfig.build.json',
  platform: 'neutral',
  deps: { neverBundle: [/^@sess\//, /^next(\/|$)/, 'react'] },
});
