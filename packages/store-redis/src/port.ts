/**
 * The command port: everything the session engine asks of a Redis client. A driver
 * (one small file per client library, in `drivers/`) implements it; the engine never
 * sees a client's own API. Web APIs only: the engine must bundle for workerd.
 *
 * Rules every driver keeps:
 * - Values are text. The engine writes UTF-8 strings and reads them back as strings
 *   (a client's default decoding); it never needs bytes.
 * - A Redis error reply rejects with an `Error` whose `message` starts with the reply
 *   itself (`WRONGTYPE ...`, `NOSCRIPT ...`): the engine maps errors by that text.
 * - Integer replies resolve as numbers, arrays as arrays, nil as `null`.
 * - Calls the engine starts in the same tick belong together (a session write and its
 *   index write): a client that pipelines or auto-batches sends them in one round trip.
 * - The port never retries, queues or re-sends a command on its own. The engine bounds
 *   every call (`operationTimeoutMs`) and sends nothing while `whenReady()` is pending,
 *   so a command never lands after its caller was told it failed.
 */

/** One Redis node to walk with `SCAN` (a single node, or one master of a cluster). */
export interface RedisScanNode {
  /**
   * One `SCAN cursor MATCH match COUNT count [TYPE type]` page on this node. `cursor`
   * is `'0'` to start; the walk ends when the returned cursor is `'0'` again.
   */
  scan(
    cursor: string,
    match: string,
    count: number,
    type?: 'string',
  ): Promise<{ readonly cursor: string; readonly keys: readonly string[] }>;
}

/** The operations of the session engine, on one client. */
export interface RedisCommandPort {
  /** The driver's name, for messages: `'ioredis'`, `'node-redis'`, ... */
  readonly driver: string;
  /**
   * Whether keys of one script call must hash to the same slot (Redis Cluster). The
   * engine then sends only single-key scripts and does cross-slot work in steps.
   */
  readonly cluster: boolean;
  /**
   * `undefined` when a command sent now goes out at once; otherwise one shared promise
   * that resolves when the client is connected again and rejects when it is closed for
   * good. Never starts a second wait while one is pending.
   */
  whenReady(): Promise<void> | undefined;
  /** The client's state in a few words, for a timeout message: `'client status: reconnecting'`. */
  describeState(): string;

  /** `GET key`: the value, or `null` when there is none. */
  get(key: string): Promise<string | null>;
  /**
   * `GETRANGE key start end` (inclusive byte offsets): the text of those bytes, `''` when
   * the key is missing. A cut inside a multi-byte character decodes to U+FFFD, which the
   * engine allows for.
   */
  getRange(key: string, start: number, end: number): Promise<string>;
  /** `SET key value PXAT expiresAtMs`. */
  set(key: string, value: string, expiresAtMs: number): Promise<void>;
  /** `DEL key`: how many keys it deleted (0 or 1). */
  del(key: string): Promise<number>;
  /**
   * `EVALSHA sha numkeys ...keys ...args`: the script's reply. Rejects with a message
   * starting `NOSCRIPT` when the node has not seen the script; the engine then calls
   * `eval` once with its source.
   */
  evalSha(sha: string, keys: readonly string[], args: readonly string[]): Promise<unknown>;
  /** `EVAL lua numkeys ...keys ...args`: the script's reply (and the node caches the script). */
  eval(lua: string, keys: readonly string[], args: readonly string[]): Promise<unknown>;
  /** `ZRANGEBYSCORE key min max`: the members, lowest score first. */
  zRangeByScore(key: string, min: number | '-inf', max: number | '+inf'): Promise<string[]>;
  /** `ZREM key ...members` (at least one member): how many it removed. */
  zRem(key: string, members: readonly string[]): Promise<number>;
  /**
   * The nodes to `SCAN` to see every key: the node itself, or every master of a
   * cluster as known now. Used by the administrative `count` and `clear`.
   */
  scanNodes(): readonly RedisScanNode[];
  /**
   * Present only when the store created the client (from `url`): closes it, letting
   * replies in flight arrive within `timeoutMs`, then drops the connection.
   */
  close?(timeoutMs: number): Promise<void>;
}

/** What the store tells a driver when it wraps a client. */
export interface DriverContext {
  /** The store's bound on every call, for a client that needs its own (an HTTP timeout). */
  readonly operationTimeoutMs: number;
  /**
   * Reports a setting the driver recommends and the given client lacks (failover
   * safety). Goes to the store's `onNotice`: once per process by default.
   */
  readonly notice: (message: string) => void;
}

/**
 * A client library the store accepts as `client`, recognised by shape (never by
 * `instanceof`, so two copies of a package both work).
 */
export interface RedisDriver<Client extends object = object> {
  /** The name in messages and test names: `'ioredis'`, `'node-redis'`, ... */
  readonly name: string;
  /** How a user makes such a client, for the error listing what `client` accepts. */
  readonly accepts: string;
  /**
   * `'tcp'` needs a socket that outlives a request (refused on workerd, where the store
   * names the HTTP driver instead); `'http'` runs on any `fetch` runtime.
   */
  readonly transport: 'tcp' | 'http';
  /** Whether `value` is a client of this library. Must not throw. */
  matches(value: object): value is Client;
  /**
   * Wraps the client. Throws a `TypeError` (through `invalidOption`) for a client the
   * store cannot use safely (an ioredis `keyPrefix`, say).
   */
  createPort(client: Client, context: DriverContext): RedisCommandPort;
}
