// custom-store.test.ts
import { describeStoreConformance } from '@sess/core/testing';
import { createKeyValueStore, type KeyValue } from './custom-store';

/** Stands in for a real service: it keeps values up to a second past their deadline, as coarse TTLs do. */
function inMemoryKeyValue(): KeyValue {
  const entries = new Map<string, { value: string; dropAtMs: number }>();
  return {
    async get(key) {
      const entry = entries.get(key);
      if (entry === undefined || entry.dropAtMs <= Date.now()) return undefined;
      return entry.value;
    },
    async put(key, value, { expiresAtMs }) {
      entries.set(key, { value, dropAtMs: Math.ceil(expiresAtMs / 1000) * 1000 + 1000 });
    },
    async delete(key) {
      entries.delete(key);
    },
  };
}

describeStoreConformance('key-value example store', {
  createStore: () => createKeyValueStore(inMemoryKeyValue()),
  // cleanup: async (store) => { /* close what createStore opened */ },
  // createSizeLimitedStore: ({ maxSizeBytes }) => ..., when your store has a size limit
});
