/*
 * Runs the demo in workerd, locally, through Miniflare (the simulator wrangler uses),
 * with sessions in the sealed cookie store:
 *
 *   SESSION_SECRET=... PORT=8787 tsx scripts/workerd.ts
 *
 * Without SESSION_SECRET a random one is made for the process (sessions end with it).
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { Miniflare } from 'miniflare';
import { bundleDemo } from './bundle';

/** The newest date this workerd knows is fine; features only grow with it. */
const COMPATIBILITY_DATE = '2025-09-01';

export interface WorkerdDemo {
  url: string;
  close(): Promise<void>;
}

/** Bundles src/worker.ts and serves it from workerd on `port` (0: any free one). */
export async function startWorkerdDemo(options: { port: number; host?: string; secret: string }): Promise<WorkerdDemo> {
  const scriptPath = await bundleDemo('worker');
  const mf = new Miniflare({
    modules: true,
    scriptPath,
    compatibilityDate: COMPATIBILITY_DATE,
    bindings: { SESSION_SECRET: options.secret },
    host: options.host ?? '127.0.0.1',
    port: options.port,
  });
  const url = await mf.ready;
  return { url: url.origin, close: () => mf.dispose() };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let secret = process.env.SESSION_SECRET;
  if (secret === undefined) {
    secret = randomBytes(32).toString('base64url');
    console.warn('SESSION_SECRET is not set: using a random one, so sessions end when this process does.');
  }
  const demo = await startWorkerdDemo({ port: Number(process.env.PORT || 8787), host: process.env.HOST, secret });
  console.log(`sess Hono demo in workerd: open ${demo.url}`);
  console.log('  sessions: the sealed cookie store (the data travels in the cookie; sign-out cannot revoke a copied cookie)');
  const stop = () => void demo.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
