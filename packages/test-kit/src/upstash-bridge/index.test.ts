import { createHash, randomBytes } from 'node:crypto';
import { Redis } from '@upstash/redis';
import { Redis as IORedis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRedisUrl } from '../index';
import { startUpstashBridge, type UpstashBridge } from './index';

// The shared Redis, under a key prefix of this file's own.
const prefix = `test:upstash-bridge:${randomBytes(4).toString('hex')}:`;
let bridge: UpstashBridge;
let direct: IORedis;

beforeAll(async () => {
  bridge = await startUpstashBridge({ redisUrl: testRedisUrl });
  direct = new IORedis(testRedisUrl);
});

afterAll(async () => {
  const keys = await direct.keys(`${prefix}*`);
  if (keys.length > 0) await direct.del(...keys);
  await Promise.all([bridge.close(), direct.quit()]);
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${bridge.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bridge.token}`, ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as unknown };
}

const base64 = { 'upstash-encoding': 'base64' };

describe('the Upstash REST bridge: one command', () => {
  it('answers a command POSTed to / with its result, run on the real Redis', async () => {
    const key = `${prefix}plain`;
    expect(await post('/', ['SET', key, 'bar', 'EX', 60])).toEqual({ status: 200, body: { result: 'OK' } });
    expect(await direct.get(key)).toBe('bar');
    expect(await direct.ttl(key)).toBeGreaterThan(50);
    expect(await post('/', ['GET', key])).toEqual({ status: 200, body: { result: 'bar' } });
    expect(await post('/', ['GET', `${prefix}missing`])).toEqual({ status: 200, body: { result: null } });
    expect(await post('/', ['EXISTS', key])).toEqual({ status: 200, body: { result: 1 } });
  });

  it('answers a command Redis refuses with 400 and its error', async () => {
    expect(await post('/', ['GET'])).toEqual({
      status: 400,
      body: { error: "ERR wrong number of arguments for 'get' command" },
    });
  });

  it('answers a body that is no command with 400, never a 500', async () => {
    expect((await post('/', { command: 'GET' })).status).toBe(400);
    expect((await post('/', [])).status).toBe(400);
    expect((await post('/', ['SET', `${prefix}x`, { nested: true }])).status).toBe(400);
    const res = await fetch(bridge.url, { method: 'POST', headers: { authorization: `Bearer ${bridge.token}` }, body: '{' });
    expect(res.status).toBe(400);
  });

  it('refuses a missing or wrong token with 401 before running anything', async () => {
    const key = `${prefix}unauthorised`;
    for (const authorization of [undefined, 'Bearer wrong', bridge.token]) {
      const res = await fetch(bridge.url, {
        method: 'POST',
        headers: authorization === undefined ? {} : { authorization },
        body: JSON.stringify(['SET', key, 'x']),
      });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: 'Unauthorized' });
    }
    expect(await direct.exists(key)).toBe(0);
    const viaQuery = await fetch(`${bridge.url}/?_token=${bridge.token}`, { method: 'POST', body: '["PING"]' });
    expect(await viaQuery.json()).toEqual({ result: 'PONG' });
  });

  it('answers a method other than POST with 405', async () => {
    const res = await fetch(bridge.url, { headers: { authorization: `Bearer ${bridge.token}` } });
    expect(res.status).toBe(405);
  });
});

describe('the Upstash REST bridge: Upstash-Encoding base64', () => {
  it('sends every string as base64 of its bytes except the status reply OK', async () => {
    const key = `${prefix}encoded`;
    expect(await post('/', ['SET', key, 'bar'], base64)).toEqual({ status: 200, body: { result: 'OK' } });
    expect(await post('/', ['GET', key], base64)).toEqual({ status: 200, body: { result: 'YmFy' } });
    // A stored "OK" is data, not the status reply.
    await direct.set(key, 'OK');
    expect((await post('/', ['GET', key], base64)).body).toEqual({ result: 'T0s=' });
    expect((await post('/', ['PING'], base64)).body).toEqual({ result: Buffer.from('PONG').toString('base64') });
    expect((await post('/', ['STRLEN', key], base64)).body).toEqual({ result: 2 });
  });

  it('round-trips UTF-8 text and returns binary bytes exactly, which plain JSON cannot', async () => {
    const text = `${prefix}utf8`;
    const value = 'grüße, 世界 🍪';
    await post('/', ['SET', text, value]);
    expect(await direct.get(text)).toBe(value);
    const encoded = (await post('/', ['GET', text], base64)).body as { result: string };
    expect(Buffer.from(encoded.result, 'base64').toString('utf8')).toBe(value);
    expect((await post('/', ['GET', text])).body).toEqual({ result: value });

    const binary = `${prefix}binary`;
    const bytes = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0a, 0x0d, 0xc3]);
    await direct.set(binary, bytes);
    const raw = (await post('/', ['GET', binary], base64)).body as { result: string };
    expect(Buffer.from(raw.result, 'base64')).toEqual(bytes);
    // Without the header, invalid UTF-8 becomes U+FFFD: the documented loss.
    expect(((await post('/', ['GET', binary])).body as { result: string }).result).toContain('\uFFFD');
  });

  it('encodes the strings inside arrays and leaves their integers and nulls alone', async () => {
    const key = `${prefix}array`;
    await direct.zadd(key, 1, 'a', 2, 'b');
    expect((await post('/', ['ZRANGE', key, 0, -1, 'WITHSCORES'], base64)).body).toEqual({
      result: ['YQ==', 'MQ==', 'Yg==', 'Mg=='],
    });
    expect((await post('/', ['MGET', key, `${prefix}none`], base64)).body).toEqual({
      result: [null, null],
    });
    expect((await post('/', ['EVAL', 'return {1, "x", false}', 0], base64)).body).toEqual({ result: [1, 'eA==', null] });
  });
});

describe('the Upstash REST bridge: /pipeline and /multi-exec', () => {
  it('answers a pipeline with one slot per command, an error in its own slot', async () => {
    const key = `${prefix}pipeline`;
    const { status, body } = await post('/pipeline', [
      ['SET', key, 'valuex'],
      ['INCR', key],
      ['GET', key],
    ]);
    expect(status).toBe(200);
    expect(body).toEqual([{ result: 'OK' }, { error: 'ERR value is not an integer or out of range' }, { result: 'valuex' }]);
  });

  it('runs a transaction atomically and keeps a failing command in its own slot', async () => {
    const key = `${prefix}multi`;
    const { status, body } = await post(
      '/multi-exec',
      [
        ['SET', key, 'a'],
        ['INCR', key],
        ['APPEND', key, 'b'],
      ],
      base64,
    );
    expect(status).toBe(200);
    expect(body).toEqual([{ result: 'OK' }, { error: 'ERR value is not an integer or out of range' }, { result: 2 }]);
    expect(await direct.get(key)).toBe('ab');
  });

  it('answers a transaction Redis discards with one error and runs none of it', async () => {
    const key = `${prefix}aborted`;
    const { status, body } = await post('/multi-exec', [['SET', key, 'a'], ['GET']]);
    expect(status).toBe(400);
    expect(body).toEqual({ error: expect.stringMatching(/^EXECABORT/) });
    expect(await direct.exists(key)).toBe(0);
    // The shared connection is left outside any transaction.
    expect((await post('/', ['PING'])).body).toEqual({ result: 'PONG' });
  });

  it('counts each HTTP request with the commands it carried', async () => {
    bridge.clearRequests();
    await post('/', ['PING']);
    await post('/pipeline', [['PING'], ['ECHO', 'x']]);
    expect(bridge.requests).toEqual([
      { endpoint: '/', commands: ['ping'], sent: [['PING']] },
      { endpoint: '/pipeline', commands: ['ping', 'echo'], sent: [['PING'], ['ECHO', 'x']] },
    ]);
  });
});

describe('the Upstash REST bridge: the real @upstash/redis client', () => {
  const client = () => new Redis({ url: bridge.url, token: bridge.token, automaticDeserialization: false });

  it('gets and sets strings, UTF-8 included', async () => {
    const redis = client();
    const key = `${prefix}client:string`;
    expect(await redis.set(key, 'grüße 🍪', { ex: 60 })).toBe('OK');
    expect(await redis.get(key)).toBe('grüße 🍪');
    expect(await redis.get(`${prefix}client:none`)).toBeNull();
  });

  it('gets NOSCRIPT for an unknown script hash, then runs it with eval and evalsha', async () => {
    const redis = client();
    const script = `return ARGV[1] .. "${randomBytes(8).toString('hex')}"`;
    // A script no one loaded yet (no SCRIPT FLUSH: the Redis is shared).
    const sha = createHash('sha1').update(script).digest('hex');
    await expect(redis.evalsha(sha, [], ['x'])).rejects.toThrow(/NOSCRIPT/);
    expect(await redis.eval(script, [], ['x'])).toMatch(/^x/);
    expect(await redis.evalsha(sha, [], ['y'])).toMatch(/^y/);
  });

  it('adds to a sorted set and scans keys by pattern', async () => {
    const redis = client();
    const key = `${prefix}client:zset`;
    expect(await redis.zadd(key, { score: 1, member: 'a' }, { score: 2, member: 'b' })).toBe(2);
    expect(await redis.zrange(key, 0, -1)).toEqual(['a', 'b']);
    const seen: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, { match: `${prefix}client:*`, count: 100 });
      seen.push(...keys);
      cursor = String(next);
    } while (cursor !== '0');
    expect(seen).toContain(key);
  });

  it('throws on a wrong token instead of answering', async () => {
    const redis = new Redis({ url: bridge.url, token: 'wrong', retry: false });
    await expect(redis.get(`${prefix}x`)).rejects.toThrow(/Unauthorized/);
  });
});
