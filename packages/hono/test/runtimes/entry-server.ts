/* The suite as Bun and Deno run it: bundled with `vitest` mapped to the host (see matrix.ts). */
import { redisConformanceStores } from '@sess/test-kit';
import { printResults, runCollected } from '@sess/test-kit/runtimes/host';
import { describeHonoSuite } from '../suite';

const runtime = 'Bun' in globalThis ? 'bun' : 'Deno' in globalThis ? 'deno' : 'unknown';
// The Redis store over ioredis, on each runtime's node:net.
describeHonoSuite({ runtime, stores: [{ label: 'Redis store', ...redisConformanceStores(`hono-conformance-${runtime}`) }] });
printResults(await runCollected());
