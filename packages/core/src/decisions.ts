/**
 * When to write, touch, destroy and send cookies: pure predicates in the spirit of
 * express-session's shouldSave/shouldTouch/shouldSetCookie/shouldDestroy, so each
 * rule is tested on its own and the manager only carries out the plan.
 */

/** What the manager knows about a request's session when it commits. */
export interface CommitFacts {
  /** The response is a 5xx, or an error escaped the handler unanswered (and `saveOnError` is off). */
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
 * The cookie is sent only when the browser must learn something new: a new or
 * regenerated session, remember-me switched on or off, or a re-issue under the newest
 * secret. A write or touch that only moves the idle deadline does not resend it: a
 * persistent cookie's Max-Age follows the absolute deadline, which never moves, and
 * the store enforces the idle timeout. (In Next.js every cookie write from a Server
 * Action re-renders the page, so this rule is what makes session writes cheap there.)
 */
export function shouldSetCookie(f: CommitFacts): boolean {
  if (shouldSave(f)) return f.isNew || f.regenerated || f.persistenceChanged === true || f.staleCookie;
  return !f.failed && !f.isNew && !f.empty && f.staleCookie;
}

/** The failure rule, decided once for every adapter: a 5xx answer persists nothing, a 4xx one persists like a 2xx. */
export function isFailedOutcome(status: number, saveOnError: boolean): boolean {
  return !saveOnError && !(status < 500);
}

/**
 * A response that sets a cookie or shows a stored session's data must stay out of
 * shared caches (`Cache-Control: private`); `Vary: Cookie` alone is ignored by many CDNs.
 */
export function shouldMarkPrivate(f: CommitFacts, settingCookie: boolean): boolean {
  return settingCookie || !f.isNew || !f.empty;
}

/** A cookie that no longer points at a live session is cleared, unless a new one replaces it. */
export function shouldClearCookie(f: CommitFacts): boolean {
  return !f.failed && f.hadCookie && !shouldSave(f) && !shouldTouch(f) && (f.isNew || f.empty);
}
