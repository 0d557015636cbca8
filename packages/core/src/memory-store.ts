import { invalidOption } from './errors';
import { isSerializer, jsonSerializer, type Serializer } from './serializer';
import type { SessionData, SessionMeta, SessionPatch, SessionRecord, SessionStore, UserSessionSummary } from './store';

/** Options of `createMemoryStore`. */
export interface MemoryStoreOptions {
  /**
   * How many sessions the store holds at most. When full, the session written or
   * touched longest ago is evicted, so memory stays bounded under a flood of new visitors.
   * @default 10_000
   */
  maxEntries?: number;
  /**
   * Serializes each top-level data value: nothing the caller holds is shared with the store.
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
}

const PACKAGE = '@sess/core';
const DEFAULT_MAX_ENTRIES = 10_000;

let warnedInProduction = false;

/**
 * A session store in this process's memory: the default of `createSessionManager`,
 * right for development, tests and single-process apps. Sessions are lost on restart
 * and not shared between processes, so it warns once when created in production.
 *
 * Expired sessions are never returned and are removed when next seen; there is no
 * timer, and `maxEntries` bounds memory.
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): SessionStore {
  const { maxEntries = DEFAULT_MAX_ENTRIES, serializer = jsonSerializer, now = Date.now } = options;
  if (!Number.isInteger(maxEntries) || maxEntries <= 0) {
    invalidOption(PACKAGE, 'maxEntries', 'a positive integer', maxEntries);
  }
  if (!isSerializer(serializer)) {
    invalidOption(PACKAGE, 'serializer', 'an object with stringify and parse functions', serializer);
  }
  if (typeof now !== 'function') invalidOption(PACKAGE, 'now', 'a function returning epoch milliseconds', now);
  warnOnceInProduction();

  // Map order is write order: the first entry is the one written longest ago.
  const entries = new Map<string, Entry>();
  // userId -> keys; may hold stale keys (expired, re-assigned), checked and pruned when listed.
  const keysByUser = new Map<string, Set<string>>();

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
    if (entry.meta.userId !== undefined) unindex(entry.meta.userId, key);
  }

  function unindex(userId: string, key: string): void {
    const keys = keysByUser.get(userId);
    if (keys === undefined) return;
    keys.delete(key);
    if (keys.size === 0) keysByUser.delete(userId);
  }

  /** Stores an entry as the most recently written, re-indexes it, evicts past `maxEntries`. */
  function write(key: string, entry: Entry, previousUserId: string | undefined): void {
    entries.delete(key);
    if (previousUserId !== undefined && previousUserId !== entry.meta.userId) unindex(previousUserId, key);
    if (entry.meta.expiresAtMs <= now()) {
      // Already past its deadline: storing it would only take a slot.
      if (entry.meta.userId !== undefined) unindex(entry.meta.userId, key);
      return;
    }
    entries.set(key, entry);
    if (entry.meta.userId !== undefined) {
      const keys = keysByUser.get(entry.meta.userId);
      if (keys === undefined) keysByUser.set(entry.meta.userId, new Set([key]));
      else keys.add(key);
    }
    while (entries.size > maxEntries) {
      const oldest = entries.entries().next().value;
      if (oldest === undefined) break;
      remove(oldest[0], oldest[1]);
    }
  }

  function writeValues(values: Map<string, string>, data: SessionData): void {
    for (const [name, value] of Object.entries(data)) {
      // Same rule as jsonSerializer: a `__proto__` key would set the prototype of the object `get` builds.
      if (name === '__proto__') continue;
      const text = serializer.stringify(value);
      // JSON.stringify(undefined) is undefined: such a key is absent, as in a JSON document.
      if (typeof text === 'string') values.set(name, text);
      else values.delete(name);
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
    async get(key) {
      const entry = live(key);
      if (entry === undefined) return undefined;
      const data: SessionData = {};
      for (const [name, text] of entry.values) data[name] = serializer.parse(text);
      return { ...copyMeta(entry.meta), data } satisfies SessionRecord;
    },

    async set(key, record) {
      const previous = entries.get(key);
      const values = new Map<string, string>();
      writeValues(values, record.data);
      write(key, { meta: copyMeta(record), values }, previous?.meta.userId);
    },

    async destroy(key) {
      const entry = entries.get(key);
      if (entry !== undefined) remove(key, entry);
    },

    async touch(key, meta) {
      const entry = live(key);
      if (entry === undefined) return;
      write(key, { meta: copyMeta(meta), values: entry.values }, entry.meta.userId);
    },

    async update(key, patch: SessionPatch) {
      const entry = live(key);
      if (entry === undefined) return;
      for (const name of patch.removed) entry.values.delete(name);
      writeValues(entry.values, patch.set);
      write(key, { meta: copyMeta(patch.meta), values: entry.values }, entry.meta.userId);
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

/** Only the metadata fields, copied: the caller's object is never kept. */
function copyMeta(meta: SessionMeta): SessionMeta {
  const copy: SessionMeta = {
    createdAtMs: meta.createdAtMs,
    lastActiveAtMs: meta.lastActiveAtMs,
    expiresAtMs: meta.expiresAtMs,
    persistent: meta.persistent,
  };
  if (meta.userId !== undefined) copy.userId = meta.userId;
  return copy;
}

function warnOnceInProduction(): void {
  // Core runs anywhere: `process` may not exist (edge runtimes, browsers).
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  if (warnedInProduction || env?.NODE_ENV !== 'production') return;
  warnedInProduction = true;
  console.warn(
    `${PACKAGE}: the memory store is in use in production. Its sessions live in this process only: ` +
      'they are lost on restart and not shared between instances. Pass a shared store (such as @sess/store-redis) ' +
      'to createSessionManager.',
  );
}
