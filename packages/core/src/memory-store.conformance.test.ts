import { createMemoryStore } from './memory-store';
import { describeStoreConformance } from './testing/store-conformance';

describeStoreConformance('memory store', {
  createStore: () => createMemoryStore(),
  createSizeLimitedStore: ({ maxSizeBytes }) => createMemoryStore({ maxSizeBytes }),
});
