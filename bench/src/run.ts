/**
 * The HTTP session benchmark: every server of servers.ts, side by side in one run,
 * interleaved and repeated. Writes RESULTS.md (or results/RESULTS.quick.md with
 * BENCH_QUICK=1: one round of 2 s windows, a smoke run) and results/last-run.json;
 * BENCH_RENDER=1 only rewrites the report from that JSON.
 * BENCH_BASELINE=<git ref> also runs that commit's @sess servers as "(before)" rows
 * (see baseline.ts). Bounded: 5 rounds of about 20 servers × 2 routes × (1 + 3) s,
 * about 15 minutes (a few more with a baseline); a quick run about 2.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, type } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
// MONITOR slows Redis down: it counts only outside the timed windows.
import { type CommandStats, commandStats as monitorCommands, totalCommands } from '../../packages/test-kit/src/redis/index';
import { BASELINE_SERVERS, baselineLabel, prepareBaselines } from './baseline';
import { call, checkServer, login } from './client';
import { load, ROUTES, type Route, type ServerProcess, startServerProcess, timedLoad } from './harness';
import type { CommandProbe, MachineInfo, RunData, RunSettings, WindowResult } from './measure';
import { commandStats, redisCpuUs, startPrivateRedis } from './redis';
import { renderResults, writeResults } from './report';
import { SERVER_SPECS, specOf } from './servers';

const quick = process.env.BENCH_QUICK === '1';
const baselines = prepareBaselines(process.env.BENCH_BASELINE ?? '');
const settings: RunSettings = {
  baselines: baselines.map((baseline) => baseline.commit),
  rounds: quick ? 1 : 5,
  windowSeconds: quick ? 2 : 3,
  warmupSeconds: 1,
  connections: 10,
  probeRequests: 50,
  quick,
};
const ROUTE_CALL = { read: ['GET', '/read'], write: ['POST', '/write'] } as const;
const benchDir = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

function log(message: string): void {
  process.stdout.write(`${message}\n`);
}

async function main(): Promise<void> {
  const startedMs = Date.now();
  const loadBefore = loadavg();
  const redis = await startPrivateRedis();
  const admin = new Redis(redis.url);
  const servers: ServerProcess[] = [];
  const windows: WindowResult[] = [];
  const probes: CommandProbe[] = [];
  const roundLoads: number[] = [];
  try {
    for (const spec of SERVER_SPECS) servers.push(await startServerProcess(spec.name, redis.url));
    for (const baseline of baselines) {
      for (const name of BASELINE_SERVERS) {
        servers.push(await startServerProcess(name, redis.url, { sourceRoot: baseline.root, label: baselineLabel(name, baseline.commit) }));
      }
    }
    for (const server of servers) await checkServer(specOf(server.name), server.port);
    log(`${servers.length} servers up and checked; Redis on port ${redis.port}.`);

    const monitor = await monitorCommands(redis.port);
    try {
      for (const server of servers) {
        for (const route of routesOf(server)) probes.push(await probe(server, route, monitor));
      }
    } finally {
      await monitor.close();
    }

    for (let round = 0; round < settings.rounds; round++) {
      // Rotating the order spreads position effects (a neighbour's GC, a burst of load) over all servers.
      const shift = Math.floor((round * servers.length) / settings.rounds);
      const order = [...servers.slice(shift), ...servers.slice(0, shift)];
      roundLoads.push(loadavg()[0]!);
      log(`Round ${round + 1}/${settings.rounds} (load ${roundLoads[round]!.toFixed(2)})`);
      const routes = round % 2 === 0 ? ROUTES : [...ROUTES].reverse();
      for (const server of order) {
        for (const route of routes.filter((r) => routesOf(server).includes(r))) {
          const result = await measureWindow(server, route, round, admin);
          windows.push(result);
          log(
            `  ${server.label.padEnd(40)} ${route.padEnd(5)} ${Math.round(result.requestsPerSecond).toString().padStart(6)} req/s ${Math.round(result.cpuPerRequestUs).toString().padStart(5)} µs CPU/req p99 ${result.p99Ms} ms ${result.commandsExecutedPerRequest.toFixed(2)} cmd/req${result.failures ? ` FAILURES ${result.failures}` : ''}`,
          );
        }
      }
    }
  } finally {
    for (const server of servers) await server.close().catch(() => {});
    admin.disconnect();
    await redis.stop();
  }

  const machine: MachineInfo = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    redis: execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).trim().split(' sha=')[0]!,
    os: `${type()} ${release()}`,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    loadBefore,
    loadAfter: loadavg(),
    roundLoads,
    durationSeconds: (Date.now() - startedMs) / 1000,
  };
  const data: RunData = { settings, machine, windows, probes };
  mkdirSync(benchDir('results'), { recursive: true });
  writeFileSync(benchDir('results/last-run.json'), `${JSON.stringify(data, null, 2)}\n`);
  const path = benchDir(quick ? 'results/RESULTS.quick.md' : 'RESULTS.md');
  writeResults(path, renderResults(data));
  log(`Wrote ${path} (${Math.round(machine.durationSeconds)} s).`);
}

function routesOf(server: ServerProcess): readonly Route[] {
  return specOf(server.name).routes ?? ROUTES;
}

/** Exact commands per request, sequential requests under MONITOR, outside any timed window. */
async function probe(server: ServerProcess, route: Route, monitor: CommandStats): Promise<CommandProbe> {
  const cookie = await login(server.port);
  const [method, path] = ROUTE_CALL[route];
  await monitor.reset();
  for (let i = 0; i < settings.probeRequests; i++) {
    const answer = await call(server.port, method, path, cookie);
    if (answer.status !== 200) throw new Error(`${server.name} ${method} ${path} answered ${answer.status}`);
  }
  const counts = await monitor.read();
  const perRequest = (n: number) => n / settings.probeRequests;
  return {
    server: server.label,
    route,
    requests: settings.probeRequests,
    sentPerRequest: Object.fromEntries(Object.entries(counts.sent).map(([name, n]) => [name, perRequest(n)])),
    inScriptsPerRequest: perRequest(counts.inScripts),
  };
}

async function measureWindow(server: ServerProcess, route: Route, round: number, admin: Redis): Promise<WindowResult> {
  const cookie = await login(server.port);
  const base = { port: server.port, route, cookie, connections: settings.connections };
  await load({ ...base, durationSeconds: settings.warmupSeconds });
  await admin.config('RESETSTAT');
  const redisCpuBeforeUs = await redisCpuUs(admin);
  const result = await timedLoad(server, { ...base, durationSeconds: settings.windowSeconds });
  const redisCpuWindowUs = (await redisCpuUs(admin)) - redisCpuBeforeUs;
  const commands = totalCommands(await commandStats(admin));
  return {
    server: server.label,
    route,
    round,
    requestsPerSecond: result.requestsPerSecond,
    cpuPerRequestUs: result.cpuPerRequestUs,
    redisCpuPerRequestUs: redisCpuWindowUs / result.requests,
    p99Ms: result.p99Ms,
    commandsExecutedPerRequest: commands / result.requests,
    failures: result.failures,
  };
}

/** BENCH_RENDER=1: rewrite RESULTS.md from results/last-run.json without measuring again. */
function render(): void {
  const data = JSON.parse(readFileSync(benchDir('results/last-run.json'), 'utf8')) as RunData;
  const path = benchDir(data.settings.quick ? 'results/RESULTS.quick.md' : 'RESULTS.md');
  writeResults(path, renderResults(data));
  log(`Rewrote ${path} from results/last-run.json.`);
}

if (process.env.BENCH_RENDER === '1') render();
else await main();
