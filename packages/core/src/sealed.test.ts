import { describe, expect, it } from 'vitest';
import { createCookieStore } from './cookie-store';
import { createSessionManager } from './manager';
import { createMemoryStore } from './memory-store';

const secret = 'sealed-surface-secret-0123456789abcdefghijkl';

/** Every name reachable on an object: its own properties and its prototype chain's, up to Object.prototype. */
function reachableNames(value: object): string[] {
  const names = new Set<string>();
  for (let o: object | null = value; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const name of Object.getOwnPropertyNames(o)) names.add(name);
  }
  names.delete('constructor');
  return [...names].sort();
}

describe('the sealed public surface', () => {
  it('gives a handler a handle with load() and nothing else: no manager, store or cookie header to reach', async () => {
    const manager = createSessionManager({ secret });
    const handle = manager.open('sid=whatever');
    expect(reachableNames(handle)).toEqual(['load']);
    await manager.commit(handle, { status: 200 });
  });

  it('gives a handler a session with the Session interface only: no close(), no commit-time state', async () => {
    const manager = createSessionManager({ secret });
    const handle = manager.open(undefined);
    const session = await handle.load();
    expect(reachableNames(session)).toEqual(
      [
        'createdAt',
        'data',
        'destroy',
        'expiresAt',
        'flash',
        'get',
        'getFlash',
        'has',
        'id',
        'isNew',
        'key',
        'persistent',
        'regenerate',
        'rememberMe',
        'set',
        'setUserId',
        'touch',
        'unset',
        'userId',
      ].sort(),
    );
    await manager.commit(handle, { status: 200 });
  });

  it('refuses a handle another manager opened, or an object shaped like one', async () => {
    const manager = createSessionManager({ secret });
    const other = createSessionManager({ secret });
    await expect(manager.commit(other.open(undefined), { status: 200 })).rejects.toThrow(/a handle this manager's open\(\) returned/);
    await expect(manager.commit({ load: async () => ({}) } as never, { status: 200 })).rejects.toThrow(TypeError);
  });

  it('has every store reject an unknown option with the TypeError the manager throws', () => {
    expect(() => createSessionManager({ secret, maxAge: 1 } as never)).toThrow(/^@sess\/core: unknown option `maxAge`\./);
    expect(() => createMemoryStore({ maxEntrys: 10 } as never)).toThrow(
      /^@sess\/core: unknown option `maxEntrys`\. Known options: maxEntries, maxSizeBytes, maxTotalBytes, serializer, now\.$/,
    );
    expect(() => createCookieStore({ chunksize: 1000 } as never)).toThrow(
      /^@sess\/core: unknown option `chunksize`\. Known options: chunkSize, maxCookies, serializer\.$/,
    );
    expect(() => createMemoryStore([] as never)).toThrow(/^@sess\/core: option `options` must be an object \(got an array\)\.$/);
  });

  it('checks a serializer and a clock with one message wherever they are given', () => {
    const messages = [
      () => createSessionManager({ secret, serializer: {} as never }),
      () => createMemoryStore({ serializer: {} as never }),
      () => createCookieStore({ serializer: {} as never }),
    ].map((make) => {
      try {
        make();
      } catch (error) {
        return (error as Error).message;
      }
      return 'no error';
    });
    expect(new Set(messages)).toEqual(
      new Set([
        "@sess/core: option `serializer` must be an object with stringify and parse functions (and `kind` 'json', 'rich' or none) (got an object).",
      ]),
    );
    expect(() => createSessionManager({ secret, now: 5 as never })).toThrow(
      '@sess/core: option `now` must be a function returning epoch milliseconds (got 5).',
    );
    expect(() => createMemoryStore({ now: 5 as never })).toThrow(
      '@sess/core: option `now` must be a function returning epoch milliseconds (got 5).',
    );
  });
});
