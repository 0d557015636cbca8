/**
 * Test kits for people who extend sess: run them with vitest in a few lines.
 * - `describeStoreConformance`: the contract every `SessionStore` must honour.
 * - `describeAdapterConformance`: the behaviour every framework adapter must show.
 * - `CookieJar`, `createTestClient`, `recordingStore`: a client's cookies (one rule
 *   for a deleting `Set-Cookie`), a manager driven as an adapter drives it, a store
 *   that records its calls.
 */
export * from './adapter-conformance';
export * from './cookie-jar';
export * from './recording-store';
export * from './store-conformance';
export * from './test-client';
