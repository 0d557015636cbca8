/**
 * `SESS_REDIS_DRIVER=upstash` without a hosted Upstash: no Upstash runs here, so the demo
 * starts the Upstash REST bridge of `@sess/test-kit` in front of `REDIS_URL` and says so.
 * Every command still runs on that Redis; `@upstash/redis` only speaks HTTP to the bridge.
 */
import { startUpstashBridge } from '@sess/test-kit/upstash-bridge';
import type { DemoConfig } from './config';
import { redactUrl } from './redis-driver';
import type { RunningDemo } from './server';

/** A configuration whose `upstashRest` is set, and how to stop the bridge started for it. */
export interface BridgedConfig<Config extends DemoConfigForBridge> {
  config: Config;
  /** Stops the bridge this call started; a no-op when none was needed. */
  close(): Promise<void>;
  /** The demo started on `config`, whose `close()` also stops the bridge. */
  attach(demo: RunningDemo): RunningDemo;
}

type DemoConfigForBridge = Pick<DemoConfig, 'redisUrl' | 'redisDriver' | 'upstashRest'>;

/**
 * For the `upstash` driver with `REDIS_URL` and no `UPSTASH_REDIS_REST_URL`: starts the
 * bridge and returns the configuration pointing at it. Any other configuration is returned
 * as it is.
 */
export async function withUpstashBridge<Config extends DemoConfigForBridge>(
  config: Config,
  log: (message: string) => void = console.log,
): Promise<BridgedConfig<Config>> {
  if (config.redisDriver !== 'upstash' || config.upstashRest !== undefined || config.redisUrl === undefined) {
    return { config, close: async () => {}, attach: (demo) => demo };
  }
  const bridge = await startUpstashBridge({ redisUrl: config.redisUrl });
  log(
    `SESS_REDIS_DRIVER=upstash: @upstash/redis talks to an Upstash REST bridge at ${bridge.url} ` +
      `(@sess/test-kit, a local stand-in for a hosted Upstash) in front of ${redactUrl(config.redisUrl)}.`,
  );
  const close = () => bridge.close();
  return {
    config: { ...config, upstashRest: { url: bridge.url, token: bridge.token } },
    close,
    attach: (demo) => ({
      ...demo,
      async close() {
        try {
          await demo.close();
        } finally {
          await close();
        }
      },
    }),
  };
}
