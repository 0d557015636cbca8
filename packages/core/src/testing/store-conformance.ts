import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateSessionId, storeKeyOf } from '../ids';
import { isSerializer } from '../serializer';
import type { SessionData, SessionMeta, SessionRecord, SessionStore } from '../store';

/** Options of `describeStoreConformance`. */
export interface StoreConformanceOptions<Store extends SessionStore = SessionStore> {
  /**
   * Makes the store under test; called before each test. It is also called once while
   * the tests are collected, to see which optional methods the store has, so it must
   * not depend on a `beforeAll` hook. It may return the same store every time: every
   * test uses keys and user ids of its own.
   */
  createStore: () => Store | Promise<Store>;
  /** Releases what `createStore` made (a client connection, a file), after each test. */
  cleanup?: (store: Store) => Promise<void> | void;
  /**
   * Makes the store under test with a limit on the session size (its `maxSizeBytes`
   * option). Given, the suite checks the size rule every store with a limit follows:
   * the data may take at most `maxSizeBytes` UTF-8 bytes, counting each top-level key
   * and its JSON-serialized value; a `set` or `update` over it rejects with a
   * `SessionTooLargeError` and changes nothing. `cleanup` releases it too.
   * @default undefined (no size tests: the store has no limit)
   */
  createSizeLimitedStore?: (options: { maxSizeBytes: number }) => Store | Promise<Store>;
  /**
   * The lifetime of the records the expiry tests write; they wait this long plus 100 ms.
   * Raise it for a backend whose clock runs apart from this process.
   * @default 300
   */
  expiryMs?: number;
}

const HOUR_MS = 60 * 60 * 1000;

/**
 * Defines a vitest suite that checks a `SessionStore` against the contract in
 * `@sess/core` (see `SessionStore`). Tests for the optional methods (`touch`,
 * `update`, `rotate`, `listByUser`, `destroyByUser`) are defined only when the store has them,
 * and for `serializer` only when the store declares one (a rich one must give back
 * a `Date` as a `Date`).
 *
 * @example
 * describeStoreConformance('my store', { createStore: () => createMyStore() });
 */
