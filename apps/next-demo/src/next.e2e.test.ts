import type { RunningDemo } from '@sess/demo-kit';
import { afterResponseSettles, demoClient, STORE_MODES, startInMode, useChromium } from '@sess/demo-kit/testing';
import type { Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start } from './launch';

/*
 * What only the Next demo has, in Chromium: its buttons are Server Actions (sent with
 * the `next-action` header), and a Server Action that only changes session data must not
 * write a cookie, or Next re-renders the page and drops its client router cache for it.
 */

const TEST_TIMEOUT_MS = 30_000;
const HOOK_TIMEOUT_MS = 60_000;
const CLICKS = 10;

describe('Next.js demo: Server Actions in a browser', () => {
  const chromium = useChromium(HOOK_TIMEOUT_MS);

  describe.each(STORE_MODES)('with the $name store', (mode) => {
    let demo: RunningDemo;
    beforeAll(async () => {
      demo = await startInMode(start, mode, { clearStoreOnClose: true });
    }, HOOK_TIMEOUT_MS);
    afterAll(async () => {
      await demo?.close();
    });

    /** A browser on the page, recording the Server Action responses it gets. */
    async function device(): Promise<{ page: Page; actions: Response[] }> {
      const page = await (await chromium.device(demo.url)).newPage();
      const actions: Response[] = [];
      page.on('response', (response) => {
        if (response.request().headers()['next-action'] !== undefined) actions.push(response);
      });
      expect((await page.goto('/'))?.status()).toBe(200);
      await page.locator('[data-hydrated="true"]').waitFor();
      return { page, actions };
    }

    /** Clicks a button and waits until the page shows what the action's redirect rendered. */
    async function click(page: Page, testId: string): Promise<void> {
      const navigated = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() });
      await page.getByTestId(testId).click();
      await navigated;
    }

    async function setCookieCount(responses: Response[]): Promise<number> {
      const headers = await Promise.all(responses.map((response) => response.headersArray()));
      return headers.filter((list) => list.some(({ name }) => name.toLowerCase() === 'set-cookie')).length;
    }

    it(
      'signs in through the Server Action, not the form post, and shows the welcome flash once',
      async () => {
        const { page, actions } = await device();
        const formPosts: string[] = [];
        page.on('request', (request) => {
          if (request.method() === 'POST' && new URL(request.url()).pathname === '/login') formPosts.push(request.url());
        });
        await page.getByTestId('login-user').fill('alice');
        await click(page, 'login');
        expect(await page.getByTestId('user').textContent()).toBe('alice');
        expect(await page.getByTestId('flash').allTextContents()).toEqual(['Welcome, alice!']);
        expect(actions).toHaveLength(1);
        expect(formPosts).toEqual([]);
        // A new id on sign-in: the browser must learn it.
        expect(await setCookieCount(actions)).toBe(1);

        // The page consumed the flash in after(), once its response was sent.
        await afterResponseSettles();
        await page.reload();
        expect(await page.getByTestId('user').textContent()).toBe('alice');
        expect(await page.getByTestId('flash').count()).toBe(0);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      `sends no Set-Cookie on any of ${CLICKS} counter clicks: each Server Action only changes data`,
      async () => {
        const { page, actions } = await device();
        await page.getByTestId('login-user').fill('bob');
        await click(page, 'login');
        actions.length = 0;

        for (let clicks = 1; clicks <= CLICKS; clicks++) {
          await click(page, 'increment');
          expect(await page.getByTestId('count').textContent()).toBe(String(clicks));
        }
        expect(actions).toHaveLength(CLICKS);
        const withCookie = await setCookieCount(actions);
        console.log(
          `next-demo (${mode.name} store): ${withCookie} of ${actions.length} counter Server Action responses carried Set-Cookie`,
        );
        expect(withCookie).toBe(0);

        await page.reload();
        expect(await page.getByTestId('count').textContent()).toBe(String(CLICKS));
      },
      TEST_TIMEOUT_MS * 2,
    );

    it(
      'starts a fresh session from a Server Action sent with a hand-edited cookie, instead of erroring',
      async () => {
        const { page, actions } = await device();
        await page.getByTestId('login-user').fill('carol');
        await click(page, 'login');
        const context = page.context();
        const [cookie] = await context.cookies();
        await context.addCookies([{ ...cookie!, value: `${cookie!.value.slice(0, -2)}xx` }]);

        await click(page, 'increment');
        expect(await page.getByTestId('signed-out').isVisible()).toBe(true);
        expect(await page.getByTestId('count').textContent()).toBe('1');
        expect(actions.at(-1)?.status()).toBeLessThan(400);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'lets proxy send a signed-out browser from /account to the page, and a signed-in one through',
      async () => {
        const { page } = await device();
        await page.goto('/account');
        expect(new URL(page.url()).pathname).toBe('/');
        expect(await page.getByTestId('signed-out').isVisible()).toBe(true);

        await page.getByTestId('login-user').fill('dave');
        await click(page, 'login');
        const response = await page.goto('/account');
        expect(response?.status()).toBe(200);
        expect(await page.getByTestId('account-user').textContent()).toBe('dave');
      },
      TEST_TIMEOUT_MS,
    );
  });
});

