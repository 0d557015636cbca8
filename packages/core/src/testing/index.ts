/**
 * Test kits for people who extend sess: run them with vitest in a few lines.
 * - `describeStoreConformance`: the contract every `SessionStore` must honour.
 * - `describeAdapterConformance`: the behaviour every framework adapter must show.
 */
export * from './store-conformance';
export * from './adapter-conformance';
