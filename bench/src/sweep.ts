/**
 * Session size: what a session costs at rest in Redis and per request as it grows,
 * for @sess and for express-session + connect-redis, both on Express 5 against one
 * private redis-server. Writes its part of RESULTS.md (between its own markers) and
 * results/sweep.json.
 *
 * At rest: `MEMORY USAGE` and `OBJECT ENCODING` of the key each library writes for the
 * same session, created through its server's login. Per request: req/s and server CPU
 * on the read and write routes, for 1, 10 and 100 extra keys of 100 B, 10 KB and 100 KB,
 * interleaved over rounds. Bounded: 2 rounds × 9 sizes × 2 libraries × 2 routes ×
 * (0.5 + 2) s, about 3 minutes; BENCH_QUICK=1 one round.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { login } from './client';
import { load, ROUTES, type Route, type ServerProcess, startServerProcess, timedLoad } from './harness';
import { median } from './measure';
import { startPrivateRedis } from './redis';
import { writeResults } from './report';
import type { ServerName } from './servers';

const quick = process.env.BENCH_QUICK === '1';
const ROUNDS = quick ? 1 : 2;
const WINDOW_SECONDS = 2;
const WARMUP_SECONDS = 0.5;
const CONNECTIONS = 10;
/** Requests per window for sessions of 1 MB and more (10 MB ones take about 50 ms each). */
const HUGE_REQUESTS = 40;
const LIBRARIES: readonly ServerName[] = ['express+@sess/redis', 'express-session+connect-redis'];
/** The sessions measured at rest only: the issue's one-key session, and ten short values. */
const AT_REST_ONLY = [
  { shape: 'user-only', label: '`user` only' },
  { shape: '10x16', label: '`user`, `count` + 10 keys of 16 B' },
];
const SIZES = [1, 10, 100].flatMap((keys) => [100, 10_000, 100_000].map((bytes) => ({ keys, bytes })));
const shapeOf = (size: { keys: number; bytes: number }) => `${size.keys}x${size.bytes}`;
const sizeLabel = (size: { keys: number; bytes: number }) =>
  `${size.keys} × ${size.bytes >= 1000 ? `${size.bytes / 1000} KB` : `${size.bytes} B`}`;
const benchDir = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

interface AtRest {
  shape: string;
  library: ServerName;
  bytes: number;
  encoding: string;
}

interface SweepWindow {
  shape: string;
  library: ServerName;
  route: Route;
  round: number;
  requestsPerSecond: number;
  cpuPerRequestUs: number;
}

async function main(): Promise<void> {
  const startedMs = Date.now();
  const redis = await startPrivateRedis();
  const admin = new Redis(redis.url);
  const atRest: AtRest[] = [];
  const windows: SweepWindow[] = [];
  const servers = new Map<string, ServerProcess>();
  try {
    for (const { shape } of [...AT_REST_ONLY, ...SIZES.map((size) => ({ shape: shapeOf(size) }))]) {
      for (const library of LIBRARIES) {
        const server = await startServerProcess(library, redis.url, { env: { BENCH_SESSION_SHAPE: shape } });
        servers.set(`${shape} ${library}`, server);
        atRest.push({ shape, library, ...(await storedBy(admin, server)) });
      }
    }
    for (const entry of atRest)
      process.stdout.write(`${entry.shape.padEnd(10)} ${entry.library.padEnd(32)} ${entry.bytes} B ${entry.encoding}\n`);

    for (let round = 0; round < ROUNDS; round++) {
      for (const size of round % 2 === 0 ? SIZES : [...SIZES].reverse()) {
        const shape = shapeOf(size);
        for (const library of round % 2 === 0 ? LIBRARIES : [...LIBRARIES].reverse()) {
          const server = servers.get(`${shape} ${library}`)!;
          for (const route of ROUTES) {
            const cookie = await login(server.port);
            // A session of 1 MB or more takes milliseconds per request: a fixed count of them
            // on fewer connections, instead of a window that would hold a handful.
            const huge = size.keys * size.bytes >= 1_000_000;
            const base = { port: server.port, route, cookie, connections: huge ? 2 : CONNECTIONS };
            await load({ ...base, durationSeconds: WARMUP_SECONDS, ...(huge && { amount: 4 }) });
            const result = await timedLoad(server, { ...base, durationSeconds: WINDOW_SECONDS, ...(huge && { amount: HUGE_REQUESTS }) });
            if (result.failures > 0) throw new Error(`${library} ${shape} ${route}: ${result.failures} failed requests`);
            const window = {
              shape,
              library,
              route,
              round,
              requestsPerSecond: result.requestsPerSecond,
              cpuPerRequestUs: result.cpuPerRequestUs,
            };
            windows.push(window);
            process.stdout.write(
              `round ${round + 1} ${shape.padEnd(10)} ${library.padEnd(32)} ${route.padEnd(5)} ${Math.round(window.requestsPerSecond)} req/s ${Math.round(window.cpuPerRequestUs)} µs CPU/req\n`,
            );
          }
        }
      }
    }
  } finally {
    for (const server of servers.values()) await server.close().catch(() => {});
    admin.disconnect();
    await redis.stop();
  }
  const data = { date: new Date().toISOString(), rounds: ROUNDS, quick, atRest, windows, durationSeconds: (Date.now() - startedMs) / 1000 };
  mkdirSync(benchDir('results'), { recursive: true });
  writeFileSync(benchDir('results/sweep.json'), `${JSON.stringify(data, null, 2)}\n`);
  const path = benchDir(quick ? 'results/RESULTS.quick.md' : 'RESULTS.md');
  writeResults(path, render(data), 'sweep');
  process.stdout.write(`Wrote ${path} (${Math.round(data.durationSeconds)} s).\n`);
}

