import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningDemo, StartDemo } from '../server';
import { afterResponseSettles, STORE_MODES, startInMode, type TestStoreMode } from './modes';

/** Debian's `chromium` package; `.ci/run` installs it when missing. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Root needs --no-sandbox; the rest keep Chromium off the network and quick to start. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const TEST_TIMEOUT_MS = 20_000;
/** Starting a demo (Next.js: `next start`) while other suites load both cores. */
const HOOK_TIMEOUT_MS = 60_000;

/**
 * One headless Chromium for the calling suite (launched before it, closed after it)
 * and `device(baseUrl)`: a new context (its own cookies) on that URL, closed after the test.
 */
export function useChromium(hookTimeoutMs = HOOK_TIMEOUT_MS): { device(baseUrl: string): Promise<BrowserContext> } {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: hookTimeoutMs });
  }, hookTimeoutMs);
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });
  afterAll(async () => {
    await browser?.close();
  });
  return {
    async device(baseUrl) {
      if (browser === undefined) throw new Error('useChromium: Chromium is launched before the suite; call device() in a test');
      const context = await browser.newContext({ baseURL: baseUrl });
      context.setDefaultTimeout(10_000);
      contexts.push(context);
      return context;
    },
  };
}

/**
 * The demos in a real headless Chromium, in both store modes: real forms, real
 * redirects, real cookies. One browser per file, one context (a fresh cookie jar) per
 * simulated device.
 */