describe('Next.js demo: routes only Next has, over HTTP', () => {
  describe.each(STORE_MODES)('with the $name store', (mode) => {
    let demo: RunningDemo;
    beforeAll(async () => {
      demo = await startInMode(start, mode, { clearStoreOnClose: true });
    }, HOOK_TIMEOUT_MS);
    afterAll(async () => {
      await demo?.close();
    });

    // On Upstash the edge route keeps its session in Redis over HTTP; otherwise in a sealed cookie.
    const edgeStore = mode.driver === 'upstash' ? 'upstash' : 'cookie';

    it(
      `counts in a Route Handler on the edge runtime, the session in the ${edgeStore === 'upstash' ? 'Redis over HTTP' : 'sealed cookie'} store`,
      async () => {
        const client = demoClient(demo.url);
        const cookies: string[] = [];
        for (const expected of [1, 2]) {
          const response = await client.request('POST', '/api/edge', { accept: 'json' });
          expect(response.status).toBe(200);
          expect(await response.json()).toEqual({ count: expected, runtime: 'edge', store: edgeStore });
          cookies.push(...response.headers.getSetCookie());
        }
        if (edgeStore === 'cookie') {
          // The cookie store's data lives in the cookie: each data change re-seals it.
          expect(cookies).toHaveLength(2);
          for (const cookie of cookies) expect(cookie).toMatch(/^edge\.sid=[^;]+;/);
        } else {
          // A server store: the id cookie is set once, when the session is created; the count is in Redis.
          expect(cookies).toEqual([expect.stringMatching(/^edge\.sid=[^;]+;/)]);
        }
        const read = await client.request('GET', '/api/edge', { accept: 'json' });
        expect(await read.json()).toEqual({ count: 2, runtime: 'edge', store: edgeStore });
        expect(read.headers.getSetCookie()).toEqual([]);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'answers a signed-out /account from proxy with a 303, before any render',
      async () => {
        const visitor = demoClient(demo.url);
        const response = await visitor.request('GET', '/account');
        expect(response.status).toBe(303);
        expect(new URL(response.headers.get('location')!, demo.url).pathname).toBe('/');
        expect(response.headers.getSetCookie()).toEqual([]);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'renders the page of a signed-in user from a Server Component without any Set-Cookie',
      async () => {
        const browser = demoClient(demo.url);
        await browser.login('erin');
        for (let visit = 0; visit < 3; visit++) {
          const response = await browser.request('GET', '/');
          expect(response.status).toBe(200);
          expect(response.headers.getSetCookie()).toEqual([]);
          expect(await response.text()).toContain('<strong data-testid="user">erin</strong>');
        }
        const account = await browser.request('GET', '/account');
        expect(account.status).toBe(200);
        expect(account.headers.getSetCookie()).toEqual([]);
      },
      TEST_TIMEOUT_MS,
    );
  });
});
