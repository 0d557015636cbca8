/*
 * The store conformance suite inside Bun (ioredis, node-redis, Bun's client, Upstash),
 * Deno (ioredis, node-redis, Upstash) and workerd (Upstash through the bridge), each
 * case one test here named `Redis single node, <driver> [<runtime>]: ...`.
 */
import { inject } from 'vitest';
import { declareRuntimeRuns } from '../../../test-kit/src/runtimes/declare';
import { runStoreRuntimeMatrix } from '../../test/runtimes/matrix';

declareRuntimeRuns('@sess/store-redis', await runStoreRuntimeMatrix(inject('redisUrl')));