export function describeDemoE2E(
  name: string,
  start: StartDemo,
  options: {
    modes?: readonly TestStoreMode[];
    /** The page consumes a flash after its response is sent (Next's Server Components): wait for it before a reload. */
    flashConsumedAfterResponse?: boolean;
  } = {},
): void {
  describe(`${name}: in a browser`, () => {
    const browser = useChromium();

    describe.each(options.modes ?? STORE_MODES)('with the $name store', (mode) => {
      let demo: RunningDemo;
      beforeAll(async () => {
        demo = await startInMode(start, mode, { clearStoreOnClose: true });
      }, HOOK_TIMEOUT_MS);
      afterAll(async () => {
        await demo?.close();
      });

      /** A new device: its own cookies, on the demo's page. */
      async function device(): Promise<Page> {
        const page = await (await browser.device(demo.url)).newPage();
        const response = await page.goto('/');
        // Next.js replaces the history entry while it hydrates: wait for its marker (absent on other demos).
        await page.locator('[data-hydrated="false"]').waitFor({ state: 'detached' });
        expect(response?.status()).toBe(200);
        return page;
      }

      it(
        'signs in and shows the welcome flash exactly once',
        async () => {
          const page = await device();
          expect(await page.getByTestId('signed-out').isVisible()).toBe(true);
          await signIn(page, 'alice');
          expect(await page.getByTestId('user').textContent()).toBe('alice');
          expect(await page.getByTestId('flash').allTextContents()).toEqual(['Welcome, alice!']);

          if (options.flashConsumedAfterResponse) await afterResponseSettles();
          const reload = await page.reload();
          expect(reload?.status()).toBe(200);
          expect(await page.getByTestId('user').textContent()).toBe('alice');
          expect(await page.getByTestId('flash').count()).toBe(0);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'keeps the counter across reloads and new tabs',
        async () => {
          const page = await device();
          for (let clicks = 1; clicks <= 3; clicks++) {
            await submit(page, 'increment');
            expect(await page.getByTestId('count').textContent()).toBe(String(clicks));
          }
          await page.reload();
          expect(await page.getByTestId('count').textContent()).toBe('3');

          const tab = await page.context().newPage();
          await tab.goto('/');
          expect(await tab.getByTestId('count').textContent()).toBe('3');
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'lists a second browser signed in as the same user among the active sessions',
        async () => {
          const laptop = await device();
          const phone = await device();
          await signIn(laptop, 'bob');
          expect(await laptop.getByTestId('session-item').count()).toBe(1);
          await signIn(phone, 'bob');

          await laptop.reload();
          const items = laptop.getByTestId('session-item');
          expect(await items.count()).toBe(2);
          expect(await laptop.locator('[data-testid="session-item"][data-current="true"]').count()).toBe(1);
          expect(await phone.getByTestId('session-item').count()).toBe(2);
          // Each device marks a different one as its own.
          const laptopCurrent = await laptop.locator('[data-current="true"] code').textContent();
          const phoneCurrent = await phone.locator('[data-current="true"] code').textContent();
          expect(laptopCurrent).not.toBe(phoneCurrent);
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'signs the other browser out on its next request after "sign out everywhere"',
        async () => {
          const laptop = await device();
          const phone = await device();
          await signIn(laptop, 'carol');
          await signIn(phone, 'carol');
          await submit(phone, 'increment');
          expect(await phone.getByTestId('count').textContent()).toBe('1');

          await submit(laptop, 'logout-all');
          expect(await laptop.getByTestId('signed-out').isVisible()).toBe(true);
          expect(await laptop.getByTestId('flash').textContent()).toBe('Signed out everywhere (2 sessions).');

          const next = await phone.reload();
          expect(next?.status()).toBe(200);
          expect(await phone.getByTestId('signed-out').isVisible()).toBe(true);
          expect(await phone.getByTestId('count').textContent()).toBe('0');
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'signs the user out instead of erroring when the cookie is edited by hand',
        async () => {
          const page = await device();
          await signIn(page, 'dave');
          const context = page.context();
          const [cookie] = await context.cookies();
          expect(cookie?.httpOnly).toBe(true);
          expect(cookie?.sameSite).toBe('Lax');

          for (const edited of [flipCharacter(cookie!.value), `${cookie!.value}x`, 'hand-edited']) {
            await context.addCookies([{ ...cookie!, value: edited }]);
            const response = await page.reload();
            expect(response?.status(), edited).toBe(200);
            expect(await page.getByTestId('signed-out').isVisible(), edited).toBe(true);
          }
          // And signing in again works.
          await signIn(page, 'dave');
          expect(await page.getByTestId('user').textContent()).toBe('dave');
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'shows a hostile user name as text, not markup',
        async () => {
          const page = await device();
          const hostile = '<img src=x onerror="document.title=\'pwned\'">';
          await signIn(page, hostile);
          expect(await page.getByTestId('user').textContent()).toBe(hostile);
          expect(await page.locator('img').count()).toBe(0);
          expect(await page.title()).not.toBe('pwned');
        },
        TEST_TIMEOUT_MS,
      );

      it(
        'signs out this browser only with "sign out"',
        async () => {
          const laptop = await device();
          const phone = await device();
          await signIn(laptop, 'erin');
          await signIn(phone, 'erin');
          await submit(laptop, 'logout');
          expect(await laptop.getByTestId('flash').textContent()).toBe('You are signed out.');
          await phone.reload();
          expect(await phone.getByTestId('user').textContent()).toBe('erin');
          expect(await phone.getByTestId('session-item').count()).toBe(1);
        },
        TEST_TIMEOUT_MS,
      );
    });
  });
}

/** Fills the sign-in form and submits it. */
async function signIn(page: Page, user: string): Promise<void> {
  await page.getByTestId('login-user').fill(user);
  await submit(page, 'login');
}

/** Clicks a form's submit button and waits for the page the 303 leads to. */
async function submit(page: Page, testId: string): Promise<void> {
  const navigated = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() });
  await page.getByTestId(testId).click();
  await navigated;
  await page.waitForLoadState('load');
}

/** The same cookie with one character in its middle changed. */
function flipCharacter(value: string): string {
  const middle = Math.floor(value.length / 2);
  return value.slice(0, middle) + (value[middle] === 'A' ? 'B' : 'A') + value.slice(middle + 1);
}
