/*
 * workerd, served as a deployed Worker is: one isolate, many requests, the secret a binding.
 * The runtime matrix runs the suite inside one request; this is the case across requests.
 */
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle, WORKERD_COMPATIBILITY_DATE } from './runtimes/matrix';

/** Bundling and a cold workerd start on a busy 2-core machine. */
const START_TIMEOUT_MS = 60_000;
const REQUESTS = 25;

describe('@sess/hono [workerd]: configured from the env, across many requests in one isolate', () => {
  let mf: Miniflare;
  beforeAll(async () => {
    mf = new Miniflare({
      modules: true,
      scriptPath: await bundle('../workers/env-worker.ts', 'worker', 'env-worker'),
      compatibilityDate: WORKERD_COMPATIBILITY_DATE,
      bindings: { SESSION_SECRET: 'workers-env-test-secret-0123456789abcdef' },
    });
    await mf.ready;
  }, START_TIMEOUT_MS);
  afterAll(async () => {
    await mf?.dispose();
  });

  async function countTo(prefix: string): Promise<number[]> {
    const counts: number[] = [];
    let cookie = '';
    for (let i = 0; i < REQUESTS; i++) {
      const res = await mf.dispatchFetch(`http://worker.test${prefix}/count`, { method: 'POST', headers: cookie ? { cookie } : {} });
      counts.push(((await res.json()) as { count: number }).count);
      cookie ||= res.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    }
    return counts;
  }

  const upTo = Array.from({ length: REQUESTS }, (_, i) => i + 1);

  it('keeps the session in the memory store of session((env) => options), whose manager is built once', async () => {
    expect(await countTo('/env')).toEqual(upTo);
    const res = await mf.dispatchFetch('http://worker.test/managers-built');
    expect(await res.json()).toEqual({ managersBuilt: 1 });
  });

  it("keeps the session with options read from cloudflare:workers' env at module scope", async () => {
    expect(await countTo('/import')).toEqual(upTo);
  });
});
