import {
  clearingCookie,
  type IdCookieCodec,
  type OutgoingCookie,
  outgoingCookie,
  type ResolvedCookie,
  readCookie,
  serializeCookie,
} from './cookies';
import type { CookieStore, CookieStoreContext } from './cookie-store';
import {
  type CommitFacts,
  shouldClearCookie,
  shouldDestroy,
  shouldSave,
  shouldSetCookie,
  shouldTouch,
} from './decisions';
import { SessionStoreError, type SessionStoreOperation } from './errors';
import { type ExpiryPolicy, expiresAtOf, isExpired, isTouchDue, maxAgeSecondsUntil } from './expiry';
import { generateSessionId, storeKeyOf } from './ids';
import type { SecretRing } from './secrets';
import type { Serializer } from './serializer';
import type { SessionData, SessionMeta, SessionRecord, SessionStore } from './store';

/** Where flash values live inside the data; reserved. */
export const FLASH_KEY = '__flash';

/** Everything a session needs from its manager; built once per manager. */
export interface SessionContext extends CookieStoreContext {
  cookie: ResolvedCookie;
  secrets: SecretRing;
  store: SessionStore | undefined;
  cookieStore: CookieStore | undefined;
  codec: IdCookieCodec | undefined;
  policy: ExpiryPolicy;
  serializer: Serializer;
  saveOnError: boolean;
  storeTimeoutMs: number;
  now: () => number;
}

/** How the request ended, as the adapter saw it. */
export interface RequestOutcome {
  /** The response status code. 5xx counts as a failure. */
  status: number;
  /** The handler threw. */
  threw?: boolean;
}

/** What the adapter must send. */
export interface CommitResult {
  /** `Set-Cookie` header values, to append one by one. */
  setCookie: string[];
  /** The same cookies, structured, for frameworks with a cookie API. */
  cookies: OutgoingCookie[];
  /** The session was used: the response depends on the Cookie header (`Vary: Cookie`). */
  vary: boolean;
  /** A cookie is set: the response must stay out of shared caches. */
  private: boolean;
}

const NOTHING_TO_SEND: CommitResult = Object.freeze({ setCookie: [], cookies: [], vary: false, private: false }) as CommitResult;
const MISSING = '\u0000missing';

/** Internal hook the manager uses; not part of the public API. */
export const commitSymbol: unique symbol = Symbol('sess.commit');

/**
 * The session of one request. Lazy: nothing is parsed, verified or loaded until a
 * method is first called, and concurrent first calls share one load.
 *
 * Changes are found by comparing each used top-level key with a serialized snapshot
 * taken when it was first used, so deep mutation (`data.cart.items.push(x)`) and
 * values the serializer knows (Map, Set, Date) are noticed, and a request that only
 * reads pays one small serialization per key it read.
 */
export class Session<Data extends object = Record<string, unknown>, Flash extends object = Record<string, unknown>> {
  readonly #ctx: SessionContext;
  readonly #cookieHeader: string | null | undefined;
  #loading: Promise<void> | undefined;
  #loaded = false;
  #used = false;
  #committed = false;

  #id = '';
  #key = '';
  #isNew = true;
  #meta: SessionMeta = { createdAtMs: 0, lastActiveAtMs: 0, expiresAtMs: 0, persistent: false };
  #data: SessionData = {};
  #snapshots = new Map<string, string>();
  #watchAll = false;
  #metaChanged = false;
  #persistenceChanged = false;
  #touchForced = false;
  #regenerated = false;
  #recordToDrop: string | undefined;
  #hadCookie = false;
  #staleCookie = false;
  /** The stored record existed and the id/key were adopted from the cookie. */
  #stored = false;

  constructor(ctx: SessionContext, cookieHeader: string | null | undefined) {
    this.#ctx = ctx;
    this.#cookieHeader = cookieHeader;
  }

  /** Loads the session (once; concurrent callers share the load). Resolves to the session itself. */
  load(): Promise<this> {
    this.#used = true;
    this.#loading ??= this.#load();
    return this.#loading.then(() => this);
  }

