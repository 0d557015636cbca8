import type { SessionStore } from '../index';

/** The methods of a `SessionStore` (its calls). */
export type StoreMethod = {
  [Name in keyof SessionStore]-?: NonNullable<SessionStore[Name]> extends (...args: never[]) => unknown ? Name : never;
}[keyof SessionStore];

/** One call a recording store saw, with its arguments. */
export interface StoreCall {
  method: StoreMethod;
  args: unknown[];
}

/** A store that records its calls: see `recordingStore`. */
export interface RecordingStore<Inner extends SessionStore> {
  /** The store to give the manager: `inner`'s methods, each call recorded before it runs. */
  readonly store: SessionStore;
  /** The wrapped store, to read what was persisted without recording it. */
  readonly inner: Inner;
  /** Every call so far, in order. */
  readonly calls: StoreCall[];
  /** The method names of the calls so far, in order (`['get', 'update']`). */
  methods(): StoreMethod[];
  /** Forgets the calls so far. */
  clear(): void;
}

const METHODS: readonly StoreMethod[] = ['get', 'set', 'destroy', 'touch', 'rotate', 'update', 'listByUser', 'destroyByUser'];

/**
 * Wraps `inner` so each call is recorded. The wrapper has exactly the methods `inner`
 * has (a store without `rotate` stays without it), and its `callTimeoutMs` and `serializer`.
 */
export function recordingStore<Inner extends SessionStore>(inner: Inner): RecordingStore<Inner> {
  const calls: StoreCall[] = [];
  const store: Record<string, unknown> = {};
  if (inner.callTimeoutMs !== undefined) store.callTimeoutMs = inner.callTimeoutMs;
  if (inner.serializer !== undefined) store.serializer = inner.serializer;
  for (const method of METHODS) {
    const call = inner[method] as ((...args: unknown[]) => Promise<unknown>) | undefined;
    if (typeof call !== 'function') continue;
    store[method] = (...args: unknown[]) => {
      calls.push({ method, args });
      return call.apply(inner, args);
    };
  }
  return {
    store: store as unknown as SessionStore,
    inner,
    calls,
    methods: () => calls.map((call) => call.method),
    clear: () => {
      calls.length = 0;
    },
  };
}
