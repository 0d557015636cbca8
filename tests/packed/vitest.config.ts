import { defineProject } from 'vitest/config';

// No source aliases: these tests must see only what `npm install` of the tarballs puts on disk.
export default defineProject({
  test: { name: '@sess/packed-tests', hookTimeout: 600_000, testTimeout: 120_000 },
});
