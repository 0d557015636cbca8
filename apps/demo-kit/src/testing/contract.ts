import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningDemo, StartDemo } from '../server';
import type { StoreMode } from '../store';
import { afterResponseSettles, demoClient, STORE_MODES, startInMode, type TestStoreMode, testConfig } from './modes';

export interface DemoContractOptions {
  /** Starts the app in-process. */
  start: StartDemo;
  /** The app's folder: its `src/server.ts` is spawned the way `pnpm start` runs it. */
  appDir: string;
  /**
   * The page consumes a flash after its response is sent (Next's Server Components commit in
   * `after()`): the suite gives that write a moment before it asks for the page again.
   */
  flashConsumedAfterResponse?: boolean;
  /** The stores to run the contract on. @default STORE_MODES */
  modes?: readonly TestStoreMode[];
  /**
   * The command line cases (`src/server.ts` and `pnpm start`): the secret rules, Ctrl-C.
   * `false` leaves them out; an object names another entry (the Hono demo's workerd script).
   * @default true
   */
  commandLine?: boolean | DemoCommandLine;
}

/** Which command line the contract's command line cases run. */
export interface DemoCommandLine {
  /** The file spawned with tsx in the app's folder, as the script below runs it. @default 'src/server.ts' */
  entry?: string;
  /** The app's package.json script that starts it, interrupted with Ctrl-C. @default 'start' */
  script?: string;
  /** The store it starts on without `REDIS_URL`, shown on its page. @default 'memory' */
  store?: StoreMode;
}

/** Starting a demo (Next.js: `next start`) while other suites load both cores. */
const START_TIMEOUT_MS = 60_000;

/**
 * The demos' HTTP contract over loopback fetch, in both store modes, plus the command
 * line rules (the secret). Every demo runs this same suite.
 */
