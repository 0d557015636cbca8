/*
 * The Worker the tests run in workerd (src/workerd.test.ts): `/run` runs the store
 * conformance suite and the cases only Durable Objects have inside one request; the other
 * routes are one store call each, for the cases that span many requests of one isolate.
 */
import { env as moduleEnv } from 'cloudflare:workers';
import { generateSessionId, type SessionMeta, type SessionRecord, storeKeyOf } from '@sess/core/store';
import { describeStoreConformance } from '@sess/core/testing';
import { createDurableObjectStore, type DurableObjectNamespaceLike, SessionObject, type SessionObjectState } from '@sess/store-cloudflare';
import { describe, expect, it } from 'vitest';
import { runCollected } from '../../test-kit/src/runtimes/vitest-host';

interface Env {
  SESSIONS: DurableObjectNamespaceLike;
}

type InspectedStorage = SessionObjectState['storage'] & { getAlarm(): Promise<number | null> };

/**
 * `SessionObject` with one extra route, `GET`, that tells what its storage holds without
 * reading it through the store; and a rotation's write of a record holding `slow` waits
 * first, to hold a rotation open while another call arrives.
 */
export class TestSessionObject extends SessionObject {
  readonly #storage: InspectedStorage;

  constructor(ctx: SessionObjectState, env: Record<string, unknown>) {
    super(ctx, env);
    this.#storage = ctx.storage as InspectedStorage;
  }

  override async fetch(request: Request): Promise<Response> {
    if (request.method !== 'GET') {
      const call = (await request.clone().json()) as { op: string; indexed?: boolean; entries?: [string, string][] };
      if (call.op === 'set' && call.indexed && call.entries?.some(([name]) => name === 'slow')) await sleep(ROTATION_DELAY_MS);
      return super.fetch(request);
    }
    const query = (sql: string) => this.#storage.sql.exec(sql).toArray();
    const tables = query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'").length;
    const rows = (table: string) => (tables === 0 ? 0 : Number(query(`SELECT COUNT(*) AS n FROM ${table}`)[0]?.n));
    return Response.json({
      tables,
      metaRows: rows('session_meta'),
      entryRows: rows('session_entry'),
      alarmAtMs: await this.#storage.getAlarm(),
    });
  }
}

/** What the object of a store key holds, read straight from its storage. */
async function storageOf(
  namespace: DurableObjectNamespaceLike,
  key: string,
): Promise<{ tables: number; metaRows: number; entryRows: number; alarmAtMs: number | null }> {
  const response = await namespace.get(namespace.idFromName(`s:${key}`)).fetch('https://inspect/', { method: 'GET' });
  return response.json();
}

