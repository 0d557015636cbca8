/*
 * Property-based tests: whatever a client sends in its Cookie header, the session
 * opens without throwing and is a fresh, empty one; the commit never throws and at
 * most clears cookies. Run for the signed and the sealed id cookie and for the cookie
 * store (in one cookie and split over several).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCookieStore } from './cookie-store';
import { createSessionManager, type SessionManager, type SessionManagerOptions } from './manager';
import { jsonSerializer } from './serializer';
import { isCookieDeletion } from './testing/cookie-jar';

const secret = 'fuzz-secret-fuzz-secret-fuzz-secret-fuzz';
const OK = { status: 200 };
/** Seal verification costs ~0.5 ms: enough runs to find shape bugs, few enough to stay around a second. */
const NUM_RUNS = 150;
/**
 * About a second alone, but the seals are CPU-bound: on a shared 2-core box under a full
 * CI run one property took over 5 s (vitest's default timeout). The runs are bounded above.
 */
const PROPERTY_TIMEOUT_MS = 60_000;
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Characters a tamperer would try: the value alphabets, separators and cookie syntax. */
const TAMPER_CHARS = [...`${BASE64URL}.*~!%+/= ;,"\\`, '\u0000', 'é', '\u{1F600}'];

type Data = { user: string };

interface Target {
  name: string;
  options: () => Partial<SessionManagerOptions>;
}

const targets: Target[] = [
  { name: "id cookie, 'sign'", options: () => ({ cookieValue: 'sign' }) },
  { name: "id cookie, 'seal'", options: () => ({ cookieValue: 'seal' }) },
  { name: 'cookie store', options: () => ({ store: createCookieStore() }) },
  { name: 'cookie store, split over several cookies', options: () => ({ store: createCookieStore({ chunkSize: 200 }) }) },
];

/** The cookie pairs a valid session sends back, in order. */
type Pairs = [name: string, value: string][];
const headerOf = (pairs: Pairs) => pairs.map(([n, v]) => `${n}=${v}`).join('; ');

