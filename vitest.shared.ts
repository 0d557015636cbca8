import { fileURLToPath } from 'node:url';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Tests and type checks run against sources: no build needed. Order matters (subpaths first). */
export const sourceAliases = [
  { find: /^@sess\/core\/testing$/, replacement: here('./packages/core/src/testing/index.ts') },
  { find: /^@sess\/core\/(adapter|store|node)$/, replacement: here('./packages/core/src/$1.ts') },
  { find: /^@sess\/core$/, replacement: here('./packages/core/src/index.ts') },
  { find: /^@sess\/store-redis$/, replacement: here('./packages/store-redis/src/index.ts') },
  { find: /^@sess\/store-cloudflare$/, replacement: here('./packages/store-cloudflare/src/index.ts') },
  { find: /^@sess\/express$/, replacement: here('./packages/express/src/index.ts') },
  { find: /^@sess\/koa$/, replacement: here('./packages/koa/src/index.ts') },
  { find: /^@sess\/hono$/, replacement: here('./packages/hono/src/index.ts') },
  { find: /^@sess\/next\/(proxy|pages)$/, replacement: here('./packages/next/src/$1.ts') },
  { find: /^@sess\/next$/, replacement: here('./packages/next/src/index.ts') },
];
