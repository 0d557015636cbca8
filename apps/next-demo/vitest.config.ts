import { defineProject } from 'vitest/config';
import { sourceAliases } from '../../vitest.shared.ts';

export default defineProject({
  resolve: { alias: sourceAliases },
  test: {
    name: '@sess/next-demo',
    globalSetup: ['./src/global-setup.ts'],
    // A build on a busy 2-core machine takes a while; it happens once, in globalSetup.
    hookTimeout: 60_000,
    // Each file starts `next start` servers and Chromium; one file at a time fits a 2-core machine.
    fileParallelism: false,
  },
});
