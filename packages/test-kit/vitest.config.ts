import { defineProject } from 'vitest/config';
import { sourceAliases } from '../../vitest.shared.ts';

export default defineProject({
  resolve: { alias: sourceAliases },
  test: {
    name: '@sess/test-kit',
    include: ['src/**/*.test.ts'],
    testTimeout: 15_000,
  },
});
