/**
 * The option checks every factory shares (the manager, the memory and cookie stores,
 * `@sess/store-redis`), so each kind of option is checked once, with one message:
 * `<package>: option \`<name>\` must be <what> (got <value>).`
 */
import { invalidOption, rejectUnknownOptions } from './errors';
import { isSerializer, jsonSerializer, type Serializer } from './serializer';

/** What a serializer option must be, as every message says it. */
const SERIALIZER_EXPECTED = "an object with stringify and parse functions (and `kind` 'json', 'rich' or none)";

/**
 * Checks a factory's options argument: an object (or `undefined`, read as `{}`) whose
 * keys are all `known`; `hints` maps a foreign option name to what to use instead.
 */
export function checkOptions<Options extends object>(
  packageName: string,
  options: Options | undefined,
  known: readonly string[],
  hints?: Readonly<Record<string, string>>,
): Options {
  if (options === undefined) return {} as Options;
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    invalidOption(packageName, 'options', 'an object', options);
  rejectUnknownOptions(packageName, '', options, known, hints);
  return options;
}

/** A `serializer` option: `jsonSerializer` when left out. */
export function serializerOption(packageName: string, option: string, value: unknown, fallback: Serializer = jsonSerializer): Serializer {
  const serializer = value ?? fallback;
  if (!isSerializer(serializer)) invalidOption(packageName, option, SERIALIZER_EXPECTED, serializer);
  return serializer;
}

/** A clock option (`now`): `Date.now` when left out. */
export function clockOption(packageName: string, option: string, value: unknown): () => number {
  const now = value ?? Date.now;
  if (typeof now !== 'function') invalidOption(packageName, option, 'a function returning epoch milliseconds', now);
  return now as () => number;
}
