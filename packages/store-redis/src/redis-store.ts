/** `createRedisStore`: options, the driver for the given client, and the engine on top. */
import { checkOptions, clockOption, invalidOption, type Serializer, serializerOption } from '@sess/core/store';
import type { Redis, RedisOptions } from 'ioredis';
import { driverFor, onWorkerd, type RedisClientLike, tcpOnWorkerd } from './drivers';
import { ioredisPort } from './drivers/ioredis';
import { createIoredisClient } from './drivers/ioredis-url';
import { createEngine, PACKAGE, type RedisSessionEngine } from './engine';
import type { RedisCommandPort } from './port';

export type { RedisClientLike } from './drivers';
export type { NodeRedisClient, NodeRedisCluster } from './drivers/node-redis';

/**
 * Options of `createRedisStore`. Give at most one of `client` and `url`; with neither,
 * the store connects to `redis://127.0.0.1:6379` (see `onNotice`).
 */
export interface RedisStoreOptions<Client extends RedisClientLike = RedisClientLike> {
  /**
   * A client you made and own, recognised by its shape: an ioredis `new Redis(...)`
   * (single node or Sentinel) or `new Cluster(...)`, or a node-redis `createClient()` or
   * `createCluster()` (connected with `connect()`). The store never closes it, and never
   * sends a command while it is not ready (see `operationTimeoutMs`).
   */
  client?: Client;
  /**
   * A `redis://` or `rediss://` URL: the store creates its own ioredis client (ioredis
   * must be installed), tuned to fail fast (no offline queue, no resending after a
   * disconnect, reconnects within a second), and `close()` closes it.
   * @default 'redis://127.0.0.1:6379' when no `client` is given either
   */
  url?: string;
  /** Extra ioredis options for the client created from `url` (TLS, credentials...). @default {} */
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
   * Told when the store makes a choice you did not spell out (it connects to
   * `redis://127.0.0.1:6379` because neither `client` nor `url` was given), or when a
   * given client lacks a setting that keeps writes safe through a failover. Given, it
   * is called every time; the default writes each notice once per process with
   * `console.warn`, as `@sess/core`'s memory store warns about production.
   * @default one console.warn per process and message
   */
  onNotice?: (message: string) => void;
  /**
   * The clock that decides expiry, for tests. Redis expires keys by its own clock.
   * @default Date.now
   */
  now?: () => number;
}

/** A Redis session store, with administrative helpers. */
export interface RedisStore<Client extends RedisClientLike = Redis> extends RedisSessionEngine {
  /** Closes the client, present only when the store created it from `url`. */
  close?(): Promise<void>;
  /** The client the store talks to. */
  readonly client: Client;
}

const KNOWN_OPTIONS = ['client', 'url', 'redisOptions', 'prefix', 'serializer', 'operationTimeoutMs', 'maxSizeBytes', 'onNotice', 'now'];
const FOREIGN_OPTIONS = {
  ttl: 'Expiry comes from the session manager (`idleTimeoutMs`, `absoluteTimeoutMs`), not the store.',
  keyPrefix: 'Use `prefix`.',
  redis: 'Use `client`.',
};
const DEFAULT_URL = 'redis://127.0.0.1:6379';
const DEFAULT_PREFIX = 'sess:';
const DEFAULT_OPERATION_TIMEOUT_MS = 2000;
const DEFAULT_MAX_SIZE_BYTES = 1_048_576;

/**
 * Creates a session store on Redis: ioredis or node-redis, single node, Sentinel or Cluster.
 *
 * Costs per call: `get` one GET; `set` one SET; `update` and `touch` one script call;
 * each write also sends one index script in the same flight when the session has a
 * user id.
 *
 * @example
 * const store = createRedisStore({ url: process.env.REDIS_URL });
 * const sessions = createSessionManager({ secret, store });
 * @example
 * // A node-redis client you already have (connected):
 * const store = createRedisStore({ client: await createClient({ url }).connect() });
 */
