/**
 * `@sess/core`: what an application needs. Adapter authors import from
 * `@sess/core/adapter`, store authors from `@sess/core/store`, tests from
 * `@sess/core/testing`.
 */
export { type CookieStore, type CookieStoreOptions, createCookieStore } from './cookie-store';
export type { CookieOptions } from './cookies';
export {
  isSessionStoreError,
  isSessionTooLargeError,
  isSessionUsageError,
  isSessionValueError,
  SessionStoreError,
  SessionTooLargeError,
  SessionUsageError,
  SessionValueError,
} from './errors';
export type { ExpiryOptions } from './expiry';
export type { IdCookieProtection } from './id-cookie';
export {
  createSessionManager,
  type RevokeOwner,
  type SessionHandle,
  type SessionManager,
  type SessionManagerOptions,
} from './manager';
export { createMemoryStore, type MemoryStoreOptions } from './memory-store';
export { richSerializer } from './rich-serializer';
export { MIN_SECRET_LENGTH } from './secrets';
export { jsonSerializer, type Serializer } from './serializer';
export type { Session } from './session';
export type { SessionStore, UserSessionSummary } from './store';
export type {
  JsonPrimitive,
  JsonValue,
  NotStorable,
  Register,
  RichLeaf,
  RichValue,
  SerializerKind,
  SessionValue,
  Storable,
} from './values';
