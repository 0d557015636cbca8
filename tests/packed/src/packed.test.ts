import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// By path, the one file: the jar is test tooling, and everything under test comes from the tarballs.
import { CookieJar } from '../../../packages/core/src/testing/cookie-jar';
import {
  createOutsideProject,
  type NodeMajor,
  type OutsideProject,
  publishedPackages,
  runNode,
  startNode,
  testedReadmeBlocks,
} from './outside';

const NODE_MAJORS: readonly NodeMajor[] = [20, 22, 24];
const SECRET = 'packed-test-secret-that-is-long-enough-0123456789';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

let project: OutsideProject;

beforeAll(async () => {
  project = await createOutsideProject();
});

afterAll(async () => {
  await project?.remove();
});

/** Each published subpath and the conditions its exports map offers. */
const entryPoints = publishedPackages.flatMap((pkg) =>
  Object.entries(pkg.exports)
    .filter(([subpath]) => subpath !== './package.json')
    .map(([subpath, target]) => ({
      specifier: subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`,
      hasRequire: typeof target === 'object' && target !== null && 'require' in target,
    })),
);

describe('the packed tarballs, installed outside the workspace', () => {
  it('install with a plain npm install (no --legacy-peer-deps)', () => {
    expect(project.installLog).not.toMatch(/ERESOLVE|peer dep/i);
  });

  describe.each(NODE_MAJORS)('on Node %i', (major) => {
    it.each(entryPoints)('import $specifier with Node’s own ESM loader', async ({ specifier }) => {
      const { stdout } = await runNode(project, major, [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(specifier)}); console.log(Object.keys(m).length);`,
      ]);
      expect(Number(stdout.trim())).toBeGreaterThan(0);
    });

    it.each(entryPoints.filter((entry) => entry.hasRequire))('require $specifier from CommonJS', async ({ specifier }) => {
      const { stdout } = await runNode(project, major, ['-e', `console.log(Object.keys(require(${JSON.stringify(specifier)})).length)`]);
      expect(Number(stdout.trim())).toBeGreaterThan(0);
    });
  });
});

/** Starts a README block as a server (Node 24 strips its types), waits for it to listen, and stops it after `body`. */
async function withReadmeServer(readme: string, index: number, body: (baseUrl: string) => Promise<void>): Promise<void> {
  const blocks = testedReadmeBlocks(readme);
  const code = blocks[index];
  if (code === undefined) throw new Error(`${readme} has no block ${index} marked <!-- tested: tests/packed -->`);
  const file = join(project.dir, `${readme.replaceAll('/', '_')}.${index}.ts`);
  await writeFile(file, code);
  const port = String(20_000 + Math.floor(Math.random() * 20_000));
  const server = startNode(project, 24, file, { PORT: port, SESSION_SECRET: SECRET, REDIS_URL, NODE_ENV: 'development' });
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await fetch(baseUrl, { signal: AbortSignal.timeout(1000) });
        break;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`the README server did not listen: ${server.output()}`, { cause: error });
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    await body(baseUrl);
  } finally {
    const output = await server.stop();
    expect(output).not.toMatch(/Error|ExperimentalWarning: Type Stripping/);
  }
}

function client(baseUrl: string) {
  const jar = new CookieJar();
  return async (method: string, path: string, form?: Record<string, string>) => {
    const headers = new Headers();
    const cookie = jar.header();
    if (cookie !== undefined) headers.set('cookie', cookie);
    let body: string | undefined;
    if (form !== undefined) {
      headers.set('content-type', 'application/x-www-form-urlencoded');
      body = new URLSearchParams(form).toString();
    }
    const response = await fetch(new URL(path, baseUrl), { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(5000) });
    jar.update(response);
    return { status: response.status, text: await response.text(), setCookie: response.headers.getSetCookie() };
  };
}

describe('the README examples, run as written against the installed tarballs and the real Redis', () => {
  it('the root README signs in, then counts visits on the same session', async () => {
    await withReadmeServer('README.md', 0, async (baseUrl) => {
      const request = client(baseUrl);
      const login = await request('POST', '/login');
      expect(login.status).toBe(303);
      expect(login.setCookie.join()).toMatch(/^sid=.+HttpOnly/i);
      expect((await request('GET', '/')).text).toBe('Hello ann, visit 1');
      expect((await request('GET', '/')).text).toBe('Hello ann, visit 2');
    });
  });

  it('the Express README signs the posted user in', async () => {
    await withReadmeServer('packages/express/README.md', 0, async (baseUrl) => {
      const request = client(baseUrl);
      expect((await request('GET', '/')).text).toBe('Hello stranger');
      expect((await request('POST', '/login', { username: 'ann' })).status).toBe(303);
      expect((await request('GET', '/')).text).toBe('Hello ann');
    });
  });

  it('the Koa README counts views on one session', async () => {
    await withReadmeServer('packages/koa/README.md', 0, async (baseUrl) => {
      const request = client(baseUrl);
      expect((await request('GET', '/')).text).toBe('views: 1');
      expect((await request('GET', '/')).text).toBe('views: 2');
    });
  });
});