describe.each(targets)('$name: untrusted Cookie headers', ({ options }) => {
  let manager: SessionManager<Data>;
  let valid: Pairs;
  let validId: string;

  beforeAll(async () => {
    manager = createSessionManager<Data>({ secret, ...options() });
    const handle = manager.open(undefined);
    const session = await handle.load();
    session.set('user', 'ann');
    validId = session.id;
    const result = await manager.commit(handle, OK);
    valid = result.cookies.map((c) => [c.name, c.value]);
    // The fixture itself must be a working session, or the properties prove nothing.
    const check = await manager.open(headerOf(valid)).load();
    expect(check.get('user')).toBe('ann');
  });

  /** Opens, reads, commits: must not throw, must be fresh and empty, and may only clear cookies. */
  async function expectFresh(header: string | undefined): Promise<void> {
    const handle = manager.open(header);
    const session = await handle.load();
    expect(session.get('user')).toBeUndefined();
    expect(session.isNew).toBe(true);
    expect(session.id).not.toBe(validId);
    expect(session.data).toEqual({});
    const result = await manager.commit(handle, OK);
    expect(result.private).toBe(result.setCookie.length > 0);
    for (const line of result.setCookie) expect(isCookieDeletion(line)).toBe(true);
    expect(result.vary).toBe(true);
  }

  /** A valid header with one of its cookie values replaced. */
  const withValue = (index: number, value: string): string => headerOf(valid.map(([n, v], i) => [n, i === index ? value : v]));

  it(
    'treats any string as the cookie value like no session at all',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 600 }), fc.nat(), async (value, pick) => {
          await expectFresh(withValue(pick % valid.length, value));
        }),
        { numRuns: NUM_RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'refuses every truncation of a valid cookie value',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.nat(), fc.nat(), async (pick, cut) => {
          const index = pick % valid.length;
          const value = valid[index]![1];
          await expectFresh(withValue(index, value.slice(0, cut % value.length)));
        }),
        { numRuns: NUM_RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'refuses every single-character change of a valid cookie value',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.nat(), fc.nat(), fc.constantFrom(...TAMPER_CHARS), async (pick, at, char) => {
          const index = pick % valid.length;
          const value = valid[index]![1];
          const position = at % value.length;
          fc.pre(value[position] !== char);
          await expectFresh(withValue(index, `${value.slice(0, position)}${char}${value.slice(position + 1)}`));
        }),
        { numRuns: NUM_RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'refuses every last-character change of a valid cookie value',
    async () => {
      const index = valid.length - 1;
      const value = valid[index]![1];
      for (const char of TAMPER_CHARS) {
        if (char === value.at(-1)) continue;
        await expectFresh(withValue(index, `${value.slice(0, -1)}${char}`));
      }
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'survives random Cookie headers built from our names, junk and pieces of valid values',
    async () => {
      const name = fc.oneof(
        fc.constantFrom('sid', 'sid.0', 'sid.1', 'sid.2', 'sid.3', 'sid.99', 'SID', 'sid.', '__proto__', 'constructor'),
        fc.string({ maxLength: 12 }),
      );
      const piece = fc.tuple(fc.nat(), fc.nat(), fc.nat()).map(([pick, from, length]) => {
        const value = valid[pick % valid.length]![1];
        const start = from % value.length;
        // Never the whole value: that would be a valid cookie, not an attack.
        return value.slice(start, start + Math.max(0, Math.min(length % value.length, value.length - 1 - start)));
      });
      const value = fc.oneof(piece, fc.string({ unit: 'binary', maxLength: 300 }), fc.constant(''));
      const header = fc.oneof(
        fc.array(fc.tuple(name, value), { maxLength: 6 }).map((pairs) => headerOf(pairs)),
        fc.string({ unit: 'binary', maxLength: 400 }),
      );
      await fc.assert(
        fc.asyncProperty(header, async (h) => {
          await expectFresh(h);
        }),
        { numRuns: NUM_RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'refuses the valid chunks of a split session put back in a broken order or with one missing',
    async () => {
      if (valid.length === 1) return; // only meaningful for the split cookie store
      await fc.assert(
        fc.asyncProperty(fc.shuffledSubarray(valid.map(([, v]) => v)), async (values) => {
          const reassembled: Pairs = values.map((v, i) => [`sid.${i}`, v]);
          fc.pre(headerOf(reassembled) !== headerOf(valid));
          await expectFresh(headerOf(reassembled));
        }),
        { numRuns: 50 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

/** The kind of naive deep merge that turns a `__proto__` or `constructor.prototype` path into global pollution. */
function naiveMerge(target: Record<string, unknown>, source: unknown): void {
  if (typeof source !== 'object' || source === null) return;
  for (const key of Object.keys(source)) {
    const value = (source as Record<string, unknown>)[key];
    if (typeof value === 'object' && value !== null) {
      if (typeof target[key] !== 'object' && typeof target[key] !== 'function') target[key] = {};
      naiveMerge(target[key] as Record<string, unknown>, value);
    } else {
      target[key] = value;
    }
  }
}

describe('jsonSerializer on hostile stored text', () => {
  it('never lets parsed text reach Object.prototype, however the dangerous keys nest', () => {
    const key = fc.constantFrom('__proto__', '\\u005f_proto__', 'constructor', 'prototype', 'polluted', 'a');
    const { object } = fc.letrec<{ value: string; object: string; array: string }>((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.constant('true'), fc.constant('1'), tie('object'), tie('array')),
      object: fc
        .array(fc.tuple(key, tie('value')), { maxLength: 4 })
        .map((entries) => `{${entries.map(([k, v]) => `"${k}":${v}`).join(',')}}`),
      array: fc.array(tie('value'), { maxLength: 3 }).map((values) => `[${values.join(',')}]`),
    }));
    // Restored after every run, so a failure shrinks to its real cause and never leaks into other tests.
    const pristine = Object.getOwnPropertyDescriptors(Object.prototype);
    const restore = () => {
      for (const name of Reflect.ownKeys(Object.prototype)) {
        if (!Object.hasOwn(pristine, name)) delete (Object.prototype as Record<PropertyKey, unknown>)[name];
      }
      Object.defineProperties(Object.prototype, pristine);
    };
    fc.assert(
      fc.property(object, (text) => {
        try {
          const parsed = jsonSerializer.parse(text);
          naiveMerge({}, parsed);
          naiveMerge({}, { ...(parsed as object) });
          naiveMerge({}, Object.assign({}, parsed));
          expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
          expect(Object.getOwnPropertyDescriptors(Object.prototype)).toEqual(pristine);
        } finally {
          restore();
        }
      }),
      { numRuns: 500 },
    );
  });
});
