import { SessionUsageError } from './errors';
import { type ExpiryPolicy, expiresAtOf, isTouchDue } from './expiry';
import { generateSessionId, storeKeyOf } from './ids';
import { checkValue, type Serializer } from './serializer';
import type { SessionData, SessionMeta, SessionRecord } from './store';
import type { SessionValue, Storable } from './values';

/** The late-write message's words for the response call when the adapter gives none. */
const DEFAULT_AFTER_RESPONSE = 'after the response is sent';

/** Where flash values live inside the stored data; reserved, never seen by handlers. */
export const FLASH_KEY = '__flash';

/**
 * One request's session, once loaded: every read and write is synchronous. Obtain
 * it from the request's `SessionHandle` with `await handle.load()`.
 *
 * Writes are tracked per top-level key and persisted when the adapter commits the
 * request. Deep mutation of a value read with `get` is noticed too.
 */
export interface Session<Data extends object = Record<string, SessionValue>, Flash extends object = Record<string, SessionValue>> {
  /** The session id: the secret the cookie carries. Never log it; log `key`. */
  readonly id: string;
  /** The store key: the SHA-256 digest of the id (its first 192 bits). Safe to show or log. */
  readonly key: string;
  /** No stored record backs this session (yet). */
  readonly isNew: boolean;
  /** When the session was created or last regenerated. */
  readonly createdAt: Date;
  /** The nearest deadline, idle or absolute, as of the last write or touch. */
  readonly expiresAt: Date;
  /** Remember-me is on: the cookie outlives the browser session. */
  readonly persistent: boolean;
  /** The user the session is indexed under (`setUserId`). */
  readonly userId: string | undefined;
  /** A shallow copy of all data, without flash values. Writes go through `set`. */
  readonly data: Readonly<Partial<{ [K in keyof Data]: Storable<Data[K]> }>>;
  /** The value of a top-level key. Mutating the returned object is noticed at commit. */
  get<K extends keyof Data & string>(key: K): Storable<Data[K]> | undefined;
  has(key: keyof Data & string): boolean;
  /**
   * Sets a top-level key; `undefined` removes it. Throws `SessionValueError` when the
   * serializer could not give the value back as it is.
   */
  set<K extends keyof Data & string>(key: K, value: Storable<Data[K]> | undefined): void;
  /** Removes a top-level key. */
  unset(key: keyof Data & string): void;
  /** Keeps a value for the next request that reads it with `getFlash`. */
  flash<K extends keyof Flash & string>(key: K, value: Storable<Flash[K]>): void;
  /** Reads a flash value once: it is gone afterwards. */
  getFlash<K extends keyof Flash & string>(key: K): Storable<Flash[K]> | undefined;
  /**
   * A new id for the same data, against session fixation: call it whenever the
   * privilege level changes (sign-in, sign-out, role change). The old id dies at commit.
   */
  regenerate(): void;
  /** Ends the session: its record is deleted and its cookie cleared at commit. What is set afterwards starts a new session. */
  destroy(): void;
  /** Extends the expiry at commit even if the touch throttle would skip it. */
  touch(): void;
  /** Remember-me: a persistent cookie and the `expiry.rememberMe` timeouts, or back to a browser-session cookie. */
  rememberMe(enabled?: boolean): void;
  /** Indexes the session under a user, for listing and revoking all of that user's sessions. */
  setUserId(userId: string | undefined): void;
}

/** What a session needs from its manager; built once per manager. */
export interface SessionContext {
  policy: ExpiryPolicy;
  serializer: Serializer;
  now: () => number;
  /** Starts the messages of errors reported from the session. @default '@sess/core' */
  packageName?: string;
  /** Where errors no caller could catch go (the manager's `onError`). @default console.error */
  onError?: (error: Error) => void;
}

/** Reports through `onError`; a reporter that throws falls back to `console.error`, never onto the caller. */
export function reportSafely(onError: ((error: Error) => void) | undefined, error: Error): void {
  try {
    if (onError !== undefined) {
      onError(error);
      return;
    }
  } catch (reporterError) {
    console.error(reporterError);
  }
  console.error(error);
}

/** A record a store handed back for the request's cookie. */
export interface OpenedSession {
  id: string;
  key: string;
  record: SessionRecord;
  /** The cookie was sealed or signed with an older secret. */
  stale: boolean;
}

/** The changes a request made, as the manager needs them to commit. */
export interface SessionChanges {
  /** Top-level keys set (new values) and removed, flash included under `FLASH_KEY`. */
  set: SessionData;
  removed: string[];
  /** Anything to persist: data, remember-me, user index or a regeneration. */
  modified: boolean;
}

