/**
 * Where a server's time goes: one server, a few windows, each with a V8 CPU profile
 * of the server process, summarized by function and by package. Bounded by its args.
 *
 *   pnpm profile <server> [routes=read,write] [seconds=5]
 *   e.g. pnpm profile express+@sess/redis read,write,read 3
 *
 * Profiles are written to results/<server>-<route>-<n>.cpuprofile (open them in
 * Chrome DevTools or speedscope for the call tree).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { login } from './client';
import { load, type Route, startServerProcess } from './harness';
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

const [name = '', routeList = 'read,write', secondsText = '5'] = process.argv.slice(2);
const spec = specOf(name);
const routes = routeList.split(',') as Route[];
const seconds = Math.min(Number(secondsText), 30);
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
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
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
  const lines = [`  busy ${(totalUs / 1000).toFixed(0)} ms, idle ${(idleUs / 1000).toFixed(0)} ms, ${requests} requests`, '  by package (self time):'];
  for (const [pkg, us] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 12)) lines.push(`    ${perRequest(us)}  ${pkg}`);
  lines.push(`  top ${TOP} functions (self time):`);
  for (const [fn, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, TOP)) lines.push(`    ${perRequest(us)}  ${fn}`);
  return lines.join('\n');
}

const redis = await startPrivateRedis();
const server = await startServerProcess(spec.name, redis.url);
mkdirSync(resultsDir, { recursive: true });
try {
  for (const [i, route] of routes.entries()) {
    const cookie = await login(server.port);
    const base = { port: server.port, route, cookie, connections: 10 };
    await load({ ...base, durationSeconds: 1 });
    const path = `${resultsDir}${spec.name.replace(/[/@+]/g, '_')}-${route}-${i}.cpuprofile`;
    await server.ask({ type: 'cpu-start' });
    await server.ask({ type: 'profile-start' });
    const result = await load({ ...base, durationSeconds: seconds });
    await server.ask({ type: 'profile-stop', path });
    const cpu = await server.ask({ type: 'cpu-stop' });
    const cpuUs = (cpu.userUs ?? 0) + (cpu.systemUs ?? 0);
    process.stdout.write(
      `${spec.name} ${route}: ${Math.round(result.requestsPerSecond)} req/s, ${Math.round(cpuUs / result.requests)} µs CPU/req (profiler on), p99 ${result.p99Ms} ms, ${result.failures} failures\n`,
    );
    process.stdout.write(`${summarize(JSON.parse(readFileSync(path, 'utf8')) as CpuProfile, result.requests)}\n  profile: ${path}\n`);
  }
} finally {
  await server.close();
  await redis.stop();
}
