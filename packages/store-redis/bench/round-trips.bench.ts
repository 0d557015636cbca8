/**
 * What a request costs in Redis traffic: @sess/store-redis (ioredis) next to
 * express-session + connect-redis 9 (node-redis 5), doing the same work behind the
 * same Express app on loopback.
 *
 * Method: a private redis-server on a free port (no persistence). Commands are
 * counted with MONITOR (client-sent apart from those Lua scripts run inside Redis);
 * round trips with a TCP proxy between each client and the server that counts a new
 * round trip whenever a client sends after it last received (`@sess/test-kit`'s `src/redis/round-trip-proxy.ts`).
 * The lost-update check at the end fires 50 concurrent requests on one session.
 * Fixed iteration counts; run with `pnpm bench` in packages/store-redis.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { cpus } from 'node:os';
import { createSessionManager, type Session } from '@sess/core';
import { cookieHeaderOf } from '@sess/core/testing';
import { RedisStore as ConnectRedisStore } from 'connect-redis';
import express from 'express';
import expressSession from 'express-session';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
// By path: @sess/test-kit depends on this package, so a dev dependency back would be a cycle.
import { commandStats, startRedisServer, startRoundTripProxy, totalCommands } from '../../test-kit/src/redis/index';
import { createRedisStore } from '../src/index';

const ITERATIONS = 300;
const WARMUP = 30;
const SECRET = 'a-benchmark-secret-that-is-long-enough-0123456789';

declare module 'express-session' {
  interface SessionData {
    n: number;
  }
}

async function main(): Promise<void> {
  const server = await startRedisServer();
  const proxy = await startRoundTripProxy(server.port);
  const stats = await commandStats(server.port);
  const ioredis = new Redis(proxy.url);
  const nodeRedis = createClient({ url: proxy.url });
  await nodeRedis.connect();

  const sessions = createSessionManager({ secret: SECRET, store: createRedisStore({ client: ioredis }) });
  const app = express();

  // @sess: the manager, committed explicitly before the response (what @sess/express does).
  const sessRoute =
    (work: (session: Session) => void): express.RequestHandler =>
    async (req, res, next) => {
      try {
        const handle = sessions.open(req.headers.cookie);
        work(await handle.load());
        const result = await sessions.commit(handle, { status: 200 });
        for (const cookie of result.setCookie) res.append('Set-Cookie', cookie);
        res.send('ok');
      } catch (error) {
        next(error);
      }
    };
  app.get(
    '/sess/create',
    sessRoute((s) => s.set('n', 0)),
  );
  app.get(
    '/sess/read',
    sessRoute((s) => {
      s.get('n');
    }),
  );
  app.get(
    '/sess/write',
    sessRoute((s) => s.set('n', (s.get('n') as number) + 1)),
  );
  app.get('/sess/key/:name', (req, res, next) => sessRoute((s) => s.set(req.params.name as string, true))(req, res, next));
  app.get('/sess/count', async (req, res) => {
    const session = await sessions.open(req.headers.cookie).load();
    res.send(String(Object.keys(session.data).length));
  });

  // express-session + connect-redis, with the settings its README recommends.
  const legacy = express.Router();
  legacy.use(
    expressSession({
      store: new ConnectRedisStore({ client: nodeRedis }),
      secret: SECRET,
      resave: false,
      saveUninitialized: false,
    }),
  );
  legacy.get('/create', (req, res) => {
    req.session.n = 0;
    res.send('ok');
  });
  legacy.get('/read', (req, res) => {
    res.send(String(req.session.n));
  });
  legacy.get('/key/:name', (req, res) => {
    (req.session as unknown as Record<string, unknown>)[req.params.name] = true;
    res.send('ok');
  });
  legacy.get('/count', (req, res) => {
    const { cookie: _cookie, ...data } = req.session as unknown as Record<string, unknown>;
    res.send(String(Object.keys(data).length));
  });
  legacy.get('/write', (req, res) => {
    req.session.n = (req.session.n ?? 0) + 1;
    res.send('ok');
  });
  app.use('/legacy', legacy);

  const http: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = http.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  async function get(path: string, cookie?: string): Promise<string | undefined> {
    const response = await fetch(base + path, { headers: cookie ? { cookie } : {} });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    await response.text();
    return cookieHeaderOf(response) ?? cookie;
  }

  interface Row {
    library: string;
    operation: string;
    sent: number;
    inScripts: number;
    roundTrips: number;
    meanMs: number;
    commands: string;
  }
  const rows: Row[] = [];

  async function measure(library: string, operation: string, run: () => Promise<unknown>): Promise<void> {
    for (let i = 0; i < WARMUP; i++) await run();
    await stats.reset();
    proxy.reset();
    const startedNs = process.hrtime.bigint();
    for (let i = 0; i < ITERATIONS; i++) await run();
    const elapsedMs = Number(process.hrtime.bigint() - startedNs) / 1e6;
    const roundTrips = proxy.roundTrips();
    const counts = await stats.read();
    const perOp = (n: number) => Math.round((n / ITERATIONS) * 100) / 100;
    rows.push({
      library,
      operation,
      sent: perOp(totalCommands(counts.sent)),
      inScripts: perOp(counts.inScripts),
      roundTrips: perOp(roundTrips),
      meanMs: Math.round((elapsedMs / ITERATIONS) * 1000) / 1000,
      commands: Object.entries(counts.sent)
        .map(([name, n]) => `${name} ×${perOp(n)}`)
        .join(', '),
    });
  }

  for (const [library, prefix] of [
    ['@sess/store-redis', '/sess'],
    ['express-session + connect-redis', '/legacy'],
  ] as const) {
    await measure(library, 'create a session', () => get(`${prefix}/create`));
    const cookie = await get(`${prefix}/create`);
    await measure(library, 'read-only request', () => get(`${prefix}/read`, cookie));
    await measure(library, 'modifying request', () => get(`${prefix}/write`, cookie));
  }

  // Lost updates: 50 concurrent requests on one session, each setting a key of its own.
  const survivors: string[] = [];
  for (const [library, prefix] of [
    ['@sess/store-redis', '/sess'],
    ['express-session + connect-redis', '/legacy'],
  ] as const) {
    const cookie = await get(`${prefix}/create`);
    await Promise.all(Array.from({ length: 50 }, (_, i) => get(`${prefix}/key/k${i}`, cookie)));
    const response = await fetch(`${base}${prefix}/count`, { headers: cookie ? { cookie } : {} });
    const keys = Number(await response.text()) - 1; // minus the key set at creation
    survivors.push(`| ${library} | ${keys} of 50 |`);
  }

  const machine = [
    `nproc: ${cpus().length}`,
    `node: ${process.version}`,
    `redis: ${execFileSync('redis-server', ['--version']).toString().trim()}`,
    `ioredis: 6.0.0, redis (node-redis): 5, connect-redis: 9, express-session: 1.19, express: 5`,
    `iterations: ${ITERATIONS} per row after ${WARMUP} warm-up requests, sequential, loopback, private redis-server`,
  ];
  const header =
    '| library | request | commands sent / request | commands run inside Lua / request | round trips / request | mean ms / request (HTTP included) | commands |\n|---|---|---|---|---|---|---|';
  const table = rows
    .map((r) => `| ${r.library} | ${r.operation} | ${r.sent} | ${r.inScripts} | ${r.roundTrips} | ${r.meanMs} | ${r.commands} |`)
    .join('\n');
  const report = `${header}\n${table}\n\nConcurrent requests on one session, each setting a key of its own (50 at once):\n\n| library | keys kept |\n|---|---|\n${survivors.join('\n')}\n`;
  console.log(machine.join('\n'));
  console.log(report);

  writeFileSync(
    new URL('./RESULTS.md', import.meta.url),
    `# Round trips per request\n\nGenerated by \`pnpm bench\` (bench/round-trips.bench.ts) on ${new Date().toISOString().slice(0, 10)}.\n\n${machine.map((line) => `- ${line}`).join('\n')}\n\n${report}\n${NOTES}`,
  );

  await new Promise((resolve) => http.close(resolve));
  await Promise.all([ioredis.quit(), nodeRedis.quit()]);
  await stats.close();
  await proxy.close();
  await server.dispose();
}

const NOTES = `## How it was measured

- Commands: MONITOR on a separate connection; "commands sent" are what the clients sent, "inside Lua" what the store's scripts ran inside Redis (work on the server, not traffic).
- Round trips: a loopback TCP proxy sits between each client and redis-server and counts a round trip each time a client sends after it last received. Commands written together (a pipeline, or calls started in the same tick) count once.
- Both run behind the same Express 5 app, requests sent one at a time with \`fetch\`; mean time is per HTTP request and includes HTTP, cookie signing and the proxy hop, so compare it only between rows of this table. It is noisy on a shared machine (these runs shared 2 cores with other jobs: three runs gave 1.0-3.0 ms for the same read-only row); the command and round-trip counts are exact and repeat run to run.
- express-session runs with \`resave: false, saveUninitialized: false\` (connect-redis's README); it touches (EXPIRE) on every request that does not save. @sess touches only once \`touchAfterShare\` (20 %) of the idle timeout has passed, so a read-only request within that window writes nothing.
`;

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
