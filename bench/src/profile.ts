/**
 * Where a server's time goes, and what a variant would change: a few servers side by
 * side (interleaved), each window with a V8 CPU profile of the server process,
 * summarized by function and by package. Bounded by its args.
 *
 *   pnpm profile <server[,server...]> [routes=read,write] [seconds=3] [rounds=1]
 *   e.g. pnpm profile koa+raw-get,koa+@sess/redis read 3 3
 *   PROFILE=0 pnpm profile ...   (no profiler: plain req/s and CPU medians)
 *
 * Profiles are written to results/<server>-<route>-<round>.cpuprofile (open them in
 * Chrome DevTools or speedscope for the call tree).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { login } from './client';
import { load, type Route, type ServerProcess, startServerProcess } from './harness';
import { median } from './measure';
import { startPrivateRedis } from './redis';
import { specOf } from './servers';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const [serverList = '', routeList = 'read,write', secondsText = '3', roundsText = '1'] = process.argv.slice(2);
const specs = serverList.split(',').map(specOf);
const routes = routeList.split(',') as Route[];
const seconds = Math.min(Number(secondsText), 30);
const rounds = Math.min(Number(roundsText), 10);
const profiling = process.env.PROFILE !== '0';
const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));
const TOP = 25;

/** Which package a frame belongs to, from its script URL. */
function packageOf(url: string): string {
  if (url === '') return '(native / V8)';
  if (url.startsWith('node:')) return 'node core';
  const workspace = url.match(/\/packages\/([^/]+)\/src\//);
  if (workspace) return `@sess/${workspace[1]}`;
  const modules = url.match(/.*node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (modules) return modules[1]!;
  return url.replace(/^file:\/\//, '');
}

/** Self time per function and per package, in ms per 1000 requests. */
function summarize(profile: CpuProfile, requests: number): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  for (const [i, id] of profile.samples.entries()) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    totalUs += us;
    const file = frame.url.replace(/^.*node_modules\//, '').replace(/^.*\/packages\//, 'packages/');
    const key = `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const pkg = packageOf(frame.url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  }
  const perRequest = (us: number) => `${(us / requests).toFixed(1).padStart(6)} µs/req ${((us / totalUs) * 100).toFixed(1).padStart(5)}%`;
  const lines = [
    `  busy ${(totalUs / 1000).toFixed(0)} ms, idle ${(idleUs / 1000).toFixed(0)} ms, ${requests} requests`,
    '  by package (self time):',
  ];
  for (const [pkg, us] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 12)) lines.push(`    ${perRequest(us)}  ${pkg}`);
  lines.push(`  top ${TOP} functions (self time):`);
  for (const [fn, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, TOP)) lines.push(`    ${perRequest(us)}  ${fn}`);
  return lines.join('\n');
}

const redis = await startPrivateRedis();
const servers: ServerProcess[] = [];
const measured = new Map<string, { rps: number[]; cpuUs: number[] }>();
mkdirSync(resultsDir, { recursive: true });
try {
  for (const spec of specs) servers.push(await startServerProcess(spec.name, redis.url));
  for (let round = 0; round < rounds; round++) {
    for (const server of servers) {
      for (const route of routes) {
        const cookie = await login(server.port);
        const base = { port: server.port, route, cookie, connections: 10 };
        await load({ ...base, durationSeconds: 1 });
        const path = `${resultsDir}${server.name.replace(/[/@+]/g, '_')}-${route}-${round}.cpuprofile`;
        await server.ask({ type: 'cpu-start' });
        if (profiling) await server.ask({ type: 'profile-start' });
        const result = await load({ ...base, durationSeconds: seconds });
        if (profiling) await server.ask({ type: 'profile-stop', path });
        const cpu = await server.ask({ type: 'cpu-stop' });
        const cpuUs = ((cpu.userUs ?? 0) + (cpu.systemUs ?? 0)) / result.requests;
        const key = `${server.name} ${route}`;
        const entry = measured.get(key) ?? { rps: [], cpuUs: [] };
        entry.rps.push(result.requestsPerSecond);
        entry.cpuUs.push(cpuUs);
        measured.set(key, entry);
        process.stdout.write(
          `${key}: ${Math.round(result.requestsPerSecond)} req/s, ${Math.round(cpuUs)} µs CPU/req${profiling ? ' (profiler on)' : ''}, p99 ${result.p99Ms} ms, ${result.failures} failures\n`,
        );
        if (profiling) {
          const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
          process.stdout.write(`${summarize(profile, result.requests)}\n  profile: ${path}\n`);
        }
      }
    }
  }
  if (rounds > 1) {
    process.stdout.write(`medians over ${rounds} rounds:\n`);
    for (const [key, { rps, cpuUs }] of measured) {
      process.stdout.write(
        `  ${key.padEnd(45)} ${Math.round(median(rps)).toString().padStart(6)} req/s ${Math.round(median(cpuUs)).toString().padStart(5)} µs CPU/req\n`,
      );
    }
  }
} finally {
  for (const server of servers) await server.close();
  await redis.stop();
}
