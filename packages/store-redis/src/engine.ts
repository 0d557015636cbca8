/**
 * The session engine: every store operation, on any client, through the command port.
 * Web APIs only (no `Buffer`, no `node:` import), so it bundles for workerd.
 */
import {
  boundStoreCall,
  type Serializer,
  type SessionMeta,
  type SessionPatch,
  type SessionRecord,
  type SessionStore,
  type SessionStoreOperation,
  SessionTooLargeError,
  toStoreError,
  type UserSessionSummary,
} from '@sess/core/store';
import type { RedisCommandPort } from './port';
import { decodeHeader, decodeRecord, encodeMeta, encodeRecord, serializeEntries } from './record';
import { createRotation } from './rotation';
import { destroyIfUserScript, indexAddScript, type LuaScript, scriptSha, takeIndexScript, touchScript, updateScript } from './scripts';

export const PACKAGE = '@sess/store-redis';
const SCAN_BATCH = 1000;
/** Bytes `listByUser` reads of each record: the meta and any user id shorter than about 1 KB. */
const HEADER_READ_BYTES = 1024;

export interface EngineOptions {
  readonly prefix: string;
  readonly serializer: Serializer;
  readonly operationTimeoutMs: number;
  readonly maxSizeBytes: number;
  readonly now: () => number;
}

/** The store's operations, without the client it runs on. */
export interface RedisSessionEngine extends Required<Omit<SessionStore, 'callTimeoutMs' | 'serializer'>> {
  /**
   * How many sessions are stored under the prefix (SCAN on every master, never KEYS).
   * Waits for the connection like every call; rejects with a `SessionStoreError`.
   */
  count(): Promise<number>;
  /**
   * Deletes every key under the prefix (sessions and user indexes); resolves how many.
   * Waits for the connection like every call; rejects with a `SessionStoreError`.
   */
  clear(): Promise<number>;
  /** The serializer of the data values (the `serializer` option). */
  readonly serializer: Serializer;
  /** Every call rejects within `operationTimeoutMs` (see `SessionStore.callTimeoutMs`). */
  readonly callTimeoutMs: number;
}

