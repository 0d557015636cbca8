import type { CookieStoreContext, SealedCookieStore } from './cookie-store';
import { clearingCookie, type OutgoingCookie, outgoingCookie, readCookie } from './cookies';
import type { IdCookieCodec, OpenedIdCookie } from './id-cookie';
import type { OpenedSession } from './session';
import type { SessionMeta, SessionPatch, SessionRecord, SessionStore } from './store';
import { storeCaller } from './store-call';

/**
 * How sessions are loaded and stored: chosen once, when the manager is created.
 * Two exist: an id cookie plus a server store, and the sealed cookie store. The
 * manager decides what to do (see `decisions.ts`); a strategy only carries it out.
 */
export interface SessionPersistence {
  /** A touch rewrites the cookie (the cookie store), so a read-only session cannot be touched. */
  readonly touchNeedsCookie: boolean;
  /** Opens the session the request's cookies name; `hadCookie` says whether one of ours was there at all. */
  load(cookieHeader: string | null | undefined): Promise<{ hadCookie: boolean; session?: OpenedSession | undefined }>;
  /** Carries out a commit plan and resolves the cookies to send. */
  commit(cookieHeader: string | null | undefined, plan: CommitPlan): Promise<OutgoingCookie[]>;
}

/** What a commit must do; every field the manager leaves out is not done. */
export interface CommitPlan {
  id: string;
  key: string;
  /** The record after the request (with its moved expiry). */
  record: SessionRecord;
  /** Write the record: the whole of it, or only `patch` when the store can merge partial writes. */
  save?: { patch: SessionPatch | undefined };
  /** Move only the expiry. */
  touch?: SessionMeta;
  /** Delete this stored record (destroyed, or emptied). */
  destroyKey?: string;
  /**
   * A regeneration: the whole record moves from this key to `key`, only while the
   * record under it is still live. When it is gone (revoked while the request ran),
   * nothing is written and the cookie is cleared instead of set.
   */
  rotateFrom?: string;
  /** Send the cookie: the browser must learn something new. */
  setCookie: boolean;
  /** Tell the browser to forget the cookie. */
  clearCookie: boolean;
  /** The Max-Age of the cookie when one is sent (`undefined`: a browser-session cookie). */
  cookieMaxAgeSeconds: number | undefined;
}

/** The id cookie (signed or sealed) plus a server-side store. */
export function serverStorePersistence(
  store: SessionStore,
  codec: IdCookieCodec,
  cookie: CookieStoreContext['cookie'],
  storeTimeoutMs: number,
): SessionPersistence {
  const call = storeCaller(store, storeTimeoutMs);
  /** The record a verified cookie names (no promise of its own beyond the store's). */
  const read = (opened: OpenedIdCookie | undefined): Promise<{ hadCookie: boolean; session?: OpenedSession | undefined }> => {
    if (opened === undefined) return Promise.resolve({ hadCookie: true });
    return call('get', () => store.get(opened.key)).then((record) => ({
      hadCookie: true,
      session: record === undefined ? undefined : { ...opened, record },
    }));
  };

  return {
    touchNeedsCookie: false,

    load(cookieHeader) {
      const value = readCookie(cookieHeader, cookie.name);
      if (value === undefined) return Promise.resolve({ hadCookie: false });
      const seen = codec.decodeSeen(value);
      if (seen === undefined) return codec.decode(value).then(read);
      return read(seen ?? undefined);
    },

    async commit(_cookieHeader, plan) {
      // Every write and the cookie encoding start together and are awaited together:
      // one round trip of latency, and no rejection is left without a handler.
      const pending: Promise<unknown>[] = [];
      const { key, record } = plan;
      let rotated: Promise<boolean> | undefined;
      if (plan.rotateFrom !== undefined) {
        const fromKey = plan.rotateFrom;
        rotated =
          store.rotate !== undefined ? call('rotate', () => store.rotate!(fromKey, key, record)) : rotateByReading(fromKey, key, record);
        pending.push(rotated);
      } else if (plan.save !== undefined) {
        const patch = plan.save.patch;
        pending.push(
          patch !== undefined && store.update !== undefined
            ? call('update', () => store.update!(key, patch))
            : call('set', () => store.set(key, record)),
        );
      } else if (plan.touch !== undefined) {
        const meta = plan.touch;
        pending.push(store.touch !== undefined ? call('touch', () => store.touch!(key, meta)) : call('set', () => store.set(key, record)));
      }
      if (plan.destroyKey !== undefined) {
        const dropKey = plan.destroyKey;
        pending.push(call('destroy', () => store.destroy(dropKey)));
      }
      const cookies: OutgoingCookie[] = [];
      if (plan.setCookie) {
        const maxAgeSeconds = plan.cookieMaxAgeSeconds;
        pending.push(codec.encode(plan.id).then((value) => cookies.push(outgoingCookie(cookie, value, maxAgeSeconds))));
      } else if (plan.clearCookie) {
        cookies.push(clearingCookie(cookie));
      }
      await Promise.all(pending);
      // The old record was revoked while this request ran: it stays revoked, and the browser signed out.
      if (rotated !== undefined && !(await rotated)) return [clearingCookie(cookie)];
      return cookies;
    },
  };

  /**
   * A rotation on a store without `rotate`: set and destroy only if the old record is
   * still there. A revocation landing between the read and the set still loses (a
   * narrower window than an unconditional set, not none); stores that can should
   * implement `rotate`.
   */
  async function rotateByReading(fromKey: string, toKey: string, record: SessionRecord): Promise<boolean> {
    if ((await call('get', () => store.get(fromKey))) === undefined) return false;
    await Promise.all([call('set', () => store.set(toKey, record)), call('destroy', () => store.destroy(fromKey))]);
    return true;
  }
}

/** The whole session sealed into the client's cookies. */
export function cookieStorePersistence(cookieStore: SealedCookieStore, ctx: CookieStoreContext): SessionPersistence {
  return {
    touchNeedsCookie: true,

    async load(cookieHeader) {
      return cookieStore.read(cookieHeader, ctx);
    },

    async commit(cookieHeader, plan) {
      // The data lives in the cookie: any save or touch re-seals it.
      if (plan.save !== undefined || plan.touch !== undefined || plan.setCookie) {
        return cookieStore.write(cookieHeader, { id: plan.id, record: plan.record, maxAgeSeconds: plan.cookieMaxAgeSeconds }, ctx);
      }
      if (plan.clearCookie || plan.destroyKey !== undefined) return cookieStore.clear(cookieHeader, ctx);
      return [];
    },
  };
}
