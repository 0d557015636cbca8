import { isSessionStoreError, isSessionTooLargeError, SessionStoreError, type SessionStoreOperation } from './errors';

/** Options of `boundStoreCall`. */
export interface StoreCallOptions {
  /** The call fails with a `SessionStoreError` (`timedOut: true`) after this long. */
  timeoutMs: number;
  /** Starts the messages of the errors it makes. @default '@sess/core' */
  packageName?: string;
  /** Extra words for the time-out message, such as the client's connection state. */
  describeTimeout?: () => string;
}

/** Lets a call that outlived its bound notice it was given up, so it sends nothing more. */
export interface StoreCallDeadline {
  readonly expired: boolean;
}

/**
 * The one wrapper every store call goes through, in the manager and in stores: a
 * time bound, and every failure typed as `SessionStoreError` (status 503). A store's
 * own typed errors (`SessionStoreError`, `SessionTooLargeError`) pass through as they
 * are, so a message never carries two package prefixes.
 */
export function boundStoreCall<T>(
  operation: SessionStoreOperation,
  call: (deadline: StoreCallDeadline) => Promise<T>,
  options: StoreCallOptions,
): Promise<T> {
  const packageName = options.packageName ?? '@sess/core';
  const deadline = { expired: false };
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      deadline.expired = true;
      const detail = options.describeTimeout?.();
      reject(
        new SessionStoreError(operation, `no answer within ${options.timeoutMs} ms${detail ? ` (${detail})` : ''}.`, {
          timedOut: true,
          packageName,
        }),
      );
    }, options.timeoutMs);
    const fail = (error: unknown) => {
      clearTimeout(timer);
      reject(toStoreError(operation, error, packageName));
    };
    try {
      call(deadline).then((value) => {
        clearTimeout(timer);
        resolve(value);
      }, fail);
    } catch (error) {
      fail(error);
    }
  });
}

/**
 * How the manager calls a store: under its own time bound, unless the store declares
 * (`callTimeoutMs`) that it bounds every call itself within at most `timeoutMs`; then
 * only the failure typing remains, and a call costs no timer of the manager's.
 */
export function storeCaller(
  store: { readonly callTimeoutMs?: number | undefined } | undefined,
  timeoutMs: number,
): <T>(operation: SessionStoreOperation, call: () => Promise<T>) => Promise<T> {
  const own = store?.callTimeoutMs;
  if (own !== undefined && own <= timeoutMs) {
    return (operation, call) => {
      try {
        // Thrown, not `Promise.reject`ed: a rejected promise handed back from a callback is
        // unhandled for a moment, which workerd reports as an unhandled rejection.
        return call().catch((error: unknown) => {
          throw toStoreError(operation, error);
        });
      } catch (error) {
        return Promise.reject(toStoreError(operation, error));
      }
    };
  }
  const options = { timeoutMs };
  return (operation, call) => boundStoreCall(operation, call, options);
}

/** Types any failure of a store call; typed errors pass through unchanged. */
export function toStoreError(operation: SessionStoreOperation, error: unknown, packageName = '@sess/core'): Error {
  if (isSessionStoreError(error) || isSessionTooLargeError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new SessionStoreError(operation, message, { cause: error, packageName });
}