export function describeDemoContract(name: string, options: DemoContractOptions): void {
  describe(`${name}: HTTP contract`, () => {
    describe.each(options.modes ?? STORE_MODES)('with the $name store', (mode) => {
      let demo: RunningDemo;
      beforeAll(async () => {
        demo = await startInMode(options.start, mode, { clearStoreOnClose: true });
      }, START_TIMEOUT_MS);
      afterAll(async () => {
        await demo?.close();
      });
      const client = () => demoClient(demo.url);

      it('uses the store the environment asks for, and says which on the page', async () => {
        expect(demo.storeMode).toBe(mode.store);
        const html = await client().page();
        expect(html).toContain(`data-testid="store-mode">${mode.store} store</span>`);
        if (mode.driver === undefined) expect(html).not.toContain('data-testid="store-driver"');
        else expect(html).toContain(`data-testid="store-driver">on ${mode.driver}</span>`);
      });

      it('shows a visitor the sign-in form without storing anything or setting a cookie', async () => {
        const visitor = client();
        const response = await visitor.request('GET', '/');
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toMatch(/^text\/html/);
        expect(response.headers.getSetCookie()).toEqual([]);
        const html = await response.text();
        expect(html).toContain('data-testid="signed-out"');
        expect(html).toMatch(/<form method="post" action="\/login">/);
      });

      it('signs in from a form with a 303 to the page, which shows the user and the welcome flash once', async () => {
        const browser = client();
        const response = await browser.request('POST', '/login', { form: { user: 'alice' } });
        expect(response.status).toBe(303);
        expect(response.headers.get('location')).toBe('/');
        expect(browser.jar.header()).toBeDefined();

        const first = await browser.page();
        expect(first).toContain('<strong data-testid="user">alice</strong>');
        expect(first).toContain('data-testid="flash">Welcome, alice!</p>');
        if (options.flashConsumedAfterResponse) await afterResponseSettles();
        const second = await browser.page();
        expect(second).toContain('<strong data-testid="user">alice</strong>');
        expect(second).not.toContain('data-testid="flash"');
      });

      it('signs in from JSON with the new state as JSON', async () => {
        const api = client();
        const response = await api.request('POST', '/login', { json: { user: ' bob ' }, accept: 'json' });
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toMatch(/^application\/json/);
        expect(await response.json()).toEqual({ user: 'bob', count: 0, data: { user: 'bob' } });
        expect(await api.session()).toEqual({ user: 'bob', count: 0, data: { user: 'bob' } });
      });

      it('gives a new session id on sign-in, so a planted cookie is not signed in (fixation)', async () => {
        const victim = client();
        await victim.request('POST', '/count', { accept: 'json' });
        const planted = victim.jar.get('sid')!;
        await victim.login('carol');
        expect(victim.jar.get('sid')).not.toBe(planted);

        const attacker = client();
        attacker.jar.set('sid', planted);
        expect((await attacker.session()).user).toBeNull();
      });

      it('refuses an empty or overlong name: 400 for JSON, a flash message for forms', async () => {
        const api = client();
        const empty = await api.request('POST', '/login', { json: { user: '   ' }, accept: 'json' });
        expect(empty.status).toBe(400);
        expect(await empty.json()).toEqual({ error: expect.stringContaining('name') });
        const long = await api.request('POST', '/login', { json: { user: 'x'.repeat(65) }, accept: 'json' });
        expect(long.status).toBe(400);
        const notAString = await api.request('POST', '/login', { json: { user: ['alice'] }, accept: 'json' });
        expect(notAString.status).toBe(400);

        const browser = client();
        const form = await browser.request('POST', '/login', { form: { user: '' } });
        expect(form.status).toBe(303);
        const html = await browser.page();
        expect(html).toContain('data-testid="signed-out"');
        expect(html).toMatch(/data-testid="flash">Please give a name/);
      });

      it('counts per session, with a 303 for forms and the new count for JSON', async () => {
        const browser = client();
        expect((await browser.request('POST', '/count')).status).toBe(303);
        expect((await browser.request('POST', '/count')).status).toBe(303);
        const response = await browser.request('POST', '/count', { accept: 'json' });
        expect(await response.json()).toMatchObject({ user: null, count: 3 });
        expect(await browser.page()).toContain('<output data-testid="count">3</output>');
        expect((await client().session()).count).toBe(0);
      });

      it('answers GET /api/session without modifying the session: no cookie, and a pending flash stays', async () => {
        const browser = client();
        await browser.request('POST', '/login', { form: { user: 'dana' } });
        const read = await browser.request('GET', '/api/session');
        expect(read.status).toBe(200);
        expect(read.headers.getSetCookie()).toEqual([]);
        expect(await read.json()).toEqual({ user: 'dana', count: 0, data: { user: 'dana' } });
        expect(await browser.page()).toContain('Welcome, dana!');

        const visitor = client();
        const anonymous = await visitor.request('GET', '/api/session');
        expect(await anonymous.json()).toEqual({ user: null, count: 0, data: {} });
        expect(anonymous.headers.getSetCookie()).toEqual([]);
      });

      it('sets and removes any top-level key with PUT and DELETE /api/data/:key', async () => {
        const api = client();
        const put = await api.request('PUT', '/api/data/cart', { json: { items: [{ sku: 'a', qty: 2 }], note: 'ünïcødé' } });
        expect(put.status).toBe(200);
        expect((await put.json()).data).toEqual({ cart: { items: [{ sku: 'a', qty: 2 }], note: 'ünïcødé' } });
        await api.request('PUT', '/api/data/theme', { json: 'dark' });
        await api.request('PUT', '/api/data/zero', { json: 0 });
        await api.request('PUT', '/api/data/nothing', { json: null });
        expect((await api.session()).data).toEqual({
          cart: { items: [{ sku: 'a', qty: 2 }], note: 'ünïcødé' },
          theme: 'dark',
          zero: 0,
          nothing: null,
        });

        const removed = await api.request('DELETE', '/api/data/cart');
        expect(removed.status).toBe(200);
        expect((await api.session()).data).toEqual({ theme: 'dark', zero: 0, nothing: null });
      });

      it('refuses reserved or unsafe keys and a missing body with a 400', async () => {
        const api = client();
        for (const key of ['__proto__', '__flash', 'constructor', 'user', 'count', 'a%20b', 'x'.repeat(65)]) {
          const response = await api.request('PUT', `/api/data/${key}`, { json: { admin: true } });
          expect(response.status, key).toBe(400);
          expect(await response.json(), key).toEqual({ error: expect.any(String) });
        }
        const noBody = await api.request('PUT', '/api/data/theme');
        expect(noBody.status).toBe(400);
        const badJson = await fetch(new URL('/api/data/theme', demo.url), {
          method: 'PUT',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: '{"broken":',
        });
        expect(badJson.status).toBe(400);
        expect((await api.session()).data).toEqual({});
      });

      it('refuses a JSON PUT with an empty body with a 400, storing nothing', async () => {
        const api = client();
        const empty = await fetch(new URL('/api/data/theme', demo.url), {
          method: 'PUT',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: '',
        });
        expect(empty.status).toBe(400);
        expect(await empty.json()).toEqual({ error: expect.stringMatching(/empty/i) });
        expect((await api.session()).data).toEqual({});
      });

      it('answers a session over the store size limit with a 413 and a clear message, keeping what was stored', async () => {
        const api = client();
        const chunk = 'x'.repeat(95_000); // under the 100 KB body limit; 12 of them are over the 1 MiB session limit
        let tooLarge: Response | undefined;
        let stored = 0;
        for (let i = 0; i < 12 && tooLarge === undefined; i++) {
          const response = await api.request('PUT', `/api/data/part${i}`, { json: chunk, accept: 'json' });
          if (response.status === 413) tooLarge = response;
          else {
            expect(response.status, `PUT number ${i + 1}`).toBe(200);
            await response.arrayBuffer();
            stored++;
          }
        }
        expect(tooLarge?.status).toBe(413);
        expect(await tooLarge!.json()).toEqual({
          error: expect.stringMatching(/^The session would be too large \(\d+ bytes, the limit is 1048576\)/),
        });
        expect(Object.keys((await api.session()).data)).toHaveLength(stored);

        const page = await api.request('PUT', '/api/data/more', { json: chunk, accept: 'html' });
        expect(page.status).toBe(413);
        expect(page.headers.get('content-type')).toMatch(/^text\/html/);
        expect(await page.text()).toContain('The session would be too large');
      });

      it('refuses JSON nested thousands of levels deep with a 400 from the demo, not a 500', async () => {
        const depth = 5000; // 10 KB, well under the body limit
        const deep = `${'['.repeat(depth)}${']'.repeat(depth)}`;
        const api = client();
        for (const path of ['/api/data/deep', '/login']) {
          const json = await fetch(new URL(path, demo.url), {
            method: path === '/login' ? 'POST' : 'PUT',
            headers: { 'content-type': 'application/json', accept: 'application/json' },
            body: path === '/login' ? `{"user":${deep}}` : deep,
          });
          expect(json.status, path).toBe(400);
          expect(await json.json(), path).toEqual({ error: expect.stringMatching(/nested deeper than \d+ levels/) });
        }
        const page = await fetch(new URL('/api/data/deep', demo.url), {
          method: 'PUT',
          headers: { 'content-type': 'application/json', accept: 'text/html' },
          body: deep,
        });
        expect(page.status).toBe(400);
        const html = await page.text();
        expect(html).toContain('nested deeper than');
        expect(html).toContain('<a href="/">Back</a>');
        expect((await api.session()).data).toEqual({});
      });

      it('answers a pipelined request after a 413 for an oversized body on a keep-alive connection', async () => {
        const { port, hostname } = new URL(demo.url);
        // Far over the limit: the rest of the body is still on the wire when the 413 is sent.
        const body = JSON.stringify('x'.repeat(1_000_000));
        const raw =
          `PUT /api/data/big HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nAccept: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: keep-alive\r\n\r\n${body}` +
          `GET /api/session HTTP/1.1\r\nHost: ${hostname}\r\nAccept: application/json\r\nConnection: close\r\n\r\n`;
        const { text, error } = await exchange(Number(port), hostname, raw);
        expect(error).toBeUndefined();
        // A status line may follow the previous body directly: bodies end without a newline.
        const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((match) => Number(match[1]));
        expect(statuses[0]).toBe(413);
        const first = text.slice(0, text.indexOf('\r\n\r\n'));
        // Either the next request is answered, or the 413 said honestly that the connection ends.
        if (/^connection: close/im.test(first)) expect(statuses).toEqual([413]);
        else expect(statuses).toEqual([413, 200]);
      }, 15_000);

      it('destroys the session on logout: the old cookie no longer signs anyone in', async () => {
        const browser = client();
        await browser.login('erin');
        const before = browser.jar.get('sid')!;
        const response = await browser.request('POST', '/logout');
        expect(response.status).toBe(303);
        expect((await browser.session()).user).toBeNull();

        const replay = client();
        replay.jar.set('sid', before);
        expect((await replay.session()).user).toBeNull();
        expect(await browser.page()).toContain('You are signed out.');
      });

      it('revokes every session of the user, and only that user, on logout-all', async () => {
        const laptop = client();
        const phone = client();
        const stranger = client();
        await laptop.login('frank');
        await phone.login('frank');
        await stranger.login('grace');
        expect(await laptop.page()).toMatch(/Your active sessions \(2\)/);

        const response = await laptop.request('POST', '/logout-all', { accept: 'json' });
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ user: null, count: 0, data: {}, revoked: 2 });
        expect((await laptop.session()).user).toBeNull();
        expect((await phone.session()).user).toBeNull();
        expect((await stranger.session()).user).toBe('grace');
      });

      it('treats a tampered or garbage cookie as signed out, not as an error', async () => {
        const browser = client();
        await browser.login('heidi');
        const value = browser.jar.get('sid')!;
        const middle = Math.floor(value.length / 2);
        browser.jar.set('sid', value.slice(0, middle) + (value[middle] === 'A' ? 'B' : 'A') + value.slice(middle + 1));
        const page = await browser.request('GET', '/');
        expect(page.status).toBe(200);
        expect(await page.text()).toContain('data-testid="signed-out"');

        for (const garbage of ['not-a-session', '', '%%%', 'a'.repeat(4000)]) {
          const other = client();
          other.jar.set('sid', garbage);
          const response = await other.request('GET', '/');
          expect(response.status, garbage).toBe(200);
        }
      });

      it('escapes user input in the page', async () => {
        const browser = client();
        await browser.login('<img src=x onerror=alert(1)>"\'&');
        const html = await browser.page();
        expect(html).not.toContain('<img src=x');
        expect(html).toContain('<strong data-testid="user">&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;</strong>');
      });

      it('answers 404 to an unknown route', async () => {
        const response = await client().request('GET', '/nope', { accept: 'json' });
        expect(response.status).toBe(404);
        expect(await response.json()).toEqual({ error: 'No route for GET /nope.' });
        const page = await client().request('POST', '/nope');
        expect(page.status).toBe(404);
        expect(await page.text()).toContain('No route for POST /nope.');
      });
    });
  });

  describe(`${name}: cookie name`, () => {
    it(
      'signs in under the SESSION_COOKIE_NAME it is given: a __Host- cookie in production (Secure, Path=/, no Domain)',
      async () => {
        const demo = await options.start({ ...testConfig((options.modes ?? STORE_MODES)[0]!), cookieName: '__Host-sid', production: true });
        try {
          const browser = demoClient(demo.url);
          const login = await browser.request('POST', '/login', { form: { user: 'hana' } });
          expect(login.status).toBe(303);
          const [cookie] = login.headers.getSetCookie();
          expect(cookie).toMatch(/^__Host-sid=[^;]+;/);
          expect(cookie).toMatch(/;\s*Secure/i);
          expect(cookie).toMatch(/;\s*Path=\/(;|$)/i);
          expect(cookie).not.toMatch(/;\s*Domain=/i);
          expect((await browser.session()).user).toBe('hana');
        } finally {
          await demo.close();
        }
      },
      START_TIMEOUT_MS,
    );
  });

  describe(`${name}: store outage`, () => {
    it.each((options.modes ?? STORE_MODES).filter((mode) => mode.store === 'redis'))(
      'answers 503 with a readable message and sets no cookie when Redis is unreachable ($name)',
      async (mode) => {
        // Port 1 on loopback refuses connections: every store call fails after the store's timeout.
        const demo = await startInMode(options.start, mode, { config: { redisUrl: 'redis://127.0.0.1:1' } });
        try {
          const browser = demoClient(demo.url);
          const [page, api] = await Promise.all([
            browser.request('POST', '/login', { form: { user: 'ivan' } }),
            demoClient(demo.url).request('POST', '/count', { accept: 'json' }),
          ]);
          expect(page.status).toBe(503);
          expect([page.headers.get('retry-after'), api.headers.get('retry-after')]).toEqual(['2', '2']);
          expect(await page.text()).toContain('The session store is unavailable');
          expect(page.headers.getSetCookie()).toEqual([]);
          expect(api.status).toBe(503);
          expect(await api.json()).toEqual({ error: 'The session store is unavailable; try again shortly.' });
        } finally {
          await demo.close();
        }
      },
      START_TIMEOUT_MS,
    );
  });

  if (options.commandLine === false) return;
  const { entry = 'src/server.ts', script = 'start', store = 'memory' } = options.commandLine === true ? {} : (options.commandLine ?? {});
  describe(`${name}: command line`, () => {
    it('refuses to start in production without SESSION_SECRET, with exit code 1 and a clear message', async () => {
      const run = await runServer(options.appDir, entry, { NODE_ENV: 'production', SESSION_SECRET: '', PORT: '0' });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('SESSION_SECRET is required when NODE_ENV=production');
    }, 20_000);

    it('starts in development without SESSION_SECRET, warning that sessions will not survive a restart', async () => {
      const run = await runServer(options.appDir, entry, { NODE_ENV: 'development', SESSION_SECRET: '', PORT: '0' }, async (stdout) => {
        const url = /open (http:\/\/\S+)/.exec(stdout)?.[1];
        if (url === undefined) return false;
        const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
        expect(response.status).toBe(200);
        const html = await response.text();
        expect(html).toContain('data-testid="login"');
        expect(html).toContain(`data-testid="store-mode">${store} store</span>`);
        return true;
      });
      expect(run.stderr).toContain('Sessions will not survive a restart');
      expect(run.stdout).toMatch(/sessions: \S/);
      if (store === 'memory') {
        expect(run.stdout).toMatch(/sessions: memory/);
        expect(run.stdout).toMatch(/set both REDIS_URL=redis:\/\/127\.0\.0\.1:6379 and SESSION_SECRET/);
      }
      expect(run.stdout).toMatch(/(Koa|Express) demo: npx -y pnpm@10 /);
      expect(run.stdout).not.toMatch(/(?<!npx -y pnpm@10 )\bpnpm (--filter|demo)/);
    }, 20_000);

    it(`stops on Ctrl-C (SIGINT to the process group of \`pnpm --filter <app> ${script}\`) with exit code 0 and no pnpm error`, async () => {
      const run = await interruptStartScript(options.appDir, script);
      expect(run.output).toMatch(/open http:\/\//);
      expect({ code: run.code, signal: run.signal }, run.output).toEqual({ code: 0, signal: null });
      expect(run.output).not.toMatch(/ERR_PNPM|ELIFECYCLE|Command failed/);
    }, 30_000);
  });
}

