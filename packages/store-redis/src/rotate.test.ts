/**
 * `rotate` (issue 14, point 17): an id rotation happens only while the old record is
 * live, and never undoes a revocation, on every TCP driver and topology. On a Cluster
 * the keys sit in different slots, so it runs in steps (see engine.ts) and the race
 * with "sign out everywhere" is tried for real.
 */
import { generateSessionId, type SessionRecord, SessionTooLargeError, storeKeyOf } from '@sess/core/store';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { type ConnectedClient, tcpDrivers, uniquePrefix } from '../test/clients';
import { createRedisStore, type RedisClientLike, type RedisStore } from './redis-store';

const HOUR_MS = 3_600_000;
const RACE_ROUNDS = 150;
const newKey = () => storeKeyOf(generateSessionId());
const userOf = (label: string) => `${label}-${Math.random().toString(36).slice(2)}`;

function record(overrides: Partial<SessionRecord> = {}): SessionRecord {
  const nowMs = Date.now();
  return { createdAtMs: nowMs, lastActiveAtMs: nowMs, expiresAtMs: nowMs + HOUR_MS, persistent: false, data: {}, ...overrides };
}

/** A few turns of the event loop, so concurrent calls interleave differently each round. */
async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const connections: ConnectedClient[] = [];
const stores: RedisStore<RedisClientLike>[] = [];
afterAll(async () => {
  await Promise.all(stores.map((store) => store.clear()));
  await Promise.all(connections.map((connection) => connection.close()));
});

for (const driver of tcpDrivers) {
  for (const topology of ['single node', 'Cluster'] as const) {
    describe(`rotate on a ${topology}, ${driver.name}`, async () => {
      const connection =
        topology === 'Cluster' ? await driver.cluster(inject('redisClusterPorts')) : await driver.single(inject('redisUrl'));
      connections.push(connection);
      const store = createRedisStore({ client: connection.client, prefix: uniquePrefix('rotate') });
      stores.push(store);

      it('moves a live record and its index entry to the new key, and deletes the old one', async () => {
        const [from, to, userId] = [newKey(), newKey(), userOf('u')];
        await store.set(from, record({ userId, data: { cart: ['apple'] } }));
        const rotated = record({ userId, data: { cart: ['apple'], signedIn: true } });
        expect(await store.rotate(from, to, rotated)).toBe(true);
        expect(await store.get(from)).toBeUndefined();
        expect(await store.get(to)).toEqual(rotated);
        expect((await store.listByUser(userId)).map((s) => s.key)).toEqual([to]);
      });

      it('signs an anonymous session in, and moves a session from one user to another', async () => {
        const [a, b, c, first, second] = [newKey(), newKey(), newKey(), userOf('first'), userOf('second')];
        await store.set(a, record({ data: { n: 1 } }));
        expect(await store.rotate(a, b, record({ userId: first, data: { n: 1 } }))).toBe(true);
        expect((await store.listByUser(first)).map((s) => s.key)).toEqual([b]);
        expect(await store.rotate(b, c, record({ userId: second, data: { n: 2 } }))).toBe(true);
        expect(await store.listByUser(first)).toEqual([]);
        expect((await store.listByUser(second)).map((s) => s.key)).toEqual([c]);
        expect((await store.get(c))?.data).toEqual({ n: 2 });
      });

      it('does nothing and resolves false when the old record was destroyed, expired or revoked', async () => {
        const [destroyed, expired, revoked, userId] = [newKey(), newKey(), newKey(), userOf('gone')];
        await store.set(destroyed, record({ userId }));
        await store.destroy(destroyed);
        await store.set(expired, record({ userId, expiresAtMs: Date.now() - 1 }));
        await store.set(revoked, record({ userId }));
        await store.destroyByUser(userId);
        for (const from of [destroyed, expired, revoked, newKey()]) {
          const to = newKey();
          expect(await store.rotate(from, to, record({ userId }))).toBe(false);
          expect(await store.get(to)).toBeUndefined();
        }
        expect(await store.listByUser(userId)).toEqual([]);
      });

      it('rejects a record over the size limit with a SessionTooLargeError and keeps the old one', async () => {
        const small = createRedisStore({ client: connection.client, prefix: uniquePrefix('rotate-size'), maxSizeBytes: 50 });
        stores.push(small);
        const [from, to] = [newKey(), newKey()];
        await small.set(from, record({ data: { a: 1 } }));
        await expect(small.rotate(from, to, record({ data: { blob: 'x'.repeat(100) } }))).rejects.toBeInstanceOf(SessionTooLargeError);
        expect((await small.get(from))?.data).toEqual({ a: 1 });
        expect(await small.get(to)).toBeUndefined();
      });

      it(`never leaves a session behind when it races "sign out everywhere" (${RACE_ROUNDS} rounds)`, async () => {
        const userId = userOf('race');
        let rotatedFirst = 0;
        for (let round = 0; round < RACE_ROUNDS; round++) {
          const [from, to] = [newKey(), newKey()];
          await store.set(from, record({ userId }));
          const [rotated] = await Promise.all([
            turns(round % 3).then(() => store.rotate(from, to, record({ userId, data: { round } }))),
            // From at once to a few round trips later: a Cluster rotation takes 3 steps.
            (round % 2 ? turns(round % 5) : pause(round % 7)).then(() => store.destroyByUser(userId)),
          ]);
          if (rotated) rotatedFirst++;
          expect([await store.get(from), await store.get(to)]).toEqual([undefined, undefined]);
        }
        expect(await store.listByUser(userId)).toEqual([]);
        // Both orders happened, or the race was not tried.
        expect(rotatedFirst).toBeGreaterThan(0);
        expect(rotatedFirst).toBeLessThan(RACE_ROUNDS);
      });
    });
  }
}
