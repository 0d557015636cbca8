import { invalidOption, SessionTooLargeError } from './errors';
import { checkOptions, clockOption, serializerOption } from './options';
import type { Serializer } from './serializer';
import {
  copySessionMeta,
  type SessionData,
  type SessionMeta,
  type SessionPatch,
  type SessionRecord,
  type SessionStore,
  type UserSessionSummary,
} from './store';
import { envVar, warnOnce } from './warnings';

/** Options of `createMemoryStore`. */
export interface MemoryStoreOptions {
  /**
   * How many sessions the store holds at most. When full, the session used longest
   * ago (read, written or touched) is evicted: memory stays bounded under a flood of
   * new visitors, and a user who keeps coming back is not pushed out by them.
   * @default 10_000
   */
  maxEntries?: number;
  /**
   * The largest session data, in UTF-8 bytes of its top-level keys and serialized
   * values (the rule of `@sess/store-redis`). A `set` or `update` over it rejects with a
   * `SessionTooLargeError` and changes nothing, so one session cannot take the memory
   * of the whole process.
   * @default 1_048_576 (1 MiB)
   */
  maxSizeBytes?: number;
  /**
   * The most data all sessions together may take, counted as `maxSizeBytes` counts one
   * session's. Past it, sessions used longest ago are evicted until it holds, as past
   * `maxEntries`: 64 MiB of data fits a 256 MB process with room for the app, whatever
   * anonymous clients send (1 MiB sessions fill it with 64). V8 keeps a string in at
   * most its UTF-8 size, so this bounds the heap the data takes. At least `maxSizeBytes`.
   * @default 67_108_864 (64 MiB)
   */
  maxTotalBytes?: number;
  /**
   * Serializes each top-level data value: nothing the caller holds is shared with the store.
   * Exposed as the store's `serializer`, which a manager given this store adopts, so set
   * it here (such as `richSerializer`) rather than on the manager.
   * @default jsonSerializer
   */
  serializer?: Serializer;
  /**
   * The clock that decides expiry, for tests.
   * @default Date.now
   */
  now?: () => number;
}

/** One stored session: its metadata, and each top-level data value serialized on its own so `update` can merge per key. */
interface Entry {
  meta: SessionMeta;
  values: Map<string, string>;
  /** UTF-8 bytes of the keys and serialized values, kept so an update need not re-measure what it keeps. */
  sizeBytes: number;
}

const PACKAGE = '@sess/core';
const KNOWN_OPTIONS = ['maxEntries', 'maxSizeBytes', 'maxTotalBytes', 'serializer', 'now'];
const DEFAULT_MAX_ENTRIES = 10_000;
const DEFAULT_MAX_SIZE_BYTES = 1_048_576;
const DEFAULT_MAX_TOTAL_BYTES = 64 * 1_048_576;

/** Memory stores created in this process, across copies of the package (Next.js bundles). */
const CREATED = Symbol.for('@sess/core: memory stores created');

/**
 * A session store in this process's memory: the default of `createSessionManager`,
 * right for development, tests and single-process apps. Sessions are lost on restart
 * and not shared between processes, so it warns once when created in production.
 *
 * Expired sessions are never returned and are removed when next seen; there is no
 * timer. Memory is bounded by `maxEntries` sessions of at most `maxSizeBytes` each,
 * and by `maxTotalBytes` of data in all (by default 10,000 sessions, 1 MiB each, 64 MiB
 * in all). When full, the least recently used session goes first: every `get`, `set`,
 * `update` and `touch` counts as a use, so an active user outlives newer anonymous
 * sessions until those fill the store between two of the user's requests. A flood
 * that large still evicts them: use a shared store such as `@sess/store-redis` in production.
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): SessionStore {
  return memoryStore(options, undefined);
}

/**
 * `createMemoryStore`, with the factory that created it by default (such as
 * `session() of @sess/express`) for the production warning to name.
 */
