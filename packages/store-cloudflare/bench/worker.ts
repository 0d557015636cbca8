/*
 * The bench Worker (bench/latency.bench.ts): times each store operation inside workerd,
 * and counts what it costs. `CountingSessionObject` counts requests to objects, SQL
 * statements and alarm writes; the worker and its objects share one isolate in workerd
 * run locally, so one set of counters sees both.
 */
import { generateSessionId, type SessionRecord, type SessionStore, storeKeyOf } from '@sess/core/store';
import { createDurableObjectStore, type DurableObjectNamespaceLike, SessionObject, type SessionObjectState } from '../src/index';

const counts = { objectRequests: 0, sqlStatements: 0, alarmWrites: 0 };

export class CountingSessionObject extends SessionObject {
  constructor(ctx: SessionObjectState, env: Record<string, unknown>) {
    const { storage } = ctx;
    let constructed = false;
    super(
      {
        id: ctx.id,
        blockConcurrencyWhile: (fn) => ctx.blockConcurrencyWhile(fn),
        storage: {
          sql: {
            exec: (query, ...bindings) => {
              // The schema statement runs once per object instance, not per operation.
              if (constructed) counts.sqlStatements++;
              return storage.sql.exec(query, ...bindings);
            },
          },
          transactionSync: (fn) => storage.transactionSync(fn),
          setAlarm: (ms) => {
            counts.alarmWrites++;
            return storage.setAlarm(ms);
          },
        },
      },
      env,
    );
    constructed = true;
  }

  override fetch(request: Request): Promise<Response> {
    counts.objectRequests++;
    return super.fetch(request);
  }
}

const ITERATIONS = 200;
const WARMUP = 20;
const HOUR_MS = 3_600_000;
const newKey = () => storeKeyOf(generateSessionId());
const record = (overrides: Partial<SessionRecord> = {}): SessionRecord => {
  const nowMs = Date.now();
  return {
    createdAtMs: nowMs,
    lastActiveAtMs: nowMs,
    expiresAtMs: nowMs + HOUR_MS,
    persistent: false,
    data: { user: { id: 42, name: 'Ann' }, cart: [1, 2, 3] },
    ...overrides,
  };
};
const metaOf = ({ data: _data, ...meta }: SessionRecord) => meta;

/** One row: `prepare` runs untimed before each call, `run` is timed. */
interface Case {
  name: string;
  prepare: () => Promise<unknown>;
  run: (prepared: never) => Promise<unknown>;
}

function cases(store: SessionStore): Case[] {
  const live = async (userId?: string) => {
    const key = newKey();
    await store.set(key, record(userId === undefined ? {} : { userId }));
    return key;
  };
  const user = async (sessions: number) => {
    const userId = `user-${generateSessionId().slice(0, 12)}`;
    for (let i = 0; i < sessions; i++) await live(userId);
    return userId;
  };
  return [
    { name: 'load: get of a live session', prepare: () => live(), run: (key: string) => store.get(key) },
    { name: 'load: get of an unknown key', prepare: async () => newKey(), run: (key: string) => store.get(key) },
    { name: 'commit: set of a new session', prepare: async () => newKey(), run: (key: string) => store.set(key, record()) },
    {
      name: 'commit: update, one key changed',
      prepare: () => live(),
      run: (key: string) => store.update!(key, { set: { n: 1 }, removed: [], meta: metaOf(record()) }),
    },
    { name: 'commit: touch (expiry only)', prepare: () => live(), run: (key: string) => store.touch!(key, metaOf(record())) },
    {
      name: 'commit: update that signs in (assigns a user)',
      prepare: () => live(),
      run: (key: string) => store.update!(key, { set: { n: 1 }, removed: [], meta: metaOf(record({ userId: `user-${key}` })) }),
    },
    { name: 'destroy', prepare: () => live(), run: (key: string) => store.destroy(key) },
    { name: 'rotate, anonymous', prepare: () => live(), run: (key: string) => store.rotate!(key, newKey(), record()) },
    {
      name: 'rotate, signed in',
      prepare: async () => {
        const userId = `user-${generateSessionId().slice(0, 12)}`;
        return [await live(userId), userId];
      },
      run: ([key, userId]: [string, string]) => store.rotate!(key, newKey(), record({ userId })),
    },
    { name: 'listByUser, 3 sessions', prepare: () => user(3), run: (userId: string) => store.listByUser!(userId) },
    { name: 'destroyByUser, 3 sessions', prepare: () => user(3), run: (userId: string) => store.destroyByUser!(userId) },
  ];
}

export interface BenchRow {
  name: string;
  meanMs: number;
  objectRequests: number;
  sqlStatements: number;
  alarmWrites: number;
}

async function measure(item: Case): Promise<BenchRow> {
  for (let i = 0; i < WARMUP; i++) await item.run((await item.prepare()) as never);
  let elapsedMs = 0;
  const totals = { objectRequests: 0, sqlStatements: 0, alarmWrites: 0 };
  for (let i = 0; i < ITERATIONS; i++) {
    const prepared = (await item.prepare()) as never;
    Object.assign(counts, { objectRequests: 0, sqlStatements: 0, alarmWrites: 0 });
    const startedMs = performance.now();
    await item.run(prepared);
    elapsedMs += performance.now() - startedMs;
    for (const name of Object.keys(totals) as (keyof typeof totals)[]) totals[name] += counts[name];
  }
  const per = (total: number) => Math.round((total / ITERATIONS) * 100) / 100;
  return {
    name: item.name,
    meanMs: Math.round((elapsedMs / ITERATIONS) * 1000) / 1000,
    objectRequests: per(totals.objectRequests),
    sqlStatements: per(totals.sqlStatements),
    alarmWrites: per(totals.alarmWrites),
  };
}

export default {
  async fetch(_request: Request, env: { SESSIONS: DurableObjectNamespaceLike }): Promise<Response> {
    const rows: BenchRow[] = [];
    for (const item of cases(createDurableObjectStore(env.SESSIONS))) rows.push(await measure(item));
    return Response.json({ iterations: ITERATIONS, warmup: WARMUP, rows });
  },
};
