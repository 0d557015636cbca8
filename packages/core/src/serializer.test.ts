import { afterEach, describe, expect, it } from 'vitest';
import { richSerializer } from './rich-serializer';
import { isSerializer, jsonSerializer } from './serializer';

/** The kind of naive deep merge that turns a `__proto__` key into global pollution. */
function naiveMerge(target: Record<string, unknown>, source: unknown): Record<string, unknown> {
  if (typeof source !== 'object' || source === null) return target;
  for (const key of Object.keys(source)) {
    const value = (source as Record<string, unknown>)[key];
    if (typeof value === 'object' && value !== null) {
      const existing = target[key];
      target[key] = naiveMerge(typeof existing === 'object' && existing !== null ? (existing as Record<string, unknown>) : {}, value);
    } else {
      target[key] = value;
    }
  }
  return target;
}

const pollutedOf = (value: object): unknown => (value as { polluted?: unknown }).polluted;

afterEach(() => {
  // Belt and braces: never let a failing assertion leave Object.prototype poisoned for other tests.
  delete (Object.prototype as { polluted?: unknown }).polluted;
});

describe('jsonSerializer', () => {
  const attacks = [
    '{"__proto__":{"polluted":true}}',
    '{"a":{"__proto__":{"polluted":true}}}',
    '{"\\u005f_proto__":{"polluted":true}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    '{"a":[{"constructor":{"prototype":{"polluted":true}}}]}',
  ];

  it('drops __proto__ and constructor.prototype keys so parsed text cannot poison objects', () => {
    for (const text of attacks) {
      const parsed = jsonSerializer.parse(text) as Record<string, unknown>;
      const assigned = Object.assign({}, parsed);
      const spread = { ...parsed };
      naiveMerge({}, parsed);
      naiveMerge({ a: {} }, parsed);
      expect(pollutedOf({}), text).toBeUndefined();
      expect(pollutedOf(assigned), text).toBeUndefined();
      expect(pollutedOf(spread), text).toBeUndefined();
      expect(pollutedOf(parsed), text).toBeUndefined();
      expect(JSON.stringify(parsed), text).not.toMatch(/polluted/);
    }
  });

  it('would have been needed: plain JSON.parse keeps the __proto__ key as an own property', () => {
    const parsed = JSON.parse(attacks[0]!) as object;
    expect(Object.hasOwn(parsed, '__proto__')).toBe(true);
    expect(Object.hasOwn(jsonSerializer.parse(attacks[0]!) as object, '__proto__')).toBe(false);
  });

  it('keeps a harmless constructor key and every other value', () => {
    const value = { constructor: 'kept', user: { name: 'ann', roles: ['admin'] }, n: 1.5, ok: true, none: null };
    expect(jsonSerializer.parse(jsonSerializer.stringify(value))).toEqual(value);
  });

  it('throws on text that is not JSON, so a corrupt record is noticed', () => {
    expect(() => jsonSerializer.parse('{not json')).toThrow();
  });
});

describe('richSerializer', () => {
  it('round-trips Date, Map, Set, BigInt and undefined in arrays, nested', () => {
    const value = {
      when: new Date(Date.UTC(2024, 1, 29, 12, 0, 0, 5)),
      byId: new Map<unknown, unknown>([
        ['a', new Set([1n, 2n ** 70n])],
        [3, { at: new Date(0), list: [undefined, 1, undefined] }],
      ]),
      tags: new Set(['x', 'y']),
      big: -(2n ** 64n),
      holes: [undefined, { deep: [new Map([['k', undefined]])] }],
      nested: { a: { b: { c: [new Date(1), 7n] } } },
      pattern: /ab+c/gi,
      bytes: new Uint8Array([1, 2, 255]),
    };
    const back = richSerializer.parse(richSerializer.stringify(value)) as typeof value;
    expect(back).toEqual(value);
    expect(back.when).toBeInstanceOf(Date);
    expect(back.byId).toBeInstanceOf(Map);
    expect(back.byId.get('a')).toEqual(new Set([1n, 2n ** 70n]));
    expect(back.tags).toBeInstanceOf(Set);
    expect(typeof back.big).toBe('bigint');
    expect(back.holes).toHaveLength(2);
    expect(back.holes[0]).toBeUndefined();
    expect(0 in back.holes).toBe(true);
  });

  it('keeps repeated references shared', () => {
    const shared = { n: 1 };
    const back = richSerializer.parse(richSerializer.stringify({ a: shared, b: shared })) as { a: object; b: object };
    expect(back.a).toBe(back.b);
  });

  it('refuses stored text carrying a __proto__ key', () => {
    expect(() => richSerializer.parse('[{"__proto__":1},{"polluted":2},true]')).toThrow();
    expect(pollutedOf({})).toBeUndefined();
  });

  it('serializes equal values alike, which is what change detection relies on', () => {
    const a = { when: new Date(5), tags: new Set(['a', 'b']) };
    const b = { when: new Date(5), tags: new Set(['a', 'b']) };
    expect(richSerializer.stringify(a)).toBe(richSerializer.stringify(b));
    b.tags.add('c');
    expect(richSerializer.stringify(a)).not.toBe(richSerializer.stringify(b));
  });
});

describe('isSerializer', () => {
  it('accepts objects with stringify and parse functions and nothing else', () => {
    expect(isSerializer(jsonSerializer)).toBe(true);
    expect(isSerializer(richSerializer)).toBe(true);
    expect(isSerializer(JSON)).toBe(true);
    for (const bad of [undefined, null, 'json', {}, { stringify: () => '' }, { stringify: 'x', parse: () => 1 }]) {
      expect(isSerializer(bad)).toBe(false);
    }
  });
});
