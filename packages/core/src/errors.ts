/** What went wrong with a store call, for logs and error handlers. */
export type SessionStoreOperation =
  | 'get'
  | 'set'
  | 'update'
  | 'touch'
  | 'destroy'
  | 'listByUser'
  | 'destroyByUser';

/**
 * A session store failed or did not answer in time. Never swallowed: the manager
 * raises it from the session call or the commit that needed the store, and every
 * adapter turns it into an error response.
 */
export class SessionStoreError extends Error {
  override readonly name = 'SessionStoreError';
  /** Set so error handlers that look at `err.status` (Koa, Express) answer 503. */
  readonly status = 503;
  readonly operation: SessionStoreOperation;
  /** True when the store did not answer within the manager's `storeTimeoutMs`. */
  readonly timedOut: boolean;

  constructor(
    operation: SessionStoreOperation,
    message: string,
    options: { cause?: unknown; timedOut?: boolean } = {},
  ) {
    super(`@sess/core: session store ${operation} failed: ${message}`, { cause: options.cause });
    this.operation = operation;
    this.timedOut = options.timedOut ?? false;
  }
}

/** Shape check instead of `instanceof`, so it holds across two copies of the package. */
export function isSessionStoreError(value: unknown): value is SessionStoreError {
  return value instanceof Error && value.name === 'SessionStoreError' && 'operation' in value;
}

/**
 * A session grew past a configured size limit (the cookie store's `maxCookies`, or a
 * store's maximum serialized size). It is a programming error, not a client error.
 */
export class SessionTooLargeError extends Error {
  override readonly name = 'SessionTooLargeError';
  readonly sizeBytes: number;
  readonly limitBytes: number;

  constructor(packageName: string, sizeBytes: number, limitBytes: number, hint: string) {
    super(`${packageName}: the session is ${sizeBytes} bytes, over the limit of ${limitBytes} bytes. ${hint}`);
    this.sizeBytes = sizeBytes;
    this.limitBytes = limitBytes;
  }
}

/** Throws the TypeError every factory uses for a bad option. */
export function invalidOption(packageName: string, option: string, expected: string, ...actual: [unknown?]): never {
  const got = actual.length > 0 ? ` (got ${describe(actual[0])})` : '';
  throw new TypeError(`${packageName}: option \`${option}\` must be ${expected}${got}.`);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}