const HOUR_MS = 3_600_000;
const ROTATION_DELAY_MS = 150;
const newKey = () => storeKeyOf(generateSessionId());
const newUserId = () => `user-${generateSessionId().slice(0, 12)}`;
function record(overrides: Partial<SessionRecord> = {}): SessionRecord {
  const nowMs = Date.now();
  return { createdAtMs: nowMs, lastActiveAtMs: nowMs, expiresAtMs: nowMs + HOUR_MS, persistent: false, data: {}, ...overrides };
}
const metaOf = ({ data: _data, ...meta }: SessionRecord): SessionMeta => meta;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function describeSuite(env: Env): void {
  const store = createDurableObjectStore(env.SESSIONS);
  describeStoreConformance('Durable Objects, SQLite [workerd]', {
    createStore: () => store,
    createSizeLimitedStore: ({ maxSizeBytes }) => createDurableObjectStore(env.SESSIONS, { maxSizeBytes }),
  });

  describe('Durable Objects, SQLite [workerd]: storage and races', () => {
    it('removes an expired record from storage by its alarm, with no read to prune it', async () => {
      const key = newKey();
      await store.set(key, record({ data: { a: 1, b: 2 }, expiresAtMs: Date.now() + 300 }));
      expect(await storageOf(env.SESSIONS, key)).toMatchObject({ metaRows: 1, entryRows: 2 });
      await expect
        .poll(() => storageOf(env.SESSIONS, key), { timeout: 4_000, interval: 100 })
        .toEqual({ tables: 3, metaRows: 0, entryRows: 0, alarmAtMs: null });
    });

    it('leaves no storage behind for a read, touch, update or destroy of a key it never saw', async () => {
      const key = newKey();
      const meta = metaOf(record({ userId: newUserId() }));
      expect(await store.get(key)).toBeUndefined();
      await store.touch!(key, meta);
      await store.update!(key, { set: { a: 1 }, removed: [], meta });
      await store.destroy(key);
      expect(await store.destroyByUser!(newUserId())).toBe(0);
      expect(await storageOf(env.SESSIONS, key)).toEqual({ tables: 0, metaRows: 0, entryRows: 0, alarmAtMs: null });
    });

    it('moves the alarm on when the record outlived its first deadline, and keeps the record', async () => {
      const key = newKey();
      await store.set(key, record({ data: { a: 1 }, expiresAtMs: Date.now() + 300 }));
      const later = Date.now() + HOUR_MS;
      await store.touch!(key, metaOf(record({ expiresAtMs: later })));
      await expect.poll(async () => (await storageOf(env.SESSIONS, key)).alarmAtMs, { timeout: 4_000, interval: 100 }).toBe(later);
      expect((await store.get(key))?.data).toEqual({ a: 1 });
    });

    it('never revives a session when destroyByUser races updates and touches of it (20 rounds)', async () => {
      for (let round = 0; round < 20; round++) {
        const userId = newUserId();
        const key = newKey();
        await store.set(key, record({ data: { round }, userId }));
        const meta = metaOf(record({ userId }));
        const writes = () => [store.update!(key, { set: { late: true }, removed: [], meta }), store.touch!(key, meta)];
        // Alternate which is issued first: either order must end with the session gone.
        const destroyed =
          round % 2 === 0
            ? (await Promise.all([store.destroyByUser!(userId), ...writes()]))[0]
            : (await Promise.all([...writes(), store.destroyByUser!(userId)]))[2];
        expect(destroyed).toBe(1);
        expect(await store.get(key)).toBeUndefined();
        expect(await store.listByUser!(userId)).toEqual([]);
      }
    });

    it('never lists a destroyed session again while writes and listings race the destroy (20 rounds)', async () => {
      for (let round = 0; round < 20; round++) {
        const userId = newUserId();
        const [kept, destroyed] = [newKey(), newKey()];
        await store.set(kept, record({ userId }));
        await store.set(destroyed, record({ userId }));
        const meta = metaOf(record({ userId }));
        await Promise.all([
          store.listByUser!(userId),
          store.update!(destroyed, { set: { a: round }, removed: [], meta }),
          store.destroy(destroyed),
          store.touch!(destroyed, meta),
          store.listByUser!(userId),
        ]);
        expect((await store.listByUser!(userId)).map((session) => session.key)).toEqual([kept]);
      }
    });

    it('lets no sign-out everywhere land inside a rotation: the new key is destroyed with the rest', async () => {
      const userId = newUserId();
      const [from, to, other] = [newKey(), newKey(), newKey()];
      await store.set(from, record({ userId }));
      await store.set(other, record({ userId }));
      const rotated = store.rotate!(from, to, record({ data: { slow: true }, userId }));
      await sleep(ROTATION_DELAY_MS / 3);
      const destroyed = await store.destroyByUser!(userId);
      // Usually the rotation is inside its write by now; on a loaded machine the sign-out may come first: both must sign out.
      await rotated;
      expect(destroyed).toBe(2);
      expect(await store.get(to)).toBeUndefined();
      expect(await store.listByUser!(userId)).toEqual([]);
    });

    it('lists a session assigned to a user by 10 concurrent writes once, with the latest metadata', async () => {
      const userId = newUserId();
      const key = newKey();
      await store.set(key, record());
      const metas = Array.from({ length: 10 }, (_, i) => metaOf(record({ userId, lastActiveAtMs: Date.now() + i })));
      await Promise.all(metas.map((meta, i) => store.update!(key, { set: { [`k${i}`]: i }, removed: [], meta })));
      const listed = await store.listByUser!(userId);
      expect(listed.map((session) => session.key)).toEqual([key]);
      expect(listed[0]?.lastActiveAtMs).toBe((await store.get(key))?.lastActiveAtMs);
    });
  });
}

// Built once per isolate from the module's env: the store keeps the binding, never a stub.
const moduleStore = createDurableObjectStore(moduleEnv.SESSIONS as DurableObjectNamespaceLike);
let collected = false;

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const key = url.searchParams.get('key') ?? '';
    switch (url.pathname) {
      case '/run':
        // workerd allows timers, random values and I/O only inside a request: collect there, once.
        if (!collected) {
          collected = true;
          describeSuite(env);
        }
        return Response.json(await runCollected());
      case '/count': {
        // `via=request`: a store made from this request's env; else the module's.
        const store = url.searchParams.get('via') === 'request' ? createDurableObjectStore(env.SESSIONS) : moduleStore;
        const count = Number((await store.get(key))?.data.count ?? 0) + 1;
        await store.set(key, record({ data: { count } }));
        return Response.json({ count });
      }
      case '/patch': {
        const i = url.searchParams.get('i');
        await moduleStore.update!(key, { set: { [`key${i}`]: Number(i) }, removed: [], meta: metaOf(record()) });
        return new Response(null, { status: 204 });
      }
      case '/get':
        return Response.json((await moduleStore.get(key)) ?? null);
      case '/key':
        return Response.json(newKey());
      default:
        return new Response('not found', { status: 404 });
    }
  },
};
