import { defineProject } from 'vitest/config';
import { sourceAliases } from '../../vitest.shared.ts';

export default defineProject({
  resolve: { alias: sourceAliases },
  test: {
    name: '@sess/store-cloudflare',
    include: ['src/**/*.test.ts'],
    // Bundling the worker and a cold workerd start on a busy 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
