import { describe, expect, it } from 'vitest';
import type { SessionManagerOptions } from '../manager';
import type { SessionStore } from '../store';

/*
 * The after-the-handler policy (the core's `settleRequest`) as every adapter must show it:
 * a 2xx/3xx answer whose write fails becomes the store's error; a 4xx/5xx answer the
 * handler chose stands, and the failed write is reported through `onError`.
 */

/** What the failure cases need of the suite's browser. */
interface FailureBrowser {
  readonly cookie: string | undefined;
  get(path: string, options?: { cookie?: string | undefined }): Promise<Response>;
  post(path: string, options?: { cookie?: string | undefined }): Promise<Response>;
}

/** What `describeAdapterConformance` hands the failure cases. */
export interface FailureSuiteContext {
  /** Starts the adapter's app on the suite's store, or on the options given. */
  app(overrides?: Partial<SessionManagerOptions>): Promise<FailureBrowser>;
  /** The store of the running test. */
  store(): SessionStore;
  /** What the suite's managers reported through `onError`. */
  reported: Error[];
}

/** Defines the commit-failure cases inside an adapter's conformance suite. */
export function describeCommitFailures(context: FailureSuiteContext): void {
  const { app, reported } = context;

  /** The suite's store for reads, with every write rejected: a backend that went read-only. */
  const writesFail = (): SessionStore => {
    const store = context.store();
    const down = () => Promise.reject(new Error('conformance: the store refuses writes'));
    return { get: (key) => store.get(key), set: down, destroy: down, touch: down, update: down };
  };

  /** Reads the body, then the parts of the answer the policy decides. */
  const answerOf = async (res: Response) => {
    await res.arrayBuffer();
    return { status: res.status, setCookie: res.headers.getSetCookie(), location: res.headers.get('location') };
  };

  describe('a commit that fails', () => {
    it('answers 503 with Retry-After instead of a 200 whose write was lost', async () => {
      const browser = await app({ store: writesFail() });
      reported.length = 0;
      const res = await browser.post('/set/user?value="alice"');
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await answerOf(res)).toEqual({ status: 503, setCookie: [], location: null });
    });

    it('answers 503 with Retry-After instead of a redirect whose write was lost, without its Location', async () => {
      const browser = await app({ store: writesFail() });
      const res = await browser.post('/login?user=alice');
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await answerOf(res)).toEqual({ status: 503, setCookie: [], location: null });
    });

    it("keeps the 409 the handler threw when its write fails too, and reports the store's error through onError", async () => {
      const browser = await app({ store: writesFail() });
      reported.length = 0;
      const res = await browser.post('/throw/409/notice?value="fix the form"');
      expect(await answerOf(res)).toEqual({ status: 409, setCookie: [], location: null });
      expect(reported).toEqual([expect.objectContaining({ name: 'SessionStoreError', status: 503 })]);
    });

    it('keeps the 500 the handler threw, writing nothing and so reporting nothing', async () => {
      const healthy = await app();
      await healthy.post('/set/user?value="alice"');
      const failing = await app({ store: writesFail() });
      reported.length = 0;
      const res = await failing.post('/throw/500/user?value="mallory"', { cookie: healthy.cookie });
      expect(await answerOf(res)).toEqual({ status: 500, setCookie: [], location: null });
      expect(reported).toEqual([]);
      expect(await (await healthy.get('/get/user')).json()).toEqual({ value: 'alice' });
    });

    it('keeps the 500 the handler threw when saveOnError makes it write and the write fails, and reports the failure', async () => {
      const browser = await app({ store: writesFail(), saveOnError: true });
      reported.length = 0;
      const res = await browser.post('/throw/500/user?value="mallory"');
      expect(await answerOf(res)).toEqual({ status: 500, setCookie: [], location: null });
      expect(reported).toEqual([expect.objectContaining({ name: 'SessionStoreError', status: 503 })]);
    });
  });
}
