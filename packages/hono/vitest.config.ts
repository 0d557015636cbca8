import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';
import { sourceAliases } from '../../vitest.shared.ts';

const adapterSubpath = {
  find: /^@sess\/core\/adapter$/,
  replacement: fileURLToPath(new URL('../core/src/adapter.ts', import.meta.url)),
};

export default defineProject({
  // TODO(core 2): drop the local @sess/core/adapter alias once vitest.shared.ts has it.
  resolve: { alias: [adapterSubpath, ...sourceAliases] },
  test: { name: '@sess/hono' },
});
