/** The store behind the core's session manager, on a single node and on a cluster. */
import { createSessionManager, type SessionManager } from '@sess/core';
import type { Cluster, Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { clusterClient, singleNodeClient, uniquePrefix } from '../test/clients';
import { request, SECRET } from '../test/requests';
import { createRedisStore } from './redis-store';

const topologies: [string, () => Redis | Cluster][] = [
  ['single node', singleNodeClient],
  ['cluster', clusterClient],
];

describe.each(topologies)('with the session manager, on a %s', (_name, makeClient) => {
  const client = makeClient();
  const store = createRedisStore({ client, prefix: uniquePrefix('manager') });
  const sessions: SessionManager = createSessionManager({ secret: SECRET, store });
  afterAll(async () => {
    await store.clear();
    await client.quit();
  });

  it('keeps all 50 keys when 50 concurrent requests each set their own key', async () => {
    const { cookieHeader } = await request(sessions, undefined, (s) => s.set('base', true));
    await Promise.all(Array.from({ length: 50 }, (_, i) => request(sessions, cookieHeader, (s) => s.set(`key${i}`, i))));
    const { session } = await request(sessions, cookieHeader, async () => {});
    const data = session.data;
    expect(Object.keys(data)).toHaveLength(51);
    for (let i = 0; i < 50; i++) expect(data[`key${i}`]).toBe(i);
  });

  it('lets the last commit win when two requests change the same key', async () => {
    const { cookieHeader } = await request(sessions, undefined, (s) => s.set('theme', 'light'));
    const first = sessions.open(cookieHeader);
    const second = sessions.open(cookieHeader);
    (await first.load()).set('theme', 'dark');
    (await second.load()).set('theme', 'solarized');
    await sessions.commit(second, { status: 200 });
    await sessions.commit(first, { status: 200 });
    const { session } = await request(sessions, cookieHeader, async () => {});
    expect(session.get('theme')).toBe('dark');
  });

  it('keeps a session destroyed by one request destroyed while another commits', async () => {
    const { cookieHeader, session: created } = await request(sessions, undefined, (s) => s.set('cart', ['apple']));
    const editing = sessions.open(cookieHeader);
    const signingOut = sessions.open(cookieHeader);
    (await editing.load()).set('cart', ['apple', 'pear']);
    (await signingOut.load()).destroy();
    await sessions.commit(signingOut, { status: 200 });
    await sessions.commit(editing, { status: 200 });
    expect(await store.get(created.key)).toBeUndefined();
    const { session } = await request(sessions, cookieHeader, () => {});
    expect(session.isNew).toBe(true);
  });

  it('lists the sessions of a user with their times and signs them all out', async () => {
    const userId = `user-${Math.random().toString(36).slice(2)}`;
    const cookies: (string | undefined)[] = [];
    for (let i = 0; i < 3; i++) {
      const { cookieHeader } = await request(sessions, undefined, (s) => {
        s.set('device', i);
        s.setUserId(userId);
      });
      cookies.push(cookieHeader);
    }
    const listed = await sessions.listUserSessions(userId);
    expect(listed).toHaveLength(3);
    for (const entry of listed) {
      expect(entry.createdAtMs).toBeLessThanOrEqual(entry.lastActiveAtMs);
      expect(entry.expiresAtMs).toBeGreaterThan(Date.now());
    }
    expect(await sessions.revokeUserSessions(userId)).toBe(3);
    for (const cookieHeader of cookies) {
      const { session } = await request(sessions, cookieHeader, () => {});
      expect(session.isNew).toBe(true);
    }
    expect(await sessions.listUserSessions(userId)).toEqual([]);
  });
});
