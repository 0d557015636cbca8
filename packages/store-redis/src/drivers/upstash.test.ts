import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isSessionStoreError } from '@sess/core';
import { Redis } from '@upstash/redis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type RedisServer, startRedisServer } from '../../../test-kit/src/redis/index';
// By path: @sess/test-kit depends on this package, so a dev dependency back would be a cycle.
import { startUpstashBridge, type UpstashBridge } from '../../../test-kit/src/upstash-bridge/index';
import { uniquePrefix } from '../../test/clients';
import { createRedisStore } from '../index';
import type { RedisCommandPort } from '../port';
import { upstashDriver } from './upstash';

const prefix = uniquePrefix('upstash-driver');
const context = { operationTimeoutMs: 2_000, notice: () => {} };
let bridge: UpstashBridge;
let port: RedisCommandPort;

beforeAll(async () => {
  bridge = await startUpstashBridge({ redisUrl: inject('redisUrl') });
  port = upstashDriver.createPort(new Redis({ url: bridge.url, token: bridge.token }), context);
});

afterAll(async () => {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const page = await port.scanNodes()[0]!.scan(cursor, `${prefix}*`, 100);
    keys.push(...page.keys);
    cursor = page.cursor;
  } while (cursor !== '0');
  await Promise.all(keys.map((key) => port.del(key)));
  await bridge.close();
});

describe('the upstash driver [node]', () => {
  it('recognises an @upstash/redis client, auto-pipelining or not, and nothing else', () => {
    const options = { url: 'http://127.0.0.1:1', token: 't' };
    expect(upstashDriver.matches(new Redis(options))).toBe(true);
    expect(upstashDriver.matches(new Redis({ ...options, enableAutoPipelining: false }))).toBe(true);
    expect(upstashDriver.matches({ get() {}, set() {} })).toBe(false);
    expect(upstashDriver.matches({ client: null, createScript() {}, evalsha() {} })).toBe(false);
  });

  it('reads text back as written, never JSON-parsed, whatever the client deserialises', async () => {
    const key = `${prefix}text`;
    for (const value of ['{"a":1}', '123', 'true', 'null', 'grüße 🍪']) {
      await port.set(key, value, Date.now() + 60_000);
      expect(await port.get(key)).toBe(value);
    }
    expect(await port.get(`${prefix}missing`)).toBeNull();
  });

  it('sends the calls of one tick as one HTTP request', async () => {
    const key = `${prefix}batched`;
    bridge.clearRequests();
    await Promise.all([port.set(key, 'v', Date.now() + 60_000), port.get(key), port.zRem(`${prefix}index`, ['x'])]);
    expect(bridge.requests.map(({ endpoint, commands }) => ({ endpoint, commands }))).toEqual([
      { endpoint: '/pipeline', commands: ['set', 'get', 'zrem'] },
    ]);
    bridge.clearRequests();
    expect(await port.get(key)).toBe('v');
    expect(bridge.requests.map(({ endpoint, commands }) => ({ endpoint, commands }))).toEqual([{ endpoint: '/', commands: ['get'] }]);
  });

  it('rejects an unknown script hash with NOSCRIPT first, alone and in a pipeline', async () => {
    const lua = `return ARGV[1] .. "${prefix}"`;
    const sha = createHash('sha1').update(lua).digest('hex');
    await expect(port.evalSha(sha, [], ['x'])).rejects.toThrow(/^NOSCRIPT/);
    const [alone, batched] = await Promise.allSettled([port.evalSha(sha, [], ['x']), port.get(`${prefix}x`)]);
    expect(alone.status === 'rejected' && (alone.reason as Error).message).toMatch(/^NOSCRIPT/);
    expect(batched).toEqual({ status: 'fulfilled', value: null });
    expect(await port.eval(lua, [], ['x'])).toBe(`x${prefix}`);
    expect(await port.evalSha(sha, [], ['y'])).toBe(`y${prefix}`);
  });

  it('keeps command arguments (session data) out of error messages', async () => {
    const key = `${prefix}wrongtype`;
    await port.eval("redis.call('ZADD', KEYS[1], 1, 'm')", [key], []);
    const error = await port.get(key).catch((caught: Error) => caught);
    expect((error as Error).message).toMatch(/^WRONGTYPE/);
    expect((error as Error).message).not.toContain(key);
  });

  it('reads sorted-set ranges and scans by pattern', async () => {
    const key = `${prefix}zset`;
    await port.eval("redis.call('ZADD', KEYS[1], 1, 'a', 2, 'b', 3, 'c')", [key], []);
    expect(await port.zRangeByScore(key, '-inf', 2)).toEqual(['a', 'b']);
    expect(await port.zRem(key, ['a', 'z'])).toBe(1);
    const page = await port.scanNodes()[0]!.scan('0', `${prefix}zs*`, 1000);
    expect(page.keys).toEqual([key]);
    expect(await port.getRange(`${prefix}none`, 0, 10)).toBe('');
  });
});

