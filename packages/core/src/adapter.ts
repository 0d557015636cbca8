/**
 * `@sess/core/adapter`: what a framework adapter needs, and nothing an app does.
 * An adapter opens a handle per request, exposes it, commits it with the final
 * status, and writes the result onto the response.
 */
export type { OutgoingCookie } from './cookies';
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
export type { DataOf, SessionValue } from './values';
