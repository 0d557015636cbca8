/**
 * Runs the store conformance suite in Bun, Deno and workerd against the test Redis:
 * TCP drivers straight to it, `@upstash/redis` through the Upstash bridge in front of it.
 */
import { fileURLToPath } from 'node:url';
import { type RuntimeRun, runRuntimeMatrix } from '../../../test-kit/src/runtimes/matrix';
import { startUpstashBridge } from '../../../test-kit/src/upstash-bridge/index';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export async function runStoreRuntimeMatrix(redisUrl: string): Promise<RuntimeRun[]> {
  const bridge = await startUpstashBridge({ redisUrl });
  try {
    return await runRuntimeMatrix({
      serverEntry: here('./entry-server.ts'),
      workerEntry: here('./entry-worker.ts'),
      outDir: here('../../node_modules/.cache/runtime-matrix'),
      env: { REDIS_URL: redisUrl, UPSTASH_URL: bridge.url, UPSTASH_TOKEN: bridge.token },
    });
  } finally {
    await bridge.close();
  }
}
