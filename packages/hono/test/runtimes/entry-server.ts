/* The suite as Bun and Deno run it: bundled with `vitest` mapped to the host (see matrix.ts). */
import process from 'node:process';
import { redisConformanceStores } from '@sess/test-kit';
import { runCollected } from '../host/vitest-host';
import { describeHonoSuite } from '../suite';
import { RESULTS_MARKER } from './marker';

const runtime = 'Bun' in globalThis ? 'bun' : 'Deno' in globalThis ? 'deno' : 'unknown';
// The Redis store over ioredis, on each runtime's node:net.
describeHonoSuite({ runtime, stores: [{ label: 'Redis store', ...redisConformanceStores(`hono-conformance-${runtime}`) }] });
const results = await runCollected();
process.stdout.write(`${RESULTS_MARKER}${JSON.stringify(results)}\n`);
// A socket some test left open must not keep the runtime alive.
process.exit(0);
