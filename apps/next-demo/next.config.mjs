import { fileURLToPath } from 'node:url';

/** @type {import('next').NextConfig} */
const config = {
  poweredByHeader: false,
  // `pnpm typecheck` (tsc) checks types; skipping it here keeps the build short on a 2-core machine.
  typescript: { ignoreBuildErrors: true },
  // The workspace packages are compiled from their TypeScript sources (tsconfig paths), from the repo root.
  turbopack: { root: fileURLToPath(new URL('../..', import.meta.url)) },
  // ioredis is Node-only and needs no bundling.
  serverExternalPackages: ['ioredis'],
};

export default config;
