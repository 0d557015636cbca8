/**
 * `@sess/core/adapter`: what a framework adapter needs, and nothing an app does.
 * An adapter opens a handle per request, exposes it, settles it with how the handler
 * ended (`settleRequest`), and writes what that says onto the response.
 */
export { isSessionCookieName, type OutgoingCookie } from './cookies';
export {
  type AdapterInfo,
  type CommitResult,
  isSessionManager,
  type OpenOptions,
  type RequestOutcome,
  type RevokeOwner,
  type SessionHandle,
  type SessionManager,
  type SessionManagerOptions,
  toSessionManager,
} from './manager';
export { applyCommitHeaders, type HeaderAccess, privateCacheControl, statusOfError } from './response';
export type { Session } from './session';
export {
  type ErrorAnswer,
  type HandlerAnswer,
  type HandlerOutcome,
  REPLACED_RESPONSE_HEADERS,
  type Settlement,
  settleRequest,
} from './settle';
export type { DataOf, SessionValue } from './values';
