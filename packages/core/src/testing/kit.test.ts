import { describe, expect, it } from 'vitest';
import { createSessionManager } from '../manager';
import { createMemoryStore } from '../memory-store';
import { CookieJar, isCookieDeletion } from './cookie-jar';
import { recordingStore } from './recording-store';
import { createTestClient } from './test-client';

const secret = 'testing-kit-secret-testing-kit-secret-0123';
const NOW_MS = Date.UTC(2026, 0, 1);

describe('isCookieDeletion', () => {
  it.each([
    ['sid=; Path=/', true],
    ['sid=abc; Max-Age=0; Path=/', true],
    ['sid=abc; max-age=-1', true],
    ['sid=abc; Expires=Thu, 01 Jan 1970 00:00:00 GMT', true],
    ['sid=abc; Path=/; HttpOnly', false],
    ['sid=abc; Max-Age=60', false],
    ['sid=abc; Expires=Fri, 01 Jan 2027 00:00:00 GMT', false],
    // Max-Age wins over Expires, as browsers apply them.
    ['sid=abc; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=60', false],
  ])('%s deletes: %s', (line, deletes) => {
    expect(isCookieDeletion(line, NOW_MS)).toBe(deletes);
  });
});

describe('CookieJar', () => {
  it('keeps the last value of each name and forgets what a Set-Cookie deletes', () => {
    const jar = new CookieJar({ now: () => NOW_MS });
    expect(jar.header()).toBeUndefined();
    jar.update(['a=1; Path=/', 'b=2', 'a=3']);
    expect(jar.header()).toBe('a=3; b=2');
    const headers = new Headers();
    headers.append('Set-Cookie', 'a=; Max-Age=0');
    headers.append('Set-Cookie', 'c=x=y; HttpOnly');
    jar.update(new Response(null, { headers }));
    expect(jar.names()).toEqual(['b', 'c']);
    expect(jar.get('c')).toBe('x=y');
  });
});

describe('createTestClient', () => {
  it('opens from the jar, commits, and keeps the cookies the commit sets', async () => {
    const client = createTestClient(createSessionManager<{ user: string }>({ secret }));
    const first = await client.request((session) => session.set('user', 'ann'));
    expect(first.result.setCookie).toHaveLength(1);
    expect(client.jar.names()).toEqual(['sid']);
    expect((await client.request((session) => session.get('user'))).value).toBe('ann');
    await client.request((session) => session.destroy());
    expect(client.jar.header()).toBeUndefined();
  });

  it('commits a handler that threw with its status, as an adapter does, and rethrows', async () => {
    const client = createTestClient(createSessionManager<{ user: string }>({ secret }));
    const conflict = Object.assign(new Error('conflict'), { status: 409 });
    await expect(
      client.request((session) => {
        session.set('user', 'ann');
        throw conflict;
      }),
    ).rejects.toBe(conflict);
    // A 4xx persists.
    expect((await client.request((session) => session.get('user'))).value).toBe('ann');
  });
});

describe('recordingStore', () => {
  it('records each call with its arguments and keeps only the methods the inner store has', async () => {
    const { rotate: _rotate, ...withoutRotate } = createMemoryStore();
    const recording = recordingStore(withoutRotate);
    expect('rotate' in recording.store).toBe(false);
    await recording.store.get('k');
    await recording.store.destroy('k');
    expect(recording.methods()).toEqual(['get', 'destroy']);
    expect(recording.calls[0]).toEqual({ method: 'get', args: ['k'] });
    recording.clear();
    expect(recording.calls).toEqual([]);
  });
});