/** Logs in and finds the one key the login added, with its size and encoding. */
async function storedBy(admin: Redis, server: ServerProcess): Promise<{ bytes: number; encoding: string }> {
  const before = new Set(await admin.keys('*'));
  await login(server.port);
  const added = (await admin.keys('*')).filter((key) => !before.has(key));
  if (added.length !== 1) throw new Error(`${server.name}: the login added ${added.length} keys, not 1`);
  const key = added[0]!;
  const bytes = Number(await admin.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
  return { bytes, encoding: String(await admin.object('ENCODING', key)) };
}

function render(data: {
  date: string;
  rounds: number;
  quick: boolean;
  atRest: AtRest[];
  windows: SweepWindow[];
  durationSeconds: number;
}): string {
  const [ours, theirs] = LIBRARIES as [ServerName, ServerName];
  const rest = (shape: string, library: ServerName) => data.atRest.find((r) => r.shape === shape && r.library === library)!;
  const summary = (shape: string, library: ServerName, route: Route) => {
    const picked = data.windows.filter((w) => w.shape === shape && w.library === library && w.route === route);
    return { rps: median(picked.map((w) => w.requestsPerSecond)), cpu: median(picked.map((w) => w.cpuPerRequestUs)) };
  };
  const int = (n: number) => Math.round(n).toLocaleString('en-US');
  const lines = [
    `Measured ${data.date.replace(/\.\d+Z$/, 'Z')} in ${Math.round(data.durationSeconds)} s by \`npx -y pnpm@10 --filter @sess/bench sweep\`${data.quick ? ' (**BENCH_QUICK smoke run: not for conclusions**)' : ''}: Express 5, ${ours} against ${theirs}, one private redis-server; req/s and server CPU per request are medians of ${data.rounds} interleaved round(s) of ${WINDOW_SECONDS} s windows at ${CONNECTIONS} connections (sessions of 1 MB and more: ${HUGE_REQUESTS} requests on 2 connections, req/s as 2 connections over the mean latency). @sess runs with \`maxSizeBytes\` raised to 16 MiB and its time bounds to 30 s for this sweep only: by default it refuses sessions over 1 MiB (a 413), and a 10 MB session does not load in 2 s under load.`,
    '',
    '#### Bytes at rest',
    '',
    "Redis `MEMORY USAGE` (key, value, expiry and allocator overhead) of the one key each library writes for the same session, created by its server's login. Sizes are the extra keys besides `user` and `count`.",
    '',
    `| session | ${ours} | encoding | ${theirs} | encoding | ours / theirs |`,
    '|---|--:|---|--:|---|--:|',
  ];
  for (const { shape, label } of [...AT_REST_ONLY, ...SIZES.map((size) => ({ shape: shapeOf(size), label: sizeLabel(size) }))]) {
    const a = rest(shape, ours);
    const b = rest(shape, theirs);
    lines.push(`| ${label} | ${int(a.bytes)} | ${a.encoding} | ${int(b.bytes)} | ${b.encoding} | ${(a.bytes / b.bytes).toFixed(2)} |`);
  }
  lines.push(
    '',
    '#### Cost per request as the session grows',
    '',
    `| extra keys × value | route | ${ours} req/s | CPU µs/req | ${theirs} req/s | CPU µs/req | req/s ours / theirs |`,
    '|---|---|--:|--:|--:|--:|--:|',
  );
  for (const size of SIZES) {
    for (const route of ROUTES) {
      const a = summary(shapeOf(size), ours, route);
      const b = summary(shapeOf(size), theirs, route);
      lines.push(
        `| ${sizeLabel(size)} | ${route} | ${int(a.rps)} | ${int(a.cpu)} | ${int(b.rps)} | ${int(b.cpu)} | ${(a.rps / b.rps).toFixed(2)}× |`,
      );
    }
  }
  return lines.join('\n');
}

await main();
