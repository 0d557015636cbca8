export { type CookieStore, type CookieStoreContext, type CookieStoreOptions, type CookieStoreRead, createCookieStore, isCookieStore } from './cookie-store';
export {
  type CookieOptions,
  type CookieSerializeOptions,
  type IdCookieProtection,
  type OutgoingCookie,
  parseCookies,
  serializeCookie,
} from './cookies';
export {
  type CommitFacts,
  shouldClearCookie,
  shouldDestroy,
  shouldSave,
  shouldSetCookie,
  shouldTouch,
} from './decisions';
export {
  invalidOption,
  isSessionStoreError,
  SessionStoreError,
  type SessionStoreOperation,
  SessionTooLargeError,
} from './errors';
export { type ExpiryOptions, type ExpiryPolicy, expiresAtOf, isExpired, isTouchDue, resolveExpiry } from './expiry';
export { base64url, generateSessionId, isSessionIdShape, storeKeyOf } from './ids';
export {
  applyCommitHeaders,
  createSessionManager,
  type HeaderAccess,
  isSessionManager,
  privateCacheControl,
  type SessionManager,
  type SessionManagerOptions,
  toSessionManager,
} from './manager';
export { createMemoryStore, type MemoryStoreOptions } from './memory-store';
export { isSerializer, jsonSerializer, richSerializer, type Serializer } from './serializer';
export { type CommitResult, FLASH_KEY, type RequestOutcome, Session } from './session';
export {
  isSessionStore,
  type SessionData,
  type SessionMeta,
  type SessionPatch,
  type SessionRecord,
  type SessionStore,
  type UserSessionSummary,
} from './store';
