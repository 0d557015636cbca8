/**
 * When to write, touch, destroy and send cookies: pure predicates in the spirit of
 * express-session's shouldSave/shouldTouch/shouldSetCookie/shouldDestroy, so each
 * rule is tested on its own and the manager only carries out the plan.
 */

/** What the manager knows about a request's session when it commits. */
export interface CommitFacts {
  /** The handler threw or answered 5xx (and `saveOnError` is off). */
  failed: boolean;
  /** No stored record backs the session (fresh, or just destroyed). */
  isNew: boolean;
  /** Data keys were set or removed, or remember-me/user index changed. */
  modified: boolean;
  /** The data holds no keys after the handler ran. */
  empty: boolean;
  /** `regenerate()` minted a new id for a session that has a stored record. */
  regenerated: boolean;
  /** A stored record existed for the incoming cookie and must go (destroy, regenerate, emptied). */
  hasRecordToDrop: boolean;
  /** The sliding expiry is due an extension (throttled), or `touch()` was called. */
  touchDue: boolean;
  /** The session cookie is persistent (remember-me) and so carries a Max-Age. */
  persistent: boolean;
  /** `rememberMe()` switched the cookie between persistent and browser-session. */
  persistenceChanged?: boolean;
  /** The request carried our cookie. */
  hadCookie: boolean;
  /** The incoming cookie was sealed with an older secret. */
  staleCookie: boolean;
}

/** A new, untouched session is never stored; a modified non-empty one is. */
export function shouldSave(f: CommitFacts): boolean {
  return !f.failed && !f.empty && (f.modified || f.regenerated);
}

/** An unmodified existing session is only extended, and only when due. */
export function shouldTouch(f: CommitFacts): boolean {
  return !f.failed && !f.isNew && !f.empty && !shouldSave(f) && f.touchDue;
}

/** The stored record goes when the session was destroyed, regenerated or emptied by the handler. */
export function shouldDestroy(f: CommitFacts): boolean {
  return !f.failed && (f.hasRecordToDrop || (!f.isNew && f.empty && f.modified));
}

/**
 * The cookie is (re)sent when its value or lifetime changes: a new or regenerated
 * session, a persistent cookie whose Max-Age moves, or a re-seal after rotation.
 */
export function shouldSetCookie(f: CommitFacts): boolean {
  if (shouldSave(f)) return f.isNew || f.regenerated || f.persistent || f.persistenceChanged === true || f.staleCookie;
  if (shouldTouch(f)) return f.persistent || f.staleCookie;
  return !f.failed && !f.isNew && !f.empty && f.staleCookie;
}

/** A cookie that no longer points at a live session is cleared, unless a new one replaces it. */
export function shouldClearCookie(f: CommitFacts): boolean {
  return !f.failed && f.hadCookie && !shouldSave(f) && !shouldTouch(f) && (f.isNew || f.empty);
}
