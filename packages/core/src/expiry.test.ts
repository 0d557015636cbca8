import { describe, expect, it } from 'vitest';
import { type ExpiryClock, type ExpiryOptions, expiresAtOf, isExpired, isTouchDue, maxAgeSecondsUntil, resolveExpiry } from './expiry';

const PACKAGE = '@sess/test';
const dayMs = 24 * 60 * 60 * 1000;
const policyOf = (options?: ExpiryOptions) => resolveExpiry(options, PACKAGE);
const clock = (createdAtMs: number, lastActiveAtMs: number, persistent = false): ExpiryClock => ({
  createdAtMs,
  lastActiveAtMs,
  persistent,
});

describe('resolveExpiry', () => {
  it('defaults to 1 day idle, 7 days absolute, a 0.2 touch share and 30/90 days for remember-me', () => {
    expect(policyOf()).toEqual({
      browserSession: { idleTimeoutMs: dayMs, absoluteTimeoutMs: 7 * dayMs, touchAfterMs: 0.2 * dayMs },
      rememberMe: { idleTimeoutMs: 30 * dayMs, absoluteTimeoutMs: 90 * dayMs, touchAfterMs: 0.2 * 30 * dayMs },
    });
  });

  it('applies the touch share to both idle windows, rounding down to whole milliseconds', () => {
    const policy = policyOf({ idleTimeoutMs: 1001, touchAfterShare: 0.5, rememberMe: { idleTimeoutMs: 3 } });
    expect(policy.browserSession.touchAfterMs).toBe(500);
    expect(policy.rememberMe.touchAfterMs).toBe(1);
  });

  it('refuses non-positive, fractional or non-numeric timeouts, naming the option', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '1000']) {
      expect(() => policyOf({ idleTimeoutMs: bad as number })).toThrow(
        /^@sess\/test: option `expiry\.idleTimeoutMs` must be a positive integer number of milliseconds/,
      );
      expect(() => policyOf({ absoluteTimeoutMs: bad as number })).toThrow(/option `expiry\.absoluteTimeoutMs`/);
      expect(() => policyOf({ rememberMe: { idleTimeoutMs: bad as number } })).toThrow(/option `expiry\.rememberMe\.idleTimeoutMs`/);
      expect(() => policyOf({ rememberMe: { absoluteTimeoutMs: bad as number } })).toThrow(
        /option `expiry\.rememberMe\.absoluteTimeoutMs`/,
      );
    }
  });

  it('refuses a touch share outside [0, 1) with a TypeError', () => {
    for (const bad of [-0.1, 1, 2, Number.NaN, '0.2']) {
      expect(() => policyOf({ touchAfterShare: bad as number })).toThrow(TypeError);
      expect(() => policyOf({ touchAfterShare: bad as number })).toThrow(/option `expiry\.touchAfterShare`/);
    }
    expect(() => policyOf({ touchAfterShare: 0 })).not.toThrow();
    expect(() => policyOf({ touchAfterShare: 0.99 })).not.toThrow();
  });
});

describe('expiresAtOf', () => {
  const policy = policyOf({ idleTimeoutMs: 10_000, absoluteTimeoutMs: 60_000 });

  it('is the idle deadline while the absolute cap is further away', () => {
    expect(expiresAtOf(clock(0, 0), policy)).toBe(10_000);
    expect(expiresAtOf(clock(0, 30_000), policy)).toBe(40_000);
  });

  it('is the absolute cap once that is nearer, however recent the activity', () => {
    expect(expiresAtOf(clock(0, 55_000), policy)).toBe(60_000);
    expect(expiresAtOf(clock(0, 59_999), policy)).toBe(60_000);
  });

  it('uses the remember-me timeouts for a persistent session', () => {
    const p = policyOf({
      idleTimeoutMs: 10_000,
      absoluteTimeoutMs: 60_000,
      rememberMe: { idleTimeoutMs: 100_000, absoluteTimeoutMs: 150_000 },
    });
    expect(expiresAtOf(clock(0, 0, true), p)).toBe(100_000);
    expect(expiresAtOf(clock(0, 90_000, true), p)).toBe(150_000);
    expect(expiresAtOf(clock(0, 0, false), p)).toBe(10_000);
  });
});

