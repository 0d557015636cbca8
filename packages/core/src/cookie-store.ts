import { defaults as ironDefaults, seal, unseal } from 'iron-webcrypto';
import {
  clearingCookie,
  isSessionCookieName,
  MAX_SESSION_COOKIE_CHUNKS,
  type OutgoingCookie,
  outgoingCookie,
  parseCookies,
  type ResolvedCookie,
} from './cookies';
import { invalidOption, SessionTooLargeError } from './errors';
import { isSessionIdShape, storeKeyOf } from './ids';
import { checkOptions, serializerOption } from './options';
import { BoundedCache, isPlausibleSeal, sealSecretId } from './seal';
import { type SecretRing, sealingSecrets } from './secrets';
import type { Serializer } from './serializer';
import type { SessionRecord } from './store';

const PACKAGE = '@sess/core';
/** Seals remembered per secret ring. */
const OPENED_SEALS_CACHED = 1000;

/** What the manager hands a cookie store on each call. */
export interface CookieStoreContext {
  cookie: ResolvedCookie;
  secrets: SecretRing;
  now: () => number;
}

/** A session opened from the request's cookies. */
export interface CookieStoreRead {
  /** The request carried at least one of our cookies (valid or not). */
  hadCookie: boolean;
  session?: { id: string; key: string; record: SessionRecord; stale: boolean } | undefined;
}

/**
 * A store that keeps the whole session in the client's cookies, sealed (encrypted
 * and authenticated) with iron-webcrypto. No server state: sessions cannot be
 * listed or revoked server-side, and a destroyed session's old cookie stays valid
 * until it expires if someone kept a copy. Prefer a server store for logins.
 * Made by `createCookieStore`; only the manager reads and writes through it.
 */
export interface CookieStore {
  readonly kind: 'cookie';
  /** What the record is encoded with inside the seal; the manager adopts it, or checks it agrees with its own. */
  readonly serializer: Serializer;
}

/** The cookie store as the manager uses it. */
export interface SealedCookieStore extends CookieStore {
  read(cookieHeader: string | null | undefined, ctx: CookieStoreContext): Promise<CookieStoreRead>;
  write(
    cookieHeader: string | null | undefined,
    session: { id: string; record: SessionRecord; maxAgeSeconds: number | undefined },
    ctx: CookieStoreContext,
  ): Promise<OutgoingCookie[]>;
  clear(cookieHeader: string | null | undefined, ctx: CookieStoreContext): OutgoingCookie[];
}

export interface CookieStoreOptions {
  /** Largest value of one cookie, in characters; a bigger seal is split across `name.0`, `name.1`, ... @default 3800 */
  chunkSize?: number;
  /** Most cookies one session may span; past it, commit fails with `SessionTooLargeError`. @default 4 */
  maxCookies?: number;
  /**
   * Encodes the record inside the seal. Exposed as the store's `serializer`, which a
   * manager given this store adopts, so set it here (such as `richSerializer`).
   * @default jsonSerializer
   */
  serializer?: Serializer;
}

/** A store `createCookieStore` made (in any copy of the package). */
export function isCookieStore(value: unknown): value is SealedCookieStore {
  if (typeof value !== 'object' || value === null) return false;
  const store = value as SealedCookieStore;
  return (
    store.kind === 'cookie' && typeof store.read === 'function' && typeof store.write === 'function' && typeof store.clear === 'function'
  );
}

interface OpenedSeal {
  id: string;
  key: string;
  /** Serialized record: parsed afresh per request so requests never share objects. */
  recordText: string;
  secretId: string;
}

/** Keeps sessions in sealed, size-checked, split-when-needed cookies. */
export function createCookieStore(given?: CookieStoreOptions): CookieStore {
  return sealedCookieStore(given);
}

