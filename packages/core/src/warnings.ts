/**
 * Warnings printed once per process, however many copies of this package are loaded
 * (Next.js bundles a module once per route): the record lives on `globalThis`.
 */
const WARNED = Symbol.for('@sess/core: warned');

type WarnedHolder = { [WARNED]?: Set<string> };

/** Prints `message` with `console.warn` the first time `id` is seen in this process. */
export function warnOnce(id: string, message: string): void {
  const holder = globalThis as WarnedHolder;
  const warned = holder[WARNED] ?? new Set<string>();
  holder[WARNED] = warned;
  if (warned.has(id)) return;
  warned.add(id);
  console.warn(message);
}

/** The value of an environment variable, where the runtime has `process` (edge runtimes may not). */
export function envVar(name: string): string | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
}
