/**
 * Redis CPU per session write: the update script now against the one before this
 * change (issue 15, point 5), on a private redis-server.
 *
 * Method: the same records (written by the store), the same patch (one key set), sent
 * as EVALSHA in bursts of 20; `INFO commandstats` gives `usec_per_call` of EVALSHA
 * (time inside the script), `INFO cpu` the server process CPU per write (parsing and
 * networking included). Each variant alternates over 3 rounds to spread noise; the
 * medians are printed. Fixed counts. Run: `npx tsx bench/script-cpu.bench.ts [rev]`
 * in packages/store-redis (rev: the baseline commit, default 87e8662).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSessionId, storeKeyOf } from '@sess/core/store';
import { Redis } from 'ioredis';
// By path: @sess/test-kit depends on this package, so a dev dependency back would be a cycle.
import { startRedisServer } from '../../test-kit/src/redis/index';
import { createRedisStore } from '../src/index';
import { encodeMeta } from '../src/record';
import { type LuaScript, scriptSha, updateScript } from '../src/scripts';

const SESSIONS = 200;
const WRITES = 4000;
const BURST = 20;
const ROUNDS = 3;
const HOUR_MS = 3_600_000;

function manyKeys(count: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, 'x'.repeat(100)]));
}

const shapes: [string, Record<string, unknown>][] = [
  ['bench/ shape: { user, count }', { user: 'ann', count: 0 }],
  ['20 keys of 100 B', { ...manyKeys(20), count: 0 }],
  ['200 keys of 100 B', { ...manyKeys(200), count: 0 }],
];

async function baselineScript(rev: string): Promise<LuaScript> {
  const dir = mkdtempSync(join(tmpdir(), 'sess-bench-'));
  try {
    const file = join(dir, 'scripts.ts');
    writeFileSync(file, execFileSync('git', ['show', `${rev}:packages/store-redis/src/scripts.ts`], { encoding: 'utf8' }));
    const module = (await import(file)) as { updateScript: LuaScript };
    return { name: 'update (baseline)', lua: module.updateScript.lua };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(admin: Redis, script: LuaScript, keys: string[]) {
  const sha = await scriptSha(script);
  await admin.script('LOAD', script.lua);
  const before = await cpuUs(admin);
  await admin.config('RESETSTAT');
  const nowMs = Date.now();
  const meta = encodeMeta({ createdAtMs: nowMs, lastActiveAtMs: nowMs, expiresAtMs: nowMs + HOUR_MS, persistent: false });
  for (let i = 0; i < WRITES; i += BURST) {
    await Promise.all(
      Array.from({ length: BURST }, (_, j) =>
        admin.evalsha(sha, 1, keys[(i + j) % keys.length]!, String(nowMs + HOUR_MS), meta, '', '1048576', '1', 'count', String(i + j)),
      ),
    );
  }
  const stats = await admin.info('commandstats');
  const usecPerCall = Number(stats.match(/^cmdstat_evalsha:calls=\d+,usec=\d+,usec_per_call=([\d.]+)/m)?.[1]);
  const cpuPerWriteUs = ((await cpuUs(admin)) - before) / WRITES;
  return { usecPerCall, cpuPerWriteUs };
}

async function cpuUs(admin: Redis): Promise<number> {
  const text = await admin.info('cpu');
  const seconds = (name: string) => Number(text.match(new RegExp(`^${name}:([\\d.]+)`, 'm'))?.[1]);
  return (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1e6;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const rev = process.argv[2] ?? '87e8662';
  const baseline = await baselineScript(rev);
  const server = await startRedisServer();
  const admin = new Redis(server.url);
  const rows: string[] = [];
  try {
    const store = createRedisStore({ client: admin, prefix: 'bench:', onNotice: () => {} });
    for (const [label, data] of shapes) {
      const keys = await Promise.all(Array.from({ length: SESSIONS }, () => storeKeyOf(generateSessionId())));
      const nowMs = Date.now();
      await Promise.all(
        keys.map((key) =>
          store.set(key, { createdAtMs: nowMs, lastActiveAtMs: nowMs, expiresAtMs: nowMs + HOUR_MS, persistent: false, data }),
        ),
      );
      const results = {
        before: [] as { usecPerCall: number; cpuPerWriteUs: number }[],
        after: [] as { usecPerCall: number; cpuPerWriteUs: number }[],
      };
      for (let round = 0; round < ROUNDS; round++) {
        results.before.push(
          await measure(
            admin,
            baseline,
            keys.map((k) => `bench:${k}`),
          ),
        );
        results.after.push(
          await measure(
            admin,
            updateScript,
            keys.map((k) => `bench:${k}`),
          ),
        );
      }
      const cell = (list: { usecPerCall: number; cpuPerWriteUs: number }[]) =>
        `${median(list.map((r) => r.usecPerCall)).toFixed(2)} | ${median(list.map((r) => r.cpuPerWriteUs)).toFixed(1)}`;
      rows.push(`| ${label} | ${cell(results.before)} | ${cell(results.after)} |`);
      await store.clear();
    }
  } finally {
    await admin.quit();
    await server.dispose();
  }
  const version = execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).trim();
  console.log(`${version}; ${WRITES} writes per measurement, bursts of ${BURST}, median of ${ROUNDS} rounds; baseline ${rev}\n`);
  console.log(
    '| record | before: EVALSHA usec_per_call | before: Redis CPU µs / write | after: EVALSHA usec_per_call | after: Redis CPU µs / write |',
  );
  console.log('|---|---|---|---|---|');
  for (const row of rows) console.log(row);
}

await main();
