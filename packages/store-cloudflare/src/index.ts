/**
 * `@sess/store-cloudflare`: sessions in Cloudflare Durable Objects (SQLite storage).
 * Re-export `SessionObject` from your Worker, bind it, and pass the binding to
 * `createDurableObjectStore`.
 */
export { type DurableObjectNamespaceLike, type DurableObjectStoreOptions, createDurableObjectStore } from './store';
export { SessionObject, type SessionObjectState } from './session-object';
