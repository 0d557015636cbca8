/**
 * `@sess/store-cloudflare`: sessions in Cloudflare Durable Objects (SQLite storage).
 * Re-export `SessionObject` from your Worker, bind it, and pass the binding to
 * `createDurableObjectStore`.
 */

export { SessionObject, type SessionObjectState } from './session-object';
export { createDurableObjectStore, type DurableObjectNamespaceLike, type DurableObjectStoreOptions } from './store';