export function describeStoreConformance<Store extends SessionStore>(name: string, options: StoreConformanceOptions<Store>): void {
  const { createStore, cleanup, createSizeLimitedStore, expiryMs = 300 } = options;
  if (typeof createStore !== 'function') {
    throw new TypeError('@sess/core: describeStoreConformance needs a `createStore` function.');
  }
  if (createSizeLimitedStore !== undefined && typeof createSizeLimitedStore !== 'function') {
    throw new TypeError('@sess/core: describeStoreConformance option `createSizeLimitedStore` must be a function.');
  }
  if (!Number.isFinite(expiryMs) || expiryMs <= 0) {
    throw new TypeError('@sess/core: describeStoreConformance option `expiryMs` must be a positive number.');
  }
  const expiryWaitMs = expiryMs + 100;

  describe(`${name}: SessionStore conformance`, async () => {
    const probe = await createStore();
    const has = {
      touch: typeof probe.touch === 'function',
      update: typeof probe.update === 'function',
      listByUser: typeof probe.listByUser === 'function',
      destroyByUser: typeof probe.destroyByUser === 'function',
      rotate: typeof probe.rotate === 'function',
    };
    const declaredSerializer = probe.serializer;
    await cleanup?.(probe);

    let store: Store;
    beforeEach(async () => {
      store = await createStore();
    });
    afterEach(async () => {
      await cleanup?.(store);
    });

    if (declaredSerializer !== undefined) {
      describe('declared serializer', () => {
        it("declares a serializer the manager can adopt: stringify and parse functions, kind 'json', 'rich' or none", () => {
          expect(isSerializer(store.serializer)).toBe(true);
        });

        if (declaredSerializer.kind === 'rich') {
          it('gives back Date, Map, Set and BigInt as they were, as its rich serializer promises', async () => {
            const key = await newKey();
            const data = { when: new Date(5), scores: new Map([['ann', 1]]), tags: new Set(['a']), big: 10n ** 20n };
            await store.set(key, record({ data }));
            expect((await store.get(key))?.data).toEqual(data);
          });
        }
      });
    }

    describe('get, set and destroy', () => {
      it('resolves undefined for a key it has never seen', async () => {
        expect(await store.get(await newKey())).toBeUndefined();
      });

      it('returns the data and metadata it was given', async () => {
        const key = await newKey();
        const written = record({
          data: richData(),
          persistent: true,
          userId: newUserId(),
        });
        await store.set(key, written);
        expect(await store.get(key)).toEqual(written);
      });

      it('returns a record without a user id when none was set', async () => {
        const key = await newKey();
        await store.set(key, record({ data: { a: 1 } }));
        const read = await store.get(key);
        expect(read?.userId).toBeUndefined();
        expect(read?.persistent).toBe(false);
      });

      it('keeps what was written apart from the objects of the caller', async () => {
        const key = await newKey();
        const written = record({ data: { cart: { items: ['apple'] } } });
        await store.set(key, written);
        (written.data.cart as { items: string[] }).items.push('pear');
        written.expiresAtMs += 1000;

        const first = await store.get(key);
        expect(first?.data).toEqual({ cart: { items: ['apple'] } });
        expect(first?.expiresAtMs).toBe(written.expiresAtMs - 1000);
        (first!.data.cart as { items: string[] }).items.push('plum');
        expect((await store.get(key))?.data).toEqual({ cart: { items: ['apple'] } });
      });

      it('replaces the whole record on set', async () => {
        const key = await newKey();
        await store.set(key, record({ data: { a: 1, b: 2 }, persistent: true, userId: newUserId() }));
        const replacement = record({ data: { c: 3 } });
        await store.set(key, replacement);
        expect(await store.get(key)).toEqual(replacement);
      });

      it('keeps records under different keys apart', async () => {
        const [first, second] = await Promise.all([newKey(), newKey()]);
        await store.set(first, record({ data: { which: 'first' } }));
        await store.set(second, record({ data: { which: 'second' } }));
        expect((await store.get(first))?.data).toEqual({ which: 'first' });
        expect((await store.get(second))?.data).toEqual({ which: 'second' });
      });

      it('treats keys as opaque, case-sensitive strings', async () => {
        const key = await newKey();
        const upper = key.toUpperCase();
        const lower = key.toLowerCase();
        await store.set(upper, record({ data: { which: 'upper' } }));
        await store.set(lower, record({ data: { which: 'lower' } }));
        expect((await store.get(upper))?.data).toEqual({ which: 'upper' });
        expect((await store.get(lower))?.data).toEqual({ which: 'lower' });
        expect(await store.get(key.slice(1))).toBeUndefined();
        await Promise.all([store.destroy(upper), store.destroy(lower)]);
      });

      it('forgets a destroyed record', async () => {
        const [key, other] = await Promise.all([newKey(), newKey()]);
        await store.set(key, record({ data: { a: 1 } }));
        await store.set(other, record({ data: { b: 2 } }));
        await store.destroy(key);
        expect(await store.get(key)).toBeUndefined();
        expect((await store.get(other))?.data).toEqual({ b: 2 });
      });

      it('destroys a key twice, or one it never saw, without failing', async () => {
        const key = await newKey();
        await store.set(key, record({ data: { a: 1 } }));
        await store.destroy(key);
        await expect(store.destroy(key)).resolves.toBeUndefined();
        await expect(store.destroy(await newKey())).resolves.toBeUndefined();
      });

      it('never returns a record whose expiry has passed', async () => {
        const key = await newKey();
        await store.set(key, record({ data: { a: 1 }, expiresAtMs: Date.now() + expiryMs }));
        expect((await store.get(key))?.data).toEqual({ a: 1 });
        await sleep(expiryWaitMs);
        expect(await store.get(key)).toBeUndefined();
      });

      it('never returns a record written with an expiry already past', async () => {
        const key = await newKey();
        await store.set(key, record({ data: { a: 1 }, expiresAtMs: Date.now() - 1000 }));
        expect(await store.get(key)).toBeUndefined();
      });
    });

    if (createSizeLimitedStore !== undefined) {
      describe('maximum session size', () => {
        // 100 bytes: `blob` (4) + a JSON string of 94 characters (96) is exactly the limit.
        const maxSizeBytes = 100;
        let limited: Store;
        beforeEach(async () => {
          limited = await createSizeLimitedStore({ maxSizeBytes });
        });
        afterEach(async () => {
          await cleanup?.(limited);
        });

        it('accepts data of exactly maxSizeBytes, counting keys and serialized values in UTF-8 bytes', async () => {
          const key = await newKey();
          await limited.set(key, record({ data: { blob: 'x'.repeat(94) } }));
          expect((await limited.get(key))?.data).toEqual({ blob: 'x'.repeat(94) });
          // 'é' is 2 bytes: 1 + (2 + 2 * 48) = 99 bytes.
          await limited.set(key, record({ data: { e: 'é'.repeat(48) } }));
          expect((await limited.get(key))?.data).toEqual({ e: 'é'.repeat(48) });
        });

        it('rejects a set over the limit with a SessionTooLargeError and writes nothing', async () => {
          const [fresh, existing] = await Promise.all([newKey(), newKey()]);
          const error = await limited.set(fresh, record({ data: { blob: 'x'.repeat(95) } })).catch((e: unknown) => e);
          expect(error).toMatchObject({ name: 'SessionTooLargeError', sizeBytes: 101, limitBytes: maxSizeBytes });
          expect((error as Error).message).toMatch(/the session is 101 bytes, over the limit of 100 bytes/);
          expect(await limited.get(fresh)).toBeUndefined();

          await limited.set(existing, record({ data: { kept: 1 } }));
          await expect(limited.set(existing, record({ data: { e: 'é'.repeat(49) } }))).rejects.toMatchObject({
            name: 'SessionTooLargeError',
            sizeBytes: 1 + 2 + 98,
          });
          expect((await limited.get(existing))?.data).toEqual({ kept: 1 });
        });

        if (has.update) {
          it('counts the keys an update keeps, and leaves the record unchanged when over', async () => {
            const key = await newKey();
            const meta = metaOf(record());
            await limited.set(key, record({ data: { a: 'x'.repeat(40) } })); // 1 + 42 bytes
            await limited.update!(key, { set: { b: 'y'.repeat(40) }, removed: [], meta }); // 86 bytes
            const before = await limited.get(key);
            const later = metaOf(record({ expiresAtMs: Date.now() + 2 * HOUR_MS, userId: newUserId() }));
            const error = await limited.update!(key, { set: { c: 'z'.repeat(20) }, removed: [], meta: later }).catch((e: unknown) => e);
            expect(error).toMatchObject({ name: 'SessionTooLargeError', sizeBytes: 86 + 23, limitBytes: maxSizeBytes });
            expect(await limited.get(key)).toEqual(before);
            if (has.listByUser) expect(await limited.listByUser!(later.userId!)).toEqual([]);
          });

          it('frees the room of the keys an update removes or replaces', async () => {
            const key = await newKey();
            const meta = metaOf(record());
            await limited.set(key, record({ data: { a: 'x'.repeat(40), b: 'y'.repeat(40) } })); // 86 bytes
            // b removed, a replaced by itself, c added: 43 + 1 + 12 bytes.
            await limited.update!(key, { set: { c: 'z'.repeat(10), a: 'x'.repeat(40) }, removed: ['b'], meta });
            expect((await limited.get(key))?.data).toEqual({ a: 'x'.repeat(40), c: 'z'.repeat(10) });
            // Replacing a value with a longer one counts only the new one: 1 + 92 + 1 + 12 = 106 is over...
            await expect(limited.update!(key, { set: { a: 'x'.repeat(90) }, removed: [], meta })).rejects.toMatchObject({
              name: 'SessionTooLargeError',
              sizeBytes: 106,
            });
            // ...and 1 + 82 + 1 + 12 = 96 fits.
            await limited.update!(key, { set: { a: 'x'.repeat(80) }, removed: [], meta });
            expect((await limited.get(key))?.data).toEqual({ a: 'x'.repeat(80), c: 'z'.repeat(10) });
          });

          it('counts characters outside the BMP as 4 bytes in an update', async () => {
            const key = await newKey();
            await limited.set(key, record({ data: { e: 'é'.repeat(10) } })); // 1 + 22 bytes
            await expect(limited.update!(key, { set: { f: '👋'.repeat(20) }, removed: [], meta: metaOf(record()) })).rejects.toMatchObject({
              name: 'SessionTooLargeError',
              sizeBytes: 1 + 22 + 1 + 82,
            });
            await limited.update!(key, { set: { f: '👋'.repeat(18) }, removed: [], meta: metaOf(record()) }); // 97 bytes
            expect((await limited.get(key))?.data).toEqual({ e: 'é'.repeat(10), f: '👋'.repeat(18) });
          });
        }
      });
    }

    if (has.touch) {
      describe('touch', () => {
        it('moves the expiry so the record outlives its old deadline, data untouched', async () => {
          const key = await newKey();
          const createdAtMs = Date.now() - 5000;
          await store.set(key, record({ data: richData(), createdAtMs, expiresAtMs: Date.now() + expiryMs }));
          const meta = { ...metaOf(record({ createdAtMs })), lastActiveAtMs: Date.now() };
          await store.touch!(key, meta);
          await sleep(expiryWaitMs);
          expect(await store.get(key)).toEqual({ ...meta, data: richData() });
        });

        it('never brings back a destroyed record', async () => {
          const key = await newKey();
          await store.set(key, record({ data: { a: 1 } }));
          await store.destroy(key);
          await store.touch!(key, metaOf(record()));
          expect(await store.get(key)).toBeUndefined();
        });

        it('never brings back an expired record', async () => {
          const key = await newKey();
          await store.set(key, record({ data: { a: 1 }, expiresAtMs: Date.now() + expiryMs }));
          await sleep(expiryWaitMs);
          await store.touch!(key, metaOf(record()));
          expect(await store.get(key)).toBeUndefined();
        });

        it('does nothing for a key it never saw', async () => {
          const key = await newKey();
          await store.touch!(key, metaOf(record()));
          expect(await store.get(key)).toBeUndefined();
        });

        it('moves the user id with the rest of the metadata', async () => {
          const [userId, otherUserId] = [newUserId(), newUserId()];
          const key = await newKey();
          await store.set(key, record({ data: { a: 1 }, userId }));
          await store.touch!(key, metaOf(record({ userId: otherUserId })));
          expect((await store.get(key))?.userId).toBe(otherUserId);
          if (has.listByUser) {
            expect(await store.listByUser!(userId)).toEqual([]);
            expect((await store.listByUser!(otherUserId)).map((s) => s.key)).toEqual([key]);
          }
          await store.touch!(key, metaOf(record()));
          expect((await store.get(key))?.userId).toBeUndefined();
          if (has.listByUser) expect(await store.listByUser!(otherUserId)).toEqual([]);
        });
      });
    }

    if (has.update) {
      describe('update', () => {
        it('writes the keys it sets and keeps the keys it does not mention', async () => {
          const key = await newKey();
          await store.set(key, record({ data: { kept: 'yes', changed: 1 } }));
          await store.update!(key, { set: { changed: 2, added: { nested: [1, { deep: 'é' }] } }, removed: [], meta: metaOf(record()) });
          await store.update!(key, { set: { later: null }, removed: [], meta: metaOf(record()) });
          expect((await store.get(key))?.data).toEqual({
            kept: 'yes',
            changed: 2,
            added: { nested: [1, { deep: 'é' }] },
            later: null,
          });
        });

        it('removes the keys it lists as removed', async () => {
          const key = await newKey();
          await store.set(key, record({ data: { a: 1, b: 2, c: 3 } }));
          await store.update!(key, { set: {}, removed: ['a', 'c', 'never-there'], meta: metaOf(record()) });
          expect((await store.get(key))?.data).toEqual({ b: 2 });
        });

        it('replaces the metadata with the metadata of the patch', async () => {
          const key = await newKey();
          await store.set(key, record({ data: { a: 1 }, expiresAtMs: Date.now() + expiryMs }));
          const meta = metaOf(record({ createdAtMs: Date.now() - 1000, persistent: true, userId: newUserId() }));
          await store.update!(key, { set: { b: 2 }, removed: [], meta });
          // The backend's own expiry must move too, not only the stored metadata.
          await sleep(expiryWaitMs);
          expect(await store.get(key)).toEqual({ ...meta, data: { a: 1, b: 2 } });
        });

        it('keeps every key when 50 concurrent updates each set their own key', async () => {
          const key = await newKey();
          await store.set(key, record({ data: { base: true } }));
          const meta = metaOf(record());
          await Promise.all(Array.from({ length: 50 }, (_, i) => store.update!(key, { set: { [`key${i}`]: i }, removed: [], meta })));
          const expected: SessionData = { base: true };
          for (let i = 0; i < 50; i++) expected[`key${i}`] = i;
          expect((await store.get(key))?.data).toEqual(expected);
        });

        it('lets the last update win when updates set the same key', async () => {
          const key = await newKey();
          await store.set(key, record({ data: { step: 0 } }));
          const meta = metaOf(record());
          await store.update!(key, { set: { step: 1, first: true }, removed: [], meta });
          await store.update!(key, { set: { step: 2 }, removed: [], meta });
          expect((await store.get(key))?.data).toEqual({ step: 2, first: true });

          const values = Array.from({ length: 10 }, (_, i) => ({ writer: i, payload: [i, `v${i}`] }));
          await Promise.all(values.map((value) => store.update!(key, { set: { step: value }, removed: [], meta })));
          // Concurrent patches land in some order; one of them, whole, must win.
          expect(values).toContainEqual((await store.get(key))?.data.step);
        });

        it('never brings back a destroyed record', async () => {
          const key = await newKey();
          await store.set(key, record({ data: { a: 1 } }));
          await store.destroy(key);
          await store.update!(key, { set: { b: 2 }, removed: ['a'], meta: metaOf(record()) });
          expect(await store.get(key)).toBeUndefined();
        });

        it('never brings back an expired record', async () => {
          const key = await newKey();
          await store.set(key, record({ data: { a: 1 }, expiresAtMs: Date.now() + expiryMs }));
          await sleep(expiryWaitMs);
          await store.update!(key, { set: { b: 2 }, removed: [], meta: metaOf(record()) });
          expect(await store.get(key)).toBeUndefined();
        });

        it('does nothing for a key it never saw', async () => {
          const key = await newKey();
          await store.update!(key, { set: { b: 2 }, removed: [], meta: metaOf(record()) });
          expect(await store.get(key)).toBeUndefined();
        });
      });
    }

    if (has.rotate) {
      describe('rotate', () => {
        it('moves a live record to the new key: the old key is gone, the new one reads back, the user index lists the new one only', async () => {
          const userId = newUserId();
          const [from, to] = await Promise.all([newKey(), newKey()]);
          await store.set(from, record({ data: { a: 1 }, userId }));
          const moved = record({ data: { a: 1, b: 2 }, userId, createdAtMs: Date.now() + 1 });
          expect(await store.rotate!(from, to, moved)).toBe(true);
          expect(await store.get(from)).toBeUndefined();
          expect(await store.get(to)).toEqual(moved);
          if (has.listByUser) expect((await store.listByUser!(userId)).map((s) => s.key)).toEqual([to]);
        });

        it('resolves false after a destroy, and leaves no record under the new key nor in the user index', async () => {
          const userId = newUserId();
          const [from, to] = await Promise.all([newKey(), newKey()]);
          await store.set(from, record({ data: { a: 1 }, userId }));
          await store.destroy(from);
          expect(await store.rotate!(from, to, record({ data: { a: 1 }, userId }))).toBe(false);
          expect(await store.get(to)).toBeUndefined();
          expect(await store.get(from)).toBeUndefined();
          if (has.listByUser) expect(await store.listByUser!(userId)).toEqual([]);
        });

        it('resolves false for an expired record and for a key it never saw', async () => {
          const [from, to, never] = await Promise.all([newKey(), newKey(), newKey()]);
          await store.set(from, record({ data: { a: 1 }, expiresAtMs: Date.now() + expiryMs }));
          await sleep(expiryWaitMs);
          expect(await store.rotate!(from, to, record({ data: { a: 1 } }))).toBe(false);
          expect(await store.rotate!(never, to, record({ data: { a: 1 } }))).toBe(false);
          expect(await store.get(to)).toBeUndefined();
        });

        if (has.destroyByUser) {
          it('resolves false after a destroyByUser, and leaves no record under the new key nor in the user index', async () => {
            const userId = newUserId();
            const [from, to] = await Promise.all([newKey(), newKey()]);
            await store.set(from, record({ data: { a: 1 }, userId }));
            expect(await store.destroyByUser!(userId)).toBe(1);
            expect(await store.rotate!(from, to, record({ data: { a: 1 }, userId }))).toBe(false);
            expect(await store.get(to)).toBeUndefined();
            if (has.listByUser) expect(await store.listByUser!(userId)).toEqual([]);
          });

          it('never leaves a live session for the user when destroyByUser and rotate race (20 rounds)', async () => {
            for (let round = 0; round < 20; round++) {
              const userId = newUserId();
              const [from, to] = await Promise.all([newKey(), newKey()]);
              await store.set(from, record({ data: { round }, userId }));
              const moved = record({ data: { round }, userId });
              // Alternate which call is issued first: either order must end with the user signed out.
              const [destroyed] =
                round % 2 === 0
                  ? await Promise.all([store.destroyByUser!(userId), store.rotate!(from, to, moved)])
                  : await Promise.all([store.rotate!(from, to, moved), store.destroyByUser!(userId)]).then(([r, d]) => [d, r] as const);
              // A rotation caught between its steps (Redis Cluster: two slots) may hold the record at that
              // instant, so the count may miss it; what must hold is that neither key survives.
              expect(destroyed).toBeLessThanOrEqual(1);
              expect(await store.get(from)).toBeUndefined();
              expect(await store.get(to)).toBeUndefined();
              if (has.listByUser) expect(await store.listByUser!(userId)).toEqual([]);
            }
          });
        }
      });
    }

    if (has.listByUser) {
      describe('listByUser', () => {
        it("lists a user's sessions oldest first, with their metadata", async () => {
          const userId = newUserId();
          const keys = await Promise.all([newKey(), newKey(), newKey()]);
          const base = Date.now() - 10_000;
          const records = keys.map((_, i) =>
            record({ createdAtMs: base + i * 1000, lastActiveAtMs: base + i * 2000, persistent: i === 1, userId }),
          );
          // Written newest first: the order must come from createdAtMs.
          for (let i = keys.length - 1; i >= 0; i--) await store.set(keys[i]!, records[i]!);
          const sessions = await store.listByUser!(userId);
          expect(sessions.map((session) => session.key)).toEqual(keys);
          sessions.forEach((session, i) => {
            const { createdAtMs, lastActiveAtMs, expiresAtMs, persistent } = records[i]!;
            expect(session).toMatchObject({ key: keys[i], createdAtMs, lastActiveAtMs, expiresAtMs, persistent });
          });
        });

        it('lists nothing for a user without sessions', async () => {
          expect(await store.listByUser!(newUserId())).toEqual([]);
        });

        it('leaves destroyed sessions out', async () => {
          const userId = newUserId();
          const [kept, destroyed] = await Promise.all([newKey(), newKey()]);
          await store.set(kept, record({ userId }));
          await store.set(destroyed, record({ userId }));
          await store.destroy(destroyed);
          expect((await store.listByUser!(userId)).map((session) => session.key)).toEqual([kept]);
        });

        it('leaves expired sessions out', async () => {
          const userId = newUserId();
          const [kept, expiring] = await Promise.all([newKey(), newKey()]);
          await store.set(kept, record({ userId }));
          await store.set(expiring, record({ userId, expiresAtMs: Date.now() + expiryMs }));
          await sleep(expiryWaitMs);
          expect((await store.listByUser!(userId)).map((session) => session.key)).toEqual([kept]);
        });

        it('leaves out a session re-assigned to another user or to none', async () => {
          const [userId, otherUserId] = [newUserId(), newUserId()];
          const [kept, moved, loggedOut] = await Promise.all([newKey(), newKey(), newKey()]);
          for (const key of [kept, moved, loggedOut]) await store.set(key, record({ userId }));
          await store.set(moved, record({ userId: otherUserId }));
          await store.set(loggedOut, record());
          expect((await store.listByUser!(userId)).map((session) => session.key)).toEqual([kept]);
          expect((await store.listByUser!(otherUserId)).map((session) => session.key)).toEqual([moved]);
        });

        it('reports the metadata of the latest write', async () => {
          const userId = newUserId();
          const key = await newKey();
          await store.set(key, record({ userId }));
          const later = record({ userId, lastActiveAtMs: Date.now() + 5, expiresAtMs: Date.now() + 2 * HOUR_MS });
          await store.set(key, later);
          expect(await store.listByUser!(userId)).toEqual([
            expect.objectContaining({
              key,
              lastActiveAtMs: later.lastActiveAtMs,
              expiresAtMs: later.expiresAtMs,
            }),
          ]);
        });

        if (has.update) {
          it('lists a session that an update assigns to the user, and drops it when an update moves it', async () => {
            const [userId, otherUserId] = [newUserId(), newUserId()];
            const key = await newKey();
            await store.set(key, record({ data: { a: 1 } }));
            await store.update!(key, { set: { signedIn: true }, removed: [], meta: metaOf(record({ userId })) });
            expect((await store.listByUser!(userId)).map((session) => session.key)).toEqual([key]);

            await store.update!(key, { set: {}, removed: [], meta: metaOf(record({ userId: otherUserId })) });
            expect(await store.listByUser!(userId)).toEqual([]);
            expect((await store.listByUser!(otherUserId)).map((session) => session.key)).toEqual([key]);
          });
        }

        if (has.touch) {
          it('moves the listed expiry on touch', async () => {
            const userId = newUserId();
            const key = await newKey();
            await store.set(key, record({ userId }));
            const meta = metaOf(record({ userId, expiresAtMs: Date.now() + 3 * HOUR_MS }));
            await store.touch!(key, meta);
            expect(await store.listByUser!(userId)).toEqual([expect.objectContaining({ key, expiresAtMs: meta.expiresAtMs })]);
          });
        }
      });
    }

    if (has.destroyByUser) {
      describe('destroyByUser', () => {
        it('destroys every session of the user and resolves how many there were', async () => {
          const userId = newUserId();
          const keys = await Promise.all([newKey(), newKey(), newKey()]);
          for (const key of keys) await store.set(key, record({ data: { a: 1 }, userId }));
          expect(await store.destroyByUser!(userId)).toBe(3);
          for (const key of keys) expect(await store.get(key)).toBeUndefined();
          if (has.listByUser) expect(await store.listByUser!(userId)).toEqual([]);
        });

        it("leaves other users' sessions and anonymous sessions alone", async () => {
          const [userId, otherUserId] = [newUserId(), newUserId()];
          const [mine, theirs, anonymous] = await Promise.all([newKey(), newKey(), newKey()]);
          await store.set(mine, record({ userId }));
          await store.set(theirs, record({ data: { theirs: true }, userId: otherUserId }));
          await store.set(anonymous, record({ data: { anonymous: true } }));
          expect(await store.destroyByUser!(userId)).toBe(1);
          expect((await store.get(theirs))?.data).toEqual({ theirs: true });
          expect((await store.get(anonymous))?.data).toEqual({ anonymous: true });
          if (has.listByUser) expect((await store.listByUser!(otherUserId)).map((s) => s.key)).toEqual([theirs]);
        });

        it('leaves alone a session re-assigned to another user, and counts only live sessions', async () => {
          const [userId, otherUserId] = [newUserId(), newUserId()];
          const [kept, moved, destroyed] = await Promise.all([newKey(), newKey(), newKey()]);
          for (const key of [kept, moved, destroyed]) await store.set(key, record({ userId }));
          await store.set(moved, record({ data: { moved: true }, userId: otherUserId }));
          await store.destroy(destroyed);
          expect(await store.destroyByUser!(userId)).toBe(1);
          expect(await store.get(kept)).toBeUndefined();
          expect((await store.get(moved))?.data).toEqual({ moved: true });
        });

        it('resolves 0 for a user without sessions', async () => {
          expect(await store.destroyByUser!(newUserId())).toBe(0);
        });

        it('does not count expired sessions the backend may still hold', async () => {
          const userId = newUserId();
          const [live, expiring] = await Promise.all([newKey(), newKey()]);
          await store.set(live, record({ userId }));
          await store.set(expiring, record({ userId, expiresAtMs: Date.now() + expiryMs }));
          await sleep(expiryWaitMs);
          expect(await store.destroyByUser!(userId)).toBe(1);
          expect(await store.destroyByUser!(userId)).toBe(0);
          expect(await store.get(live)).toBeUndefined();
        });
      });
    }
  });
}

