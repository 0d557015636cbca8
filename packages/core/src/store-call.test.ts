import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isSessionStoreError, SessionStoreError, SessionTooLargeError } from './errors';
import { boundStoreCall, type StoreCallDeadline, storeCaller, toStoreError } from './store-call';

const never = () => new Promise<never>(() => {});

describe('boundStoreCall', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('resolves what the call resolves, and leaves no timer behind', async () => {
    const result = boundStoreCall('get', async () => 'value', { timeoutMs: 1000 });
    await expect(result).resolves.toBe('value');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects with a SessionStoreError (timedOut, 503) when the call does not answer in time', async () => {
    const result = boundStoreCall('get', never, { timeoutMs: 50 });
    const settled = expect(result).rejects.toMatchObject({
      name: 'SessionStoreError',
      operation: 'get',
      status: 503,
      timedOut: true,
      message: '@sess/core: session store get failed: no answer within 50 ms.',
    });
    await vi.advanceTimersByTimeAsync(50);
    await settled;
    await expect(result).rejects.toBeInstanceOf(SessionStoreError);
  });

  it('does not time out a call that answers just before the bound', async () => {
    const result = boundStoreCall('set', () => new Promise<number>((resolve) => setTimeout(() => resolve(1), 49)), { timeoutMs: 50 });
    await vi.advanceTimersByTimeAsync(60);
    await expect(result).resolves.toBe(1);
  });

  it("starts a time-out message with the store's package name, once, with the described connection state", async () => {
    const result = boundStoreCall('update', never, {
      timeoutMs: 20,
      packageName: '@sess/store-redis',
      describeTimeout: () => 'connection: reconnecting',
    });
    const settled = expect(result).rejects.toMatchObject({
      timedOut: true,
      message: '@sess/store-redis: session store update failed: no answer within 20 ms (connection: reconnecting).',
    });
    await vi.advanceTimersByTimeAsync(20);
    await settled;
    const error = await result.catch((e: Error) => e);
    expect(error.message.match(/@sess\//g)).toHaveLength(1);
  });

  it('marks the deadline expired after a time-out, so a late call can tell it was given up', async () => {
    let deadline: StoreCallDeadline | undefined;
    const result = boundStoreCall(
      'get',
      (d) => {
        deadline = d;
        return never();
      },
      { timeoutMs: 30 },
    );
    const settled = expect(result).rejects.toMatchObject({ timedOut: true });
    expect(deadline?.expired).toBe(false);
    await vi.advanceTimersByTimeAsync(29);
    expect(deadline?.expired).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await settled;
    expect(deadline?.expired).toBe(true);
  });

  it('leaves the deadline unexpired for a call that answered in time', async () => {
    let deadline: StoreCallDeadline | undefined;
    await boundStoreCall(
      'get',
      async (d) => {
        deadline = d;
        return 1;
      },
      { timeoutMs: 30 },
    );
    await vi.advanceTimersByTimeAsync(100);
    expect(deadline?.expired).toBe(false);
  });

  it('passes a SessionStoreError from the store through as it is, so its message has one package prefix', async () => {
    const own = new SessionStoreError('set', 'cluster is down', { packageName: '@sess/store-redis' });
    const error = await boundStoreCall('set', () => Promise.reject(own), { timeoutMs: 1000 }).catch((e: unknown) => e);
    expect(error).toBe(own);
    expect((error as Error).message).toBe('@sess/store-redis: session store set failed: cluster is down');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('passes a SessionTooLargeError from the store through as it is (413, not 503)', async () => {
    const own = new SessionTooLargeError('@sess/core', 2_000_000, 1_048_576, 'Store less data.');
    await expect(boundStoreCall('update', () => Promise.reject(own), { timeoutMs: 1000 })).rejects.toBe(own);
  });

  it('wraps a plain error in a SessionStoreError with the original as its cause', async () => {
    const cause = new Error('ECONNREFUSED 127.0.0.1:6379');
    const error = await boundStoreCall('destroy', () => Promise.reject(cause), { timeoutMs: 1000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionStoreError);
    expect(error).toMatchObject({
      operation: 'destroy',
      status: 503,
      timedOut: false,
      cause,
      message: '@sess/core: session store destroy failed: ECONNREFUSED 127.0.0.1:6379',
    });
  });

  it('wraps a synchronous throw and a rejection with a non-Error value too', async () => {
    const thrown = await boundStoreCall(
      'touch',
      () => {
        throw new Error('not connected');
      },
      { timeoutMs: 1000, packageName: '@sess/custom' },
    ).catch((e: unknown) => e);
    expect(thrown).toMatchObject({
      name: 'SessionStoreError',
      operation: 'touch',
      message: '@sess/custom: session store touch failed: not connected',
    });
    const odd = await boundStoreCall('get', () => Promise.reject('plain string'), { timeoutMs: 1000 }).catch((e: unknown) => e);
    expect(odd).toMatchObject({
      name: 'SessionStoreError',
      cause: 'plain string',
      message: '@sess/core: session store get failed: plain string',
    });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('ignores an answer or a failure that comes after the time-out', async () => {
    let late: { resolve: (v: string) => void; reject: (e: unknown) => void } | undefined;
    const result = boundStoreCall(
      'get',
      () =>
        new Promise<string>((resolve, reject) => {
          late = { resolve, reject };
        }),
      { timeoutMs: 10 },
    );
    const settled = expect(result).rejects.toMatchObject({ timedOut: true });
    await vi.advanceTimersByTimeAsync(10);
    await settled;
    late!.reject(new Error('too late'));
    late!.resolve('too late');
    await expect(result).rejects.toMatchObject({ timedOut: true });
  });
});

describe('toStoreError', () => {
  it('types anything as a SessionStoreError and leaves typed errors alone', () => {
    const typed = new SessionStoreError('get', 'x');
    expect(toStoreError('get', typed)).toBe(typed);
    const wrapped = toStoreError('listByUser', new RangeError('bad'), '@sess/store-redis');
    expect(isSessionStoreError(wrapped)).toBe(true);
    expect(wrapped.message).toBe('@sess/store-redis: session store listByUser failed: bad');
  });
});

describe('storeCaller', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sets no timer of its own for a store that bounds its calls within the manager bound', () => {
    const call = storeCaller({ callTimeoutMs: 2000 }, 3000);
    void call('get', never);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('still types the failures of such a store as SessionStoreError', async () => {
    const call = storeCaller({ callTimeoutMs: 2000 }, 3000);
    await expect(call('set', () => Promise.reject(new Error('boom')))).rejects.toMatchObject({
      name: 'SessionStoreError',
      operation: 'set',
    });
    await expect(
      call('get', () => {
        throw new Error('thrown before any promise');
      }),
    ).rejects.toMatchObject({ name: 'SessionStoreError', operation: 'get' });
  });

  it('bounds the calls of a store that declares no bound, or one longer than the manager bound', async () => {
    for (const store of [undefined, {}, { callTimeoutMs: 5000 }]) {
      const call = storeCaller(store, 3000);
      const result = call('get', never);
      expect(vi.getTimerCount()).toBe(1);
      const rejected = expect(result).rejects.toMatchObject({ timedOut: true });
      await vi.advanceTimersByTimeAsync(3000);
      await rejected;
    }
  });
});