/** `createCookieStore`, typed as the manager sees it. */
export function sealedCookieStore(given?: CookieStoreOptions): SealedCookieStore {
  const options = checkOptions(PACKAGE, given, ['chunkSize', 'maxCookies', 'serializer']);
  const chunkSize = options.chunkSize ?? 3800;
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 200 || chunkSize > 4000) {
    invalidOption(PACKAGE, 'chunkSize', 'an integer from 200 to 4000', chunkSize);
  }
  const maxCookies = options.maxCookies ?? 4;
  if (!Number.isSafeInteger(maxCookies) || maxCookies < 1 || maxCookies > MAX_SESSION_COOKIE_CHUNKS) {
    invalidOption(PACKAGE, 'maxCookies', `an integer from 1 to ${MAX_SESSION_COOKIE_CHUNKS}`, maxCookies);
  }
  const serializer = serializerOption(PACKAGE, 'serializer', options.serializer);
  const sealOptions = { ...ironDefaults, encode: serializer.stringify, decode: serializer.parse };
  // Unsealing costs ~0.5 ms: remember recent seals we opened (bounded). One cache per
  // secret ring, since managers with different secrets may share this store.
  const openedByRing = new WeakMap<SecretRing, BoundedCache<OpenedSeal | null>>();
  const openedWith = (secrets: SecretRing) => {
    let opened = openedByRing.get(secrets);
    if (opened === undefined) {
      opened = new BoundedCache(OPENED_SEALS_CACHED);
      openedByRing.set(secrets, opened);
    }
    return opened;
  };

  const presentNames = (cookieHeader: string | null | undefined, name: string): string[] => {
    if (!cookieHeader?.includes(name)) return [];
    return Object.keys(parseCookies(cookieHeader)).filter((n) => isSessionCookieName(n, name));
  };

  const open = async (sealed: string, secrets: SecretRing): Promise<OpenedSeal | null> => {
    try {
      const payload = (await unseal(sealed, secrets.byId, sealOptions)) as { id?: unknown; record?: unknown };
      if (!isSessionIdShape(payload.id) || !isRecord(payload.record)) return null;
      return {
        id: payload.id,
        key: await storeKeyOf(payload.id),
        recordText: serializer.stringify(payload.record),
        secretId: sealSecretId(sealed),
      };
    } catch {
      return null; // tampered, truncated, expired or sealed with an unknown secret
    }
  };

  return {
    kind: 'cookie',
    serializer,
    async read(cookieHeader, ctx) {
      const name = ctx.cookie.name;
      if (!cookieHeader?.includes(name)) return { hadCookie: false };
      const cookies = parseCookies(cookieHeader);
      let sealed = cookies[name];
      if (sealed === undefined) {
        const parts: string[] = [];
        for (let i = 0; i < maxCookies; i++) {
          const part = cookies[`${name}.${i}`];
          if (part === undefined) break;
          parts.push(part);
        }
        if (parts.length === 0) return { hadCookie: Object.keys(cookies).some((n) => isSessionCookieName(n, name)) };
        sealed = parts.join('');
      }
      // Junk is refused without crypto and not remembered, so it cannot crowd out real seals.
      if (!isPlausibleSeal(sealed)) return { hadCookie: true };
      const opened = openedWith(ctx.secrets);
      // Seals are bound to the cookie name, so the cache is too: `sid` does not open as `__Host-sid`.
      const cacheKey = `${name}=${sealed}`;
      let hit = opened.get(cacheKey);
      if (hit === undefined) {
        hit = await open(sealed, sealingSecrets(ctx.secrets, name));
        opened.set(cacheKey, hit);
      }
      if (hit === null) return { hadCookie: true };
      const record = serializer.parse(hit.recordText) as SessionRecord;
      return {
        hadCookie: true,
        session: { id: hit.id, key: hit.key, record, stale: hit.secretId !== ctx.secrets.currentId },
      };
    },

    async write(cookieHeader, session, ctx) {
      const secrets = sealingSecrets(ctx.secrets, ctx.cookie.name);
      const secretId = secrets.currentId;
      const ttlMs = Math.max(1000, session.record.expiresAtMs - ctx.now());
      const sealed = await seal(
        { id: session.id, record: session.record },
        { id: secretId, secret: secrets.byId[secretId]! },
        { ...sealOptions, ttl: ttlMs },
      );
      const count = Math.ceil(sealed.length / chunkSize);
      if (count > maxCookies) {
        throw new SessionTooLargeError(
          PACKAGE,
          sealed.length,
          chunkSize * maxCookies,
          'Keep less in the session, raise `maxCookies`, or use a server-side store.',
        );
      }
      const name = ctx.cookie.name;
      const out: OutgoingCookie[] = [];
      const names = count === 1 ? [name] : Array.from({ length: count }, (_, i) => `${name}.${i}`);
      names.forEach((n, i) => {
        out.push({ ...outgoingCookie(ctx.cookie, sealed.slice(i * chunkSize, (i + 1) * chunkSize), session.maxAgeSeconds), name: n });
      });
      for (const stale of presentNames(cookieHeader, name)) {
        if (!names.includes(stale)) out.push(clearingCookie(ctx.cookie, stale));
      }
      return out;
    },

    clear(cookieHeader, ctx) {
      const present = presentNames(cookieHeader, ctx.cookie.name);
      return (present.length > 0 ? present : [ctx.cookie.name]).map((n) => clearingCookie(ctx.cookie, n));
    },
  };
}

function isRecord(value: unknown): value is SessionRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return (
    typeof r.data === 'object' &&
    r.data !== null &&
    typeof r.createdAtMs === 'number' &&
    typeof r.lastActiveAtMs === 'number' &&
    typeof r.expiresAtMs === 'number' &&
    typeof r.persistent === 'boolean'
  );
}
