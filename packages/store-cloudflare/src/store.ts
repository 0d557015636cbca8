/** `createDurableObjectStore`: the `SessionStore` a Worker uses, one object call per operation. */
import {
  copySessionMeta,
  invalidOption,
  isSerializer,
  jsonSerializer,
  rejectUnknownOptions,
  type Serializer,
  type SessionData,
  type SessionMeta,
  type SessionRecord,
  type SessionStore,
  type SessionStoreOperation,
  SessionTooLargeError,
  toStoreError,
  type UserSessionSummary,
} from '@sess/core/store';
import {
  callObject,
  type DurableObjectNamespaceLike,
  type Entries,
  entryBytes,
  isNamespace,
  type ObjectCall,
  PACKAGE,
  sessionName,
  userName,
} from './protocol';

export type { DurableObjectNamespaceLike } from './protocol';

/** Options of `createDurableObjectStore`. */
export interface DurableObjectStoreOptions {
  /**
   * Serializes each top-level data value (in the Worker; the object stores text); use
   * `richSerializer` for `Date`, `Map`, `Set` and `BigInt`.
   * @default jsonSerializer
   */
  serializer?: Serializer;
  /**
   * The largest session data, in UTF-8 bytes of its top-level keys and serialized
   * values. A write over it rejects with a `SessionTooLargeError` and changes nothing.
   * At most 2,000,000: SQLite in a Durable Object holds at most 2 MB per value.
   * @default 1_048_576 (1 MiB)
   */
  maxSizeBytes?: number;
}

const KNOWN_OPTIONS = ['serializer', 'maxSizeBytes'];
const FOREIGN_OPTIONS = {
  ttl: 'Expiry comes from the session manager (`idleTimeoutMs`, `absoluteTimeoutMs`), not the store.',
  prefix: 'Each app binds a namespace of its own: sessions of two namespaces never meet.',
};
const DEFAULT_MAX_SIZE_BYTES = 1_048_576;
const MAX_SIZE_BYTES = 2_000_000;
const TOO_LARGE_HINT = 'Keep large or growing data (uploads, caches, histories) out of the session, or raise `maxSizeBytes`.';

/**
 * A session store on Durable Objects: one object per session, one per user for
 * `listByUser` and `destroyByUser`. `namespace` is the binding of `SessionObject`
 * (`env.SESSIONS`); the store keeps only the binding and makes a stub per call, so one
 * store serves every request of an isolate (create it at module scope from
 * `cloudflare:workers`'s `env`, or once from the first request's `env`).
 *
 * Costs per call: every operation is one object call, except `rotate` (two, or one
 * through the user's object when the record has a user) and a write that assigns a user
 * (the session object also tells the user's object, once).
 *
 * @example
 * export { SessionObject } from '@sess/store-cloudflare';
 * const store = createDurableObjectStore(env.SESSIONS);
 */
export function createDurableObjectStore<Id>(
  namespace: DurableObjectNamespaceLike<Id>,
  options: DurableObjectStoreOptions = {},
): SessionStore {
  if (!isNamespace(namespace)) {
    invalidOption(PACKAGE, 'namespace', 'a Durable Object namespace binding of SessionObject (such as env.SESSIONS)', namespace);
  }
  if (typeof options !== 'object' || options === null) invalidOption(PACKAGE, 'options', 'an object', options);
  rejectUnknownOptions(PACKAGE, '', options, KNOWN_OPTIONS, FOREIGN_OPTIONS);
  const { serializer = jsonSerializer, maxSizeBytes = DEFAULT_MAX_SIZE_BYTES } = options;
  if (!isSerializer(serializer)) invalidOption(PACKAGE, 'serializer', 'an object with stringify and parse functions', serializer);
  if (!Number.isInteger(maxSizeBytes) || maxSizeBytes <= 0 || maxSizeBytes > MAX_SIZE_BYTES) {
    invalidOption(PACKAGE, 'maxSizeBytes', `a positive integer up to ${MAX_SIZE_BYTES}`, maxSizeBytes);
  }
  const objects = namespace as DurableObjectNamespaceLike;

  /** One call, its failures typed as `SessionStoreError` of this package. */
  function call<T>(operation: SessionStoreOperation, body: ObjectCall): Promise<T> {
    return callObject<T>(objects, body).catch((error: unknown) => {
      throw toStoreError(operation, error, PACKAGE);
    });
  }

  /** Each key of `data` with its serialized value; a value that serializes to nothing goes to `removed`. */
  function serialize(data: SessionData, removed?: string[]): Entries {
    const entries: Entries = [];
    for (const [name, value] of Object.entries(data)) {
      // As jsonSerializer does: a `__proto__` key would set the prototype of the object `get` builds.
      if (name === '__proto__') continue;
      const text: string | undefined = serializer.stringify(value);
      if (typeof text === 'string') entries.push([name, text]);
      else removed?.push(name);
    }
    return entries;
  }

  /** A whole record's entries, checked against the limit before anything is sent. */
  function wholeRecord(data: SessionData): Entries {
    const entries = serialize(data);
    const sizeBytes = entries.reduce((sum, [name, text]) => sum + entryBytes(name, text), 0);
    if (sizeBytes > maxSizeBytes) throw new SessionTooLargeError(PACKAGE, sizeBytes, maxSizeBytes, TOO_LARGE_HINT);
    return entries;
  }

  return {
    serializer,

    async get(key) {
      const held = await call<{ meta: SessionMeta; entries: Entries } | null>('get', { name: sessionName(key), op: 'get' });
      if (held === null) return undefined;
      const data: SessionData = {};
      for (const [name, text] of held.entries) data[name] = serializer.parse(text);
      return { ...copySessionMeta(held.meta), data } satisfies SessionRecord;
    },

    async set(key, record) {
      await call('set', { name: sessionName(key), op: 'set', meta: copySessionMeta(record), entries: wholeRecord(record.data) });
    },

    async rotate(fromKey, toKey, record) {
      const meta = copySessionMeta(record);
      const entries = wholeRecord(record.data);
      // Through the user's object: a sign-out everywhere of that user runs wholly before or after it.
      if (meta.userId !== undefined) {
        return call<boolean>('rotate', { name: userName(meta.userId), op: 'rotate', from: fromKey, to: toKey, meta, entries });
      }
      if (!(await call<boolean>('rotate', { name: sessionName(fromKey), op: 'take' }))) return false;
      await call('rotate', { name: sessionName(toKey), op: 'set', meta, entries });
      return true;
    },

    async destroy(key) {
      // The user's index keeps the key until it is next listed: no second object to call.
      await call('destroy', { name: sessionName(key), op: 'destroy' });
    },

    async touch(key, meta) {
      await call('touch', { name: sessionName(key), op: 'touch', meta: copySessionMeta(meta) });
    },

    async update(key, patch) {
      const removed = [...patch.removed];
      const entries = serialize(patch.set, removed);
      const body: ObjectCall = { name: sessionName(key), op: 'update', meta: copySessionMeta(patch.meta), entries, removed, maxSizeBytes };
      const result = await call<{ tooLargeBytes: number } | null>('update', body);
      if (result !== null) throw new SessionTooLargeError(PACKAGE, result.tooLargeBytes, maxSizeBytes, TOO_LARGE_HINT);
    },

    listByUser(userId) {
      return call<UserSessionSummary[]>('listByUser', { name: userName(userId), op: 'list' });
    },

    destroyByUser(userId) {
      return call<number>('destroyByUser', { name: userName(userId), op: 'destroyAll' });
    },
  };
}
