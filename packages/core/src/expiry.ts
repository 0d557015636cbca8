import { invalidOption, rejectUnknownOptions } from './errors';
import { warnOnce } from './warnings';

const oneDayMs = 24 * 60 * 60 * 1000;

/** How long sessions live. All durations in milliseconds. */
export interface ExpiryOptions {
  /** Sliding: a session unused this long expires. @default 86_400_000 (1 day) */
  idleTimeoutMs?: number;
  /** Hard cap from creation (or the last `regenerate()`), however active the session. @default 604_800_000 (7 days) */
  absoluteTimeoutMs?: number;
  /**
   * Touch throttling: an unmodified session is extended only once this share of the
   * idle window has passed since its last write, so a busy user does not cost a
   * write per request. 0 extends on every request. @default 0.2
   */
  touchAfterShare?: number;
  /** Timeouts of sessions marked with `rememberMe()` (persistent cookie). */
  rememberMe?: {
    /** @default 2_592_000_000 (30 days) */
    idleTimeoutMs?: number;
    /** @default 7_776_000_000 (90 days) */
    absoluteTimeoutMs?: number;
  };
}

interface Timeouts {
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
  touchAfterMs: number;
}

/** The resolved, validated policy. */
export interface ExpiryPolicy {
  browserSession: Timeouts;
  rememberMe: Timeouts;
}

/** The times a decision needs; a `SessionMeta` fits. */
export interface ExpiryClock {
  createdAtMs: number;
  lastActiveAtMs: number;
  persistent: boolean;
}

const EXPIRY_HINTS: Record<string, string> = {
  'expiry.idle': 'Use `expiry.idleTimeoutMs` (milliseconds).',
  'expiry.absolute': 'Use `expiry.absoluteTimeoutMs` (milliseconds).',
  'expiry.maxAge': 'Use `expiry.idleTimeoutMs` (milliseconds; the cookie lifetime follows the session).',
  'expiry.ttl': 'Use `expiry.idleTimeoutMs` (milliseconds).',
  'expiry.rolling': 'Sessions always slide: `expiry.idleTimeoutMs` is the idle timeout, `expiry.touchAfterShare` throttles the extension.',
};

export function resolveExpiry(options: ExpiryOptions | undefined, packageName: string): ExpiryPolicy {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    invalidOption(packageName, 'expiry', 'an object', options);
  }
  const o = options ?? {};
  rejectUnknownOptions(packageName, 'expiry.', o, ['idleTimeoutMs', 'absoluteTimeoutMs', 'touchAfterShare', 'rememberMe'], EXPIRY_HINTS);
  if (o.rememberMe !== undefined) {
    if (typeof o.rememberMe !== 'object' || o.rememberMe === null)
      invalidOption(packageName, 'expiry.rememberMe', 'an object', o.rememberMe);
    rejectUnknownOptions(packageName, 'expiry.rememberMe.', o.rememberMe, ['idleTimeoutMs', 'absoluteTimeoutMs'], EXPIRY_HINTS);
  }
  const share = o.touchAfterShare ?? 0.2;
  if (typeof share !== 'number' || !(share >= 0 && share < 1)) {
    invalidOption(packageName, 'expiry.touchAfterShare', 'a number from 0 up to (not including) 1', share);
  }
  const timeouts = (idle: number, absolute: number, prefix: string): Timeouts => {
    positive(idle, `${prefix}idleTimeoutMs`, packageName);
    positive(absolute, `${prefix}absoluteTimeoutMs`, packageName);
    return { idleTimeoutMs: idle, absoluteTimeoutMs: absolute, touchAfterMs: Math.floor(idle * share) };
  };
  return {
    browserSession: timeouts(o.idleTimeoutMs ?? oneDayMs, o.absoluteTimeoutMs ?? 7 * oneDayMs, 'expiry.'),
    rememberMe: timeouts(
      o.rememberMe?.idleTimeoutMs ?? 30 * oneDayMs,
      o.rememberMe?.absoluteTimeoutMs ?? 90 * oneDayMs,
      'expiry.rememberMe.',
    ),
  };
}

const oneMinuteMs = 60 * 1000;

function positive(value: unknown, option: string, packageName: string): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    invalidOption(packageName, option, 'a positive integer number of milliseconds', value);
  }
  // Legal, but `idleTimeoutMs: 3600` is almost always an hour written in seconds.
  if (value < oneMinuteMs) {
    warnOnce(
      `short ${option}`,
      `${packageName}: option \`${option}\` is ${value} ms, under a minute: durations are in milliseconds ` +
        `(${value} seconds would be ${value * 1000}). If you meant that short a session, ignore this warning.`,
    );
  }
}

function timeoutsOf(clock: ExpiryClock, policy: ExpiryPolicy): Timeouts {
  return clock.persistent ? policy.rememberMe : policy.browserSession;
}

/** The nearest deadline, idle or absolute: the store TTL and the cookie Max-Age follow it. */
export function expiresAtOf(clock: ExpiryClock, policy: ExpiryPolicy): number {
  const t = timeoutsOf(clock, policy);
  return Math.min(clock.lastActiveAtMs + t.idleTimeoutMs, clock.createdAtMs + t.absoluteTimeoutMs);
}

/** Expired under the current policy, whatever the store still holds. */
export function isExpired(clock: ExpiryClock, policy: ExpiryPolicy, nowMs: number): boolean {
  return nowMs >= expiresAtOf(clock, policy);
}

/** Due for a sliding extension: enough of the idle window passed and extending would move the deadline. */
export function isTouchDue(clock: ExpiryClock, policy: ExpiryPolicy, nowMs: number): boolean {
  const t = timeoutsOf(clock, policy);
  if (nowMs - clock.lastActiveAtMs < t.touchAfterMs) return false;
  return expiresAtOf({ ...clock, lastActiveAtMs: nowMs }, policy) > expiresAtOf(clock, policy);
}

/** Cookie Max-Age in whole seconds, rounded down so the browser drops the cookie before the store does. */
export function maxAgeSecondsUntil(expiresAtMs: number, nowMs: number): number {
  return Math.max(0, Math.floor((expiresAtMs - nowMs) / 1000));
}

/**
 * A persistent cookie's Max-Age: until the absolute deadline, which never moves, so
 * the cookie is not resent when the idle deadline does (the store enforces that one).
 * Browser-session cookies have none.
 */
export function cookieMaxAgeSeconds(clock: ExpiryClock, policy: ExpiryPolicy, nowMs: number): number | undefined {
  if (!clock.persistent) return undefined;
  return maxAgeSecondsUntil(clock.createdAtMs + policy.rememberMe.absoluteTimeoutMs, nowMs);
}
