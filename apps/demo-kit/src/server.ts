import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type DemoConfig, DemoConfigError, loadDemoConfig } from './config';
import type { StoreMode } from './store';
import { withUpstashBridge } from './upstash-driver';

/** A demo listening on a port. */
export interface RunningDemo {
  /** `http://host:port`, with the real port when `PORT=0`. */
  url: string;
  storeMode: StoreMode;
  /** A line for the console saying where the sessions live. */
  storeDescription: string;
  /** Stops listening, drops open connections, closes the store. */
  close(): Promise<void>;
}

/** How each app starts: what its `server.ts` runs and what the tests run in-process. */
export type StartDemo = (config: DemoConfig, options?: StartDemoOptions) => Promise<RunningDemo>;

export interface StartDemoOptions {
  /** Delete the demo's Redis keys on close (tests use a unique prefix per run). @default false */
  clearStoreOnClose?: boolean;
}

/** Listens with a plain Node server; resolves once it accepts connections. */
export async function listen(
  handler: RequestListener,
  config: Pick<DemoConfig, 'port' | 'host'>,
  onClose: () => Promise<void>,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve, reject) => {
          server.close((error) => (error ? reject(error) : resolve()));
          server.closeAllConnections();
        });
        await onClose();
      })();
      return closing;
    },
  };
}

/**
 * The command line entry of a demo: reads the environment, starts, prints where to
 * go, and stops cleanly on Ctrl-C. A configuration it refuses exits with code 1.
 */
export async function runDemoCli(options: {
  framework: string;
  start: StartDemo;
  defaultPort: number;
  /** Lines telling how to start the other demos. */
  otherDemos: string[];
}): Promise<void> {
  let config: DemoConfig;
  try {
    config = loadDemoConfig(process.env, { defaultPort: options.defaultPort });
  } catch (error) {
    if (!(error instanceof DemoConfigError)) throw error;
    console.error(`sess ${options.framework} demo did not start: ${error.message}`);
    process.exit(1);
  }
  // Listening before anything starts: Ctrl-C during start-up must end as cleanly as later.
  let demo: RunningDemo | undefined;
  let stopping = false;
  const stop = () => {
    // Ctrl-C reaches every process of the group, and pnpm forwards it again: a second
    // signal without a listener would kill the process mid-close (pnpm then reports
    // ERR_PNPM_RECURSIVE_RUN_FIRST_FAIL). So the listeners stay, and this runs once.
    if (stopping) return;
    stopping = true;
    (demo?.close() ?? Promise.resolve()).then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  // SESS_REDIS_DRIVER=upstash on REDIS_URL: the bridge runs as long as the demo.
  const bridged = await withUpstashBridge(config);
  try {
    demo = bridged.attach(await options.start(bridged.config));
  } catch (error) {
    await bridged.close();
    // A configuration only the demo's runtime refuses (a TCP Redis client in workerd...): as above.
    if (!(error instanceof DemoConfigError)) throw error;
    console.error(`sess ${options.framework} demo did not start: ${error.message}`);
    process.exit(1);
  }
  if (stopping) {
    // Interrupted while starting: `stop` found nothing to close yet.
    await demo.close();
    return;
  }
  console.log(`sess ${options.framework} demo: open ${demo.url}`);
  console.log(`  sessions: ${demo.storeDescription}`);
  if (demo.storeMode === 'memory') {
    console.log(
      '  (to keep sessions across restarts, set both REDIS_URL=redis://127.0.0.1:6379 and SESSION_SECRET (32+ characters): ' +
        'without a fixed secret every cookie is refused after a restart, even from Redis)',
    );
  }
  for (const line of options.otherDemos) console.log(`  ${line}`);
}