describe('isExpired', () => {
  const policy = policyOf({ idleTimeoutMs: 10_000, absoluteTimeoutMs: 60_000 });

  it('expires exactly at the idle deadline, not a millisecond before', () => {
    expect(isExpired(clock(0, 0), policy, 9_999)).toBe(false);
    expect(isExpired(clock(0, 0), policy, 10_000)).toBe(true);
  });

  it('expires at the absolute cap even right after activity', () => {
    expect(isExpired(clock(0, 59_000), policy, 59_999)).toBe(false);
    expect(isExpired(clock(0, 59_000), policy, 60_000)).toBe(true);
  });

  it('judges by the current policy, so shortening a timeout ends old sessions at once', () => {
    const shorter = policyOf({ idleTimeoutMs: 1_000, absoluteTimeoutMs: 60_000 });
    expect(isExpired(clock(0, 0), policy, 5_000)).toBe(false);
    expect(isExpired(clock(0, 0), shorter, 5_000)).toBe(true);
  });
});

describe('isTouchDue', () => {
  it('waits until the touch share of the idle window has passed since the last write', () => {
    const policy = policyOf({ idleTimeoutMs: 10_000, absoluteTimeoutMs: 60_000, touchAfterShare: 0.2 });
    expect(isTouchDue(clock(0, 1_000), policy, 1_000)).toBe(false);
    expect(isTouchDue(clock(0, 1_000), policy, 2_999)).toBe(false);
    expect(isTouchDue(clock(0, 1_000), policy, 3_000)).toBe(true);
  });

  it('touches on every request that moves the deadline when the share is 0', () => {
    const policy = policyOf({ idleTimeoutMs: 10_000, absoluteTimeoutMs: 60_000, touchAfterShare: 0 });
    expect(isTouchDue(clock(0, 1_000), policy, 1_001)).toBe(true);
    expect(isTouchDue(clock(0, 1_000), policy, 1_000)).toBe(false);
  });

  it('does not touch when the absolute cap makes extending pointless', () => {
    const policy = policyOf({ idleTimeoutMs: 10_000, absoluteTimeoutMs: 60_000, touchAfterShare: 0.2 });
    // Last write at 50 s: the deadline is already the 60 s cap, a touch at 55 s cannot move it.
    expect(isTouchDue(clock(0, 50_000), policy, 55_000)).toBe(false);
    // Last write at 45 s: the deadline is 55 s, a touch at 48 s moves it to 58 s.
    expect(isTouchDue(clock(0, 45_000), policy, 48_000)).toBe(true);
  });

  it('throttles a remember-me session by its own, longer idle window', () => {
    const policy = policyOf({
      idleTimeoutMs: 10_000,
      absoluteTimeoutMs: 60_000,
      touchAfterShare: 0.5,
      rememberMe: { idleTimeoutMs: 100_000, absoluteTimeoutMs: 1_000_000 },
    });
    expect(isTouchDue(clock(0, 0, false), policy, 5_000)).toBe(true);
    expect(isTouchDue(clock(0, 0, true), policy, 5_000)).toBe(false);
    expect(isTouchDue(clock(0, 0, true), policy, 50_000)).toBe(true);
  });
});

describe('maxAgeSecondsUntil', () => {
  it('rounds down to whole seconds so the browser drops the cookie before the store does', () => {
    expect(maxAgeSecondsUntil(10_999, 0)).toBe(10);
    expect(maxAgeSecondsUntil(11_000, 0)).toBe(11);
    expect(maxAgeSecondsUntil(3_600_000, 0)).toBe(3_600);
  });

  it('never goes negative', () => {
    expect(maxAgeSecondsUntil(0, 5_000)).toBe(0);
  });
});
