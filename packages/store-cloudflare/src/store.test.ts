/* Option checks at the factory call; they need no workerd (the store is only made, never called). */
import { describe, expect, it } from 'vitest';
import { createDurableObjectStore, type DurableObjectNamespaceLike } from './index';

/** The shape of a binding; never called here. */
const namespace: DurableObjectNamespaceLike = {
  idFromName: (name) => name,
  get: () => {
    throw new Error('not called by these tests');
  },
};

describe('createDurableObjectStore options', () => {
  it.each([
    ['nothing', undefined],
    ['the whole env', { SESSIONS: namespace }],
    ['a string', 'SESSIONS'],
  ])('refuses %s as the namespace with a TypeError naming the package and `namespace`', (_label, value) => {
    const create = () => createDurableObjectStore(value as never);
    expect(create).toThrow(TypeError);
    expect(create).toThrow(/^@sess\/store-cloudflare: option `namespace` must be a Durable Object namespace binding/);
  });

  it('refuses an unknown option by name, and says what to do for options of other stores', () => {
    expect(() => createDurableObjectStore(namespace, { maxSize: 10 } as never)).toThrow(
      /^@sess\/store-cloudflare: unknown option `maxSize`\. Known options: serializer, maxSizeBytes\.$/,
    );
    expect(() => createDurableObjectStore(namespace, { ttl: 60 } as never)).toThrow(
      /unknown option `ttl`\. Expiry comes from the session manager/,
    );
    expect(() => createDurableObjectStore(namespace, { prefix: 'a:' } as never)).toThrow(
      /unknown option `prefix`\. Each app binds a namespace/,
    );
  });

  it.each([0, -1, 1.5, 2_000_001, '100'])('refuses maxSizeBytes %j', (maxSizeBytes) => {
    expect(() => createDurableObjectStore(namespace, { maxSizeBytes: maxSizeBytes as number })).toThrow(
      /^@sess\/store-cloudflare: option `maxSizeBytes` must be a positive integer up to 2000000/,
    );
  });

  it('refuses a serializer without stringify and parse', () => {
    expect(() => createDurableObjectStore(namespace, { serializer: JSON.stringify as never })).toThrow(
      /^@sess\/store-cloudflare: option `serializer` must be an object with stringify and parse functions/,
    );
  });

  it('makes a store with the whole contract from a binding alone', () => {
    const store = createDurableObjectStore(namespace);
    for (const method of ['get', 'set', 'destroy', 'touch', 'update', 'rotate', 'listByUser', 'destroyByUser'] as const) {
      expect(typeof store[method]).toBe('function');
    }
  });
});
