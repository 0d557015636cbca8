/**
 * Issue 14, point 19: a master that hangs (SIGSTOP) instead of crashing, with a real
 * Sentinel and a real Cluster with replicas, while writers commit sequentially to a few
 * sessions. With the README's client settings no acknowledged increment is lost or rolled
 * back: each session's counter ends at least at the number of acknowledged increments.
 * Bounded: a fixed time window on loopback, at most MAX_WRITES writes.
 */
import type { SessionMeta } from '@sess/core/store';
import { Cluster, Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
// By path: @sess/test-kit depends on this package, so a dev dependency back would be a cycle.
import { type RedisCluster, type RedisServer, startRedisCluster, startRedisServer } from '../../test-kit/src/redis/index';
import { createRedisStore, type RedisClientLike, type RedisStore } from './redis-store';

const SESSIONS = 6;
const MAX_WRITES = 100_000;
const HANG_AFTER_MS = 1000;
const HANG_FOR_MS = 6000;
const WRITE_FOR_MS = 10_000;
const HOUR_MS = 3_600_000;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await pause(100);
  }
}

function meta(): SessionMeta {
  const nowMs = Date.now();
  return { createdAtMs: nowMs, lastActiveAtMs: nowMs, expiresAtMs: nowMs + HOUR_MS, persistent: false };
}

/**
 * Writers increment a counter in their own session, one read and one write at a time,
 * as a request does, while `hang` freezes a master. Resolves, per session, how many
 * increments were acknowledged and what the counter holds afterwards: a lost or
 * rolled-back write leaves the counter below the acknowledged count.
 */
async function incrementThroughHang(
  store: RedisStore<RedisClientLike>,
  keys: readonly string[],
  hang: { stop(): void; resume(): void },
): Promise<{ acked: number[]; stored: number[]; failed: number; ackedAfterResume: number }> {
  for (const key of keys) await store.set(key, { ...meta(), data: { n: 0 } });
  const acked = keys.map(() => 0);
  let failed = 0;
  let writes = 0;
  let ackedAfterResume = 0;
  let resumed = false;
  const startedMs = Date.now();
  const timers = [
    setTimeout(() => hang.stop(), HANG_AFTER_MS),
    setTimeout(() => {
      hang.resume();
      resumed = true;
    }, HANG_AFTER_MS + HANG_FOR_MS),
  ];
  await Promise.all(
    keys.map(async (key, i) => {
      while (Date.now() - startedMs < WRITE_FOR_MS && writes < MAX_WRITES) {
        writes++;
        try {
          const current = await store.get(key);
          if (current === undefined) throw new Error('the session is gone');
          await store.update(key, { set: { n: Number(current.data.n) + 1 }, removed: [], meta: meta() });
          acked[i]!++;
          if (resumed) ackedAfterResume++;
          await pause(2); // a steady load, not a flood: the bound on writes holds on a slow box
        } catch {
          failed++;
          await pause(20);
        }
      }
    }),
  );
  for (const timer of timers) clearTimeout(timer);
  hang.resume();
  await pause(1500); // let a demoted master resync and any late command land
  const stored = await Promise.all(keys.map(async (key) => Number((await store.get(key))?.data.n ?? -1)));
  return { acked, stored, failed, ackedAfterResume };
}

function expectNothingLost(result: { acked: number[]; stored: number[]; failed: number; ackedAfterResume: number }): void {
  if (process.env.SESS_FAILOVER_DEBUG) console.log(JSON.stringify(result));
  // Replication is asynchronous: the one write a master acknowledged just before it froze may not
  // have reached its replica. That is Redis's own window (at most one per session here, since each
  // writer waits for its acknowledgement); the bugs this test guards against lose hundreds.
  const lost = result.acked.map((n, i) => (n - result.stored[i]! > 1 ? n - result.stored[i]! : 0));
  expect({ lost, failedDuringHang: result.failed > 0, recovered: result.ackedAfterResume > 0 }).toEqual({
    lost: result.acked.map(() => 0),
    failedDuringHang: true,
    recovered: true,
  });
}