export function createRedisStore(options?: RedisStoreOptions<Redis>): RedisStore<Redis>;
export function createRedisStore<Client extends RedisClientLike>(
  options: RedisStoreOptions<Client> & { client: Client },
): RedisStore<Client>;
export function createRedisStore(given?: RedisStoreOptions): RedisStore<RedisClientLike> {
  const options = checkOptions(PACKAGE, given, KNOWN_OPTIONS, FOREIGN_OPTIONS);
  const {
    client: givenClient,
    url: givenUrl,
    redisOptions = {},
    prefix = DEFAULT_PREFIX,
    operationTimeoutMs = DEFAULT_OPERATION_TIMEOUT_MS,
    maxSizeBytes = DEFAULT_MAX_SIZE_BYTES,
    onNotice = noticeOncePerProcess,
  } = options;
  const serializer = serializerOption(PACKAGE, 'serializer', options.serializer);
  const now = clockOption(PACKAGE, 'now', options.now);

  if (givenClient !== undefined && givenUrl !== undefined) {
    invalidOption(PACKAGE, 'client', 'left out when `url` is given (pass one of them)', 'both');
  }
  if (typeof onNotice !== 'function') invalidOption(PACKAGE, 'onNotice', 'a function taking a message', onNotice);
  const url = givenClient === undefined ? (givenUrl ?? DEFAULT_URL) : undefined;
  const driver = givenClient === undefined ? undefined : driverFor(givenClient);
  if (url !== undefined && (typeof url !== 'string' || !/^rediss?:\/\//.test(url))) {
    invalidOption(PACKAGE, 'url', 'a redis:// or rediss:// URL', url);
  }
  if (typeof redisOptions !== 'object' || redisOptions === null) {
    invalidOption(PACKAGE, 'redisOptions', 'an object of ioredis options', redisOptions);
  }
  if (givenClient !== undefined && options.redisOptions !== undefined) {
    invalidOption(PACKAGE, 'redisOptions', 'left out when `client` is given (it applies to the client made from `url`)', 'both');
  }
  if (typeof prefix !== 'string') invalidOption(PACKAGE, 'prefix', 'a string', prefix);
  if (typeof operationTimeoutMs !== 'number' || !Number.isFinite(operationTimeoutMs) || operationTimeoutMs <= 0) {
    invalidOption(PACKAGE, 'operationTimeoutMs', 'a positive number of milliseconds', operationTimeoutMs);
  }
  if (!Number.isInteger(maxSizeBytes) || maxSizeBytes <= 0) {
    invalidOption(PACKAGE, 'maxSizeBytes', 'a positive integer', maxSizeBytes);
  }
  if (url !== undefined && onWorkerd()) throw tcpOnWorkerd('ioredis (the client `url` creates)');
  if (givenClient === undefined && givenUrl === undefined) {
    onNotice(
      `${PACKAGE}: no \`client\` or \`url\` was given, so the store connects to ${DEFAULT_URL}. ` +
        'Pass `url` (e.g. process.env.REDIS_URL) or `client` to choose the server.',
    );
  }

  const context = { operationTimeoutMs, notice: onNotice };
  let client: RedisClientLike;
  let port: RedisCommandPort;
  if (driver !== undefined) {
    client = givenClient!;
    port = driver.createPort(client, context);
  } else {
    const own = createIoredisClient(url!, redisOptions, operationTimeoutMs);
    client = own;
    port = ioredisPort(own, context, true);
  }
  const engine = createEngine(port, { prefix, serializer, operationTimeoutMs, maxSizeBytes, now });
  const { close } = port;
  return Object.assign(engine, {
    client,
    ...(close && {
      close: function closeStore() {
        return close(operationTimeoutMs);
      },
    }),
  });
}

const noticesGiven = new Set<string>();

/** The default `onNotice`: each notice once per process, so a store made per test or per worker does not flood the log. */
function noticeOncePerProcess(message: string): void {
  if (noticesGiven.has(message)) return;
  noticesGiven.add(message);
  console.warn(message);
}
