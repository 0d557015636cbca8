/*
 * The store contract over @upstash/redis on Node, through the Upstash REST bridge in
 * front of the test Redis, and what a request costs in HTTP requests, counted at the bridge.
 */
import { createSessionManager } from '@sess/core';
import { describeStoreConformance } from '@sess/core/testing';
import { Redis } from '@upstash/redis';
import { afterAll, describe, expect, inject, it } from 'vitest';
// By path: @sess/test-kit depends on this package, so a dev dependency back would be a cycle.
import { startUpstashBridge } from '../../../test-kit/src/upstash-bridge/index';
import { uniquePrefix } from '../../test/clients';
import { request, SECRET } from '../../test/requests';
import { createRedisStore, type RedisStore } from '../index';

const bridge = await startUpstashBridge({ redisUrl: inject('redisUrl') });
const client = new Redis({ url: bridge.url, token: bridge.token });
const stores: RedisStore<Redis>[] = [];
const store = (options: { prefix?: string; maxSizeBytes?: number } = {}) => {
  const created = createRedisStore({ client, prefix: options.prefix ?? uniquePrefix('upstash'), ...options });
  stores.push(created);
  return created;
};
afterAll(async () => {
  await Promise.all(stores.map((created) => created.clear()));
  await bridge.close();
});

const conformanceStore = store();
const sizePrefix = uniquePrefix('upstash-size');
describeStoreConformance('Redis single node, upstash [node]', {
  createStore: () => conformanceStore,
  createSizeLimitedStore: ({ maxSizeBytes }) => store({ prefix: sizePrefix, maxSizeBytes }),
});

describe('Redis single node, upstash [node]: HTTP requests per request, counted at the bridge', () => {
  const sessions = createSessionManager({ secret: SECRET, store: store() });

  async function requestsDuring(work: () => Promise<unknown>): Promise<string[][]> {
    bridge.clearRequests();
    await work();
    return bridge.requests.map((sent) => sent.commands);
  }

  it('loads a session with one HTTP request and commits a change with one more', async () => {
    // Warm: the first script call on a fresh server costs NOSCRIPT and an EVAL.
    const first = await request(sessions, undefined, (s) => s.set('cart', ['apple']));
    await request(sessions, first.cookieHeader, async (s) => {
      s.set('cart', ['apple', 'banana']);
      await s.setUserId('upstash-user');
    });
    const handle = sessions.open(first.cookieHeader);
    const load = await requestsDuring(() => handle.load());
    (await handle.load()).set('cart', ['apple', 'pear']);
    const commit = await requestsDuring(() => sessions.commit(handle, { status: 200 }));
    expect({ load: load.length, commit: commit.length }).toEqual({ load: 1, commit: 1 });
  });

  it('serves an untouched read with one HTTP request and commits nothing', async () => {
    const { cookieHeader } = await request(sessions, undefined, (s) => s.set('cart', ['apple']));
    const handle = sessions.open(cookieHeader);
    const load = await requestsDuring(() => handle.load());
    const commit = await requestsDuring(() => sessions.commit(handle, { status: 200 }));
    expect({ load, commit }).toEqual({ load: [['get']], commit: [] });
  });

  it('creates a session with one HTTP request', async () => {
    const sent = await requestsDuring(() => request(sessions, undefined, (s) => s.set('cart', ['apple'])));
    expect(sent).toHaveLength(1);
  });
});

describe('Redis single node, upstash [node]: what a tracer of the HTTP bodies sees', () => {
  it('never sends a session id or a cookie value in any command argument, from creation to sign-out everywhere', async () => {
    const sessions = createSessionManager({ secret: SECRET, store: store() });
    const secrets = new Set<string>();
    const remember = (id: string, cookieHeader: string | undefined) => {
      secrets.add(id);
      if (cookieHeader) secrets.add(cookieHeader.slice(cookieHeader.indexOf('=') + 1));
    };
    bridge.clearRequests();
    const created = await request(sessions, undefined, (s) => s.set('cart', ['apple']));
    remember(created.session.id, created.cookieHeader);
    const signedIn = await request(sessions, created.cookieHeader, (s) => {
      s.regenerate();
      s.setUserId('upstash-trace');
      s.set('name', 'Ann');
    });
    remember(signedIn.session.id, signedIn.cookieHeader);
    await request(sessions, signedIn.cookieHeader, (s) => s.set('cart', ['apple', 'pear']));
    expect(await sessions.listUserSessions('upstash-trace')).toHaveLength(1);
    expect(await sessions.revokeUserSessions('upstash-trace')).toBe(1);

    const sent = bridge.requests.flatMap((each) => each.sent);
    const kinds = new Set(sent.map((args) => args[0]!.toLowerCase()));
    for (const kind of ['set', 'get', 'evalsha', 'zrangebyscore', 'getrange']) expect(kinds).toContain(kind);
    expect(secrets.size).toBe(4);
    const leaks = sent.filter((args) => args.some((arg) => [...secrets].some((secret) => arg.includes(secret))));
    expect(leaks).toEqual([]);
  });
});
