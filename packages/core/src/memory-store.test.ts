import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionTooLargeError } from './errors';
import { createMemoryStore } from './memory-store';
import { richSerializer } from './rich-serializer';
import { jsonSerializer, type Serializer } from './serializer';
import type { SessionMeta, SessionRecord } from './store';

const HOUR_MS = 60 * 60 * 1000;

function record(overrides: Partial<SessionRecord> = {}): SessionRecord {
  const nowMs = Date.now();
  return { createdAtMs: nowMs, lastActiveAtMs: nowMs, expiresAtMs: nowMs + HOUR_MS, persistent: false, data: {}, ...overrides };
}

function metaOf({ data: _data, ...meta }: SessionRecord): SessionMeta {
  return meta;
}

/** A clock the test moves by hand. */
function manualClock(startMs = 1_000_000) {
  let nowMs = startMs;
  return {
    now: () => nowMs,
    advance(ms: number) {
      nowMs += ms;
    },
  };
}

describe('createMemoryStore options', () => {
  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '10'])('throws a TypeError naming maxEntries when it is %s', (maxEntries) => {
    expect(() => createMemoryStore({ maxEntries: maxEntries as number })).toThrow(
      new TypeError(
        `@sess/core: option \`maxEntries\` must be a positive integer (got ${typeof maxEntries === 'string' ? '"10"' : String(maxEntries)}).`,
      ),
    );
  });

  it.each([0, -1, 1.5, Number.NaN, '100'])('throws a TypeError naming maxSizeBytes when it is %s', (maxSizeBytes) => {
    expect(() => createMemoryStore({ maxSizeBytes: maxSizeBytes as number })).toThrow(
      /^@sess\/core: option `maxSizeBytes` must be a positive integer/,
    );
  });

  it('throws a TypeError naming maxTotalBytes when it is not a positive integer or below maxSizeBytes', () => {
    for (const maxTotalBytes of [0, -1, 1.5, Number.NaN, '100']) {
      expect(() => createMemoryStore({ maxTotalBytes: maxTotalBytes as number })).toThrow(
        /^@sess\/core: option `maxTotalBytes` must be a positive integer/,
      );
    }
    expect(() => createMemoryStore({ maxSizeBytes: 2000, maxTotalBytes: 1999 })).toThrow(
      /option `maxTotalBytes` must be at least `maxSizeBytes` \(2000\)/,
    );
    expect(() => createMemoryStore({ maxSizeBytes: 2000, maxTotalBytes: 2000 })).not.toThrow();
    expect(() => createMemoryStore({ maxTotalBytes: 1000 })).toThrow(/at least `maxSizeBytes` \(1048576\)/);
  });

  it('limits a session to 1 MiB by default, with an error that says how to fix it', async () => {
    const store = createMemoryStore();
    await store.set('fits', record({ data: { blob: 'x'.repeat(1_048_576 - 6) } }));
    const error = await store.set('over', record({ data: { blob: 'x'.repeat(1_048_576 - 5) } })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionTooLargeError);
    expect((error as Error).message).toMatch(
      /^@sess\/core: the session is 1048577 bytes, over the limit of 1048576 bytes\. .*raise `maxSizeBytes`/,
    );
  });

  it('throws a TypeError naming serializer when it lacks parse', () => {
    const serializer = { stringify: JSON.stringify } as unknown as Serializer;
    expect(() => createMemoryStore({ serializer })).toThrow(/@sess\/core: option `serializer`/);
  });

  it('declares the serializer it encodes with, JSON unless given one', () => {
    expect(createMemoryStore().serializer).toBe(jsonSerializer);
    expect(createMemoryStore({ serializer: richSerializer }).serializer).toBe(richSerializer);
  });

  it('throws a TypeError naming now when it is not a function', () => {
    expect(() => createMemoryStore({ now: 5 as unknown as () => number })).toThrow(/@sess\/core: option `now`/);
  });
});

