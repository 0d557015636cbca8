/* The suite as Bun and Deno run it: bundled with `vitest` mapped to the host (see matrix.ts). */
import process from 'node:process';
import { runCollected } from '../host/vitest-host';
import { redisStore } from '../redis';
import { describeHonoSuite } from '../suite';
import { RESULTS_MARKER } from './marker';

const runtime = 'Bun' in globalThis ? 'bun' : 'Deno' in globalThis ? 'deno' : 'unknown';
describeHonoSuite({ runtime, stores: [redisStore(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')] });
const results = await runCollected();
process.stdout.write(`${RESULTS_MARKER}${JSON.stringify(results)}\n`);
// A socket some test left open must not keep the runtime alive.
process.exit(0);
