/**
 * Private `redis-server` processes for the tests and the benchmark: loopback only,
 * no persistence, on ports nobody else uses, stopped afterwards.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const STARTUP_TIMEOUT_MS = 10_000;

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Kills the process (SIGKILL: an outage, not a shutdown). */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
  /** Stops it for good and removes its working directory. */
  dispose(): Promise<void>;
  /** Sends the process a signal: `SIGSTOP` hangs it (a master that freezes instead of crashing), `SIGCONT` resumes it. */
  signal(signal: 'SIGSTOP' | 'SIGCONT'): void;
}

/** Whether nothing listens on a loopback port. */
function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A free port; with `clusterBus`, port + 10000 (the cluster bus) is free too. Drawn
 * at random from 20000-29999 so parallel runs rarely collide, and checked.
 */
export async function freePort(clusterBus = false): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    if ((await isPortFree(port)) && (!clusterBus || (await isPortFree(port + 10_000)))) return port;
  }
  throw new Error('no free port for redis-server');
}

/** Resolves once the server answers PING. */
async function waitForPing(port: number): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' });
      socket.setTimeout(500);
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (chunk) => {
        socket.destroy();
        resolve(chunk.toString().startsWith('+PONG'));
      });
      socket.once('error', () => resolve(false));
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server on port ${port} did not answer PING within ${STARTUP_TIMEOUT_MS} ms`);
}

/**
 * Starts a private redis-server; `extraArgs` go on its command line. With `sentinelConfig`
 * it runs as a Sentinel with that configuration (written to its own directory).
 */
export async function startRedisServer(extraArgs: string[] = [], port?: number, sentinelConfig?: string): Promise<RedisServer> {
  const chosenPort = port ?? (await freePort(extraArgs.includes('--cluster-enabled')));
  const dir = mkdtempSync(join(tmpdir(), 'sess-redis-'));
  let child: ChildProcess | undefined;
  const configFile = join(dir, 'sentinel.conf');
  if (sentinelConfig !== undefined) writeFileSync(configFile, `port ${chosenPort}\nbind 127.0.0.1\ndir ${dir}\n${sentinelConfig}\n`);

  async function start(): Promise<void> {
    const args =
      sentinelConfig === undefined
        ? ['--port', String(chosenPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extraArgs]
        : [configFile, '--sentinel'];
    child = spawn('redis-server', args, { stdio: 'ignore' });
    child.unref();
    await waitForPing(chosenPort);
  }

  async function stop(): Promise<void> {
    const current = child;
    child = undefined;
    if (!current || current.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      current.once('exit', () => resolve());
      // Unref'd at start so a forgotten server never holds a process open; waiting for
      // its exit must hold it, or a script whose last await is this one ends with exit 13.
      current.ref();
      current.kill('SIGKILL');
    });
  }

  await start();
  return {
    port: chosenPort,
    url: `redis://127.0.0.1:${chosenPort}`,
    start,
    stop,
    async dispose() {
      child?.kill('SIGCONT'); // a stopped process ignores SIGKILL until it runs again on some systems
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    signal(signal) {
      child?.kill(signal);
    },
  };
}

export interface RedisCluster {
  readonly ports: number[];
  readonly nodes: readonly RedisServer[];
  stop(): Promise<void>;
}

/**
 * Starts three cluster-enabled masters (and `replicasPerMaster` replicas of each) and
 * joins them with `redis-cli --cluster create`. `nodes` lists masters first.
 */
export async function startRedisCluster(
  options: { replicasPerMaster?: number; nodeTimeoutMs?: number; serverArgs?: readonly string[] } = {},
): Promise<RedisCluster> {
  const { replicasPerMaster = 0, nodeTimeoutMs = 5000, serverArgs = [] } = options;
  // Replicas sync at once (the default waits 5 s for more replicas to share one transfer).
  const replication = replicasPerMaster > 0 ? ['--repl-diskless-sync-delay', '0'] : [];
  const nodes: RedisServer[] = [];
  try {
    for (let i = 0; i < 3 * (1 + replicasPerMaster); i++) {
      nodes.push(
        await startRedisServer([
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          `nodes-${i}.conf`,
          '--cluster-node-timeout',
          String(nodeTimeoutMs),
          ...replication,
          ...serverArgs,
        ]),
      );
    }
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicasPerMaster), '--cluster-yes']);
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    for (const node of nodes) {
      for (;;) {
        const { stdout } = await run('redis-cli', ['-p', String(node.port), 'cluster', 'info']);
        const { stdout: replication } = await run('redis-cli', ['-p', String(node.port), 'info', 'replication']);
        const synced = !replication.includes('role:slave') || replication.includes('master_link_status:up');
        if (stdout.includes('cluster_state:ok') && synced) break;
        if (Date.now() > deadline) throw new Error(`cluster node ${node.port} never reached cluster_state:ok`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } catch (error) {
    await Promise.all(nodes.map((node) => node.dispose()));
    throw error;
  }
  return {
    ports: nodes.map((node) => node.port),
    nodes,
    async stop() {
      await Promise.all(nodes.map((node) => node.dispose()));
    },
  };
}