export function createEngine(port: RedisCommandPort, options: EngineOptions): RedisSessionEngine {
  const { prefix, serializer, operationTimeoutMs, maxSizeBytes, now } = options;
  const sessionKey = (key: string) => `${prefix}${key}`;
  const userIndexKey = (userId: string) => `${prefix}user:{${userId}}`;
  // Same hash tag as the index, so one script sees both on a cluster.
  const revokingKey = (userId: string) => `${prefix}user:{${userId}}:revoking`;
  const runScript = scriptRunner(port);
  const rotation = createRotation({ port, runScript, now, keys: { sessionKey, userIndexKey, revokingKey }, indexWrite });

  const callOptions = { timeoutMs: operationTimeoutMs, packageName: PACKAGE, describeTimeout: () => port.describeState() };

  /**
   * Runs one store call under the time bound. Nothing is sent while the client is not
   * ready, so no command waits in an offline queue to be replayed after its caller
   * has given up; the wait for a reconnect counts against the bound.
   */
  function bounded<T>(operation: SessionStoreOperation, task: () => Promise<T>): Promise<T> {
    return boundStoreCall(
      operation,
      (deadline) => {
        const waiting = port.whenReady();
        if (waiting === undefined) return task();
        return waiting.then(() => {
          if (deadline.expired) throw new Error('given up before the connection came back.');
          return task();
        });
      },
      callOptions,
    );
  }

  /**
   * For `count` and `clear`: the wait for the connection is bounded like every call,
   * the SCAN itself is not, since it may walk millions of keys.
   */
  async function afterReady<T>(operation: SessionStoreOperation, task: () => Promise<T>): Promise<T> {
    await bounded(operation, async () => {});
    try {
      return await task();
    } catch (error) {
      throw toStoreError(operation, error, PACKAGE);
    }
  }

  /** The index write that goes out in the same flight as a session write. */
  function indexWrite(key: string, meta: SessionMeta): Promise<unknown> | undefined {
    if (meta.userId === undefined) return undefined;
    return runScript(indexAddScript, [userIndexKey(meta.userId)], [key, String(meta.expiresAtMs), String(now())]);
  }

  /** A whole record's text, or a `SessionTooLargeError`. */
  function recordText(record: SessionRecord): string {
    const { data, ...meta } = record;
    const { text, sizeBytes } = encodeRecord(meta, serializeEntries(serializer, data));
    if (sizeBytes > maxSizeBytes) throw tooLarge(sizeBytes);
    return text;
  }

  function liveRecord(text: string | null): SessionRecord | undefined {
    if (text === null) return undefined;
    const record = decodeRecord(text, serializer);
    return record === undefined || record.expiresAtMs <= now() ? undefined : record;
  }

  /** The meta and user id of a record, reading its first bytes only (the whole record for a very long user id). */
  async function readMeta(key: string): Promise<SessionMeta | undefined> {
    const head = await port.getRange(key, 0, HEADER_READ_BYTES - 1).catch(unknownIfOtherType);
    if (head === undefined || head === '') return undefined;
    const meta = decodeHeader(head, HEADER_READ_BYTES);
    if (meta !== 'truncated') return meta;
    const whole = await port.get(key);
    if (whole === null) return undefined;
    const again = decodeHeader(whole, Number.POSITIVE_INFINITY);
    return again === 'truncated' ? undefined : again;
  }

  function tooLarge(sizeBytes: number): SessionTooLargeError {
    return new SessionTooLargeError(
      PACKAGE,
      sizeBytes,
      maxSizeBytes,
      'Keep large or growing data (uploads, caches, histories) out of the session, or raise `maxSizeBytes`.',
    );
  }

  /** Calls `onKeys` for every SCAN batch of keys under the prefix, on every master. */
  async function scanEveryMaster(type: 'string' | undefined, onKeys: (keys: readonly string[]) => Promise<void>): Promise<void> {
    const pattern = `${escapeGlob(prefix)}*`;
    await Promise.all(
      port.scanNodes().map(async (node) => {
        let cursor = '0';
        do {
          const page = await node.scan(cursor, pattern, SCAN_BATCH, type);
          cursor = page.cursor;
          if (page.keys.length > 0) await onKeys(page.keys);
        } while (cursor !== '0');
      }),
    );
  }

  return {
    serializer,
    callTimeoutMs: operationTimeoutMs,

    get: function get(key) {
      return bounded('get', () => port.get(sessionKey(key)).then(liveRecord, unknownIfOtherType));
    },

    set: function set(key, record) {
      return bounded('set', async () => {
        const text = recordText(record);
        await Promise.all([port.set(sessionKey(key), text, record.expiresAtMs), indexWrite(key, record)]);
      });
    },

    update: function update(key, patch: SessionPatch) {
      return bounded('update', async () => {
        const { meta } = patch;
        const removed = [...patch.removed];
        const setEntries = serializeEntries(serializer, patch.set, removed);
        const args = [
          String(meta.expiresAtMs),
          encodeMeta(meta),
          meta.userId ?? '',
          String(maxSizeBytes),
          String(setEntries.length / 2),
          ...setEntries,
          ...removed,
        ];
        const [applied] = await Promise.all([runScript(updateScript, [sessionKey(key)], args), indexWrite(key, meta)]);
        if (typeof applied === 'number' && applied < 0) throw tooLarge(-applied);
      });
    },

    touch: function touch(key, meta) {
      return bounded('touch', async () => {
        const args = [String(meta.expiresAtMs), encodeMeta(meta), meta.userId ?? ''];
        await Promise.all([runScript(touchScript, [sessionKey(key)], args), indexWrite(key, meta)]);
      });
    },

    rotate: function rotate(fromKey, toKey, record) {
      // 'rotate' joins the core's operation names with the rotation contract.
      return bounded('rotate', () => rotation(fromKey, toKey, record, recordText(record)));
    },

    destroy: function destroy(key) {
      // The user index entry goes stale and is pruned when listed: no second key to write.
      return bounded('destroy', async () => {
        await port.del(sessionKey(key));
      });
    },

    listByUser: function listByUser(userId) {
      return bounded('listByUser', async () => {
        const indexKey = userIndexKey(userId);
        const keys = await port.zRangeByScore(indexKey, now(), '+inf');
        const metas = await Promise.all(keys.map((key) => readMeta(sessionKey(key))));
        const sessions: UserSessionSummary[] = [];
        const stale: string[] = [];
        const nowMs = now();
        keys.forEach((key, i) => {
          const meta = metas[i];
          if (!meta || meta.userId !== userId || meta.expiresAtMs <= nowMs) {
            stale.push(key);
            return;
          }
          const { createdAtMs, lastActiveAtMs, expiresAtMs, persistent } = meta;
          sessions.push({ key, createdAtMs, lastActiveAtMs, expiresAtMs, persistent });
        });
        if (stale.length > 0) await port.zRem(indexKey, stale);
        return sessions.sort((a, b) => a.createdAtMs - b.createdAtMs || (a.key < b.key ? -1 : 1));
      });
    },

    destroyByUser: function destroyByUser(userId) {
      return bounded('destroyByUser', async () => {
        const index = [userIndexKey(userId), revokingKey(userId)];
        // Taking the index is the point a rotation sees: one that moved its entry before
        // is in the list with its new key, written; one after finds its entry gone and fails.
        const taken = await runScript(takeIndexScript, index, []);
        const keys = Array.isArray(taken) ? taken.map(String) : [];
        if (keys.length === 0) return 0;
        const deleted = await Promise.all(keys.map((key) => runScript(destroyIfUserScript, [sessionKey(key)], [userId])));
        // Only the entries taken: a session indexed meanwhile stays listed.
        await port.zRem(index[1]!, keys);
        const total = deleted.reduce<number>((sum, n) => sum + Number(n), 0);
        return total;
      });
    },

    count: function count() {
      return afterReady('count', async () => {
        let total = 0;
        await scanEveryMaster('string', async (keys) => {
          total += keys.length;
        });
        return total;
      });
    },

    clear: function clear() {
      return afterReady('clear', async () => {
        let total = 0;
        await scanEveryMaster(undefined, async (keys) => {
          // One DEL per key: keys on one node still sit in different slots.
          const results = await Promise.all(keys.map((key) => port.del(key)));
          total += results.reduce((sum, n) => sum + n, 0);
        });
        return total;
      });
    },
  };
}

