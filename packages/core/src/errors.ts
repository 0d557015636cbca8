/** What went wrong with a store call, for logs and error handlers. */
export type SessionStoreOperation =
  | 'get'
  | 'set'
  | 'update'
  | 'touch'
  | 'rotate'
  | 'destroy'
  | 'listByUser'
  | 'destroyByUser'
  | 'count'
  | 'clear';

/** The `Retry-After` of every answer to a store failure: about one store timeout. */
export const STORE_RETRY_AFTER_SECONDS = 2;

/**
 * A session store failed or did not answer in time. Never swallowed: the manager
 * raises it from `load()` or the commit that needed the store, and every adapter
 * turns it into an error response.
 */
export class SessionStoreError extends Error {
  override readonly name = 'SessionStoreError';
  /** Error handlers that read `err.status` (Express, Koa, Hono) answer 503 Service Unavailable. */
  readonly status = 503;
  /**
   * Sent with the 503 (Koa's `ctx.onerror` and Express's final handler apply `err.headers`;
   * the other adapters send them themselves): a client or proxy may retry after a pause
   * instead of hammering a store that is down.
   */
  readonly headers: Readonly<Record<'Retry-After', string>> = { 'Retry-After': String(STORE_RETRY_AFTER_SECONDS) };
  readonly operation: SessionStoreOperation;
  /** True when the store did not answer within the time bound. */
  readonly timedOut: boolean;

  constructor(
    operation: SessionStoreOperation,
    message: string,
    options: { cause?: unknown; timedOut?: boolean; packageName?: string } = {},
  ) {
    super(`${options.packageName ?? '@sess/core'}: session store ${operation} failed: ${message}`, { cause: options.cause });
    this.operation = operation;
    this.timedOut = options.timedOut ?? false;
  }
}

/**
 * A session grew past a size limit (the cookie store's `maxCookies`, or a store's
 * `maxSizeBytes`). Adapters answer it with 413 Content Too Large: the request made
 * the session too big, and retrying it will not help.
 */
export class SessionTooLargeError extends Error {
  override readonly name = 'SessionTooLargeError';
  /** Error handlers that read `err.status` answer 413. */
  readonly status = 413;
  readonly sizeBytes: number;
  readonly limitBytes: number;

  constructor(packageName: string, sizeBytes: number, limitBytes: number, hint: string) {
    super(`${packageName}: the session is ${sizeBytes} bytes, over the limit of ${limitBytes} bytes. ${hint}`);
    this.sizeBytes = sizeBytes;
    this.limitBytes = limitBytes;
  }
}

/**
 * `session.set(key, value)` was given a value the configured serializer cannot store
 * faithfully (a cycle, more than 64 levels of nesting, or a `Date`, `Map`, `BigInt`,
 * function or class instance under the JSON serializer). Thrown by `set` itself, so
 * the stack points at the line that stored it.
 */
export class SessionValueError extends TypeError {
  override readonly name = 'SessionValueError';
  /** The top-level session key that was being set. */
  readonly key: string;
  /** Where inside the value the problem is, such as `value.items[3].at`. */
  readonly path: string;

  constructor(key: string, path: string, reason: string) {
    super(`@sess/core: session key "${key}" cannot be stored: ${path} ${reason}.`);
    this.key = key;
    this.path = path;
  }
}

/**
 * The application used a session where it cannot: a write after the request was
 * committed (a forgotten `await`, a timer, a write after the response), or a write
 * to a read-only session (a Next.js Server Component). Loud on purpose: the
 * alternative is data that is silently lost.
 */
export class SessionUsageError extends Error {
  override readonly name = 'SessionUsageError';
  /** `committed`: the request's session was already committed; `read-only`: the session cannot be written here. */
  readonly reason: 'committed' | 'read-only';

  constructor(reason: 'committed' | 'read-only', message: string) {
    super(message);
    this.reason = reason;
  }
}

/** Shape checks instead of `instanceof`: they hold across two copies of the package. */
export function isSessionStoreError(value: unknown): value is SessionStoreError {
  return value instanceof Error && value.name === 'SessionStoreError' && 'operation' in value;
}

export function isSessionTooLargeError(value: unknown): value is SessionTooLargeError {
  return value instanceof Error && value.name === 'SessionTooLargeError' && 'limitBytes' in value;
}

export function isSessionValueError(value: unknown): value is SessionValueError {
  return value instanceof Error && value.name === 'SessionValueError' && 'key' in value;
}

export function isSessionUsageError(value: unknown): value is SessionUsageError {
  return value instanceof Error && value.name === 'SessionUsageError' && 'reason' in value;
}

/** Throws the TypeError every factory uses for a bad option. */
export function invalidOption(packageName: string, option: string, expected: string, ...actual: [unknown?]): never {
  const got = actual.length > 0 ? ` (got ${describe(actual[0])})` : '';
  throw new TypeError(`${packageName}: option \`${option}\` must be ${expected}${got}.`);
}

/**
 * Refuses option keys a factory does not know, so a typo or a setting carried over
 * from another library fails loudly instead of being ignored. `hints` maps a known
 * foreign name to what to use instead.
 */
export function rejectUnknownOptions(
  packageName: string,
  prefix: string,
  options: object,
  known: readonly string[],
  hints: Readonly<Record<string, string>> = {},
): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const name = `${prefix}${key}`;
    const hint = Object.hasOwn(hints, name) ? ` ${hints[name]}` : ` Known options: ${known.join(', ')}.`;
    throw new TypeError(`${packageName}: unknown option \`${name}\`.${hint}`);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}