/**
 * Runs `pnpm --filter <app> <script>` from the repository root, as a user does, and sends
 * SIGINT to its whole process group once the demo listens: what Ctrl-C in a terminal does.
 */
async function interruptStartScript(
  appDir: string,
  script: string,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
  const { name } = JSON.parse(readFileSync(join(appDir, 'package.json'), 'utf8')) as { name: string };
  const child = spawn('pnpm', ['--filter', name, script], {
    cwd: join(appDir, '../..'),
    env: { ...process.env, NODE_ENV: 'development', SESSION_SECRET: '', REDIS_URL: '', PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  let interrupted = false;
  const interrupt = () => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGINT');
  };
  const onOutput = (chunk: Buffer) => {
    output += chunk.toString();
    if (!interrupted && /open http:\/\//.test(output)) {
      interrupted = true;
      interrupt();
    }
  };
  child.stdout!.on('data', onOutput);
  child.stderr!.on('data', onOutput);
  const timer = setTimeout(() => {
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
  }, 25_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal])),
  );
  clearTimeout(timer);
  return { code, signal, output };
}

/**
 * Writes raw bytes to a server and reads until it closes the connection (at most 10 s):
 * `fetch` cannot pipeline, and an ECONNRESET must be seen, not retried.
 */
function exchange(port: number, host: string, raw: string): Promise<{ text: string; error: NodeJS.ErrnoException | undefined }> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    let text = '';
    let error: NodeJS.ErrnoException | undefined;
    const timer = setTimeout(() => socket.destroy(), 10_000);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('error', (socketError) => {
      error = socketError;
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, error });
    });
    socket.write(raw);
  });
}

/**
 * Runs `tsx <entry>` in the app's folder, as `pnpm start` does. With `whenReady`,
 * calls it on each stdout chunk until it returns true, then stops the server.
 */
async function runServer(
  appDir: string,
  entry: string,
  env: Record<string, string>,
  whenReady?: (stdout: string) => Promise<boolean>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child: ChildProcess = spawn(join(appDir, 'node_modules/.bin/tsx'), [entry], {
    cwd: appDir,
    env: { ...process.env, REDIS_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  let checking = Promise.resolve();
  let failure: unknown;
  const stop = () => {
    // The group: the .bin wrapper and the node process under it.
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
  };
  const timer = setTimeout(stop, 15_000);
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let ready = whenReady === undefined;
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    checking = checking
      .then(async () => {
        if (ready || whenReady === undefined) return;
        if (await whenReady(stdout)) {
          ready = true;
          stop();
        }
      })
      .catch((error: unknown) => {
        failure ??= error;
        stop();
      });
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  clearTimeout(timer);
  await checking;
  if (failure !== undefined) throw failure;
  if (!ready) throw new Error(`the server never became ready.\nstdout: ${stdout}\nstderr: ${stderr}`);
  return { code, stdout, stderr };
}
