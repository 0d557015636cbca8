import { createHash } from 'node:crypto';
import {
  boundStoreCall,
  invalidOption,
  isSerializer,
  jsonSerializer,
  type Serializer,
  type SessionData,
  type SessionMeta,
  type SessionPatch,
  type SessionRecord,
  type SessionStore,
  type SessionStoreOperation,
  SessionTooLargeError,
  toStoreError,
  type UserSessionSummary,
} from '@sess/core/store';
import { type Cluster, Redis, type RedisOptions } from 'ioredis';
import {
  destroyIfUserScript,
  indexAddScript,
  type LuaScript,
  META_WIDTH,
  RECORD_TAG,
  TIME_WIDTH,
  touchScript,
  USER_OFFSET,
  updateScript,
} from './scripts';

/**
 * Options of `createRedisStore`. Give at most one of `client` and `url`; with neither,
 * the store connects to `redis://127.0.0.1:6379` (see `onNotice`).
 */
export interface RedisStoreOptions {
  /**
   * An ioredis client you made and own: `new Redis(...)`, a Sentinel-configured
   * `new Redis({ sentinels, name })`, or `new Cluster(...)`. The store never closes it,
   * and never sends a command while it is not ready (see `operationTimeoutMs`).
   */
  client?: Redis | Cluster;
  /**
   * A `redis://` or `rediss://` URL: the store creates its own client, tuned to fail
   * fast (no offline queue, no resending after a disconnect, reconnects within a
   * second), and `close()` closes it.
   * @default 'redis://127.0.0.1:6379' when no `client` is given either
   */
  url?: string;
  /** Extra ioredis options for the client created from `url` (TLS, credentials...). */
  redisOptions?: RedisOptions;
  /**
   * Prepended to every key this store writes: sessions live at `<prefix><key>`, user
   * indexes at `<prefix>user:{<userId>}`.
   * @default 'sess:'
   */
  prefix?: string;
  /**
   * Serializes each top-level data value; use `richSerializer` for `Date`, `Map`,
   * `Set` and `BigInt`.
   * @default jsonSerializer
   */
  serializer?: Serializer;
  /**
   * The longest any store call may take, waiting for a reconnect included, before it
   * rejects with a `SessionStoreError` (`timedOut: true`). Keep it below the manager's
   * `storeTimeoutMs` so this one fires first.
   * @default 2000
   */
  operationTimeoutMs?: number;
  /**
   * The largest session data, in bytes of its top-level keys and serialized values.
   * A write over it rejects with a `SessionTooLargeError` and changes nothing.
   * @default 1_048_576 (1 MiB)
   */
  maxSizeBytes?: number;
  /**
   * Told when the store makes a choice you did not spell out: today only that it
   * connects to `redis://127.0.0.1:6379` because neither `client` nor `url` was given.
   * Given, it is called every time; the default writes each notice once per process
   * with `console.warn`, as `@sess/core`'s memory store warns about production.
   * @default one console.warn per process
   */
  onNotice?: (message: string) => void;
  /**
   * The clock that decides expiry, for tests. Redis expires keys by its own clock.
   * @default Date.now
   */
  now?: () => number;
}

/** A Redis session store, with administrative helpers. */
export interface RedisStore extends Required<SessionStore> {
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
  /** Closes the client, present only when the store created it from `url`. */
  close?(): Promise<void>;
  /** The client the store talks to. */
  readonly client: Redis | Cluster;
  /** The serializer of the data values (the `serializer` option). */
  readonly serializer: Serializer;
  /** Every call rejects within `operationTimeoutMs` (see `SessionStore.callTimeoutMs`). */
  readonly callTimeoutMs: number;
}

const PACKAGE = '@sess/store-redis';
const DEFAULT_URL = 'redis://127.0.0.1:6379';
const DEFAULT_PREFIX = 'sess:';
const DEFAULT_OPERATION_TIMEOUT_MS = 2000;
const DEFAULT_MAX_SIZE_BYTES = 1_048_576;
const SCAN_BATCH = 1000;
/** Bytes `listByUser` reads of each record: the meta and any user id shorter than about 1 KB. */
const HEADER_READ_BYTES = 1024;

/**
 * Creates a session store on Redis (single node, Sentinel or Cluster) through ioredis.
 *
 * Costs per call: `get` one GET; `set` one SET; `update` and `touch` one script call;
 * each write also sends one index script in the same flight when the session has a
 * user id.
 *
 * @example
 * const store = createRedisStore({ client: new Redis(process.env.REDIS_URL) });
 * const sessions = createSessionManager({ secret, store });
 * @example
 * // Local development: Redis on this machine's default port, with a one-time notice.
 * const store = createRedisStore();
 */
