/*
 * The demo on Bun or Deno, with the runtime's own HTTP server (Bun.serve, Deno.serve)
 * and the same configuration, stores and console lines as on Node. Bundled by
 * scripts/bundle.ts (the workspace packages are TypeScript sources).
 */
import { createDemoStore, type DemoConfig, demoAppOptions, runDemoCli, type StartDemo } from '@sess/demo-kit';
import { createApp } from './app';

type FetchHandler = (request: Request) => Response | Promise<Response>;
/** What Bun.serve and Deno.serve have in common, as far as the demo needs. */
type Serve = (fetch: FetchHandler, config: Pick<DemoConfig, 'port' | 'host'>) => Promise<{ port: number; stop(): Promise<void> }>;

interface BunServer {
  port: number;
  stop(closeActiveConnections?: boolean): Promise<void>;
}
interface DenoServer {
  addr: { port: number };
  finished: Promise<void>;
  shutdown(): Promise<void>;
}
const runtime = globalThis as {
  Bun?: { serve(options: { fetch: FetchHandler; port: number; hostname: string }): BunServer };
  Deno?: {
    serve(options: { port: number; hostname: string; onListen?: () => void }, fetch: FetchHandler): DenoServer;
  };
};

const serve: Serve = async (fetch, config) => {
  if (runtime.Bun) {
    const server = runtime.Bun.serve({ fetch, port: config.port, hostname: config.host });
    return { port: server.port, stop: () => server.stop(true) };
  }
  if (runtime.Deno) {
    const server = runtime.Deno.serve({ port: config.port, hostname: config.host, onListen: () => {} }, fetch);
    return { port: server.addr.port, stop: () => server.shutdown() };
  }
  throw new Error('hono-demo: runtime-server runs on Bun or Deno; on Node, use `pnpm start`.');
};

const start: StartDemo = async (config, options = {}) => {
  const demoStore = createDemoStore(config, { clearOnClose: options.clearStoreOnClose });
  const app = createApp(demoAppOptions(config, demoStore));
  const server = await serve(app.fetch, config);
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${server.port}`,
    storeMode: demoStore.mode,
    storeDescription: demoStore.description,
    async close() {
      await server.stop();
      await demoStore.close();
    },
  };
};

await runDemoCli({
  framework: `Hono on ${runtime.Bun ? 'Bun' : runtime.Deno ? 'Deno' : 'an unknown runtime'}`,
  start,
  defaultPort: 3002,
  otherDemos: ['On Node: npx -y pnpm@10 --filter @sess/hono-demo start'],
});
