import { notFound, redirect } from 'next/navigation';
import { describe, expect, it } from 'vitest';
import { controlFlowStatus, cookieHeaderOf, sessionCookieHeader } from './shared';

const thrown = (fn: () => void): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('did not throw');
};
const always = () => true;

describe('cookieHeaderOf()', () => {
  it('keeps the session cookie and the cookie store chunks, dropping every other cookie', () => {
    const header = cookieHeaderOf(
      [
        { name: 'theme', value: 'dark' },
        { name: 'sid', value: 'abc.def' },
        { name: 'sid.0', value: 'part0' },
        { name: 'sid.1', value: 'part1' },
        { name: 'sid.x', value: 'not-a-chunk' },
        { name: 'sidebar', value: 'open' },
      ],
      'sid',
    );
    expect(header).toBe('sid=abc.def; sid.0=part0; sid.1=part1');
  });

  it('re-encodes a decoded value, so a foreign value cannot smuggle in a second cookie', () => {
    expect(cookieHeaderOf([{ name: 'sid', value: 'x; sid=forged' }], 'sid')).toBe('sid=x%3B%20sid%3Dforged');
    expect(cookieHeaderOf([{ name: 'other', value: 'x; sid=forged' }], 'sid')).toBe('');
  });
});

describe('sessionCookieHeader()', () => {
  it("keeps the raw header, duplicates and all, while Next's jar only shows what it parsed from it", () => {
    const raw = 'sid=first; theme=dark; sid=second';
    expect(
      sessionCookieHeader(
        raw,
        [
          { name: 'theme', value: 'dark' },
          { name: 'sid', value: 'second' },
        ],
        'sid',
      ),
    ).toBe(raw);
    expect(sessionCookieHeader(null, [], 'sid')).toBeNull();
  });

  it('takes the jar once this request set or deleted a session cookie the header does not show', () => {
    expect(sessionCookieHeader('sid=old', [{ name: 'sid', value: 'new' }], 'sid')).toBe('sid=new');
    expect(sessionCookieHeader(null, [{ name: 'sid', value: 'new' }], 'sid')).toBe('sid=new');
    expect(sessionCookieHeader('sid=old; theme=dark', [{ name: 'theme', value: 'dark' }], 'sid')).toBe('');
  });
});

describe('controlFlowStatus()', () => {
  it('reads the status of redirect() and notFound()', () => {
    expect(
      controlFlowStatus(
        thrown(() => redirect('/')),
        always,
      ),
    ).toBe(307);
    expect(
      controlFlowStatus(
        thrown(() => notFound()),
        always,
      ),
    ).toBe(404);
  });

  it('counts other control flow as 200 and a real error as no control flow at all', () => {
    expect(controlFlowStatus(Object.assign(new Error('bailout'), { digest: 'DYNAMIC_SERVER_USAGE' }), always)).toBe(200);
    expect(controlFlowStatus(new Error('boom'), () => false)).toBeUndefined();
  });
});
