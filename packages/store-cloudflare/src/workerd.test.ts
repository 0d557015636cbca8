/*
 * The store in workerd (miniflare), against real Durable Objects on SQLite storage: the
 * conformance suite and the Durable Object cases run inside one request, each case one
 * test here named `Durable Objects, SQLite [workerd]: ...`; the cases below span many
 * requests of one isolate, as a deployed Worker serves them.
 */
import type { SessionRecord } from '@sess/core/store';
import { CookieJar } from '@sess/core/testing';
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declareRuntimeRuns } from '../../test-kit/src/runtimes/declare';
import type { RuntimeTestResult } from '../../test-kit/src/runtimes/matrix';
import { readmeWorker, startWorker, workerdVersion } from '../test/miniflare';

const REQUESTS = 25;
const PATCHES = 50;

const mf = await startWorker('./worker.ts', 'TestSessionObject');
afterAll(() => mf.dispose());

const startedMs = performance.now();
const suite = await mf.dispatchFetch('http://worker.test/run');
const text = await suite.text();
declareRuntimeRuns('@sess/store-cloudflare', [
  {
    runtime: 'workerd',
    version: workerdVersion(),
    results: suite.ok ? (JSON.parse(text) as RuntimeTestResult[]) : [],
    ...(!suite.ok && { failure: text }),
    durationMs: Math.round(performance.now() - startedMs),
  },
]);

async function request<T>(path: string): Promise<T> {
  const res = await mf.dispatchFetch(`http://worker.test${path}`);
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

const upTo = Array.from({ length: REQUESTS }, (_, i) => i + 1);

describe('@sess/store-cloudflare [workerd]: across many requests in one isolate', () => {
  it.each(['module', 'request'])('keeps a count through %s-scoped stores, one request per step', async (via) => {
    const key = await request<string>('/key');
    const counts: number[] = [];
    for (let i = 0; i < REQUESTS; i++) counts.push((await request<{ count: number }>(`/count?via=${via}&key=${key}`)).count);
    expect(counts).toEqual(upTo);
  });

  it(`keeps every key when ${PATCHES} concurrent requests each patch their own key of one session`, async () => {
    const key = await request<string>('/key');
    await request(`/count?key=${key}`);
    await Promise.all(Array.from({ length: PATCHES }, (_, i) => request(`/patch?key=${key}&i=${i}`)));
    const expected: Record<string, number> = { count: 1 };
    for (let i = 0; i < PATCHES; i++) expected[`key${i}`] = i;
    expect((await request<SessionRecord>(`/get?key=${key}`)).data).toEqual(expected);
  });
});

describe('@sess/store-cloudflare [workerd]: the README Worker, as written, with @sess/hono', () => {
  let readme: Miniflare;
  beforeAll(async () => {
    readme = await startWorker(await readmeWorker(), 'SessionObject', { SESSION_SECRET: 'readme-test-secret-0123456789abcdefghij' });
  });
  afterAll(() => readme?.dispose());

  /** A browser: POSTs with the cookies the answers set. */
  function browser() {
    const jar = new CookieJar();
    return async (path: string): Promise<Record<string, unknown>> => {
      const cookie = jar.header();
      const res = await readme.dispatchFetch(`http://readme.test${path}`, { method: 'POST', headers: cookie ? { cookie } : {} });
      jar.update(res);
      return (await res.json()) as Record<string, unknown>;
    };
  }

  it('counts on one session, keeps it through sign-in, and signs out everywhere', async () => {
    const [laptop, phone] = [browser(), browser()];
    expect(await laptop('/count')).toEqual({ count: 1 });
    expect(await laptop('/login')).toEqual({ signedIn: 'ann' });
    expect(await laptop('/count')).toEqual({ count: 2 });
    await phone('/login');
    expect(await phone('/count')).toEqual({ count: 1 });
    expect(await laptop('/logout-everywhere')).toEqual({ signedOut: 2 });
    expect(await phone('/count')).toEqual({ count: 1 });
    expect(await laptop('/count')).toEqual({ count: 1 });
  });
});
