import { getRequestListener } from '@hono/node-server';
import { createDemoStore, type DemoConfig, demoAppOptions, listen, type StartDemo } from '@sess/demo-kit';
import { createApp } from './app';

/** Starts the demo on Node through @hono/node-server, with the store `config` selects (memory, or Redis with `REDIS_URL`). */
export const start: StartDemo = async (config: DemoConfig, options = {}) => {
  const demoStore = createDemoStore(config, { clearOnClose: options.clearStoreOnClose });
  const app = createApp(demoAppOptions(config, demoStore));
  const server = await listen(getRequestListener(app.fetch), config, demoStore.close).catch(async (error: unknown) => {
    await demoStore.close();
    throw error;
  });
  return { ...server, storeMode: demoStore.mode, storeDescription: demoStore.description };
};
