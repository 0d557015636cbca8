import secureJson from 'secure-json-parse';
import { SessionValueError } from './errors';
import { assertStorable } from './values';

/**
 * Turns one session value (or a whole record) into a string and back. Stores use it
 * for what they persist, and the session uses it to notice changes: two values that
 * serialize alike are the same value.
 */
export interface Serializer {
  stringify(value: unknown): string;
  parse(text: string): unknown;
  /**
   * Which values `session.set` accepts: `'json'` or `'rich'` checks them against that
   * kind's rules (see `Register`); without it, `set` only checks that `stringify` succeeds.
   */
  readonly kind?: 'json' | 'rich';
}

/**
 * JSON, safe against prototype pollution: `__proto__` and `constructor.prototype`
 * keys in stored text are dropped, so stored data cannot poison objects.
 */
export const jsonSerializer: Serializer = {
  kind: 'json',
  stringify: (value) => JSON.stringify(value),
  // Only objects and arrays can carry a polluting key: a string, number, boolean or
  // null (the usual top-level session value) goes straight to JSON.parse.
  parse: (text) => (isComposite(text) ? secureJson.parse(text, undefined, SECURE_JSON_OPTIONS) : JSON.parse(text)),
};

const SECURE_JSON_OPTIONS = { protoAction: 'remove', constructorAction: 'remove' } as const;

/** Whether JSON text is an object or an array (after any leading whitespace). */
function isComposite(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b || c === 0x5b) return true; // { [
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
  }
  return false;
}

/** Shape check for a user-supplied serializer. */
export function isSerializer(value: unknown): value is Serializer {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Serializer).stringify === 'function' &&
    typeof (value as Serializer).parse === 'function' &&
    [undefined, 'json', 'rich'].includes((value as Serializer).kind)
  );
}

/** Throws `SessionValueError` when `serializer` cannot store `value` as it is. */
export function checkValue(serializer: Serializer, key: string, value: unknown): void {
  if (serializer.kind !== undefined) {
    assertStorable(key, value, serializer.kind);
    return;
  }
  try {
    serializer.stringify(value);
  } catch (error) {
    throw new SessionValueError(key, 'value', `could not be serialized (${error instanceof Error ? error.message : String(error)})`);
  }
}
