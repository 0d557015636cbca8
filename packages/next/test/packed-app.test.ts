/**
 * What a user installs: @sess/core and @sess/next built, packed, installed with a plain
 * `npm install` into a folder outside the workspace (next, react and react-dom from the
 * registry), imported with Node's own loader, and one small app (Pages Router and a
 * Route Handler) through `next build` and `next start`.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { cookieHeaderOf } from '@sess/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const REPO_DIR = join(PACKAGE_DIR, '../..');
const TSDOWN = join(REPO_DIR, 'node_modules/.bin/tsdown');
const requireHere = createRequire(join(PACKAGE_DIR, 'package.json'));
/** The versions the workspace tests with, so the outside app is the same Next. */
const versionOf = (name: string): string => (requireHere(`${name}/package.json`) as { version: string }).version;
const SECRET = 'packed-app-test-secret-0123456789abcdef012345';
const ENTRIES = ['@sess/next', '@sess/next/proxy', '@sess/next/pages'];

const APP_FILES: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'packed-next-app', private: true, type: 'module' }),
  'next.config.mjs': 'export default {};\n',
  // The README's lib/sessions.ts, in JavaScript: the default memory store, one per process.
  'lib/sessions.js': `import { createSessions } from '@sess/next';
import { createPagesSessions } from '@sess/next/pages';
export const sessions = createSessions({ secret: process.env.SESSION_SECRET, cookie: { secure: false } });
export const pages = createPagesSessions(sessions.manager);
`,
  'pages/index.js': `import { pages } from '../lib/sessions.js';
export const getServerSideProps = pages.getServerSideProps(async (_context, handle) => {
  const session = await handle.load();
  return { props: { user: session.get('user') ?? null } };
});
export default function Home({ user }) {
  return <p id="user">{user ?? 'nobody'}</p>;
}
`,
  'pages/api/login.js': `import { pages } from '../../lib/sessions.js';
export default pages.api(async (req, res, handle) => {
  const session = await handle.load();
  session.regenerate();
  session.set('user', String(req.query.user));
  res.status(200).json({ user: session.get('user') });
});
`,
  'proxy.js': `import { createSessionProxy } from '@sess/next/proxy';
import { NextResponse } from 'next/server';
import { sessions } from './lib/sessions.js';
const withSession = createSessionProxy(sessions.manager);
export function proxy(request) {
  return withSession(request, (session) => (session.has('user') ? undefined : NextResponse.redirect(new URL('/', request.url), 303)));
}
export const config = { matcher: ['/me'] };
`,
  'app/me/page.js': `import { sessions } from '../../lib/sessions.js';
export default async function Me() {
  const session = await sessions.read();
  return <p id="me">{session.get('user') ?? 'nobody'}</p>;
}
`,
  'app/layout.js': 'export default function Layout({ children }) { return <html><body>{children}</body></html>; }\n',
  'app/whoami/route.js': `import { sessions } from '../../lib/sessions.js';
export const GET = sessions.route(async (_request, handle) => Response.json({ user: (await handle.load()).get('user') ?? null }));
`,
};

let dir: string;
let server: ChildProcess | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sess-next-packed-'));
  const tarballs = join(dir, 'tarballs');
  mkdirSync(tarballs);
  for (const name of ['core', 'next']) {
    const cwd = join(REPO_DIR, 'packages', name);
    await run(TSDOWN, [], { cwd, timeout: 120_000 });
    await run('npx', ['-y', 'pnpm@10', 'pack', '--pack-destination', tarballs], { cwd, timeout: 120_000 });
  }
  const app = join(dir, 'app');
  for (const [path, text] of Object.entries(APP_FILES)) {
    mkdirSync(dirname(join(app, path)), { recursive: true });
    writeFileSync(join(app, path), text);
  }
  const packed = readdirSync(tarballs).map((file) => join(tarballs, file));
  const registry = ['next', 'react', 'react-dom'].map((name) => `${name}@${versionOf(name)}`);
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...packed, ...registry], { cwd: app, timeout: 240_000 });
}, 600_000);

afterAll(async () => {
  if (server !== undefined && server.exitCode === null) {
    const exited = new Promise((resolve) => server?.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('@sess/next as packed and installed outside the workspace', () => {
  it('imports every entry point under Node ESM and CommonJS', async () => {
    const app = join(dir, 'app');
    for (const entry of ENTRIES) {
      await expect(run(process.execPath, ['--input-type=module', '-e', `await import('${entry}')`], { cwd: app })).resolves.toBeDefined();
      await expect(run(process.execPath, ['-e', `require('${entry}')`], { cwd: app })).resolves.toBeDefined();
    }
  }, 60_000);

  it('builds a Pages Router app with next build, without SESSION_SECRET and without a memory store warning', async () => {
    const { SESSION_SECRET: _secret, ...env } = process.env;
    const nextBin = join(dir, 'app/node_modules/next/dist/bin/next');
    const build = await run(process.execPath, [nextBin, 'build'], {
      cwd: join(dir, 'app'),
      env: { ...env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
      timeout: 300_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    expect(`${build.stdout}${build.stderr}`).not.toMatch(/memory store/i);
  }, 320_000);

  it('shares one session between a Pages API route, getServerSideProps and a Route Handler under next start', async () => {
    const port = await freePort();
    const nextBin = join(dir, 'app/node_modules/next/dist/bin/next');
    server = spawn(process.execPath, [nextBin, 'start', '--port', String(port), '--hostname', '127.0.0.1'], {
      cwd: join(dir, 'app'),
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', SESSION_SECRET: SECRET },
      stdio: 'ignore',
    });
    const base = `http://127.0.0.1:${port}`;
    const login = await untilUp(() => fetch(`${base}/api/login?user=ann`, { method: 'POST' }));
    expect(login.status).toBe(200);
    const cookie = cookieHeaderOf(login)!;
    expect(await (await fetch(base, { headers: { cookie } })).text()).toContain('<p id="user">ann</p>');
    expect(await (await fetch(`${base}/whoami`, { headers: { cookie } })).json()).toEqual({ user: 'ann' });
    // The proxy and a Server Component: the proxy lets a signed-in user through, signs nobody out.
    expect(await (await fetch(`${base}/me`, { headers: { cookie } })).text()).toContain('<p id="me">ann</p>');
    const signedOut = await fetch(`${base}/me`, { redirect: 'manual' });
    expect(signedOut.status).toBe(303);
  }, 60_000);
});

async function untilUp(request: () => Promise<Response>): Promise<Response> {
  const deadlineMs = Date.now() + 30_000;
  for (;;) {
    try {
      return await request();
    } catch (error) {
      if (Date.now() > deadlineMs) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