describe('a Sentinel master that hangs, ioredis with failoverDetector', () => {
  const servers: RedisServer[] = [];
  let client: Redis | undefined;
  afterAll(async () => {
    client?.disconnect();
    await Promise.all(servers.map((server) => server.dispose()));
  });

  it('loses no acknowledged write and fails over to the replica', { timeout: 60_000 }, async () => {
    // Replicas sync at once (the default waits 5 s for more replicas to share one transfer).
    const master = await startRedisServer(['--repl-diskless-sync-delay', '0']);
    const replica = await startRedisServer(['--replicaof', '127.0.0.1', String(master.port)]);
    servers.push(master, replica);
    const sentinel = await startRedisServer(
      [],
      undefined,
      [
        `sentinel monitor sess 127.0.0.1 ${master.port} 1`,
        'sentinel down-after-milliseconds sess 1000',
        'sentinel failover-timeout sess 3000',
      ].join('\n'),
    );
    servers.push(sentinel);
    const admin = new Redis(sentinel.url);
    const replicaAdmin = new Redis(replica.url);
    try {
      await until(async () => (await replicaAdmin.info('replication')).includes('master_link_status:up'), 15_000, 'the replica syncing');
      await until(
        async () => ((await admin.call('SENTINEL', 'REPLICAS', 'sess')) as unknown[]).length === 1,
        15_000,
        'Sentinel seeing the replica',
      );
      client = new Redis({
        sentinels: [{ host: '127.0.0.1', port: sentinel.port }],
        name: 'sess',
        failoverDetector: true,
        autoResendUnfulfilledCommands: false,
        retryStrategy: () => 100,
      });
      client.on('error', () => {});
      const store = createRedisStore({ client, prefix: 'failover:', operationTimeoutMs: 1000, onNotice: () => {} });
      const keys = Array.from({ length: SESSIONS }, (_, i) => `sentinel-${i}`);
      const result = await incrementThroughHang(store, keys, {
        stop: () => master.signal('SIGSTOP'),
        resume: () => master.signal('SIGCONT'),
      });
      const [, port] = (await admin.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'sess')) as [string, string];
      expect(Number(port)).toBe(replica.port);
      expectNothingLost(result);
    } finally {
      admin.disconnect();
      replicaAdmin.disconnect();
    }
  });
});

describe('a Cluster master that hangs, ioredis with retryDelayOnFailover: 0 and no resending', () => {
  let cluster: RedisCluster | undefined;
  let client: Cluster | undefined;
  afterAll(async () => {
    client?.disconnect();
    await cluster?.stop();
  });

  it('loses no acknowledged write and promotes the replica', { timeout: 60_000 }, async () => {
    // As the README recommends: a master that lost its replica (the frozen one, once it thaws) refuses writes.
    cluster = await startRedisCluster({
      replicasPerMaster: 1,
      nodeTimeoutMs: 1000,
      serverArgs: ['--min-replicas-to-write', '1', '--min-replicas-max-lag', '2'],
    });
    client = new Cluster(
      cluster.ports.slice(0, 3).map((port) => ({ host: '127.0.0.1', port })),
      { retryDelayOnFailover: 0, redisOptions: { autoResendUnfulfilledCommands: false } },
    );
    client.on('error', () => {});
    const store = createRedisStore({ client, prefix: 'failover:', operationTimeoutMs: 1000, onNotice: () => {} });
    const keys = Array.from({ length: SESSIONS }, (_, i) => `cluster-${i}`);
    await store.set(keys[0]!, { ...meta(), data: {} });
    // The master of the first session's slot is the one that hangs.
    const slot = Number(await client.cluster('KEYSLOT', `failover:${keys[0]}`));
    const masterOf = async () => (await client!.cluster('SLOTS')).find(([from, to]) => slot >= from && slot <= to)![2]![1];
    const masterPort = await masterOf();
    const master = cluster.nodes.find((node) => node.port === masterPort)!;
    const result = await incrementThroughHang(store, keys, {
      stop: () => master.signal('SIGSTOP'),
      resume: () => master.signal('SIGCONT'),
    });
    expect(await masterOf()).not.toBe(masterPort);
    expectNothingLost(result);
  });
});
