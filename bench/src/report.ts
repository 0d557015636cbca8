/** RESULTS.md: the measured part, regenerated between markers; the notes around it are kept. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { baselineLabel } from './baseline';
import { ROUTES, type Route } from './harness';
import { median, type RunData, roundRatio, summarize, windowsOf } from './measure';
import { SERVER_SPECS, type ServerName } from './servers';

type Target = { ours: ServerName; theirs: ServerName; route: Route } & (
  | { kind: 'speedup'; atLeast: number }
  | { kind: 'cpu-over'; maxUs: number }
  | { kind: 'cpu-ratio'; atMost: number }
);

/** The goals of the performance issues, in the terms they were set. */
export const TARGETS: readonly Target[] = [
  ...ROUTES.map(
    (route) => ({ kind: 'speedup', ours: 'express+@sess/redis', theirs: 'express-session+connect-redis', route, atLeast: 1.2 }) as const,
  ),
  ...ROUTES.map((route) => ({ kind: 'speedup', ours: 'koa+@sess/redis', theirs: 'koa-session+koa-redis', route, atLeast: 1.6 }) as const),
  { kind: 'cpu-over', ours: 'koa+@sess/redis', theirs: 'koa+raw-get', route: 'read', maxUs: 10 },
  { kind: 'cpu-over', ours: 'express+@sess/redis', theirs: 'express+raw-get', route: 'read', maxUs: 15 },
  { kind: 'cpu-over', ours: 'koa+@sess/redis', theirs: 'koa+raw-get-set', route: 'write', maxUs: 20 },
  { kind: 'cpu-over', ours: 'express+@sess/redis', theirs: 'express+raw-get-set', route: 'write', maxUs: 20 },
  ...ROUTES.map((route) => ({ kind: 'cpu-over', ours: 'express+@sess/memory', theirs: 'express', route, maxUs: 15 }) as const),
  { kind: 'cpu-ratio', ours: 'hono+@sess/redis', theirs: 'hono+raw-get', route: 'read', atMost: 1.15 },
  { kind: 'speedup', ours: 'hono+@sess/redis', theirs: 'hono-sessions+cookie', route: 'read', atLeast: 5 },
];

const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');
const fixed = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

function sentText(data: RunData, server: string, route: Route): string {
  const probe = data.probes.find((p) => p.server === server && p.route === route);
  if (!probe) return '–';
  const sent = Object.entries(probe.sentPerRequest)
    .filter(([, n]) => n > 0)
    .map(([name, n]) => `${fixed(n, n % 1 === 0 ? 0 : 2)} ${name.toUpperCase()}`);
  const inScripts = probe.inScriptsPerRequest > 0 ? ` (+${fixed(probe.inScriptsPerRequest, 0)} in Lua)` : '';
  return sent.length === 0 ? '0' : `${sent.join(' + ')}${inScripts}`;
}