export function createRedisStore(options: RedisStoreOptions = {}): RedisStore {
  if (typeof options !== 'object' || options === null) {
    invalidOption(PACKAGE, 'options', 'an object with `client` or `url`', options);
  }
  const {
    client: givenClient,
    url: givenUrl,
    redisOptions = {},
    prefix = DEFAULT_PREFIX,
    serializer = jsonSerializer,
    operationTimeoutMs = DEFAULT_OPERATION_TIMEOUT_MS,
    maxSizeBytes = DEFAULT_MAX_SIZE_BYTES,
    onNotice = noticeOncePerProcess,
    now = Date.now,
  } = options;

  if (givenClient !== undefined && givenUrl !== undefined) {
    invalidOption(PACKAGE, 'client', 'left out when `url` is given (pass one of them)', 'both');
  }
  if (typeof onNotice !== 'function') invalidOption(PACKAGE, 'onNotice', 'a function taking a message', onNotice);
  const url = givenClient === undefined ? (givenUrl ?? DEFAULT_URL) : undefined;
  if (givenClient !== undefined && !isIoredisClient(givenClient)) {
    invalidOption(PACKAGE, 'client', 'an ioredis Redis or Cluster instance', givenClient);
  }
  if (url !== undefined && (typeof url !== 'string' || !/^rediss?:\/\//.test(url))) {
    invalidOption(PACKAGE, 'url', 'a redis:// or rediss:// URL', url);
  }
  if (typeof redisOptions !== 'object' || redisOptions === null) {
    invalidOption(PACKAGE, 'redisOptions', 'an object of ioredis options', redisOptions);
  }
  if (typeof prefix !== 'string') invalidOption(PACKAGE, 'prefix', 'a string', prefix);
  if (!isSerializer(serializer)) {
    invalidOption(PACKAGE, 'serializer', 'an object with stringify and parse functions', serializer);
  }
  if (!Number.isFinite(operationTimeoutMs) || operationTimeoutMs <= 0) {
    invalidOption(PACKAGE, 'operationTimeoutMs', 'a positive number of milliseconds', operationTimeoutMs);
  }
  if (!Number.isInteger(maxSizeBytes) || maxSizeBytes <= 0) {
    invalidOption(PACKAGE, 'maxSizeBytes', 'a positive integer', maxSizeBytes);
  }
  if (typeof now !== 'function') invalidOption(PACKAGE, 'now', 'a function returning epoch milliseconds', now);
  if (givenClient === undefined && givenUrl === undefined) {
    onNotice(
      `${PACKAGE}: no \`client\` or \`url\` was given, so the store connects to ${DEFAULT_URL}. ` +
        'Pass `url` (e.g. process.env.REDIS_URL) or `client` to choose the server.',
    );
  }
  if (givenClient?.options.keyPrefix) {
    // ioredis would prefix script keys but not SCAN patterns: one prefix, ours.
    invalidOption(PACKAGE, 'client', 'a client without ioredis `keyPrefix` (use the `prefix` option)', 'keyPrefix');
  }

  const ownsClient = givenClient === undefined;
  const client: Redis | Cluster = givenClient ?? createOwnClient(url!, redisOptions, operationTimeoutMs);
  // Cluster exposes the same command methods as Redis; one view keeps the calls typed.
  const redis = client as Redis;
  const runScript = scriptRunner(redis);

  const sessionKey = (key: string) => `${prefix}${key}`;
  const userIndexKey = (userId: string) => `${prefix}user:{${userId}}`;

  let waitingForReady: Promise<void> | undefined;
  /** One shared wait (one pair of listeners) however many calls arrive during an outage. */
  function whenReady(): Promise<void> {
    if (client.status === 'ready') return Promise.resolve();
    if (client.status === 'end') return Promise.reject(new Error('the Redis client was closed.'));
    if (waitingForReady === undefined) {
      waitingForReady = new Promise<void>((resolve, reject) => {
        const settle = () => {
          client.off('ready', onReady);
          client.off('end', onEnd);
          waitingForReady = undefined;
        };
        const onReady = () => {
          settle();
          resolve();
        };
        const onEnd = () => {
          settle();
          reject(new Error('the Redis client was closed.'));
        };
        client.on('ready', onReady);
        client.on('end', onEnd);
        if (client.status === 'wait') client.connect().catch(() => {}); // lazyConnect clients
      });
      waitingForReady.catch(() => {}); // rejected only when the client is closed, to waiting calls
    }
    return waitingForReady;
  }

  /**
   * Runs one store call under the time bound. Nothing is sent while the client is not
   * ready, so no command waits in an offline queue to be replayed after its caller
   * has given up; the wait for a reconnect counts against the bound.
   */
  function bounded<T>(operation: SessionStoreOperation, task: () => Promise<T>): Promise<T> {
    return boundStoreCall(
      operation,
      (deadline) =>
        client.status === 'ready'
          ? task()
          : whenReady().then(() => {
              if (deadline.expired) throw new Error('given up before the connection came back.');
              return task();
            }),
      callOptions,
    );
  }
  const callOptions = {
    timeoutMs: operationTimeoutMs,
    packageName: PACKAGE,
    describeTimeout: () => `Redis client status: ${client.status}`,
  };

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
    return runScript(indexAddScript, userIndexKey(meta.userId), [key, String(meta.expiresAtMs), String(now())]);
  }

  return {
    client,

    serializer,
    callTimeoutMs: operationTimeoutMs,

    get: function get(key) {
      return bounded('get', () => redis.get(sessionKey(key)).then(liveRecord, unknownIfOtherType));
    },

    set: function set(key, record) {
      return bounded('set', async () => {
        const { data, ...meta } = record;
        const entries = serializeData(data);
        let sizeBytes = 0;
        let text = RECORD_TAG + encodeMeta(meta) + netstring(meta.userId ?? '');
        for (let i = 0; i < entries.length; i += 2) {
          const name = entries[i]!;
          const value = entries[i + 1]!;
          sizeBytes += Buffer.byteLength(name) + Buffer.byteLength(value);
          text += netstring(name) + netstring(value);
        }
        if (sizeBytes > maxSizeBytes) throw tooLarge(sizeBytes);
        await Promise.all([redis.set(sessionKey(key), text, 'PXAT', meta.expiresAtMs), indexWrite(key, meta)]);
      });
    },

    update: function update(key, patch: SessionPatch) {
      return bounded('update', async () => {
        const { meta } = patch;
        const removed = [...patch.removed];
        const setEntries = serializeData(patch.set, removed);
        const args = [
          String(meta.expiresAtMs),
          encodeMeta(meta),
          meta.userId ?? '',
          String(maxSizeBytes),
          String(setEntries.length / 2),
          ...setEntries,
          ...removed,
        ];
        const [applied] = await Promise.all([runScript(updateScript, sessionKey(key), args), indexWrite(key, meta)]);
        if (typeof applied === 'number' && applied < 0) throw tooLarge(-applied);
      });
    },

    touch: function touch(key, meta) {
      return bounded('touch', async () => {
        const args = [String(meta.expiresAtMs), encodeMeta(meta), meta.userId ?? ''];
        await Promise.all([runScript(touchScript, sessionKey(key), args), indexWrite(key, meta)]);
      });
    },

    destroy: function destroy(key) {
      // The user index entry goes stale and is pruned when listed: no second key to write.
      return bounded('destroy', async () => {
        await redis.del(sessionKey(key));
      });
    },

    listByUser: function listByUser(userId) {
      return bounded('listByUser', async () => {
        const indexKey = userIndexKey(userId);
        const keys = await redis.zrangebyscore(indexKey, now(), '+inf');
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
        if (stale.length > 0) await redis.zrem(indexKey, ...stale);
        return sessions.sort((a, b) => a.createdAtMs - b.createdAtMs || (a.key < b.key ? -1 : 1));
      });
    },

    destroyByUser: function destroyByUser(userId) {
      return bounded('destroyByUser', async () => {
        const indexKey = userIndexKey(userId);
        const keys = await redis.zrange(indexKey, '0', '-1');
        if (keys.length === 0) return 0;
        const deleted = await Promise.all(keys.map((key) => runScript(destroyIfUserScript, sessionKey(key), [userId])));
        // Only the entries read: a session indexed meanwhile stays listed.
        await redis.zrem(indexKey, ...keys);
        return deleted.reduce<number>((sum, n) => sum + Number(n), 0);
      });
    },

    count: function count() {
      return afterReady('count', async () => {
        let total = 0;
        await scanEveryMaster(client, prefix, 'string', async (_node, keys) => {
          total += keys.length;
        });
        return total;
      });
    },

    clear: function clear() {
      return afterReady('clear', async () => {
        let total = 0;
        await scanEveryMaster(client, prefix, undefined, async (node, keys) => {
          // One UNLINK per key: keys on one node still sit in different slots.
          const results = await Promise.all(keys.map((key) => node.unlink(key)));
          total += results.reduce((sum, n) => sum + n, 0);
        });
        return total;
      });
    },

    ...(ownsClient && {
      close: async function close() {
        if (client.status === 'end') return;
        // Without a connection there is nothing to wait for, and 'end' may never come.
        if (client.status !== 'ready') {
          client.disconnect();
          return;
        }
        let timer: ReturnType<typeof setTimeout> | undefined;
        const ended = new Promise<void>((resolve) => {
          client.once('end', () => resolve());
          // QUIT lets replies in flight arrive, within the operation bound.
          timer = setTimeout(() => {
            client.disconnect();
            resolve();
          }, operationTimeoutMs);
        });
        await client.quit().catch(() => client.disconnect());
        await ended;
        clearTimeout(timer);
      },
    }),
  };

  function liveRecord(text: string | null): SessionRecord | undefined {
    if (text === null) return undefined;
    const record = decodeRecord(text, serializer);
    return record === undefined || record.expiresAtMs <= now() ? undefined : record;
  }

  /** Key/value pairs; a value that serializes to nothing (JSON and `undefined`) goes to `removed`. */
  function serializeData(data: SessionData, removed?: string[]): string[] {
    const entries: string[] = [];
    for (const name in data) {
      const text: string | undefined = serializer.stringify(data[name]);
      if (text !== undefined) entries.push(name, text);
      else removed?.push(name);
    }
    return entries;
  }

  /** The meta and user id of a record, reading its first bytes only (the whole record for a very long user id). */
  async function readMeta(key: string): Promise<SessionMeta | undefined> {
    const head = await redis.getrangeBuffer(key, 0, HEADER_READ_BYTES - 1).catch(unknownIfOtherType);
    if (head === undefined) return undefined;
    const meta = decodeHeader(head);
    if (meta !== 'truncated') return meta;
    const whole = await redis.getBuffer(key);
    if (whole === null) return undefined;
    const again = decodeHeader(whole);
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
}

const noticesGiven = new Set<string>();

/** The default `onNotice`: each notice once per process, so a store made per test or per worker does not flood the log. */
function noticeOncePerProcess(message: string): void {
  if (noticesGiven.has(message)) return;
  noticesGiven.add(message);
  console.warn(message);
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

/** Shape check instead of `instanceof`: two copies of ioredis must both work. */
function isIoredisClient(value: unknown): value is Redis | Cluster {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Redis).hgetall === 'function' &&
    typeof (value as Redis).evalsha === 'function' &&
    typeof (value as Redis).status === 'string'
  );
}

