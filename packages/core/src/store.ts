/**
 * The store contract. A store persists session records under an opaque key (the
 * SHA-256 digest of the session id cut to 192 bits, never the id itself) and is the
 * one piece people most often write themselves: keep it small, promise-based and honest.
 *
 * Run `describeStoreConformance` from `@sess/core/testing` against your store.
 */

import type { Serializer } from './serializer';

/** Session data: top-level keys are the unit of change tracking and merging. */
export type SessionData = Record<string, unknown>;

/** Everything about a session but its data. Times are epoch milliseconds. */
export interface SessionMeta {
  /** When the session was created (or last regenerated). */
  createdAtMs: number;
  /** The last time the session was written or touched; drives the idle timeout. */
  lastActiveAtMs: number;
  /** The nearest deadline (idle or absolute). The store may drop the record from then on. */
  expiresAtMs: number;
  /** Remember-me: the cookie outlives the browser session. */
  persistent: boolean;
  /** Set when the session is indexed under a user (see `listByUser`). */
  userId?: string | undefined;
}

/**
 * The metadata fields of `meta` (a record, a patch's meta) and nothing else, copied: what
 * a store keeps or sends of it, never the caller's object.
 */
export function copySessionMeta(meta: SessionMeta): SessionMeta {
  const copy: SessionMeta = {
    createdAtMs: meta.createdAtMs,
    lastActiveAtMs: meta.lastActiveAtMs,
    expiresAtMs: meta.expiresAtMs,
    persistent: meta.persistent,
  };
  if (meta.userId !== undefined) copy.userId = meta.userId;
  return copy;
}

/** What a store keeps for one session. */
export interface SessionRecord extends SessionMeta {
  data: SessionData;
}

/** A partial write: only the top-level keys one request changed. */
export interface SessionPatch {
  /** Top-level keys the request set, with their new values. */
  set: SessionData;
  /** Top-level keys the request removed. */
  removed: readonly string[];
  /** The record's metadata after the request (expiry moves with every write). */
  meta: SessionMeta;
}

/** One entry of a user's session list: a session's meta (its user is the one listed), with its key. */
export interface UserSessionSummary extends Omit<SessionMeta, 'userId'> {
  /** The store key of the session, usable with `SessionStore.destroy`. */
  key: string;
}

/**
 * A server-side session store.
 *
 * Contract (checked by the conformance suite):
 * - `get` resolves `undefined` for an unknown key and for a record whose
 *   `expiresAtMs` has passed, even if the backend still holds it.
 * - `set` replaces the whole record and lets the backend expire it at `expiresAtMs`.
 * - `destroy` is idempotent.
 * - `touch` and `update` never bring back a record that is gone: on a missing key
 *   they do nothing. This keeps a session destroyed by one request destroyed while
 *   another request commits to it.
 * - `rotate`, when present, moves a record to a new key only if the old one is still
 *   live, so a rotation never undoes a revocation.
 * - `update` merges: concurrent patches that set different keys all persist; for
 *   the same key the last patch applied wins.
 * - Every method rejects (never resolves silently) when the backend fails; the
 *   manager wraps the rejection in a `SessionStoreError`.
 * - A store that encodes data values itself declares its `serializer`: the manager
 *   adopts it, or refuses one of its own that disagrees, so `session.set` never
 *   accepts a value the store would give back changed.
 */
export interface SessionStore {
  /**
   * Optional: the store bounds every call itself and rejects with a
   * `SessionStoreError` (`timedOut: true`) within this many milliseconds, waits for a
   * reconnect included. When it is at most the manager's `storeTimeoutMs`, the manager
   * sets no timer of its own, so a call costs one timer, not two. Declare it only if
   * every method keeps it.
   */
  readonly callTimeoutMs?: number;
  /**
   * The serializer the store encodes data with, when it encodes values itself; the
   * manager checks it agrees with its own.
   */
  readonly serializer?: Serializer;
  /** Reads a record; `undefined` when unknown or expired. */
  get(key: string): Promise<SessionRecord | undefined>;
  /** Writes a whole record, replacing any previous one. */
  set(key: string, record: SessionRecord): Promise<void>;
  /** Deletes a record (and its entry in any user index). */
  destroy(key: string): Promise<void>;
  /** Optional: moves only the metadata (expiry) of an existing record. */
  touch?(key: string, meta: SessionMeta): Promise<void>;
  /**
   * Optional: an id rotation (`regenerate()`, sign-in). Writes `record` under `toKey`
   * and deletes `fromKey`, but only while `fromKey` still holds a live record; resolves
   * whether it did. Atomic with respect to `destroy(fromKey)` and `destroyByUser`: a
   * session revoked while a request that loaded it was running stays revoked, and the
   * new key is never left behind (nor indexed) for a record that was gone. Without it
   * the manager reads `fromKey` first, then sets and destroys: a narrower window, not
   * none, so a store that can do it atomically should.
   */
  rotate?(fromKey: string, toKey: string, record: SessionRecord): Promise<boolean>;
  /** Optional: applies a partial write to an existing record, merging with concurrent ones. */
  update?(key: string, patch: SessionPatch): Promise<void>;
  /**
   * Optional: the live sessions indexed under a user (records whose `userId` is that
   * user), oldest first. Entries of expired or destroyed sessions are pruned.
   */
  listByUser?(userId: string): Promise<UserSessionSummary[]>;
  /** Optional: destroys every session indexed under a user; resolves how many there were. */
  destroyByUser?(userId: string): Promise<number>;
}

/** Shape check instead of `instanceof`. */
export function isSessionStore(value: unknown): value is SessionStore {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as SessionStore).get === 'function' &&
    typeof (value as SessionStore).set === 'function' &&
    typeof (value as SessionStore).destroy === 'function'
  );
}

// `@sess/core/store`: everything a store author needs comes from this one module.
export {
  invalidOption,
  isSessionStoreError,
  isSessionTooLargeError,
  rejectUnknownOptions,
  SessionStoreError,
  type SessionStoreOperation,
  SessionTooLargeError,
} from './errors';
export { generateSessionId, storeKeyOf } from './ids';
export { checkOptions, clockOption, serializerOption } from './options';
export { isSerializer, jsonSerializer, type Serializer } from './serializer';
export { boundStoreCall, type StoreCallDeadline, type StoreCallOptions, toStoreError } from './store-call';
