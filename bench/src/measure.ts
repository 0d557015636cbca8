/** The measurements a run collects, and the arithmetic done on them. */
import type { Route } from './harness';

export interface WindowResult {
  /** The server's label: its name, with " (at <commit>)" for a baseline one. */
  server: string;
  route: Route;
  round: number;
  requestsPerSecond: number;
  /** Server process CPU time (user + system) over the window, per completed request. */
  cpuPerRequestUs: number;
  /** redis-server CPU time over the window (`INFO cpu`), per request: what the commands cost Redis. */
  redisCpuPerRequestUs?: number;
  p99Ms: number;
  /** `INFO commandstats` calls over the window per request: commands run inside Lua scripts included. */
  commandsExecutedPerRequest: number;
  failures: number;
}

export interface CommandProbe {
  server: string;
  route: Route;
  requests: number;
  /** Commands clients sent, by name, per request. */
  sentPerRequest: Record<string, number>;
  /** Commands Lua scripts ran inside Redis, per request. */
  inScriptsPerRequest: number;
}

export interface RunSettings {
  /** The commit the "(before)" servers ran from (BENCH_BASELINE), if any. */
  /** The short commits of BENCH_BASELINE, whose servers ran in the same rounds. */
  baselines: string[];
  rounds: number;
  windowSeconds: number;
  warmupSeconds: number;
  connections: number;
  probeRequests: number;
  quick: boolean;
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  node: string;
  redis: string;
  os: string;
  date: string;
  loadBefore: number[];
  loadAfter: number[];
  /** The 1-minute load average as each round started. */
  roundLoads: number[];
  durationSeconds: number;
}

export interface RunData {
  settings: RunSettings;
  machine: MachineInfo;
  windows: WindowResult[];
  probes: CommandProbe[];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function windowsOf(data: RunData, server: string, route: Route): WindowResult[] {
  return data.windows.filter((w) => w.server === server && w.route === route);
}

export interface Summary {
  requestsPerSecond: number;
  minRequestsPerSecond: number;
  maxRequestsPerSecond: number;
  cpuPerRequestUs: number;
  redisCpuPerRequestUs: number;
  p99Ms: number;
  commandsExecutedPerRequest: number;
  failures: number;
}

/** Medians over the rounds. */
export function summarize(data: RunData, server: string, route: Route): Summary {
  const windows = windowsOf(data, server, route);
  const rps = windows.map((w) => w.requestsPerSecond);
  return {
    requestsPerSecond: median(rps),
    minRequestsPerSecond: Math.min(...rps),
    maxRequestsPerSecond: Math.max(...rps),
    cpuPerRequestUs: median(windows.map((w) => w.cpuPerRequestUs)),
    redisCpuPerRequestUs: median(windows.map((w) => w.redisCpuPerRequestUs ?? Number.NaN)),
    p99Ms: median(windows.map((w) => w.p99Ms)),
    commandsExecutedPerRequest: median(windows.map((w) => w.commandsExecutedPerRequest)),
    failures: windows.reduce((sum, w) => sum + w.failures, 0),
  };
}

/**
 * The median over rounds of `ours / theirs` req/s, each ratio taken within one round
 * so slow drifts of the machine's load cancel out.
 */
export function roundRatio(data: RunData, ours: string, theirs: string, route: Route): number {
  const ratios: number[] = [];
  for (const mine of windowsOf(data, ours, route)) {
    const other = windowsOf(data, theirs, route).find((w) => w.round === mine.round);
    if (other) ratios.push(mine.requestsPerSecond / other.requestsPerSecond);
  }
  return median(ratios);
}
