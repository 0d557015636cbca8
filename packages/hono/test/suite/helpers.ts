/* What the @sess/hono suite's files share: the secret, the cookie to send back, failing stores, console capture. */
import { createMemoryStore, type SessionStore } from '@sess/core';
import { cookieHeaderOf } from '@sess/core/testing';

export const SECRET = 'hono-adapter-test-secret-0123456789abcdef0123';

/** The Cookie header a browser sends back after `res` (`''` when it keeps no cookie). */
export function cookieOf(res: Response): string {
  return cookieHeaderOf(res) ?? '';
}

/** A store whose every call rejects, as a backend that is down. */
export function downStore(): SessionStore {
  const down = () => Promise.reject(new Error('the store is down'));
  return { get: down, set: down, destroy: down, touch: down, update: down };
}

/** A memory store that can be taken down and brought back, as a backend during an outage. */
export function outageStore(): { store: SessionStore; down(isDown: boolean): void } {
  const inner = createMemoryStore();
  let isDown = false;
  const guard =
    <Args extends unknown[], Result>(call: (...args: Args) => Promise<Result>) =>
    (...args: Args): Promise<Result> =>
      isDown ? Promise.reject(new Error('the store is down')) : call(...args);
  const store: SessionStore = {
    get: guard((key) => inner.get(key)),
    set: guard((key, record) => inner.set(key, record)),
    destroy: guard((key) => inner.destroy(key)),
    touch: guard((key, meta) => inner.touch!(key, meta)),
    update: guard((key, patch) => inner.update!(key, patch)),
  };
  return { store, down: (value) => (isDown = value) };
}

/** Runs `body` with `console[level]` recorded instead of printed; resolves what it was called with. */
export async function recordConsole(level: 'error' | 'warn', body: () => Promise<void>): Promise<unknown[][]> {
  const original = console[level];
  const calls: unknown[][] = [];
  console[level] = (...args: unknown[]) => calls.push(args);
  try {
    await body();
  } finally {
    console[level] = original;
  }
  return calls;
}