function createOwnClient(url: string, redisOptions: RedisOptions, operationTimeoutMs: number): Redis {
  const client = new Redis(url, {
    connectTimeout: operationTimeoutMs,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    ...redisOptions,
  });
  // Connection errors surface on the store calls they fail; the event would only log.
  client.on('error', () => {});
  return client;
}

/** EVALSHA, falling back to EVAL the first time a node has not seen the script. */
function scriptRunner(redis: Redis) {
  const shas = new Map<LuaScript, string>();
  return async function runScript(script: LuaScript, key: string, args: readonly string[]): Promise<unknown> {
    let sha = shas.get(script);
    if (sha === undefined) {
      sha = createHash('sha1').update(script.lua).digest('hex');
      shas.set(script, sha);
    }
    try {
      return await redis.evalsha(sha, 1, key, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.includes('NOSCRIPT')) throw error;
      return redis.eval(script.lua, 1, key, ...args);
    }
  };
}

/** Calls `onKeys` for every SCAN batch of keys under the prefix, on every master of a cluster. */
async function scanEveryMaster(
  client: Redis | Cluster,
  prefix: string,
  type: string | undefined,
  onKeys: (node: Redis, keys: string[]) => Promise<void>,
): Promise<void> {
  const nodes = client.isCluster ? (client as Cluster).nodes('master') : [client as Redis];
  const pattern = `${escapeGlob(prefix)}*`;
  await Promise.all(
    nodes.map(async (node) => {
      let cursor = '0';
      do {
        const [next, keys] = type
          ? await node.scan(cursor, 'MATCH', pattern, 'COUNT', String(SCAN_BATCH), 'TYPE', type)
          : await node.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_BATCH);
        cursor = next;
        if (keys.length > 0) await onKeys(node, keys);
      } while (cursor !== '0');
    }),
  );
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

