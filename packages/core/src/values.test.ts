import { describe, expect, it } from 'vitest';
import { isSessionValueError, SessionValueError } from './errors';
import { richSerializer } from './rich-serializer';
import { jsonSerializer } from './serializer';
import { assertStorable, MAX_VALUE_DEPTH } from './values';

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

/** `levels` objects nested in each other, a string at the bottom. */
const nested = (levels: number): unknown => {
  let value: unknown = 'bottom';
  for (let i = 0; i < levels; i++) value = { next: value };
  return value;
};

/** The error assertStorable throws, or undefined. */
const refusal = (value: unknown, kind: 'json' | 'rich', key = 'k'): SessionValueError | undefined => {
  try {
    assertStorable(key, value, kind);
  } catch (error) {
    if (error instanceof SessionValueError) return error;
    throw error;
  }
  return undefined;
};

describe('assertStorable', () => {
  describe('under the JSON serializer', () => {
    const shared = { id: 1 };
    const accepted: [string, unknown][] = [
      ['a string', 'ann'],
      ['a finite number', 1.5],
      ['a boolean', false],
      ['null', null],
      ['a plain object with arrays inside', { items: ['a', 1, null, { deep: true }] }],
      ['an object without prototype', Object.assign(Object.create(null), { a: 1 })],
      ['an object property that is undefined (JSON drops the key, as set() does)', { a: undefined, b: 1 }],
      ['the same object referenced twice without a cycle', { left: shared, right: shared, list: [shared, shared] }],
      [`objects nested exactly ${MAX_VALUE_DEPTH} levels deep`, nested(MAX_VALUE_DEPTH)],
    ];
    it.each(accepted)('accepts %s, which JSON gives back as it was', (_, value) => {
      expect(refusal(value, 'json')).toBeUndefined();
      // What it accepts really round-trips (undefined properties aside, which JSON drops like unset()).
      const text = jsonSerializer.stringify(value);
      expect(jsonSerializer.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
    });

    const cyclic = () => {
      const value: { name: string; self?: unknown } = { name: 'loop' };
      value.self = value;
      return value;
    };
    const refused: [string, unknown, string, RegExp][] = [
      ['NaN', Number.NaN, 'value', /is NaN, which JSON stores as null/],
      ['Infinity', { ratio: Number.POSITIVE_INFINITY }, 'value.ratio', /is Infinity, which JSON stores as null/],
      ['-Infinity', [Number.NEGATIVE_INFINITY], 'value[0]', /is -Infinity/],
      ['undefined inside an array', [1, undefined], 'value[1]', /is undefined inside an array, which JSON stores as null/],
      ['a BigInt', { big: 1n }, 'value.big', /is a BigInt, which JSON cannot store; use richSerializer or a string/],
      ['a function', { run: () => 1 }, 'value.run', /is a function, which no serializer stores/],
      ['a symbol', [Symbol('s')], 'value[0]', /is a symbol, which no serializer stores/],
      [
        'a Date',
        { at: new Date(5) },
        'value.at',
        /is a Date instance, which the json serializer would not give back as one; use richSerializer/,
      ],
      ['a Map', new Map([['a', 1]]), 'value', /is a Map instance/],
      ['a Set', new Set([1]), 'value', /is a Set instance/],
      ['a RegExp', /x/, 'value', /is a RegExp instance/],
      ['a URL', new URL('https://example.com/'), 'value', /is a URL instance/],
      ['a typed array', new Uint8Array([1]), 'value', /is a Uint8Array instance/],
      ['a class instance', { items: [{ at: new Point(1, 2) }] }, 'value.items[0].at', /is a Point instance/],
      ['a cycle', cyclic(), 'value.self', /refers back to itself \(a cycle\), which JSON cannot store/],
      [
        'an object with a symbol key (JSON drops it)',
        { tagged: { [Symbol('tag')]: 1, name: 'a' } },
        'value.tagged',
        /has symbol keys, which no serializer stores/,
      ],
      [
        `objects nested ${MAX_VALUE_DEPTH + 1} levels deep`,
        nested(MAX_VALUE_DEPTH + 1),
        `value${'.next'.repeat(MAX_VALUE_DEPTH)}`,
        /is nested more than 64 levels deep/,
      ],
      [
        'arrays nested too deep',
        JSON.parse(`${'['.repeat(MAX_VALUE_DEPTH + 1)}${']'.repeat(MAX_VALUE_DEPTH + 1)}`),
        `value${'[0]'.repeat(MAX_VALUE_DEPTH)}`,
        /nested more than 64/,
      ],
    ];
    it.each(refused)('refuses %s with a SessionValueError naming the key and the path inside the value', (_, value, path, reason) => {
      const error = refusal(value, 'json', 'cart');
      expect(error).toBeInstanceOf(SessionValueError);
      expect(error).toBeInstanceOf(TypeError);
      expect(isSessionValueError(error)).toBe(true);
      expect(error).toMatchObject({ name: 'SessionValueError', key: 'cart', path });
      expect(error!.message.startsWith(`@sess/core: session key "cart" cannot be stored: ${path} `)).toBe(true);
      expect(error!.message).toMatch(reason);
    });

    it('refuses a value nested a million levels deep without overflowing the stack', () => {
      let value: unknown = 1;
      for (let i = 0; i < 1_000_000; i++) value = [value];
      expect(refusal(value, 'json')).toMatchObject({ message: expect.stringContaining('nested more than 64 levels deep') });
    });
  });

  describe('under the rich serializer', () => {
    const cyclic = () => {
      const value: { name: string; self?: unknown } = { name: 'loop' };
      value.self = value;
      return value;
    };
    const accepted: [string, unknown][] = [
      ['a Date', new Date(5)],
      ['a Map of Sets', new Map([['a', new Set([1, 2])]])],
      ['a Set', new Set(['x'])],
      ['a BigInt', 2n ** 70n],
      ['a RegExp', /a+b/gi],
      ['a URL', new URL('https://example.com/a?b=1')],
      ['a typed array', new Uint8Array([1, 2, 3])],
      ['undefined inside an array', [1, undefined]],
      ['NaN and Infinity', [Number.NaN, Number.POSITIVE_INFINITY]],
      ['a cycle', cyclic()],
      [`objects nested exactly ${MAX_VALUE_DEPTH} levels deep`, nested(MAX_VALUE_DEPTH)],
    ];
    it.each(accepted)('accepts %s, which devalue gives back as it was', (_, value) => {
      expect(refusal(value, 'rich')).toBeUndefined();
      expect(richSerializer.parse(richSerializer.stringify(value))).toEqual(value);
    });

    const refused: [string, unknown, string, RegExp][] = [
      ['a function', () => 1, 'value', /is a function, which no serializer stores/],
      [
        'a class instance',
        new Point(1, 2),
        'value',
        /is a Point instance, which the rich serializer would not give back as one; store plain data/,
      ],
      ['a function inside a Map value', new Map([['run', () => 1]]), 'value.get("run")', /is a function/],
      ['a class instance as a Map key', new Map([[new Point(0, 0), 1]]), 'value.<key>', /is a Point instance/],
      ['a symbol inside a Set', new Set([Symbol('s')]), 'value.<item>', /is a symbol/],
      // devalue throws on these at commit time, as an untyped error: refused at set() instead.
      ['an object with a symbol key', [{ [Symbol('tag')]: 1 }], 'value[0]', /has symbol keys, which no serializer stores/],
      [
        `objects nested ${MAX_VALUE_DEPTH + 1} levels deep`,
        nested(MAX_VALUE_DEPTH + 1),
        `value${'.next'.repeat(MAX_VALUE_DEPTH)}`,
        /nested more than 64/,
      ],
    ];
    it.each(refused)('refuses %s with a SessionValueError naming the key and the path', (_, value, path, reason) => {
      const error = refusal(value, 'rich', 'prefs');
      expect(error).toMatchObject({ name: 'SessionValueError', key: 'prefs', path });
      expect(error!.message).toMatch(reason);
    });
  });
});
