import { parse as devalueParse, stringify as devalueStringify } from 'devalue';
import type { Serializer } from './serializer';

/**
 * Round-trips `Date`, `Map`, `Set`, `BigInt`, `undefined`, `RegExp`, `URL`, typed arrays and
 * repeated references, through `devalue` (which never evaluates code). A module of its
 * own, imported by nothing else in the core, so an app that never uses it does not
 * bundle `devalue`.
 */
export const richSerializer: Serializer = {
  kind: 'rich',
  stringify: (value) => devalueStringify(value),
  parse: (text) => devalueParse(text),
};
