import type { RunningDemo } from '@sess/demo-kit';
import { demoClient, testConfig } from '@sess/demo-kit/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedisServer } from '../../../packages/test-kit/src/redis/index';
import { start } from './launch';

/*
 * The demo under `next start`, on a private redis-server this file owns (its clients are
 * the demo's alone, and it can be stopped): one manager and one connection per process
 * whatever number of route bundles Next loads, and what every entry point answers while
 * the store is down.
 */

const HOOK_TIMEOUT_MS = 60_000;
const TEST_TIMEOUT_MS = 40_000;

describe('Next.js demo on its own redis-server', () => {
  let redis: RedisServer;
  let admin: Redis;
  let demo: RunningDemo;

  beforeAll(async () => {
    redis = await startRedisServer();
    admin = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => 200 });
    admin.on('error', () => {});
    demo = await start({ ...testConfig('redis'), redisUrl: redis.url });
  }, HOOK_TIMEOUT_MS);
  afterAll(async () => {
    await demo?.close();
    admin?.disconnect();
    await redis?.dispose();
  }, HOOK_TIMEOUT_MS);

  /**
   * The connections to the server but the admin's: the demo process's, and the one of the
   * launcher in this process (its store clears the demo's keys on close).
   */
  async function connections(): Promise<number> {
    if (admin.status !== 'ready') await admin.connect();
    const list = (await admin.client('LIST')) as string;
    const ownId = String(await admin.client('ID'));
    return list.split('\n').filter((line) => line.startsWith('id=') && !line.startsWith(`id=${ownId} `)).length;
  }

  it(
    'shares one session and one Redis connection between a Route Handler, the page, the proxy and the API',
    async () => {
      // The launcher's readiness probe has served one request already: the demo process is connected.
      const launcherAndDemo = await connections();
      expect(launcherAndDemo).toBe(2);
      const browser = demoClient(demo.url);
      expect((await browser.request('POST', '/login', { form: { user: 'ann' } })).status).toBe(303);
      expect(await browser.page()).toContain('<strong data-testid="user">ann</strong>');
      const account = await browser.request('GET', '/account');
      expect(account.status).toBe(200); // the proxy knows the session: it does not sign the user out
      expect(await account.text()).toContain('ann');
      expect((await browser.session()).user).toBe('ann');
      expect((await browser.request('POST', '/count', { accept: 'json' })).status).toBe(200);
      // Every route bundle has served a request now; none opened a connection of its own.
      expect(await connections()).toBe(launcherAndDemo);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'takes the first of two session cookies on the page, in the proxy and in a Route Handler',
    async () => {
      const victim = demoClient(demo.url);
      await victim.login('victim');
      const attacker = demoClient(demo.url);
      await attacker.login('attacker');
      const cookie = `${victim.jar.header()}; ${attacker.jar.header()}`;
      const get = (path: string, accept = 'text/html') =>
        fetch(new URL(path, demo.url), { headers: { cookie, accept }, redirect: 'manual' });
      expect(await (await get('/')).text()).toContain('<strong data-testid="user">victim</strong>');
      expect(await (await get('/account')).text()).toContain('victim');
      expect((await (await get('/api/session', 'application/json')).json()).user).toBe('victim');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'keeps the page out of shared caches; Vary: Cookie goes on every answer the proxy or a Route Handler gives',
    async () => {
      // Next 16 replaces a page's Vary with its own (app-page-runtime: res.setHeader('Vary', ...)), dropping the
      // proxy's Cookie; what keeps one user's page from another is that it is never stored by a shared cache.
      const page = await fetch(demo.url);
      expect(page.headers.get('cache-control')).toMatch(/private.*no-store/);
      const redirect = await fetch(new URL('/account', demo.url), { redirect: 'manual' });
      expect(redirect.status).toBe(303);
      expect(redirect.headers.get('vary')).toMatch(/cookie/i);
      const api = await fetch(new URL('/api/session', demo.url), { headers: { accept: 'application/json' } });
      expect(api.headers.get('vary')).toMatch(/cookie/i);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'answers 503 with Retry-After on the page, /account and the API while Redis is down, and recovers',
    async () => {
      const browser = demoClient(demo.url);
      await browser.login('bob');
      await redis.stop();
      try {
        const [page, account, api] = await Promise.all([
          browser.request('GET', '/'),
          browser.request('GET', '/account'),
          browser.request('GET', '/api/session', { accept: 'json' }),
        ]);
        for (const response of [page, account, api]) {
          expect(response.status).toBe(503);
          expect(response.headers.get('retry-after')).toBe('2');
        }
        expect(await page.text()).toContain('The session store is unavailable');
        expect(await api.json()).toEqual({ error: 'The session store is unavailable; try again shortly.' });
      } finally {
        await redis.start();
      }
      // Redis came back empty: a fresh session, answered normally.
      const deadlineMs = Date.now() + 10_000;
      let status = 0;
      while (Date.now() < deadlineMs && status !== 200) {
        status = (await browser.request('GET', '/')).status;
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(status).toBe(200);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'shows a flash message once across an outage: not during it, once after it, never again',
    async () => {
      const browser = demoClient(demo.url);
      await browser.login('cleo'); // flashes "Welcome, cleo!"
      if (admin.status !== 'ready') await admin.connect();
      // Redis holds the data but answers no one for 5 s (our own UNPAUSE would wait too): every store call times out.
      await admin.call('CLIENT', 'PAUSE', '5000', 'ALL');
      const during = await browser.request('GET', '/');
      expect(during.status).toBe(503);
      expect(await during.text()).not.toContain('Welcome');
      const pages: string[] = [];
      const deadlineMs = Date.now() + 10_000;
      while (Date.now() < deadlineMs) {
        const response = await browser.request('GET', '/');
        if (response.status === 200) {
          pages.push(await response.text());
          if (pages.length === 2) break;
        } else await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(pages).toHaveLength(2);
      expect(pages[0]).toContain('Welcome, cleo!');
      expect(pages[1]).not.toContain('Welcome, cleo!');
    },
    TEST_TIMEOUT_MS,
  );
});