describe('memory store expiry', () => {
  it('stops returning a record at its expiresAtMs by the clock it was given', async () => {
    const clock = manualClock();
    const store = createMemoryStore({ now: clock.now });
    await store.set('k', record({ data: { a: 1 }, expiresAtMs: clock.now() + 1000 }));
    clock.advance(999);
    expect((await store.get('k'))?.data).toEqual({ a: 1 });
    clock.advance(1);
    expect(await store.get('k')).toBeUndefined();
  });

  it('frees the slot of an expired record once it is seen', async () => {
    const clock = manualClock();
    const store = createMemoryStore({ maxEntries: 2, now: clock.now });
    await store.set('expiring', record({ expiresAtMs: clock.now() + 1000 }));
    await store.set('kept', record({ data: { kept: true }, expiresAtMs: clock.now() + HOUR_MS }));
    clock.advance(1000);
    expect(await store.get('expiring')).toBeUndefined();
    // Two live entries fit again: nothing is evicted.
    await store.set('new', record({ expiresAtMs: clock.now() + HOUR_MS }));
    expect((await store.get('kept'))?.data).toEqual({ kept: true });
  });

  it('starts no timer, neither when created nor per session', async () => {
    vi.useFakeTimers();
    try {
      const store = createMemoryStore();
      await store.set('a', record({ userId: 'u' }));
      await store.touch!('a', metaOf(record({ userId: 'u' })));
      await store.update!('a', { set: { b: 1 }, removed: [], meta: metaOf(record({ userId: 'u' })) });
      await store.listByUser!('u');
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('memory store bound', () => {
  it('evicts the record used longest ago once maxEntries is reached', async () => {
    const store = createMemoryStore({ maxEntries: 2 });
    await store.set('a', record());
    await store.set('b', record());
    await store.set('c', record());
    expect(await store.get('a')).toBeUndefined();
    expect(await store.get('b')).toBeDefined();
    expect(await store.get('c')).toBeDefined();
  });

  it('counts a rewrite, an update or a touch as a fresh write', async () => {
    const store = createMemoryStore({ maxEntries: 3 });
    for (const key of ['a', 'b', 'c']) await store.set(key, record());
    await store.set('a', record());
    await store.update!('b', { set: { x: 1 }, removed: [], meta: metaOf(record()) });
    await store.touch!('c', metaOf(record()));
    // Order is now a, b, c again, after a full round of writes: d pushes out a.
    await store.set('d', record());
    expect(await store.get('a')).toBeUndefined();
    for (const key of ['b', 'c', 'd']) expect(await store.get(key)).toBeDefined();

    await store.touch!('b', metaOf(record()));
    await store.set('e', record());
    expect(await store.get('c')).toBeUndefined();
    expect(await store.get('b')).toBeDefined();
  });

  it('counts a read as a use: the session read most recently is evicted last', async () => {
    const store = createMemoryStore({ maxEntries: 3 });
    for (const key of ['a', 'b', 'c']) await store.set(key, record());
    expect(await store.get('a')).toBeDefined();
    await store.set('d', record());
    expect(await store.get('b')).toBeUndefined();
    for (const key of ['a', 'c', 'd']) expect(await store.get(key)).toBeDefined();
  });

  it('keeps a signed-in user who keeps reading through a flood of anonymous sessions ten times its size', async () => {
    const store = createMemoryStore({ maxEntries: 100 });
    await store.set('active', record({ data: { user: 'ann' }, userId: 'ann' }));
    for (let i = 0; i < 1000; i++) {
      await store.set(`anonymous${i}`, record({ data: { count: 1 } }));
      // The active user comes back every 50 anonymous writes, well within the bound of 100.
      if (i % 50 === 49) expect((await store.get('active'))?.data, `after ${i + 1} anonymous sessions`).toEqual({ user: 'ann' });
    }
    expect(await store.listByUser!('ann')).toHaveLength(1);
    expect(await store.get('anonymous0')).toBeUndefined();
  });

  it('drops evicted sessions from the user index too', async () => {
    const store = createMemoryStore({ maxEntries: 100 });
    for (let i = 0; i < 1000; i++) await store.set(`k${i}`, record({ createdAtMs: i, userId: 'u' }));
    const sessions = await store.listByUser!('u');
    expect(sessions).toHaveLength(100);
    expect(sessions[0]?.key).toBe('k900');
    expect(await store.destroyByUser!('u')).toBe(100);
  });
});

describe('memory store bound in bytes', () => {
  /** A session of 1,000,006 bytes by the size rule: `blob` (4) + a JSON string of 1,000,000 characters. */
  const megabyteSession = (i: number) => record({ data: { blob: `${i}`.padEnd(1_000_000, 'x') } });

  // Serializing 100 MB of values: about half a second alone, over vitest's 5 s default on a loaded 2-core box.
  const MEGABYTES_TIMEOUT_MS = 30_000;

  it(
    'holds 64 MiB of data by default: of 100 sessions of 1 MB, the 67 written last',
    async () => {
      const store = createMemoryStore();
      for (let i = 0; i < 100; i++) await store.set(`k${i}`, megabyteSession(i));
      const kept: number[] = [];
      for (let i = 0; i < 100; i++) if ((await store.get(`k${i}`)) !== undefined) kept.push(i);
      // 67 × 1,000,006 bytes fit in 67,108,864; 68 do not.
      expect(kept).toEqual(Array.from({ length: 67 }, (_, i) => 33 + i));
    },
    MEGABYTES_TIMEOUT_MS,
  );

  it(
    'evicts by last use within the byte bound: a session read between large writes stays',
    async () => {
      const store = createMemoryStore({ maxTotalBytes: 5_000_000 });
      await store.set('active', record({ data: { user: 'ann' } }));
      for (let i = 0; i < 20; i++) {
        await store.set(`big${i}`, megabyteSession(i));
        expect((await store.get('active'))?.data, `after ${i + 1} large sessions`).toEqual({ user: 'ann' });
      }
      // 4 large sessions fit beside the small one: the 16 older ones went.
      expect(await store.get('big15')).toBeUndefined();
      for (let i = 16; i < 20; i++) expect(await store.get(`big${i}`)).toBeDefined();
    },
    MEGABYTES_TIMEOUT_MS,
  );

  it(
    'frees the bytes of destroyed, rotated and shrunk sessions',
    async () => {
      const store = createMemoryStore({ maxTotalBytes: 2_500_000 });
      await store.set('a', megabyteSession(1));
      await store.set('b', megabyteSession(2));
      await store.destroy('a');
      await store.rotate!('b', 'b2', megabyteSession(2));
      await store.update!('b2', { set: { blob: 'small' }, removed: [], meta: metaOf(record()) });
      await store.set('c', megabyteSession(3));
      await store.set('d', megabyteSession(4));
      for (const key of ['b2', 'c', 'd']) expect(await store.get(key), key).toBeDefined();
    },
    MEGABYTES_TIMEOUT_MS,
  );

  it('survives 400 sessions of 1 MB in a process with a 256 MB heap, which the count bound alone let crash', async () => {
    const { execFileSync } = (await import(/* @vite-ignore */ 'node:child_process' as string)) as {
      execFileSync(
        file: string,
        args: string[],
        options: { cwd: string; env: Record<string, string | undefined>; encoding: 'utf8' },
      ): string;
    };
    const here = new URL('.', import.meta.url);
    const process = (globalThis as unknown as { process: { execPath: string; env: Record<string, string | undefined> } }).process;
    const output = execFileSync(
      process.execPath,
      ['--max-old-space-size=256', '--import', 'tsx', new URL('../fixtures/fill-memory-store.mjs', here).pathname],
      {
        cwd: new URL('..', here).pathname,
        env: { ...process.env, STORE_MODULE: new URL('memory-store.ts', here).pathname },
        encoding: 'utf8',
      },
    );
    expect(JSON.parse(output).kept).toHaveLength(67);
  }, 60_000);
});

describe('memory store serialization', () => {
  it('round-trips Date, Map and Set with the rich serializer', async () => {
    const store = createMemoryStore({ serializer: richSerializer });
    const data = { when: new Date(0), tags: new Set(['a']), counts: new Map([['x', 1n]]) };
    await store.set('k', record({ data }));
    expect((await store.get('k'))?.data).toEqual(data);
  });

  it('serializes each top-level key on its own, so an update rewrites only what it sets', async () => {
    const stringified: unknown[] = [];
    const serializer: Serializer = {
      stringify: (value) => {
        stringified.push(value);
        return JSON.stringify(value);
      },
      parse: (text) => JSON.parse(text),
    };
    const store = createMemoryStore({ serializer });
    await store.set('k', record({ data: { a: 1, b: [2] } }));
    expect(stringified).toEqual([1, [2]]);
    await store.update!('k', { set: { c: 'three' }, removed: [], meta: metaOf(record()) });
    expect(stringified).toEqual([1, [2], 'three']);
  });

  it('leaves out keys whose value JSON cannot hold, as a JSON document would', async () => {
    const store = createMemoryStore();
    await store.set('k', record({ data: { kept: 1, gone: undefined, fn: () => 1 } }));
    expect((await store.get('k'))?.data).toEqual({ kept: 1 });
    expect(Object.keys((await store.get('k'))?.data ?? {})).toEqual(['kept']);
  });

  it('never lets a __proto__ key set the prototype of the data it returns', async () => {
    const store = createMemoryStore();
    await store.set('k', record({ data: JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') }));
    const data = (await store.get('k'))?.data;
    expect(data).toEqual({ a: 1 });
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect((data as { polluted?: unknown }).polluted).toBeUndefined();
  });
});

describe('memory store warnings', () => {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const nodeEnv = env?.NODE_ENV;
  /** The once-per-process records, on globalThis so that every copy of the package shares them. */
  const resetProcessState = () => {
    const holder = globalThis as Record<symbol, unknown>;
    delete holder[Symbol.for('@sess/core: warned')];
    delete holder[Symbol.for('@sess/core: memory stores created')];
  };

  afterEach(() => {
    if (env) env.NODE_ENV = nodeEnv;
    vi.restoreAllMocks();
    resetProcessState();
  });

  /** Another copy of the module, as each Next.js route bundle holds one. */
  async function freshModule() {
    vi.resetModules();
    return import('./memory-store');
  }

  const warnings = () => {
    resetProcessState();
    return vi.spyOn(console, 'warn').mockImplementation(() => {});
  };

  it('warns once per process when created with NODE_ENV=production, even from several copies of the package', async () => {
    const warn = warnings();
    if (env) env.NODE_ENV = 'production';
    (await freshModule()).createMemoryStore();
    (await freshModule()).createMemoryStore();
    (await freshModule()).createMemoryStore();
    const production = warn.mock.calls.filter((call) => /in use in production/.test(String(call[0])));
    expect(production).toHaveLength(1);
    expect(production[0]?.[0]).toMatch(
      /^@sess\/core: the memory store is in use in production\..* Pass a shared store \(such as @sess\/store-redis\) as the `store` option\.$/,
    );
  });

  it("names the adapter's own factory when the memory store is its default", async () => {
    const warn = warnings();
    if (env) env.NODE_ENV = 'production';
    const { toSessionManager } = await import('./manager');
    toSessionManager({ secret: 'a-secret-that-is-at-least-32-characters-long' }, '@sess/next', {
      factory: 'createSessions() of @sess/next',
    });
    expect(warn.mock.calls[0]?.[0]).toMatch(/as the `store` option of createSessions\(\) of @sess\/next\.$/);
    resetProcessState();
    toSessionManager({ secret: 'a-secret-that-is-at-least-32-characters-long' }, '@sess/koa');
    expect(warn.mock.calls.at(-1)?.[0]).toMatch(/as the `store` option of session\(\) of @sess\/koa\.$/);
  });

  it('reads NODE_ENV without regard to case: Production warns too', async () => {
    const warn = warnings();
    if (env) env.NODE_ENV = 'Production';
    (await freshModule()).createMemoryStore();
    expect(warn).toHaveBeenCalledOnce();
  });

  it('stays quiet outside production for the first store', async () => {
    const warn = warnings();
    if (env) env.NODE_ENV = 'development';
    (await freshModule()).createMemoryStore();
    expect(warn).not.toHaveBeenCalled();
  });

  it('warns once when a second memory store is created in the process (a second copy of the app module), but not under NODE_ENV=test', async () => {
    const warn = warnings();
    if (env) env.NODE_ENV = 'development';
    (await freshModule()).createMemoryStore();
    (await freshModule()).createMemoryStore();
    (await freshModule()).createMemoryStore();
    expect(warn).toHaveBeenCalledOnce();
    expect(warn.mock.calls[0]?.[0]).toMatch(
      /^@sess\/core: a second memory store was created in this process, so sessions are split between the two/,
    );

    resetProcessState();
    warn.mockClear();
    if (env) env.NODE_ENV = 'test';
    createMemoryStore();
    createMemoryStore();
    expect(warn).not.toHaveBeenCalled();
  });
});

describe('expiry options under a minute', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    delete (globalThis as Record<symbol, unknown>)[Symbol.for('@sess/core: warned')];
  });

  it('warn once per option that seconds were probably meant, and stay quiet from a minute up', async () => {
    delete (globalThis as Record<symbol, unknown>)[Symbol.for('@sess/core: warned')];
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { createSessionManager } = await import('./manager');
    const secret = 'a-secret-that-is-at-least-32-characters-long';
    createSessionManager({ secret, expiry: { idleTimeoutMs: 60_000, absoluteTimeoutMs: 120_000 } });
    expect(warn).not.toHaveBeenCalled();
    createSessionManager({ secret, expiry: { idleTimeoutMs: 3600 } });
    createSessionManager({ secret, expiry: { idleTimeoutMs: 3600 } });
    expect(warn).toHaveBeenCalledOnce();
    expect(warn.mock.calls[0]?.[0]).toBe(
      '@sess/core: option `expiry.idleTimeoutMs` is 3600 ms, under a minute: durations are in milliseconds (3600 seconds would be 3600000). If you meant that short a session, ignore this warning.',
    );
    createSessionManager({ secret, expiry: { absoluteTimeoutMs: 59_999, rememberMe: { idleTimeoutMs: 30 } } });
    expect(warn.mock.calls.map((call) => String(call[0]).split(' is ')[0])).toEqual([
      '@sess/core: option `expiry.idleTimeoutMs`',
      '@sess/core: option `expiry.absoluteTimeoutMs`',
      '@sess/core: option `expiry.rememberMe.idleTimeoutMs`',
    ]);
  });
});