export function memoryStore(options: MemoryStoreOptions, factory: string | undefined): SessionStore {
  const {
    maxEntries = DEFAULT_MAX_ENTRIES,
    maxSizeBytes = DEFAULT_MAX_SIZE_BYTES,
    maxTotalBytes = DEFAULT_MAX_TOTAL_BYTES,
  } = checkOptions(PACKAGE, options, KNOWN_OPTIONS);
  if (!Number.isInteger(maxEntries) || maxEntries <= 0) {
    invalidOption(PACKAGE, 'maxEntries', 'a positive integer', maxEntries);
  }
  if (!Number.isInteger(maxSizeBytes) || maxSizeBytes <= 0) {
    invalidOption(PACKAGE, 'maxSizeBytes', 'a positive integer', maxSizeBytes);
  }
  if (!Number.isSafeInteger(maxTotalBytes) || maxTotalBytes <= 0) {
    invalidOption(PACKAGE, 'maxTotalBytes', 'a positive integer', maxTotalBytes);
  }
  if (maxTotalBytes < maxSizeBytes) {
    invalidOption(
      PACKAGE,
      'maxTotalBytes',
      `at least \`maxSizeBytes\` (${maxSizeBytes}), or no session of the largest size could be kept`,
      maxTotalBytes,
    );
  }
  const serializer = serializerOption(PACKAGE, 'serializer', options.serializer);
  const now = clockOption(PACKAGE, 'now', options.now);
  warnAboutCopies(factory);

  // Map order is use order: the first entry is the one used longest ago (least recently used).
  const entries = new Map<string, Entry>();
  // userId -> keys; may hold stale keys (expired, re-assigned), checked and pruned when listed.
  const keysByUser = new Map<string, Set<string>>();
  /** The `sizeBytes` of every entry held. */
  let totalBytes = 0;

  /** The live entry under a key; an expired one is removed on the way. */
  function live(key: string): Entry | undefined {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.meta.expiresAtMs <= now()) {
      remove(key, entry);
      return undefined;
    }
    return entry;
  }

  function remove(key: string, entry: Entry): void {
    entries.delete(key);
    totalBytes -= entry.sizeBytes;
    if (entry.meta.userId !== undefined) unindex(entry.meta.userId, key);
  }

  function unindex(userId: string, key: string): void {
    const keys = keysByUser.get(userId);
    if (keys === undefined) return;
    keys.delete(key);
    if (keys.size === 0) keysByUser.delete(userId);
  }

  /** Stores an entry as the most recently used, re-indexes it, evicts past `maxEntries` or `maxTotalBytes`. */
  function write(key: string, entry: Entry, previousUserId: string | undefined): void {
    const previous = entries.get(key);
    if (previous !== undefined) {
      entries.delete(key);
      totalBytes -= previous.sizeBytes;
    }
    if (previousUserId !== undefined && previousUserId !== entry.meta.userId) unindex(previousUserId, key);
    if (entry.meta.expiresAtMs <= now()) {
      // Already past its deadline: storing it would only take a slot.
      if (entry.meta.userId !== undefined) unindex(entry.meta.userId, key);
      return;
    }
    entries.set(key, entry);
    totalBytes += entry.sizeBytes;
    if (entry.meta.userId !== undefined) {
      const keys = keysByUser.get(entry.meta.userId);
      if (keys === undefined) keysByUser.set(entry.meta.userId, new Set([key]));
      else keys.add(key);
    }
    // The entry just written is the newest and fits `maxTotalBytes` alone: it is never the one evicted.
    while (entries.size > maxEntries || totalBytes > maxTotalBytes) {
      const oldest = entries.entries().next().value;
      if (oldest === undefined) break;
      remove(oldest[0], oldest[1]);
    }
  }

  /** Each key of `data` with its serialized value; `undefined` means the key is absent. */
  function serializeData(data: SessionData, into = new Map<string, string | undefined>()): Map<string, string | undefined> {
    for (const [name, value] of Object.entries(data)) {
      // Same rule as jsonSerializer: a `__proto__` key would set the prototype of the object `get` builds.
      if (name === '__proto__') continue;
      const text = serializer.stringify(value);
      // JSON.stringify(undefined) is undefined: such a key is absent, as in a JSON document.
      into.set(name, typeof text === 'string' ? text : undefined);
    }
    return into;
  }

  /** The data size once `changes` are applied; over the limit it throws before anything is written. */
  function sizeAfter(sizeBytes: number, values: Map<string, string>, changes: Map<string, string | undefined>): number {
    let size = sizeBytes;
    for (const [name, text] of changes) {
      const old = values.get(name);
      if (old !== undefined) size -= utf8ByteLength(name) + utf8ByteLength(old);
      if (text !== undefined) size += utf8ByteLength(name) + utf8ByteLength(text);
    }
    if (size > maxSizeBytes) {
      throw new SessionTooLargeError(
        PACKAGE,
        size,
        maxSizeBytes,
        'Keep large or growing data (uploads, caches, histories) out of the session, or raise `maxSizeBytes` of createMemoryStore.',
      );
    }
    return size;
  }

  function applyChanges(values: Map<string, string>, changes: Map<string, string | undefined>): void {
    for (const [name, text] of changes) {
      if (text === undefined) values.delete(name);
      else values.set(name, text);
    }
  }

  function summaryOf(key: string, meta: SessionMeta): UserSessionSummary {
    return {
      key,
      createdAtMs: meta.createdAtMs,
      lastActiveAtMs: meta.lastActiveAtMs,
      expiresAtMs: meta.expiresAtMs,
      persistent: meta.persistent,
    };
  }

  return {
    serializer,
    // Every call settles in the tick it is made: no timer of the manager's is needed.
    callTimeoutMs: 1,

    async get(key) {
      const entry = live(key);
      if (entry === undefined) return undefined;
      // A read is a use: move it to the end of the eviction order.
      entries.delete(key);
      entries.set(key, entry);
      const data: SessionData = {};
      for (const [name, text] of entry.values) data[name] = serializer.parse(text);
      return { ...copySessionMeta(entry.meta), data } satisfies SessionRecord;
    },

    async set(key, record) {
      const changes = serializeData(record.data);
      const values = new Map<string, string>();
      const sizeBytes = sizeAfter(0, values, changes);
      applyChanges(values, changes);
      const previous = entries.get(key);
      write(key, { meta: copySessionMeta(record), values, sizeBytes }, previous?.meta.userId);
    },

    async rotate(fromKey, toKey, record) {
      // One synchronous step: no destroy or destroyByUser can land between the check and the move.
      const old = live(fromKey);
      if (old === undefined) return false;
      const changes = serializeData(record.data);
      const values = new Map<string, string>();
      const sizeBytes = sizeAfter(0, values, changes);
      applyChanges(values, changes);
      remove(fromKey, old);
      write(toKey, { meta: copySessionMeta(record), values, sizeBytes }, entries.get(toKey)?.meta.userId);
      return true;
    },

    async destroy(key) {
      const entry = entries.get(key);
      if (entry !== undefined) remove(key, entry);
    },

    async touch(key, meta) {
      const entry = live(key);
      if (entry === undefined) return;
      write(key, { meta: copySessionMeta(meta), values: entry.values, sizeBytes: entry.sizeBytes }, entry.meta.userId);
    },

    async update(key, patch: SessionPatch) {
      const entry = live(key);
      if (entry === undefined) return;
      // Removals first, then sets, as the patch means; nothing changes when the result is too large.
      const changes = new Map<string, string | undefined>(patch.removed.map((name) => [name, undefined]));
      serializeData(patch.set, changes);
      const sizeBytes = sizeAfter(entry.sizeBytes, entry.values, changes);
      applyChanges(entry.values, changes);
      write(key, { meta: copySessionMeta(patch.meta), values: entry.values, sizeBytes }, entry.meta.userId);
    },

    async listByUser(userId) {
      const keys = keysByUser.get(userId);
      if (keys === undefined) return [];
      const sessions: UserSessionSummary[] = [];
      for (const key of keys) {
        const entry = live(key);
        if (entry === undefined || entry.meta.userId !== userId) unindex(userId, key);
        else sessions.push(summaryOf(key, entry.meta));
      }
      return sessions.sort((a, b) => a.createdAtMs - b.createdAtMs);
    },

    async destroyByUser(userId) {
      const keys = keysByUser.get(userId);
      if (keys === undefined) return 0;
      let destroyed = 0;
      for (const key of [...keys]) {
        const entry = live(key);
        if (entry !== undefined && entry.meta.userId === userId) {
          remove(key, entry);
          destroyed++;
        }
      }
      keysByUser.delete(userId);
      return destroyed;
    },
  };
}

