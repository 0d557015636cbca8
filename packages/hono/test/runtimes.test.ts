/*
 * The Bun, Deno and workerd runs of the @sess/hono suite, as vitest tests: the suite
 * runs inside each runtime while this file is collected, and every case it ran becomes
 * one test here, named as in that runtime (`@sess/hono [deno], memory store: ...`),
 * failing with the runtime's own failure message.
 */
import { declareRuntimeRuns } from '@sess/test-kit/runtimes/declare';
import { runRuntimeMatrix } from './runtimes/matrix';

declareRuntimeRuns('@sess/hono', await runRuntimeMatrix());