function encodeMeta(meta: SessionMeta): string {
  return encodeTime(meta.createdAtMs) + encodeTime(meta.lastActiveAtMs) + encodeTime(meta.expiresAtMs) + (meta.persistent ? '1' : '0');
}

function encodeTime(ms: number): string {
  return Math.max(0, Math.floor(ms)).toString(36).padStart(TIME_WIDTH, '0');
}

function netstring(text: string): string {
  return `${Buffer.byteLength(text)}:${text}`;
}

/**
 * Reads a record held one character per byte: the reply itself when it is ASCII (the
 * usual case), else its bytes as latin1, so netstring lengths (which count bytes)
 * index it directly either way; `text` turns a slice back into the string it encodes.
 */
class RecordReader {
  pos = USER_OFFSET;
  constructor(
    readonly bytes: string,
    readonly text: (slice: string) => string,
  ) {}

  static ofReply(reply: string): RecordReader {
    return Buffer.byteLength(reply) === reply.length ? new RecordReader(reply, sameText) : RecordReader.ofBytes(Buffer.from(reply));
  }

  static ofBytes(bytes: Buffer): RecordReader {
    return new RecordReader(bytes.toString('latin1'), utf8OfLatin1);
  }

  /** Whether it starts as our format does; anything else reads as an unknown session. */
  get ours(): boolean {
    return this.bytes.length >= USER_OFFSET && this.bytes.startsWith(RECORD_TAG);
  }

