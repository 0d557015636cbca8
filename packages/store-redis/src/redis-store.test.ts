import { createSessionManager, richSerializer } from '@sess/core';
import { generateSessionId, type SessionRecord, SessionTooLargeError, storeKeyOf } from '@sess/core/store';
import { Cluster, Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { clusterClient, singleNodeClient, uniquePrefix } from '../test/clients';
import { request, SECRET } from '../test/requests';
import { createRedisStore } from './redis-store';

const HOUR_MS = 3_600_000;
const single = singleNodeClient();
const cluster = clusterClient();
afterAll(async () => {
  await Promise.all([single.quit(), cluster.quit()]);
});

function record(overrides: Partial<SessionRecord> = {}): SessionRecord {
  const nowMs = Date.now();
  return { createdAtMs: nowMs, lastActiveAtMs: nowMs, expiresAtMs: nowMs + HOUR_MS, persistent: false, data: {}, ...overrides };
}

const newKey = () => storeKeyOf(generateSessionId());

describe('createRedisStore options', () => {
  it.each([
    ['url: 42', { url: 42 }, /`url`/],
    ['onNotice: "log"', { onNotice: 'log' }, /`onNotice` must be a function/],
    ['client and url together', { client: single, url: 'redis://127.0.0.1:6379' }, /`client`/],
    ['client: a plain object', { client: { get() {} } }, /`client` must be one of: an ioredis .*; a node-redis .*\(got a plain object\)/],
    ['client: a string', { client: 'redis://x' }, /`client` must be one of: .*\(got string\)/],
    ['a misspelled option (prefx)', { prefx: 'x' }, /unknown option `prefx`\. Known options: client, url/],
    ['a connect-redis option (ttl)', { ttl: 60 }, /unknown option `ttl`\. Expiry comes from the session manager/],
    ['redisOptions with a client', { client: single, redisOptions: {} }, /`redisOptions` must be left out when `client` is given/],
    ['operationTimeoutMs: "2000"', { client: single, operationTimeoutMs: '2000' }, /`operationTimeoutMs` must be a positive number/],
    ['now: 0', { client: single, now: 0 }, /`now` must be a function/],
    ['url: http://', { url: 'http://127.0.0.1' }, /`url` must be a redis:\/\//],
    ['prefix: 3', { client: single, prefix: 3 }, /`prefix`/],
    ['serializer without functions', { client: single, serializer: { stringify: 'no' } }, /`serializer`/],
    ['operationTimeoutMs: 0', { client: single, operationTimeoutMs: 0 }, /`operationTimeoutMs`/],
    ['maxSizeBytes: 1.5', { client: single, maxSizeBytes: 1.5 }, /`maxSizeBytes`/],
    ['a client with an ioredis keyPrefix', { client: new Redis({ lazyConnect: true, keyPrefix: 'app:' }) }, /`keyPrefix`/],
  ])('rejects %s when called, naming the package and the option', (_label, options, message) => {
    expect(() => createRedisStore(options as never)).toThrow(TypeError);
    expect(() => createRedisStore(options as never)).toThrow(/^@sess\/store-redis: (unknown )?option/);
    expect(() => createRedisStore(options as never)).toThrow(message);
  });

  it('connects to redis://127.0.0.1:6379 when called with no arguments, with a notice once per process', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      vi.resetModules();
      const { createRedisStore: create } = await import('./redis-store');
      const first = create();
      const second = create({ prefix: uniquePrefix('default') });
      try {
        expect(first.client.options).toMatchObject({ host: '127.0.0.1', port: 6379 });
        await second.set(await newKey(), record());
        expect(await second.count()).toBe(1);
        expect(warn).toHaveBeenCalledOnce();
        expect(warn.mock.calls[0]?.[0]).toMatch(
          /^@sess\/store-redis: no `client` or `url` was given, so the store connects to redis:\/\/127\.0\.0\.1:6379\. Pass `url`/,
        );
      } finally {
        await second.clear();
        await Promise.all([first.close!(), second.close!()]);
      }
    } finally {
      warn.mockRestore();
    }
  });

  it('tells onNotice, instead of the console, each time it falls back to the default URL', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const notices: string[] = [];
    try {
      const stores = [createRedisStore({ onNotice: (m) => notices.push(m) }), createRedisStore({ onNotice: (m) => notices.push(m) })];
      await Promise.all(stores.map((store) => store.close!()));
      expect(notices).toHaveLength(2);
      expect(notices[0]).toMatch(/redis:\/\/127\.0\.0\.1:6379/);
      expect(createRedisStore({ url: inject('redisUrl'), onNotice: (m) => notices.push(m) }).close).toBeDefined();
      expect(notices).toHaveLength(2);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it('offers close() only when it created the client', async () => {
    expect(createRedisStore({ client: single }).close).toBeUndefined();
    const own = createRedisStore({ url: inject('redisUrl') });
    await own.set('k', record());
    await own.close!();
    expect(own.client.status).toBe('end');
  });

  it('closes at once when Redis is unreachable, instead of waiting for an end that never comes', async () => {
    const unreachable = createRedisStore({ url: 'redis://127.0.0.1:1', operationTimeoutMs: 200 });
    await expect(unreachable.get('k')).rejects.toMatchObject({ name: 'SessionStoreError' });
    const started = Date.now();
    await unreachable.close!();
    expect(Date.now() - started).toBeLessThan(500);
  });
});

describe('key layout', () => {
  it('stores a session as one string under the prefix and the hashed id, expiring with the session', async () => {
    const store = createRedisStore({ client: single });
    const sessions = createSessionManager({ secret: SECRET, store });
    const { result, session } = await request(sessions, undefined, async (s) => {
      await s.set('cart', ['apple']);
      await s.set('née', 'zoë');
      await s.setUserId('user-layout');
    });
    const cookieValue = result.cookies[0]!.value;
    const key = `sess:${await storeKeyOf(session.id)}`;
    const t = (ms: number) => ms.toString(36).padStart(9, '0');
    const stored = (await single.get(key)) ?? '';
    // s1, then created, last active and expiry (base 36, 9 characters each), not persistent.
    expect(stored.slice(0, 11)).toBe(`s1${t(session.createdAt.getTime())}`);
    expect(stored.slice(20, 30)).toBe(`${t(session.expiresAt.getTime())}0`);
    // Netstrings of the user id, then of each key and value; lengths count UTF-8 bytes ("née" is 4, '"zoë"' is 6).
    expect(stored.slice(30)).toBe('11:user-layout4:cart9:["apple"]4:née6:"zoë"');
    expect(await single.type(key)).toBe('string');
    expect(await single.pexpiretime(key)).toBe(session.expiresAt.getTime());
    // Neither the id nor the cookie value is a key.
    expect(key).not.toContain(session.id);
    expect(await single.exists(`sess:${session.id}`, `sess:${cookieValue}`)).toBe(0);
    expect(await single.type('sess:user:{user-layout}')).toBe('zset');
    await store.destroyByUser('user-layout');
  });

  it('rewrites only the meta on a touch, leaving the data as it was', async () => {
    const store = createRedisStore({ client: single, prefix: uniquePrefix('touch') });
    const key = newKey();
    const nowMs = Date.now();
    await store.set(key, record({ userId: 'u-touch', data: { a: 1 } }));
    await store.touch(key, {
      createdAtMs: nowMs,
      lastActiveAtMs: nowMs + 5,
      expiresAtMs: nowMs + 2 * HOUR_MS,
      persistent: true,
      userId: 'u-touch',
    });
    expect(await store.get(key)).toMatchObject({
      lastActiveAtMs: nowMs + 5,
      expiresAtMs: nowMs + 2 * HOUR_MS,
      persistent: true,
      userId: 'u-touch',
      data: { a: 1 },
    });
    await store.touch(key, { createdAtMs: nowMs, lastActiveAtMs: nowMs + 6, expiresAtMs: nowMs + 3 * HOUR_MS, persistent: false });
    expect(await store.get(key)).toEqual({
      createdAtMs: nowMs,
      lastActiveAtMs: nowMs + 6,
      expiresAtMs: nowMs + 3 * HOUR_MS,
      persistent: false,
      data: { a: 1 },
    });
  });

  it('reads a value of another format under a session key as an unknown session', async () => {
    const prefix = uniquePrefix('foreign');
    const store = createRedisStore({ client: single, prefix });
    const key = newKey();
    await single.set(`${prefix}${key}`, '{"cookie":{},"user":"connect-redis"}', 'PX', HOUR_MS);
    expect(await store.get(key)).toBeUndefined();
  });

  it('reads a key of another type under a session key (an earlier hash layout) as an unknown session, and lists or revokes around it', async () => {
    const prefix = uniquePrefix('oldtype');
    const store = createRedisStore({ client: single, prefix });
    const [oldKey, newKey_] = [newKey(), newKey()];
    await single.hset(`${prefix}${oldKey}`, 'm', '{"userId":"u-old"}', 'd:user', '"ann"');
    await single.zadd(`${prefix}user:{u-old}`, Date.now() + HOUR_MS, oldKey);
    await store.set(newKey_, record({ userId: 'u-old', data: { a: 1 } }));
    expect(await store.get(oldKey)).toBeUndefined();
    expect((await store.listByUser('u-old')).map((s) => s.key)).toEqual([newKey_]);
    await single.zadd(`${prefix}user:{u-old}`, Date.now() + HOUR_MS, oldKey);
    expect(await store.destroyByUser('u-old')).toBe(1);
    expect(await single.type(`${prefix}${oldKey}`)).toBe('hash');
    expect(await store.get(newKey_)).toBeUndefined();
  });

  it('fails a read of a damaged record of its own format with a SessionStoreError instead of guessing', async () => {
    const prefix = uniquePrefix('damaged');
    const store = createRedisStore({ client: single, prefix });
    const key = newKey();
    await store.set(key, record({ data: { a: 'x' } }));
    const whole = (await single.get(`${prefix}${key}`)) ?? '';
    await single.set(`${prefix}${key}`, whole.slice(0, -2), 'PX', HOUR_MS);
    await expect(store.get(key)).rejects.toMatchObject({ name: 'SessionStoreError', operation: 'get', status: 503 });
  });

  it('keeps a top-level key named __proto__ as data, never as the prototype', async () => {
    const store = createRedisStore({ client: single, prefix: uniquePrefix('proto') });
    const key = newKey();
    await store.set(key, record({ data: JSON.parse('{"__proto__":{"polluted":true},"a":1}') as Record<string, unknown> }));
    const read = await store.get(key);
    expect(Object.getPrototypeOf(read?.data)).toBe(Object.prototype);
    expect(Object.keys(read?.data ?? {})).toEqual(['__proto__', 'a']);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('keeps stores with different prefixes apart', async () => {
    const [a, b] = [uniquePrefix('a'), uniquePrefix('b')];
    const storeA = createRedisStore({ client: single, prefix: a });
    const storeB = createRedisStore({ client: single, prefix: b });
    const key = await newKey();
    await storeA.set(key, record({ data: { which: 'a' } }));
    expect(await storeB.get(key)).toBeUndefined();
    expect(await single.exists(`${a}${key}`)).toBe(1);
  });
});

describe('serializer', () => {
  it('round-trips Date, Map, Set and BigInt through Redis with richSerializer', async () => {
    const store = createRedisStore({ client: single, prefix: uniquePrefix('rich'), serializer: richSerializer });
    const key = await newKey();
    const data = {
      at: new Date('2025-01-02T03:04:05.678Z'),
      roles: new Set(['admin', 'editor']),
      prefs: new Map<string, unknown>([
        ['theme', 'dark'],
        ['since', new Date(0)],
      ]),
      balance: 12345678901234567890n,
      nested: { list: [new Set([1n])] },
    };
    await store.set(key, record({ data }));
    await store.update(key, { set: { later: new Map([[1, 2]]) }, removed: [], meta: record() });
    const read = await store.get(key);
    expect(read?.data).toEqual({ ...data, later: new Map([[1, 2]]) });
    expect(read?.data.at).toBeInstanceOf(Date);
    expect(typeof read?.data.balance).toBe('bigint');
  });
});

describe('maximum session size', () => {
  const store = createRedisStore({ client: single, prefix: uniquePrefix('size'), maxSizeBytes: 100 });

  it('rejects a set over the limit with a clear error and writes nothing', async () => {
    const key = await newKey();
    const error = await store.set(key, record({ data: { blob: 'x'.repeat(200) } })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionTooLargeError);
    expect(error).toMatchObject({ limitBytes: 100, sizeBytes: 'blob'.length + 202 });
    expect((error as Error).message).toMatch(/^@sess\/store-redis: the session is 206 bytes, over the limit of 100 bytes/);
    expect(await store.get(key)).toBeUndefined();
  });
  // The size rule itself (exact limit, updates, UTF-8) is in the store conformance suite.
});

describe('user index on a cluster', () => {
  it('lives in a different slot from the sessions, and expires with the last of them', async () => {
    const prefix = uniquePrefix('index');
    const store = createRedisStore({ client: cluster, prefix });
    const userId = 'user-slots';
    const keys = await Promise.all([newKey(), newKey(), newKey()]);
    const nowMs = Date.now();
    for (const [i, key] of keys.entries()) {
      await store.set(key, record({ userId, createdAtMs: nowMs + i, expiresAtMs: nowMs + (i + 1) * HOUR_MS }));
    }
    const indexKey = `${prefix}user:{${userId}}`;
    const slots = new Set<number>();
    for (const key of [indexKey, ...keys.map((k) => prefix + k)]) slots.add(Number(await cluster.cluster('KEYSLOT', key)));
    expect(slots.size).toBeGreaterThan(1);
    expect(await cluster.pexpiretime(indexKey)).toBe(nowMs + 3 * HOUR_MS);
    expect((await store.listByUser(userId)).map((s) => s.key)).toEqual(keys);
    expect(await store.destroyByUser(userId)).toBe(3);
    expect(await cluster.exists(indexKey)).toBe(0);
  });
});

describe.each([
  ['single node', () => single],
  ['cluster', () => cluster],
])('count and clear on a %s', (_name, client) => {
  it('count sessions and clear every key under the prefix, on every master, with SCAN', async () => {
    const prefix = uniquePrefix('admin*[x]'); // glob characters in the prefix are matched literally
    const store = createRedisStore({ client: client(), prefix });
    const keys = await Promise.all(Array.from({ length: 30 }, () => newKey()));
    await Promise.all(keys.map((key, i) => store.set(key, record({ userId: i % 2 ? 'u1' : undefined }))));
    const neighbour = createRedisStore({ client: client(), prefix: prefix.replace('*[x]', 'y') });
    await neighbour.set(keys[0]!, record());

    expect(await store.count()).toBe(30);
    expect(await store.clear()).toBe(31); // 30 sessions and the index of u1
    expect(await store.count()).toBe(0);
    expect(await neighbour.count()).toBe(1);
    await neighbour.clear();
  });
});

describe('count and clear on a store created from url', () => {
  it('wait for the connection when called before any other command', async () => {
    const prefix = uniquePrefix('fresh');
    const writer = createRedisStore({ url: inject('redisUrl'), prefix });
    await writer.set(await newKey(), record());
    await writer.close!();

    const counting = createRedisStore({ url: inject('redisUrl'), prefix });
    expect(await counting.count()).toBe(1);
    await counting.close!();
    const clearing = createRedisStore({ url: inject('redisUrl'), prefix });
    expect(await clearing.clear()).toBe(1);
    await clearing.close!();
  });

  it('reject with a SessionStoreError when Redis is unreachable', async () => {
    const unreachable = createRedisStore({ url: 'redis://127.0.0.1:1', operationTimeoutMs: 300 });
    try {
      await expect(unreachable.count()).rejects.toMatchObject({ name: 'SessionStoreError', operation: 'count', status: 503 });
      await expect(unreachable.clear()).rejects.toMatchObject({ name: 'SessionStoreError', operation: 'clear', status: 503 });
    } finally {
      await unreachable.close!();
    }
  });
});

it('spreads sessions over every master of the cluster', async () => {
  const masters = cluster.nodes('master');
  expect(masters).toHaveLength(3);
  expect(cluster).toBeInstanceOf(Cluster);
});
