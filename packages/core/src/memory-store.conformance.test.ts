import { createMemoryStore } from './memory-store';
import { richSerializer } from './rich-serializer';
import { describeStoreConformance } from './testing/store-conformance';

describeStoreConformance('memory store', {
  createStore: () => createMemoryStore(),
  createSizeLimitedStore: ({ maxSizeBytes }) => createMemoryStore({ maxSizeBytes }),
});

// Sizes are counted in the JSON the size rule names, so the size tests run on the JSON store only.
describeStoreConformance('memory store with the rich serializer', {
  createStore: () => createMemoryStore({ serializer: richSerializer }),
});