  get done(): boolean {
    return this.pos >= this.bytes.length;
  }

  meta(): SessionMeta {
    const head = this.bytes.slice(RECORD_TAG.length, USER_OFFSET);
    return {
      createdAtMs: Number.parseInt(head.slice(0, TIME_WIDTH), 36),
      lastActiveAtMs: Number.parseInt(head.slice(TIME_WIDTH, 2 * TIME_WIDTH), 36),
      expiresAtMs: Number.parseInt(head.slice(2 * TIME_WIDTH, 3 * TIME_WIDTH), 36),
      persistent: head[META_WIDTH - 1] === '1',
    };
  }

  /** The next netstring's text, or `undefined` when the bytes end inside it. */
  next(): string | undefined {
    const colon = this.bytes.indexOf(':', this.pos);
    if (colon < 0) return undefined;
    let length = 0;
    for (let i = this.pos; i < colon; i++) {
      const digit = this.bytes.charCodeAt(i) - 0x30;
      if (digit < 0 || digit > 9) throw new Error('a malformed session record (a netstring length is not a number).');
      length = length * 10 + digit;
    }
    const end = colon + 1 + length;
    if (end > this.bytes.length) return undefined;
    this.pos = end;
    return this.text(this.bytes.slice(colon + 1, end));
  }
}

const sameText = (slice: string): string => slice;
const utf8OfLatin1 = (slice: string): string => Buffer.from(slice, 'latin1').toString('utf8');

/** A whole record from a `GET` reply; `undefined` for a value of another format. */
function decodeRecord(reply: string, serializer: Serializer): SessionRecord | undefined {
  const reader = RecordReader.ofReply(reply);
  if (!reader.ours) return undefined;
  const data: SessionData = {};
  const record: SessionRecord = { ...reader.meta(), data };
  const userId = reader.next();
  if (userId === undefined) throw new Error('a malformed session record (it ends inside the user id).');
  if (userId !== '') record.userId = userId;
  while (!reader.done) {
    const name = reader.next();
    const value = name === undefined ? undefined : reader.next();
    if (name === undefined || value === undefined) throw new Error('a malformed session record (it ends inside an entry).');
    setOwn(data, name, serializer.parse(value));
  }
  return record;
}

/**
 * The meta and user id from the first bytes of a record; `undefined` for a value of
 * another format, 'truncated' when the bytes stop inside the user id.
 */
function decodeHeader(bytes: Buffer): SessionMeta | undefined | 'truncated' {
  const reader = RecordReader.ofBytes(bytes);
  if (!reader.ours) return undefined;
  const userId = reader.next();
  if (userId === undefined) return 'truncated';
  const meta = reader.meta();
  if (userId !== '') meta.userId = userId;
  return meta;
}

/** `data[name] = value`, where a key named `__proto__` stays a key instead of replacing the prototype. */
function setOwn(data: SessionData, name: string, value: unknown): void {
  if (name === '__proto__') Object.defineProperty(data, name, { value, enumerable: true, writable: true, configurable: true });
  else data[name] = value;
}