/**
 * What a used key held when first used: an object or array as its serialized text
 * (so deep mutation shows), anything else as the value itself (compared with
 * `Object.is`: no serialization for the usual strings and numbers), `undefined` for
 * no value.
 */
type Snapshot = { readonly text: string } | string | number | boolean | bigint | null | undefined;
type Flashes = Record<string, unknown>;

/** A session as the manager commits it; read once, when the session is closed. */
export interface ClosedSession {
  readonly id: string;
  readonly key: string;
  readonly meta: SessionMeta;
  readonly changes: SessionChanges;
  /** No data and no flash: nothing worth storing. */
  readonly empty: boolean;
  /** A stored record backs the current id. */
  readonly stored: boolean;
  readonly regenerated: boolean;
  /** The stored record the incoming cookie pointed at, when it must go (destroy, regenerate). */
  readonly recordToDrop: string | undefined;
  /** The sliding expiry is due an extension, or `touch()` was called. */
  readonly touchDue: boolean;
  /** `rememberMe()` flipped the cookie between persistent and browser-session. */
  readonly persistenceChanged: boolean;
  readonly hadCookie: boolean;
  readonly staleCookie: boolean;
  /** The record to store with `meta`. */
  record(meta: SessionMeta): SessionRecord;
}

// Set in SessionState's static block: the only code that reads its private state, and
// unreachable from the session object a handler holds.
let closeSession: (state: SessionState, nowMs: number) => ClosedSession;
let adoptMeta: (state: SessionState, meta: SessionMeta) => void;

/** The manager is committing: every later write throws instead of being lost. Returns what the commit needs. */
export function closeForCommit(state: SessionState, nowMs: number): ClosedSession {
  return closeSession(state, nowMs);
}

/** After a save or touch: the meta the store now holds, as the session's getters show it. */
export function adoptStoredMeta(state: SessionState, meta: SessionMeta): void {
  adoptMeta(state, meta);
}

/**
 * The state of one loaded session and its change tracking. The manager creates it
 * from what the persistence strategy loaded and reads it back at commit; handlers
 * see it through the `Session` interface only.
 *
 * Changes are found by comparing each used top-level key with a serialized snapshot
 * taken when it was first used, so deep mutation and values the serializer knows
 * (Map, Set, Date) are noticed, and a request that only reads pays one small
 * serialization per key it read.
 */
export class SessionState {
  readonly #ctx: SessionContext;
  readonly #readOnly: boolean;
  readonly #afterResponse: string;
  #closed = false;

  #id: string;
  #key: string;
  #isNew: boolean;
  #meta: SessionMeta;
  #data: SessionData;
  #flash: Flashes | undefined;
  #snapshots = new Map<string, Snapshot>();
  #watchAll = false;
  #flashChanged = false;
  #metaChanged = false;
  /** `rememberMe()` flipped the cookie between persistent and browser-session. */
  #persistenceChanged = false;
  #touchForced = false;
  #regenerated = false;
  /** The stored record the incoming cookie pointed at, when it must go (destroy, regenerate). */
  #recordToDrop: string | undefined;
  /** A stored record backs the current id. */
  #stored: boolean;
  readonly #hadCookie: boolean;
  readonly #staleCookie: boolean;

