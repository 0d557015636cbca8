import { SessionValueError } from './errors';

/**
 * Registers app-wide type settings. Today one: the serializer the app configured,
 * so the types allow exactly what it can store. Without it, the JSON serializer's
 * rules apply.
 *
 * @example
 * // once, in any .ts file of the app (with the richSerializer passed to the manager):
 * declare module '@sess/core' {
 *   interface Register { serializer: 'rich' }
 * }
 */
// biome-ignore lint/suspicious/noEmptyInterface: an empty interface is what module augmentation extends.
export interface Register {}

/** `'json'` (the default) or `'rich'`, as registered through `Register`. */
export type SerializerKind = Register extends { serializer: infer Kind extends 'json' | 'rich' } ? Kind : 'json';

export type JsonPrimitive = string | number | boolean | null;

/** A value the JSON serializer stores and gives back as it was. */
export type JsonValue = JsonPrimitive | readonly JsonValue[] | { readonly [key: string]: JsonValue | undefined };

export type RichLeaf = JsonPrimitive | undefined | bigint | Date | RegExp | URL | ArrayBufferView;
/** A value the rich (devalue) serializer stores and gives back as it was. */
export type RichValue =
  | RichLeaf
  | readonly RichValue[]
  | ReadonlyMap<RichValue, RichValue>
  | ReadonlySet<RichValue>
  | { readonly [key: string]: RichValue };

/** Any value the registered serializer can store: the type of a session key that was not declared. */
export type SessionValue = SerializerKind extends 'rich' ? RichValue : JsonValue;

type Every<T> = false extends T ? false : true;

/**
 * Whether `T` survives a round trip through the serializer of kind `Kind`. Checked
 * eight levels deep (deeper types are taken on trust; `set` checks values at run time).
 */
type CheckValue<T, Kind, Depth extends unknown[] = []> = Depth['length'] extends 8
  ? true
  : T extends JsonPrimitive | undefined
    ? true
    : T extends (...args: never[]) => unknown
      ? false
      : T extends symbol
        ? false
        : T extends bigint | Date | RegExp | URL | ArrayBufferView
          ? Kind extends 'rich'
            ? true
            : false
          : T extends ReadonlyMap<infer K, infer V>
            ? Kind extends 'rich'
              ? Every<CheckValue<K, Kind, [...Depth, 0]> | CheckValue<V, Kind, [...Depth, 0]>>
              : false
            : T extends ReadonlySet<infer E>
              ? Kind extends 'rich'
                ? CheckValue<E, Kind, [...Depth, 0]>
                : false
              : T extends readonly (infer E)[]
                ? Every<CheckValue<E, Kind, [...Depth, 0]>>
                : T extends object
                  ? Every<{ [P in keyof T]-?: CheckValue<T[P], Kind, [...Depth, 0]> }[keyof T] | true>
                  : false;

/** What a session key of an unstorable type turns into: assigning to it fails and the message says why. */
export interface NotStorable<Kind extends string = SerializerKind> {
  readonly 'cannot be stored in the session: the serializer would change its type': Kind;
}

/**
 * `T` when the registered serializer gives it back as it was, otherwise `NotStorable`,
 * so `set('when', new Date())` under the JSON serializer is a compile error instead
 * of a string read back as a `Date`.
 */
export type Storable<T> = [T] extends [SessionValue] ? T : Every<CheckValue<T, SerializerKind>> extends true ? T : NotStorable;

/** Values nested deeper than this are refused at `set` time: serializers recurse, and stacks are finite. */
export const MAX_VALUE_DEPTH = 64;

/**
 * Checks at `set` time that the serializer of kind `kind` will give `value` back as
 * it was, so a mistake fails on the line that made it with an error naming the key,
 * not at commit as a stack overflow or silently as a changed type.
 */
export function assertStorable(key: string, value: unknown, kind: 'json' | 'rich'): void {
  const seen = new Set<object>();
  const visit = (v: unknown, path: string, depth: number): void => {
    switch (typeof v) {
      case 'string':
      case 'boolean':
        return;
      case 'number':
        if (kind === 'json' && !Number.isFinite(v)) throw new SessionValueError(key, path, `is ${v}, which JSON stores as null`);
        return;
      case 'undefined':
        if (kind === 'json' && depth > 0 && path.endsWith(']')) {
          throw new SessionValueError(key, path, 'is undefined inside an array, which JSON stores as null');
        }
        return;
      case 'bigint':
        if (kind === 'json') throw new SessionValueError(key, path, 'is a BigInt, which JSON cannot store; use richSerializer or a string');
        return;
      case 'function':
      case 'symbol':
        throw new SessionValueError(key, path, `is a ${typeof v}, which no serializer stores`);
    }
    if (v === null) return;
    const object = v as object;
    if (depth >= MAX_VALUE_DEPTH) throw new SessionValueError(key, path, `is nested more than ${MAX_VALUE_DEPTH} levels deep`);
    if (seen.has(object)) {
      if (kind === 'json') throw new SessionValueError(key, path, 'refers back to itself (a cycle), which JSON cannot store');
      return;
    }
    seen.add(object);
    if (Array.isArray(object)) {
      for (let i = 0; i < object.length; i++) visit(object[i], `${path}[${i}]`, depth + 1);
    } else if (kind === 'rich' && isRichLeaf(object)) {
      // Stored by devalue as they are.
    } else if (kind === 'rich' && object instanceof Map) {
      for (const [k, item] of object) {
        visit(k, `${path}.<key>`, depth + 1);
        visit(item, `${path}.get(${typeof k === 'string' ? JSON.stringify(k) : '…'})`, depth + 1);
      }
    } else if (kind === 'rich' && object instanceof Set) {
      for (const item of object) visit(item, `${path}.<item>`, depth + 1);
    } else {
      const proto = Object.getPrototypeOf(object);
      if (proto !== Object.prototype && proto !== null) {
        const name = (proto as { constructor?: { name?: string } }).constructor?.name || 'class';
        const advice = kind === 'json' ? 'use richSerializer or store plain data' : 'store plain data';
        throw new SessionValueError(key, path, `is a ${name} instance, which the ${kind} serializer would not give back as one; ${advice}`);
      }
      if (Object.getOwnPropertySymbols(object).length > 0)
        throw new SessionValueError(key, path, 'has symbol keys, which no serializer stores');
      for (const k of Object.keys(object)) visit((object as Record<string, unknown>)[k], `${path}.${k}`, depth + 1);
    }
    seen.delete(object);
  };
  visit(value, 'value', 0);
}

function isRichLeaf(value: object): boolean {
  return value instanceof Date || value instanceof RegExp || value instanceof URL || ArrayBuffer.isView(value);
}

/**
 * The data type of an adapter's session from the app's augmented `SessionData`
 * interface: exactly the declared keys, or any key holding a storable value while
 * nothing is declared.
 */
export type DataOf<Declared extends object> = keyof Declared extends never ? Record<string, SessionValue> : Declared;