/** A key shaped like the ones the manager hands to stores. */
async function newKey(): Promise<string> {
  return storeKeyOf(generateSessionId());
}

function newUserId(): string {
  return `user-${generateSessionId().slice(0, 12)}`;
}

/** A live record, an hour from expiry unless told otherwise. */
function record(overrides: Partial<SessionRecord> = {}): SessionRecord {
  const nowMs = Date.now();
  return {
    createdAtMs: nowMs,
    lastActiveAtMs: nowMs,
    expiresAtMs: nowMs + HOUR_MS,
    persistent: false,
    data: {},
    ...overrides,
  };
}

function metaOf({ data: _data, ...meta }: SessionRecord): SessionMeta {
  return meta;
}

/** Every JSON value a session commonly holds. */
function richData(): SessionData {
  return {
    user: { id: 42, name: 'Zoë', roles: ['admin', 'editor'], address: { city: 'Kraków', zip: '' } },
    cart: [
      { sku: 'a-1', qty: 2, price: 9.99 },
      { sku: 'b-2', qty: 0, price: -1.5 },
    ],
    greeting: 'こんにちは 👋',
    empty: '',
    emptyList: [],
    emptyObject: {},
    zero: 0,
    big: Number.MAX_SAFE_INTEGER,
    yes: true,
    no: false,
    nothing: null,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