export function renderResults(data: RunData): string {
  const { settings, machine } = data;
  const lines: string[] = [];
  lines.push(
    `Measured ${machine.date} in ${Math.round(machine.durationSeconds)} s${settings.quick ? ' (**BENCH_QUICK smoke run: not for conclusions**)' : ''}.`,
    '',
    `- Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.os}; Node ${machine.node}; ${machine.redis}.`,
    `- Load average (1/5/15 min) before: ${machine.loadBefore.map((n) => n.toFixed(2)).join(' / ')}; after: ${machine.loadAfter.map((n) => n.toFixed(2)).join(' / ')} ; 1-minute load as each round started: ${machine.roundLoads.map((n) => n.toFixed(2)).join(', ')} (other engineers' test suites share the cores).`,
    ...(settings.baselines.length > 0
      ? [
          `- Rows marked "(at <commit>)" ran the same servers from ${settings.baselines.map((commit) => `commit ${commit}`).join(' and ')} (BENCH_BASELINE), in the same interleaved rounds.`,
        ]
      : []),
    `- autocannon ${settings.connections} connections, ${settings.windowSeconds} s per window after a ${settings.warmupSeconds} s warm-up window (discarded), ${settings.rounds} round(s) interleaving every server and route (the server order rotates and the route order alternates each round). Each window starts with a fresh login; every request carries its cookie.`,
    '- Every server runs in its own process on 127.0.0.1; autocannon runs in the parent; all use one private redis-server (no persistence) started for the run.',
    '- req/s, CPU and p99 are medians over rounds (req/s range over rounds in brackets). CPU is the server process (user + system) over the window divided by requests completed. Redis commands: what the clients send per request (MONITOR, 50 sequential requests, outside the timed windows), and all commands Redis ran per request during the timed windows (`INFO commandstats`, Lua included); Redis CPU is the redis-server process over the window (`INFO cpu`) per request.',
    '',
  );
  const frameworkTitles = { express: 'Express 5', koa: 'Koa 3', hono: 'Hono 4 (@hono/node-server)' } as const;
  for (const framework of ['express', 'koa', 'hono'] as const) {
    lines.push(`### ${frameworkTitles[framework]}`, '');
    lines.push('| server | route | req/s (range) | CPU µs/req | p99 ms | Redis commands sent / req | executed / req | Redis CPU µs/req |');
    lines.push('|---|---|--:|--:|--:|---|--:|--:|');
    for (const spec of SERVER_SPECS.filter((s) => s.framework === framework)) {
      for (const label of [spec.name, ...settings.baselines.map((commit) => baselineLabel(spec.name, commit))]) {
        for (const route of spec.routes ?? ROUTES) {
          if (windowsOf(data, label, route).length === 0) continue;
          const s = summarize(data, label, route);
          const failures = s.failures > 0 ? ` ⚠️ ${s.failures} failed` : '';
          lines.push(
            `| ${label} | ${route === 'read' ? 'GET /read' : 'POST /write'} | ${int(s.requestsPerSecond)} (${int(s.minRequestsPerSecond)}–${int(s.maxRequestsPerSecond)})${failures} | ${fixed(s.cpuPerRequestUs, 1)} | ${fixed(s.p99Ms, 0)} | ${sentText(data, label, route)} | ${fixed(s.commandsExecutedPerRequest, 2)} | ${fixed(s.redisCpuPerRequestUs, 1)} |`,
          );
        }
      }
    }
    lines.push('');
  }
  lines.push('### Targets', '');
  lines.push(
    'Speed-ups are req/s of ours over theirs; CPU gaps are our server CPU per request minus theirs; CPU ratios ours over theirs. Each is the median of the per-round values, so slow drifts of the machine cancel out.',
    '',
  );
  lines.push('| ours | against | route | target | measured | met |');
  lines.push('|---|---|---|--:|--:|:-:|');
  for (const target of TARGETS) {
    const [goal, measured, met] = targetResult(data, target);
    lines.push(`| ${target.ours} | ${target.theirs} | ${target.route} | ${goal} | ${measured} | ${met ? '✅' : '❌'} |`);
  }
  lines.push(
    '',
    'The ceiling: the floors (one `GET` for a read, `GET` + `SET` for a write, no session work at all) against the same competitors. A Redis-backed session library needs at least those commands, so a speed-up target above these is out of reach for any of them in this run.',
    '',
  );
  lines.push('| floor | against | route | req/s ratio | CPU/req ratio (theirs / floor) |');
  lines.push('|---|---|---|--:|--:|');
  for (const [floor, theirs, route] of [
    ['express+raw-get', 'express-session+connect-redis', 'read'],
    ['express+raw-get-set', 'express-session+connect-redis', 'write'],
    ['koa+raw-get', 'koa-session+koa-redis', 'read'],
    ['koa+raw-get-set', 'koa-session+koa-redis', 'write'],
  ] as const) {
    const ratio = roundRatio(data, floor, theirs, route);
    const cpuRatio = summarize(data, theirs, route).cpuPerRequestUs / summarize(data, floor, route).cpuPerRequestUs;
    lines.push(`| ${floor} | ${theirs} | ${route} | ${fixed(ratio, 2)}× | ${fixed(cpuRatio, 2)}× |`);
  }
  lines.push('', '### Configurations', '');
  for (const spec of SERVER_SPECS) lines.push(`- **${spec.name}**: ${spec.config}`);
  return lines.join('\n');
}

/** The median over rounds of ours − theirs server CPU per request. */
function roundCpuGap(data: RunData, ours: string, theirs: string, route: Route): number {
  const gaps: number[] = [];
  for (const mine of windowsOf(data, ours, route)) {
    const other = windowsOf(data, theirs, route).find((w) => w.round === mine.round);
    if (other) gaps.push(mine.cpuPerRequestUs - other.cpuPerRequestUs);
  }
  return median(gaps);
}

function roundCpuRatio(data: RunData, ours: string, theirs: string, route: Route): number {
  const ratios: number[] = [];
  for (const mine of windowsOf(data, ours, route)) {
    const other = windowsOf(data, theirs, route).find((w) => w.round === mine.round);
    if (other) ratios.push(mine.cpuPerRequestUs / other.cpuPerRequestUs);
  }
  return median(ratios);
}

/** [the goal, what was measured, whether it is met] */
function targetResult(data: RunData, target: Target): [string, string, boolean] {
  switch (target.kind) {
    case 'speedup': {
      const ratio = roundRatio(data, target.ours, target.theirs, target.route);
      return [`≥ ${target.atLeast}× req/s`, `${fixed(ratio, 2)}×`, ratio >= target.atLeast];
    }
    case 'cpu-over': {
      const gap = roundCpuGap(data, target.ours, target.theirs, target.route);
      return [`≤ +${target.maxUs} µs CPU/req`, `${gap >= 0 ? '+' : ''}${fixed(gap, 1)} µs`, gap <= target.maxUs];
    }
    case 'cpu-ratio': {
      const ratio = roundCpuRatio(data, target.ours, target.theirs, target.route);
      return [`≤ ${target.atMost}× CPU/req`, `${fixed(ratio, 2)}×`, ratio <= target.atMost];
    }
  }
}

/** Replaces the generated part `part` of `path`, keeping everything outside its markers. */
export function writeResults(path: string, generated: string, part: 'results' | 'sweep' = 'results'): void {
  const START = `<!-- ${part}:start (generated by \`npx -y pnpm@10 ${part === 'results' ? 'bench' : '--filter @sess/bench sweep'}\`, edit outside these markers) -->`;
  const END = `<!-- ${part}:end -->`;
  const block = `${START}\n${generated}\n${END}`;
  if (!existsSync(path)) {
    writeFileSync(path, `# Session benchmark\n\n${block}\n`);
    return;
  }
  const text = readFileSync(path, 'utf8');
  const from = text.indexOf(`<!-- ${part}:start`);
  const to = text.indexOf(END);
  const next = from >= 0 && to > from ? text.slice(0, from) + block + text.slice(to + END.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(path, next);
}
