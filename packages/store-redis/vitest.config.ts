import { defineProject } from 'vitest/config';
import { sourceAliases } from '../../vitest.shared.ts';

export default defineProject({
  resolve: { alias: sourceAliases },
  test: {
    name: '@sess/store-redis',
    include: ['src/**/*.test.ts'],
    // Private redis-server processes (a node and a 3-master cluster), started once.
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 15_000,
    hookTimeout: 20_000,
  },
});
