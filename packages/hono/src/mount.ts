/*
 * A request that passes through two `session()` middlewares (an app's and a mounted
 * sub-app's): the outer one owns the session. That is right only when both would do
 * the same; a second mount with other options would be silently ignored, so it throws.
 */
import type { Mount } from './handle';

/** Whether a second `session()` on a request would do what the first does. */
export function sameMount(first: Mount, second: Mount): boolean {
  if (first === second || first.given === second.given) return true;
  const manager = first.manager();
  if (manager !== undefined && manager === second.manager()) return true;
  return sameValue(first.given, second.given);
}

/** The error of a second `session()` whose options differ from the first's. */
export function conflictingMountError(method: string, path: string): Error {
  return new Error(
    `@sess/hono: ${method} ${path} passes through two session() middlewares with different options ` +
      "(an app's and a mounted sub-app's, say): the second would be ignored, its cookie name, store and secret unused. " +
      'Mount session() once, on the outer app, or give both the same middleware or manager: ' +
      'const sessions = session(options); app.use(sessions); subApp.use(sessions).',
  );
}

/** Structural equality of plain options (objects, arrays, primitives); anything else by identity. */
function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => sameValue(item, b[i]));
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && sameValue(a[key], b[key]));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
