import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  tsconfig: 'tsconfig.build.json',
  platform: 'neutral',
  // The client libraries are optional peers, never bundled: a driver only reads a client's shape.
  deps: { neverBundle: [/^@sess\//, /^ioredis$/, /^redis$/] },
});
