import { describe, expect, it } from 'vitest';
import {
  type CommitFacts,
  isFailedOutcome,
  shouldClearCookie,
  shouldDestroy,
  shouldMarkPrivate,
  shouldSave,
  shouldSetCookie,
  shouldTouch,
} from './decisions';

/** An existing session, loaded from a valid cookie, that the handler left alone. */
const untouchedExisting: CommitFacts = {
  failed: false,
  isNew: false,
  modified: false,
  empty: false,
  regenerated: false,
  hasRecordToDrop: false,
  touchDue: false,
  hadCookie: true,
  staleCookie: false,
};

/** A brand-new session: no cookie came in, no record backs it. */
const untouchedNew: CommitFacts = { ...untouchedExisting, isNew: true, empty: true, hadCookie: false };

type Plan = { save: boolean; touch: boolean; destroy: boolean; setCookie: boolean; clearCookie: boolean };
const plan = (f: CommitFacts): Plan => ({
  save: shouldSave(f),
  touch: shouldTouch(f),
  destroy: shouldDestroy(f),
  setCookie: shouldSetCookie(f),
  clearCookie: shouldClearCookie(f),
});
const nothing: Plan = { save: false, touch: false, destroy: false, setCookie: false, clearCookie: false };

const cases: { when: string; facts: CommitFacts; expected: Plan }[] = [
  { when: 'an untouched new session', facts: untouchedNew, expected: nothing },
  {
    when: 'a new session the handler only read, with an unknown cookie',
    facts: { ...untouchedNew, hadCookie: true },
    expected: { ...nothing, clearCookie: true },
  },
  {
    when: 'a modified new session',
    facts: { ...untouchedNew, modified: true, empty: false },
    expected: { ...nothing, save: true, setCookie: true },
  },
  {
    when: 'a new session whose only change left it empty (remember-me with no data)',
    facts: { ...untouchedNew, modified: true },
    expected: nothing,
  },
  { when: 'an unmodified existing session not due a touch', facts: untouchedExisting, expected: nothing },
  {
    when: 'an unmodified existing session due a touch',
    facts: { ...untouchedExisting, touchDue: true },
    expected: { ...nothing, touch: true },
  },

  {
    when: 'a modified existing browser-session (same cookie stays valid)',
    facts: { ...untouchedExisting, modified: true },
    expected: { ...nothing, save: true },
  },
  {
    when: 'a modified existing session whose remember-me was switched (the cookie lifetime changes)',
    facts: { ...untouchedExisting, modified: true, persistenceChanged: true },
    expected: { ...nothing, save: true, setCookie: true },
  },
  {
    when: 'a modified existing session that is also due a touch (the save extends it)',
    facts: { ...untouchedExisting, modified: true, touchDue: true },
    expected: { ...nothing, save: true },
  },
  {
    when: 'a session emptied by the handler',
    facts: { ...untouchedExisting, isNew: true, modified: true, empty: true, hasRecordToDrop: true },
    expected: { ...nothing, destroy: true, clearCookie: true },
  },
  {
    when: 'a stored session whose last key the handler removed',
    facts: { ...untouchedExisting, modified: true, empty: true },
    expected: { ...nothing, destroy: true, clearCookie: true },
  },
  {
    when: 'a destroyed session',
    facts: { ...untouchedExisting, isNew: true, empty: true, hasRecordToDrop: true },
    expected: { ...nothing, destroy: true, clearCookie: true },
  },
  {
    when: 'a destroyed session given new data (a new session replaces it)',
    facts: { ...untouchedExisting, isNew: true, modified: true, hasRecordToDrop: true },
    expected: { ...nothing, save: true, destroy: true, setCookie: true },
  },
  {
    when: 'a regenerated session',
    facts: { ...untouchedExisting, isNew: true, modified: true, regenerated: true, hasRecordToDrop: true },
    expected: { ...nothing, save: true, destroy: true, setCookie: true },
  },
  {
    when: 'a regenerated new session (nothing stored to drop)',
    facts: { ...untouchedNew, modified: true, empty: false, regenerated: true },
    expected: { ...nothing, save: true, setCookie: true },
  },
  {
    when: 'an unmodified session opened with an older secret (stale cookie is re-sent)',
    facts: { ...untouchedExisting, staleCookie: true },
    expected: { ...nothing, setCookie: true },
  },
  {
    when: 'a modified session opened with an older secret',
    facts: { ...untouchedExisting, modified: true, staleCookie: true },
    expected: { ...nothing, save: true, setCookie: true },
  },
  {
    when: 'a session due a touch opened with an older secret',
    facts: { ...untouchedExisting, touchDue: true, staleCookie: true },
    expected: { ...nothing, touch: true, setCookie: true },
  },
];

const failedVariants = cases.map(({ when, facts }) => ({
  when: `${when}, in a request that failed`,
  facts: { ...facts, failed: true },
  expected: nothing,
}));

/** "saves and sets the cookie", for test names. */
function sayPlan(p: Plan): string {
  const verbs = [
    p.save && 'saves',
    p.touch && 'touches',
    p.destroy && 'destroys the old record',
    p.setCookie && 'sets the cookie',
    p.clearCookie && 'clears the cookie',
  ].filter((v): v is string => typeof v === 'string');
  return verbs.length === 0 ? 'does nothing' : verbs.join(', ');
}

describe('commit decisions', () => {
  it.each([...cases, ...failedVariants].map((c) => [sayPlan(c.expected), c.when, c.facts, c.expected] as const))(
    '%s for %s',
    (_does, _when, facts, expected) => {
      expect(plan(facts)).toEqual(expected);
    },
  );

  it('never both sets and clears the cookie, and never touches what it saves, for any combination of facts', () => {
    const keys = Object.keys(untouchedExisting) as (keyof CommitFacts)[];
    for (let bits = 0; bits < 1 << keys.length; bits++) {
      const facts = Object.fromEntries(keys.map((k, i) => [k, (bits & (1 << i)) !== 0])) as unknown as CommitFacts;
      const p = plan(facts);
      expect(p.setCookie && p.clearCookie, JSON.stringify(facts)).toBe(false);
      expect(p.save && p.touch, JSON.stringify(facts)).toBe(false);
      if (facts.failed) expect(p).toEqual(nothing);
      if (facts.empty) expect(p.save || p.touch).toBe(false);
      if (p.clearCookie) expect(facts.hadCookie).toBe(true);
    }
  });
});

describe('the failure rule', () => {
  it('persists after any 2xx, 3xx and 4xx answer, and nothing after a 5xx, unless saveOnError', () => {
    for (const status of [200, 204, 303, 400, 409, 422, 499]) expect(isFailedOutcome(status, false), String(status)).toBe(false);
    for (const status of [500, 502, 503, 599]) expect(isFailedOutcome(status, false), String(status)).toBe(true);
    expect(isFailedOutcome(500, true)).toBe(false);
    expect(isFailedOutcome(Number.NaN, false)).toBe(true);
  });
});

describe('private caching', () => {
  it('marks a response private when it sets a cookie or shows a stored or non-empty session, not an anonymous read', () => {
    expect(shouldMarkPrivate(untouchedNew, false)).toBe(false);
    expect(shouldMarkPrivate(untouchedNew, true)).toBe(true);
    expect(shouldMarkPrivate(untouchedExisting, false)).toBe(true);
    expect(shouldMarkPrivate({ ...untouchedNew, empty: false }, false)).toBe(true);
  });
});
