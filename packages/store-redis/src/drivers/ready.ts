/** The one wait for a reconnect that every call during an outage shares (one pair of listeners). */

/** The event methods of ioredis and node-redis clients. */
export interface EventSource {
  on(event: string, listener: () => void): unknown;
  off(event: string, listener: () => void): unknown;
}

/**
 * A `whenReady()` for a client that emits `readyEvent` when it can take commands and
 * `end` when it is closed for good. `connect` is called once per wait, for a client
 * that connects only when asked.
 */
export function readyWaiter(
  client: EventSource,
  state: { isReady(): boolean; isEnded(): boolean; connect?(): void },
  readyEvent = 'ready',
): () => Promise<void> | undefined {
  let waiting: Promise<void> | undefined;
  return function whenReady() {
    if (state.isReady()) return undefined;
    if (state.isEnded()) return Promise.reject(new Error('the Redis client was closed.'));
    if (waiting === undefined) {
      waiting = new Promise<void>((resolve, reject) => {
        const settle = () => {
          client.off(readyEvent, onReady);
          client.off('end', onEnd);
          waiting = undefined;
        };
        const onReady = () => {
          settle();
          resolve();
        };
        const onEnd = () => {
          settle();
          reject(new Error('the Redis client was closed.'));
        };
        client.on(readyEvent, onReady);
        client.on('end', onEnd);
        state.connect?.();
      });
      waiting.catch(() => {}); // rejected only when the client is closed, to waiting calls
    }
    return waiting;
  };
}
