/**
 * When to write, touch, destroy and send cookies: pure predicates in the spirit of
 * express-session's shouldSave/shouldTouch/shouldSetCookie/shouldDestroy, so each
 * rule is tested on its own, and `planCommit`, which turns them into the plan the
 * manager only carries out.
 */
import { cookieMaxAgeSeconds, type ExpiryPolicy, expiresAtOf } from './expiry';
import type { CommitPlan } from './persistence';
import type { ClosedSession } from './session';
import type { SessionMeta } from './store';

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

/** What `planCommit` decides from. */
export interface CommitInput {
  /** The session, closed for the commit. */
  session: ClosedSession;
  /** `isFailedOutcome` of the response. */
  failed: boolean;
  /** The session may send no cookie (a Next.js Server Component). */
  readOnly: boolean;
  /** A touch rewrites the cookie (the cookie store), so a read-only session cannot be touched. */
  touchNeedsCookie: boolean;
  nowMs: number;
  policy: ExpiryPolicy;
}

/**
 * The commit of one request: its facts, the plan for the persistence strategy
 * (`undefined`: nothing to write, destroy or send), and the meta the store holds after it.
 */
export function planCommit(input: CommitInput): { facts: CommitFacts; plan: CommitPlan | undefined; meta: SessionMeta } {
  const { session, readOnly, nowMs, policy } = input;
  const facts: CommitFacts = {
    failed: input.failed,
    isNew: !session.stored,
    modified: session.changes.modified,
    empty: session.empty,
    regenerated: session.regenerated,
    hasRecordToDrop: session.recordToDrop !== undefined,
    touchDue: session.touchDue,
    persistenceChanged: session.persistenceChanged,
    hadCookie: session.hadCookie,
    staleCookie: session.staleCookie,
  };
  const canWrite = !readOnly || !input.touchNeedsCookie;
  const save = canWrite && shouldSave(facts);
  const touch = canWrite && shouldTouch(facts);
  const destroy = canWrite && shouldDestroy(facts);
  const setCookie = !readOnly && shouldSetCookie(facts);
  const clearCookie = !readOnly && shouldClearCookie(facts);
  if (!save && !touch && !destroy && !setCookie && !clearCookie) return { facts, plan: undefined, meta: session.meta };

  const meta: SessionMeta = { ...session.meta, lastActiveAtMs: save || touch ? nowMs : session.meta.lastActiveAtMs };
  meta.expiresAtMs = expiresAtOf(meta, policy);
  const plan: CommitPlan = {
    id: session.id,
    key: session.key,
    record: session.record(meta),
    setCookie,
    clearCookie,
    cookieMaxAgeSeconds: cookieMaxAgeSeconds(meta, policy, nowMs),
  };
  if (save) {
    const whole = facts.isNew || facts.regenerated;
    const { set, removed } = session.changes;
    plan.save = { patch: whole ? undefined : { set, removed, meta } };
  } else if (touch) {
    plan.touch = meta;
  }
  // A regenerated stored session moves to its new key only if it was not revoked meanwhile.
  if (save && facts.regenerated && session.recordToDrop !== undefined) plan.rotateFrom = session.recordToDrop;
  // The record the cookie pointed at: destroyed, or emptied by the handler.
  else if (destroy) plan.destroyKey = session.recordToDrop ?? session.key;
  return { facts, plan, meta: save || touch ? meta : session.meta };
}
