import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  tsconfig: 'tsconfig.build.json',
  platform: 'neutral',
  deps: { neverBundle: [/^@sess\//, /^node:/] }, // node:crypto hashes the Lua scripts (ioredis is Node-only anyway)
});
