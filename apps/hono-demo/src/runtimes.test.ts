/*
 * The demo on the other runtimes, started the way its README says: the bundle that
 * `start:bun` / `start:deno` run, and `start:workerd`'s Miniflare script.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { RunningDemo } from '@sess/demo-kit';
import { demoClient, STORE_MODES, TEST_REDIS_URL, type TestStoreMode, testConfig } from '@sess/demo-kit/testing';
import { runtimeBinary } from '@sess/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleDemo } from '../scripts/bundle';
import { startOnCookies } from '../scripts/workerd';

const SECRET = 'hono-demo-runtime-test-secret-0123456789abcdef';
/** Bundling and a cold runtime start on a busy 2-core machine. */
const START_TIMEOUT_MS = 60_000;

const binaries = {
  bun: runtimeBinary('bun', import.meta.url),
  deno: runtimeBinary('deno', import.meta.url),
};
const args = {
  bun: (bundle: string) => [bundle],
  deno: (bundle: string) => ['run', '--allow-all', '--no-config', '--no-lock', bundle],
};

/** Starts the bundled demo in Bun or Deno on a free port; resolves the URL it prints. */
function startOn(runtime: 'bun' | 'deno', bundle: string, env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(binaries[runtime], args[runtime](bundle), {
    env: { ...process.env, PORT: '0', SESSION_SECRET: SECRET, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`${runtime} did not start:\n${output}`)), START_TIMEOUT_MS);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /open (http:\/\/\S+)/.exec(output)?.[1];
      if (url !== undefined) {
        clearTimeout(timer);
        resolve({ url, child });
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${runtime} exited with ${code}:\n${output}`));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

function stop(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

describe('Hono demo on Bun and Deno', () => {
  let bundle: string;
  beforeAll(async () => {
    bundle = await bundleDemo('server');
  }, START_TIMEOUT_MS);

  for (const runtime of ['bun', 'deno'] as const) {
    // Every driver a demo takes on Node, and Bun's own client under Bun.
    const modes: readonly TestStoreMode[] =
      runtime === 'bun' ? [...STORE_MODES, { name: "Redis on Bun's client", store: 'redis', driver: 'bun' }] : STORE_MODES;
    describe.each(modes)(`[${runtime}] with the $name store`, (mode) => {
      let child: ChildProcess | undefined;
      let url = '';
      beforeAll(async () => {
        const env: Record<string, string> =
          mode.store === 'redis'
            ? {
                REDIS_URL: TEST_REDIS_URL,
                REDIS_PREFIX: `sess:demo-test:${crypto.randomUUID()}:`,
                SESS_REDIS_DRIVER: mode.driver ?? 'ioredis',
              }
            : {};
        ({ url, child } = await startOn(runtime, bundle, env));
      }, START_TIMEOUT_MS);
      afterAll(async () => {
        await stop(child);
      });

      it('signs in, counts, shows the session on the page and signs out', async () => {
        const browser = demoClient(url);
        const page = await browser.page();
        expect(page).toContain(`data-testid="store-mode">${mode.store} store`);
        if (mode.driver !== undefined) expect(page).toContain(`data-testid="store-driver">on ${mode.driver}</span>`);
        expect(await browser.login('alice')).toEqual({ user: 'alice', count: 0, data: { user: 'alice' } });
        const counted = await browser.request('POST', '/count', { accept: 'json' });
        expect(await counted.json()).toMatchObject({ user: 'alice', count: 1 });
        expect(await browser.page()).toContain('<strong data-testid="user">alice</strong>');
        await browser.request('POST', '/logout', { accept: 'json' });
        expect((await browser.session()).user).toBeNull();
      });
    });
  }
});

describe('Hono demo in workerd, with the cookie store (SESSION_STORE=cookie)', () => {
  let demo: RunningDemo | undefined;
  beforeAll(async () => {
    demo = await startOnCookies({ ...testConfig('cookie'), secret: SECRET });
  }, START_TIMEOUT_MS);
  afterAll(async () => {
    await demo?.close();
  });

  it('signs in, counts and signs out with the session in a sealed cookie', async () => {
    const browser = demoClient(demo!.url);
    expect(await browser.page()).toContain('data-testid="store-mode">cookie store');
    expect(await browser.login('alice')).toEqual({ user: 'alice', count: 0, data: { user: 'alice' } });
    expect(browser.jar.get('sid')).not.toContain('alice');
    const counted = await browser.request('POST', '/count', { accept: 'json' });
    expect(await counted.json()).toMatchObject({ user: 'alice', count: 1 });
    expect(await browser.page()).toContain('<strong data-testid="user">alice</strong>');
    await browser.request('POST', '/logout', { accept: 'json' });
    expect((await browser.session()).user).toBeNull();
  });

  it('still signs in a copied cookie after sign-out, as the README warns (no server side to revoke it)', async () => {
    const browser = demoClient(demo!.url);
    await browser.login('carol');
    const copied = browser.jar.get('sid')!;
    await browser.request('POST', '/logout', { accept: 'json' });
    expect((await browser.session()).user).toBeNull();
    const thief = demoClient(demo!.url);
    thief.jar.set('sid', copied);
    expect((await thief.session()).user).toBe('carol');
  });

  it('treats a tampered cookie as signed out', async () => {
    const browser = demoClient(demo!.url);
    await browser.login('bob');
    const sealed = browser.jar.get('sid')!;
    browser.jar.set('sid', `${sealed.slice(0, -2)}${sealed.endsWith('AA') ? 'BB' : 'AA'}`);
    const res = await browser.request('GET', '/api/session');
    expect(res.status).toBe(200);
    expect((await res.json()).user).toBeNull();
  });
});