  /** The value of a top-level key. */
  async get<K extends keyof Data & string>(key: K): Promise<Data[K] | undefined> {
    await this.load();
    this.#watch(key);
    return (Object.hasOwn(this.#data, key) ? this.#data[key] : undefined) as Data[K] | undefined;
  }

  /** Sets a top-level key. `undefined` removes it. */
  async set<K extends keyof Data & string>(key: K, value: Data[K]): Promise<void> {
    if (key === '__proto__') throw new TypeError('@sess/core: "__proto__" cannot be a session key.');
    await this.load();
    this.#watch(key);
    if (value === undefined) delete this.#data[key];
    else this.#data[key] = value;
  }

  /** Removes a top-level key. */
  async unset(key: keyof Data & string): Promise<void> {
    await this.load();
    this.#watch(key);
    delete this.#data[key];
  }

  async has(key: keyof Data & string): Promise<boolean> {
    await this.load();
    this.#watch(key);
    return Object.hasOwn(this.#data, key);
  }

  /** The live data object: assign, delete or mutate deeply; every change is noticed at commit. */
  async data(): Promise<Partial<Data>> {
    await this.load();
    if (!this.#watchAll) {
      for (const key of Object.keys(this.#data)) this.#watch(key);
      this.#watchAll = true;
    }
    return this.#data as Partial<Data>;
  }

  /** Stores a value for the next request that reads it with `getFlash`. */
  async flash<K extends keyof Flash & string>(key: K, value: Flash[K]): Promise<void> {
    await this.load();
    this.#watch(FLASH_KEY);
    const flashes = (this.#data[FLASH_KEY] as Record<string, unknown> | undefined) ?? {};
    this.#data[FLASH_KEY] = { ...flashes, [key]: value };
  }

  /** Reads a flash value once: it is gone afterwards. */
  async getFlash<K extends keyof Flash & string>(key: K): Promise<Flash[K] | undefined> {
    await this.load();
    const flashes = (Object.hasOwn(this.#data, FLASH_KEY) ? this.#data[FLASH_KEY] : undefined) as
      | Record<string, unknown>
      | undefined;
    if (flashes === undefined || !Object.hasOwn(flashes, key)) return undefined;
    this.#watch(FLASH_KEY);
    const { [key]: value, ...rest } = flashes;
    if (Object.keys(rest).length === 0) delete this.#data[FLASH_KEY];
    else this.#data[FLASH_KEY] = rest;
    return value as Flash[K];
  }

  /**
   * A new id for the same data, against session fixation: call it whenever the
   * privilege level changes (login, logout, role change). The old id dies at commit.
   */
  async regenerate(): Promise<void> {
    await this.load();
    if (this.#stored && this.#recordToDrop === undefined) this.#recordToDrop = this.#key;
    this.#id = generateSessionId();
    this.#key = await storeKeyOf(this.#id);
    const now = this.#ctx.now();
    this.#meta = { ...this.#meta, createdAtMs: now, lastActiveAtMs: now };
    this.#regenerated = true;
    this.#stored = false;
    this.#metaChanged = true;
    await this.data();
  }

  /** Ends the session: its record is deleted and its cookie cleared at commit. What is set afterwards starts a new session. */
  async destroy(): Promise<void> {
    await this.load();
    if (this.#stored && this.#recordToDrop === undefined) this.#recordToDrop = this.#key;
    this.#stored = false;
    this.#regenerated = false;
    await this.#fresh();
    this.#watchAll = true;
  }

  /** Extends the expiry at commit even if the throttle would skip it. */
  async touch(): Promise<void> {
    await this.load();
    this.#touchForced = true;
  }

  /** Remember-me: a persistent cookie and the longer `rememberMe` timeouts (or back to a browser-session cookie). */
  async rememberMe(enabled = true): Promise<void> {
    await this.load();
    if (this.#meta.persistent === enabled) return;
    this.#meta = { ...this.#meta, persistent: enabled };
    this.#metaChanged = true;
    // The browser must learn the cookie's new lifetime (Max-Age, or none).
    this.#persistenceChanged = !this.#persistenceChanged;
  }

  /** Indexes the session under a user, for listing and revoking all of a user's sessions. */
  async setUserId(userId: string | undefined): Promise<void> {
    await this.load();
    if (this.#meta.userId === userId) return;
    this.#meta = { ...this.#meta, userId };
    this.#metaChanged = true;
  }

  /** The session id (the secret the cookie carries). */
  get id(): string {
    return this.#afterLoad('id', this.#id);
  }
  /** The store key: the SHA-256 digest of the id. Safe to show or log. */
  get key(): string {
    return this.#afterLoad('key', this.#key);
  }
  /** No stored record backs this session yet. */
  get isNew(): boolean {
    return this.#afterLoad('isNew', this.#isNew);
  }
  get createdAt(): Date {
    return new Date(this.#afterLoad('createdAt', this.#meta.createdAtMs));
  }
  /** The nearest deadline as of the last write or touch. */
  get expiresAt(): Date {
    return new Date(this.#afterLoad('expiresAt', expiresAtOf(this.#meta, this.#ctx.policy)));
  }
  get persistent(): boolean {
    return this.#afterLoad('persistent', this.#meta.persistent);
  }
  get userId(): string | undefined {
    return this.#afterLoad('userId', this.#meta.userId);
  }

  #afterLoad<T>(property: string, value: T): T {
    if (!this.#loaded) {
      throw new Error(`@sess/core: session.${property} is known only once the session is loaded; \`await session.load()\` first.`);
    }
    return value;
  }

  #watch(key: string): void {
    if (this.#snapshots.has(key)) return;
    this.#snapshots.set(key, this.#serialize(key));
  }

  #serialize(key: string): string {
    const value = Object.hasOwn(this.#data, key) ? this.#data[key] : undefined;
    return value === undefined ? MISSING : this.#ctx.serializer.stringify(value);
  }

  async #load(): Promise<void> {
    const ctx = this.#ctx;
    const opened = await this.#open();
    if (opened !== undefined && !isExpired(opened.record, ctx.policy, ctx.now())) {
      this.#id = opened.id;
      this.#key = opened.key;
      this.#data = opened.record.data;
      const { data: _, ...meta } = opened.record;
      this.#meta = meta;
      this.#isNew = false;
      this.#stored = true;
      this.#staleCookie = opened.stale;
    } else {
      // Never adopt an id the store does not know: that would be session fixation.
      await this.#fresh();
    }
    this.#loaded = true;
  }

  async #open(): Promise<{ id: string; key: string; record: SessionRecord; stale: boolean } | undefined> {
    const ctx = this.#ctx;
    if (ctx.cookieStore !== undefined) {
      const read = await ctx.cookieStore.read(this.#cookieHeader, ctx);
      this.#hadCookie = read.hadCookie;
      return read.session;
    }
    const value = readCookie(this.#cookieHeader, ctx.cookie.name);
    if (value === undefined) return undefined;
    this.#hadCookie = true;
    const opened = await ctx.codec!.decode(value);
    if (opened === undefined) return undefined;
    const store = ctx.store!;
    const record = await callStore(ctx, 'get', () => store.get(opened.key));
    return record === undefined ? undefined : { ...opened, record };
  }

  async #fresh(): Promise<void> {
    const now = this.#ctx.now();
    this.#id = generateSessionId();
    this.#key = await storeKeyOf(this.#id);
    this.#isNew = true;
    this.#meta = { createdAtMs: now, lastActiveAtMs: now, expiresAtMs: 0, persistent: false };
    this.#data = {};
    this.#snapshots = new Map();
    this.#watchAll = false;
    this.#metaChanged = false;
    this.#persistenceChanged = false;
  }

  /** Persists what changed and says what to send. Runs once; later calls send nothing. */
  async [commitSymbol](outcome: RequestOutcome): Promise<CommitResult> {
    if (!this.#used || this.#committed) return NOTHING_TO_SEND;
    this.#committed = true;
    try {
      await this.#loading;
    } catch {
      // The handler already received the store error; there is nothing to persist.
      return { ...NOTHING_TO_SEND, vary: true };
    }
    const ctx = this.#ctx;
    const now = ctx.now();
    const { set, removed } = this.#changes();
    const modified = this.#metaChanged || Object.keys(set).length > 0 || removed.length > 0;
    const facts: CommitFacts = {
      failed: !ctx.saveOnError && (outcome.threw === true || outcome.status >= 500),
      isNew: !this.#stored,
      modified,
      empty: Object.keys(this.#data).length === 0,
      regenerated: this.#regenerated,
      hasRecordToDrop: this.#recordToDrop !== undefined,
      touchDue: this.#stored && (this.#touchForced || isTouchDue(this.#meta, ctx.policy, now)),
      persistent: this.#meta.persistent,
      persistenceChanged: this.#persistenceChanged,
      hadCookie: this.#hadCookie,
      staleCookie: this.#staleCookie,
    };
    const save = shouldSave(facts);
    const touch = shouldTouch(facts);
    const meta: SessionMeta = { ...this.#meta, lastActiveAtMs: save || touch ? now : this.#meta.lastActiveAtMs };
    meta.expiresAtMs = expiresAtOf(meta, ctx.policy);

    const cookies: OutgoingCookie[] = [];
    if (ctx.cookieStore !== undefined) {
      if (save || touch || shouldSetCookie(facts)) {
        const record = { ...meta, data: this.#data };
        const maxAgeSeconds = this.#cookieMaxAge(meta, now);
        cookies.push(...(await ctx.cookieStore.write(this.#cookieHeader, { id: this.#id, record, maxAgeSeconds }, ctx)));
      } else if (shouldClearCookie(facts) || shouldDestroy(facts)) {
        cookies.push(...ctx.cookieStore.clear(this.#cookieHeader, ctx));
      }
    } else {
      // Every write and the cookie encoding start together and are awaited together:
      // one round trip of latency, and no rejection is left without a handler.
      const pending: Promise<unknown>[] = this.#storeWrites(facts, save, touch, meta, set, removed);
      if (shouldSetCookie(facts)) {
        const maxAgeSeconds = this.#cookieMaxAge(meta, now);
        pending.push(ctx.codec!.encode(this.#id).then((value) => cookies.push(outgoingCookie(ctx.cookie, value, maxAgeSeconds))));
      } else if (shouldClearCookie(facts)) {
        cookies.push(clearingCookie(ctx.cookie));
      }
      await Promise.all(pending);
    }
    if (save || touch) this.#meta = meta;
    return { setCookie: cookies.map(serializeCookie), cookies, vary: true, private: cookies.length > 0 };
  }

  #storeWrites(
    facts: CommitFacts,
    save: boolean,
    touch: boolean,
    meta: SessionMeta,
    set: SessionData,
    removed: string[],
  ): Promise<unknown>[] {
    const ctx = this.#ctx;
    const store = ctx.store!;
    const key = this.#key;
    const writes: Promise<unknown>[] = [];
    if (save) {
      if (facts.isNew || facts.regenerated || store.update === undefined) {
        const record: SessionRecord = { ...meta, data: this.#data };
        writes.push(callStore(ctx, 'set', () => store.set(key, record)));
      } else {
        writes.push(callStore(ctx, 'update', () => store.update!(key, { set, removed, meta })));
      }
    } else if (touch) {
      writes.push(
        store.touch === undefined
          ? callStore(ctx, 'set', () => store.set(key, { ...meta, data: this.#data }))
          : callStore(ctx, 'touch', () => store.touch!(key, meta)),
      );
    }
    if (shouldDestroy(facts)) {
      // The record the cookie pointed at: destroyed/regenerated away, or emptied by the handler.
      const dropKey = this.#recordToDrop ?? this.#key;
      writes.push(callStore(ctx, 'destroy', () => store.destroy(dropKey)));
    }
    return writes;
  }

  #cookieMaxAge(meta: SessionMeta, nowMs: number): number | undefined {
    return meta.persistent ? maxAgeSecondsUntil(meta.expiresAtMs, nowMs) : undefined;
  }

  /** Which used top-level keys now differ from their snapshot. */
  #changes(): { set: SessionData; removed: string[] } {
    const set: SessionData = {};
    const removed: string[] = [];
    const check = (key: string, before: string) => {
      const after = this.#serialize(key);
      if (after === before) return;
      if (after === MISSING) removed.push(key);
      else set[key] = this.#data[key];
    };
    for (const [key, before] of this.#snapshots) check(key, before);
    if (this.#watchAll) {
      for (const key of Object.keys(this.#data)) if (!this.#snapshots.has(key)) check(key, MISSING);
    }
    return { set, removed };
  }
}

/** Calls the store with a time bound, turning every failure into a `SessionStoreError`. */
export function callStore<T>(ctx: SessionContext, operation: SessionStoreOperation, call: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new SessionStoreError(operation, `no answer within ${ctx.storeTimeoutMs} ms`, { timedOut: true }));
    }, ctx.storeTimeoutMs);
    const fail = (error: unknown) => {
      clearTimeout(timer);
      // A store's own typed errors (already a store error, or a session over its size limit) pass through.
      reject(
        error instanceof Error && (error.name === 'SessionStoreError' || error.name === 'SessionTooLargeError')
          ? error
          : new SessionStoreError(operation, error instanceof Error ? error.message : String(error), { cause: error }),
      );
    };
    try {
      call().then((value) => {
        clearTimeout(timer);
        resolve(value);
      }, fail);
    } catch (error) {
      fail(error);
    }
  });
}