  constructor(
    ctx: SessionContext,
    opened: OpenedSession | undefined,
    hadCookie: boolean,
    readOnly: boolean,
    /** The framework's response call, for the late-write message (`OpenOptions.afterResponse`). */
    afterResponse = DEFAULT_AFTER_RESPONSE,
  ) {
    this.#ctx = ctx;
    this.#afterResponse = afterResponse;
    this.#readOnly = readOnly;
    this.#hadCookie = hadCookie;
    if (opened !== undefined) {
      this.#id = opened.id;
      this.#key = opened.key;
      const { data, ...meta } = opened.record;
      this.#meta = meta;
      // Flash values live apart, so `data` and `get` never hand them out.
      this.#flash = Object.hasOwn(data, FLASH_KEY) ? (data[FLASH_KEY] as Flashes) : undefined;
      if (this.#flash !== undefined) delete data[FLASH_KEY];
      this.#data = data;
      this.#isNew = false;
      this.#stored = true;
      this.#staleCookie = opened.stale;
    } else {
      // Never adopt an id the store does not know: that would be session fixation.
      const now = ctx.now();
      this.#id = generateSessionId();
      this.#key = storeKeyOf(this.#id);
      this.#meta = { createdAtMs: now, lastActiveAtMs: now, expiresAtMs: 0, persistent: false };
      this.#data = {};
      this.#flash = undefined;
      this.#isNew = true;
      this.#stored = false;
      this.#staleCookie = false;
    }
  }

  get id(): string {
    return this.#id;
  }
  get key(): string {
    return this.#key;
  }
  get isNew(): boolean {
    return this.#isNew;
  }
  get createdAt(): Date {
    return new Date(this.#meta.createdAtMs);
  }
  get expiresAt(): Date {
    return new Date(expiresAtOf(this.#meta, this.#ctx.policy));
  }
  get persistent(): boolean {
    return this.#meta.persistent;
  }
  get userId(): string | undefined {
    return this.#meta.userId;
  }

  get data(): Readonly<Record<string, unknown>> {
    if (!this.#watchAll) {
      for (const key of Object.keys(this.#data)) this.#watch(key);
      this.#watchAll = true;
    }
    return { ...this.#data };
  }

  get(key: string): unknown {
    this.#watch(key);
    return Object.hasOwn(this.#data, key) ? this.#data[key] : undefined;
  }

  has(key: string): boolean {
    return Object.hasOwn(this.#data, key);
  }

  set(key: string, value: unknown): void {
    if (!this.#writable('set')) return;
    if (value === undefined) {
      this.unset(key);
      return;
    }
    checkKey(key);
    checkValue(this.#ctx.serializer, key, value);
    this.#watch(key);
    this.#data[key] = value;
  }

  unset(key: string): void {
    if (!this.#writable('unset')) return;
    checkKey(key);
    this.#watch(key);
    delete this.#data[key];
  }

  flash(key: string, value: unknown): void {
    if (!this.#writable('flash')) return;
    checkValue(this.#ctx.serializer, `${FLASH_KEY}.${key}`, value);
    this.#flash = { ...this.#flash, [key]: value };
    this.#flashChanged = true;
  }

  getFlash(key: string): unknown {
    const flashes = this.#flash;
    if (flashes === undefined || !Object.hasOwn(flashes, key)) return undefined;
    // Allowed on a read-only session: a server store records the consumption without a cookie.
    // After the commit the value is read but not consumed: it shows again next time.
    if (!this.#writable('getFlash', true)) return flashes[key];
    const { [key]: value, ...rest } = flashes;
    this.#flash = Object.keys(rest).length === 0 ? undefined : rest;
    this.#flashChanged = true;
    return value;
  }

  regenerate(): void {
    if (!this.#writable('regenerate')) return;
    if (this.#stored && this.#recordToDrop === undefined) this.#recordToDrop = this.#key;
    this.#id = generateSessionId();
    this.#key = storeKeyOf(this.#id);
    const now = this.#ctx.now();
    this.#meta = { ...this.#meta, createdAtMs: now, lastActiveAtMs: now };
    this.#regenerated = true;
    this.#stored = false;
    this.#metaChanged = true;
    // The whole record is written under the new key.
    void this.data;
  }

  destroy(): void {
    if (!this.#writable('destroy')) return;
    if (this.#stored && this.#recordToDrop === undefined) this.#recordToDrop = this.#key;
    const now = this.#ctx.now();
    this.#id = generateSessionId();
    this.#key = storeKeyOf(this.#id);
    this.#isNew = true;
    this.#meta = { createdAtMs: now, lastActiveAtMs: now, expiresAtMs: 0, persistent: false };
    this.#data = {};
    this.#flash = undefined;
    this.#snapshots = new Map();
    this.#watchAll = true;
    this.#flashChanged = false;
    this.#metaChanged = false;
    this.#persistenceChanged = false;
    this.#stored = false;
    this.#regenerated = false;
  }

  touch(): void {
    if (!this.#writable('touch')) return;
    this.#touchForced = true;
  }

  rememberMe(enabled = true): void {
    if (!this.#writable('rememberMe')) return;
    if (this.#meta.persistent === enabled) return;
    this.#meta = { ...this.#meta, persistent: enabled };
    this.#metaChanged = true;
    // Switching twice in one request cancels out for the browser.
    this.#persistenceChanged = !this.#persistenceChanged;
  }

  setUserId(userId: string | undefined): void {
    if (!this.#writable('setUserId')) return;
    if (userId !== undefined && (typeof userId !== 'string' || userId === '' || !isPortableText(userId))) {
      throw new TypeError(
        '@sess/core: session.setUserId takes a non-empty string without NUL characters or lone surrogates, or undefined to remove the index entry.',
      );
    }
    if (this.#meta.userId === userId) return;
    this.#meta = { ...this.#meta, userId };
    this.#metaChanged = true;
  }

  /** Which used top-level keys now differ from their snapshot (flash included). */
  #changes(): SessionChanges {
    const set: SessionData = {};
    const removed: string[] = [];
    const check = (key: string, before: Snapshot) => {
      const after = this.#snapshot(key);
      if (sameSnapshot(before, after)) return;
      if (after === undefined) removed.push(key);
      else set[key] = this.#data[key];
    };
    for (const [key, before] of this.#snapshots) check(key, before);
    if (this.#watchAll) {
      for (const key of Object.keys(this.#data)) if (!this.#snapshots.has(key)) check(key, undefined);
    }
    if (this.#flashChanged) {
      if (this.#flash === undefined) removed.push(FLASH_KEY);
      else set[FLASH_KEY] = this.#flash;
    }
    const modified = this.#metaChanged || removed.length > 0 || Object.keys(set).length > 0;
    return { set, removed, modified };
  }

  static {
    closeSession = (state, nowMs) => {
      state.#closed = true;
      const flash = state.#flash;
      return {
        id: state.#id,
        key: state.#key,
        meta: state.#meta,
        changes: state.#changes(),
        // No data and no flash: nothing worth storing.
        empty: flash === undefined && Object.keys(state.#data).length === 0,
        stored: state.#stored,
        regenerated: state.#regenerated,
        recordToDrop: state.#recordToDrop,
        touchDue: state.#stored && (state.#touchForced || isTouchDue(state.#meta, state.#ctx.policy, nowMs)),
        persistenceChanged: state.#persistenceChanged,
        hadCookie: state.#hadCookie,
        staleCookie: state.#staleCookie,
        // The data as stored: handler data plus pending flash values.
        record: (meta) => ({ ...meta, data: flash === undefined ? state.#data : { ...state.#data, [FLASH_KEY]: flash } }),
      };
    };
    adoptMeta = (state, meta) => {
      state.#meta = meta;
    };
  }

  /**
   * Whether the session may still change. After the commit it may not: the change is
   * dropped and reported (never thrown: such a write comes from detached code, a timer
   * or an un-awaited helper, where a throw would be an unhandled rejection that ends
   * the process on Node and Bun).
   */
  #writable(method: string, allowedReadOnly = false): boolean {
    if (this.#closed) {
      const ctx = this.#ctx;
      const error = new SessionUsageError(
        'committed',
        `${ctx.packageName ?? '@sess/core'}: session.${method}() was called after the session of this request was already committed, so the change is lost. ` +
          `Finish every session call before the response is sent: \`await\` the handle's load() and every helper that writes, and do not write from timers or ${this.#afterResponse}.`,
      );
      reportSafely(ctx.onError, error);
      return false;
    }
    if (this.#readOnly && !allowedReadOnly) {
      throw new SessionUsageError(
        'read-only',
        `@sess/core: session.${method}() cannot be used on a read-only session: it is opened where no cookie can be set. Change the session in a Server Action or Route Handler instead.`,
      );
    }
    return true;
  }

  #watch(key: string): void {
    if (this.#snapshots.has(key)) return;
    this.#snapshots.set(key, this.#snapshot(key));
  }

  #snapshot(key: string): Snapshot {
    const value = Object.hasOwn(this.#data, key) ? this.#data[key] : undefined;
    if (typeof value === 'object' && value !== null) return { text: this.#ctx.serializer.stringify(value) ?? '' };
    return value as Snapshot;
  }
}

function sameSnapshot(before: Snapshot, after: Snapshot): boolean {
  if (typeof before === 'object' && before !== null) return typeof after === 'object' && after !== null && after.text === before.text;
  return Object.is(before, after);
}

function checkKey(key: string): void {
  if (typeof key !== 'string' || key === '' || key === '__proto__' || key === FLASH_KEY) {
    throw new TypeError(`@sess/core: ${JSON.stringify(key)} cannot be a session key (reserved or empty).`);
  }
  if (!isPortableText(key)) {
    throw new TypeError(
      `@sess/core: ${JSON.stringify(key)} cannot be a session key: it holds a NUL character or a lone surrogate, which many stores cannot keep (PostgreSQL text and jsonb refuse them, UTF-8 turns a lone surrogate into U+FFFD). Use printable text.`,
    );
  }
}

/**
 * Text every store can keep as it is: no NUL and no lone surrogate (a half of a
 * UTF-16 pair, which UTF-8 cannot encode). Checked for keys and user ids, so a store
 * never has to refuse one of them.
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function isPortableText(text: string): boolean {
  return !text.includes('\u0000') && !LONE_SURROGATE.test(text);
}