/** The UTF-8 length of a string, without encoding it. A lone surrogate counts 3 bytes, as its replacement character does. */
function utf8ByteLength(text: string): number {
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) length += 1;
    else if (code < 0x800) length += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        length += 4; // a surrogate pair: one 4-byte character
        i++;
      } else length += 3;
    } else length += 3;
  }
  return length;
}

function warnAboutCopies(factory: string | undefined): void {
  const counter = globalThis as { [CREATED]?: number };
  const created = (counter[CREATED] ?? 0) + 1;
  counter[CREATED] = created;
  // Any case, as the cookie's `secure` default reads it: `NODE_ENV=Production` is production too.
  const nodeEnv = envVar('NODE_ENV')?.trim().toLowerCase();
  const where = factory === undefined ? 'as the `store` option' : `as the \`store\` option of ${factory}`;
  if (nodeEnv === 'production') {
    warnOnce(
      'memory store in production',
      `${PACKAGE}: the memory store is in use in production. Its sessions live in this process only: ` +
        `they are lost on restart and not shared between instances. Pass a shared store (such as @sess/store-redis) ${where}.`,
    );
  }
  // Tests create a store per case on purpose; elsewhere a second one is almost always a second copy of the app's module.
  if (created === 2 && nodeEnv !== 'test') {
    warnOnce(
      'second memory store',
      `${PACKAGE}: a second memory store was created in this process, so sessions are split between the two: a session ` +
        'written through one is unknown to the other. This happens when the module that creates the session manager is ' +
        'evaluated more than once (Next.js bundles it once per route). Create the manager once per process (keep it on ' +
        `globalThis, or use your adapter's documented setup), or pass a shared store (such as @sess/store-redis) ${where}.`,
    );
  }
}