describe('the upstash driver [node]: a server that never answers', () => {
  let silent: Server;
  let url: string;
  beforeAll(async () => {
    silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    silent.closeAllConnections();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('rejects when the store timeout passes, never resolving with a fake result', async () => {
    const client = new Redis({ url, token: 't', retry: false });
    const silentPort = upstashDriver.createPort(client, { ...context, operationTimeoutMs: 200 });
    const startedMs = Date.now();
    const outcome = await silentPort.get(`${prefix}x`).then(
      (value) => ({ value }),
      (error: Error) => ({ error: error.name }),
    );
    expect(outcome).toEqual({ error: 'TimeoutError' });
    expect(Date.now() - startedMs).toBeLessThan(5_000);
  });
});

describe('the upstash driver [node]: outages reach the store as SessionStoreError, never as "no session"', () => {
  const SLACK_MS = 1_000;
  let server: RedisServer;
  let privateBridge: UpstashBridge;

  beforeAll(async () => {
    server = await startRedisServer();
    privateBridge = await startUpstashBridge({ redisUrl: server.url });
  });
  afterAll(async () => {
    await privateBridge.close();
    await server.dispose();
  });

  async function failure(work: () => Promise<unknown>): Promise<{ error: unknown; elapsedMs: number }> {
    const startedMs = Date.now();
    try {
      await work();
    } catch (error) {
      return { error, elapsedMs: Date.now() - startedMs };
    }
    throw new Error('expected the call to fail');
  }

  it('fails a load at once when the Redis behind Upstash is down, and works again when it is back', async () => {
    const client = new Redis({ url: privateBridge.url, token: privateBridge.token });
    const store = createRedisStore({ client, operationTimeoutMs: 500 });
    const nowMs = Date.now();
    const record = { data: { a: 1 }, createdAtMs: nowMs, lastActiveAtMs: nowMs, expiresAtMs: nowMs + 60_000, persistent: false };
    await store.set('k'.repeat(32), record);
    expect(await store.get('k'.repeat(32))).toMatchObject({ data: { a: 1 } });
    await server.stop();
    const { error, elapsedMs } = await failure(() => store.get('k'.repeat(32)));
    expect(isSessionStoreError(error)).toBe(true);
    expect(elapsedMs).toBeLessThan(500 + SLACK_MS);
    await server.start();
    expect(await store.get('k'.repeat(32))).toBeUndefined(); // a fresh, empty server: truly no session now
  });

  it('fails within the store timeout when Upstash cannot be reached, retries included', async () => {
    const closed = await startUpstashBridge({ redisUrl: server.url });
    await closed.close();
    const store = createRedisStore({ client: new Redis({ url: closed.url, token: 't' }), operationTimeoutMs: 500 });
    const { error, elapsedMs } = await failure(() => store.get('k'.repeat(32)));
    expect(isSessionStoreError(error)).toBe(true);
    expect(elapsedMs).toBeLessThan(500 + SLACK_MS);
  });
});