/**
 * EVALSHA, falling back to EVAL the first time a node has not seen the script. The
 * hashes are known after the first call, so later calls go out in the tick they are made.
 */
export type ScriptRunner = (script: LuaScript, keys: readonly string[], args: readonly string[]) => Promise<unknown>;

function scriptRunner(port: RedisCommandPort): ScriptRunner {
  const known = new Map<LuaScript, string>();
  async function evalBySha(sha: string, script: LuaScript, keys: readonly string[], args: readonly string[]) {
    try {
      return await port.evalSha(sha, keys, args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.includes('NOSCRIPT')) throw error;
      return port.eval(script.lua, keys, args);
    }
  }
  return function runScript(script: LuaScript, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    const sha = known.get(script);
    if (sha !== undefined) return evalBySha(sha, script, keys, args);
    return scriptSha(script).then((computed) => {
      known.set(script, computed);
      return evalBySha(computed, script, keys, args);
    });
  };
}

/**
 * A key of another type under a session key (a hash written by an earlier version of
 * this store, or another program's data) holds no session of ours: it reads as
 * unknown, so the visitor gets a fresh session instead of a 503 on every request.
 */
function unknownIfOtherType(error: unknown): undefined {
  if (error instanceof Error && error.message.startsWith('WRONGTYPE')) return undefined;
  throw error;
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
