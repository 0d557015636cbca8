/*
 * workerd, served as a deployed Worker is: one isolate, many requests, the secret a binding.
 * The runtime matrix runs the suite inside one request; this is the case across requests.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { cookieHeaderOf } from '@sess/core/testing';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle, WORKERD_COMPATIBILITY_DATE } from './runtimes/matrix';

/** Bundling and a cold workerd start on a busy 2-core machine. */
const START_TIMEOUT_MS = 60_000;
const REQUESTS = 25;
const SECRET = 'workers-env-test-secret-0123456789abcdef';
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** The first code block of the README's Cloudflare Workers section, as a module of its own. */
async function readmeWorker(): Promise<string> {
  const readme = await readFile(here('../README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Cloudflare Workers'));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (code === undefined) throw new Error('README.md: no ts block under "## Cloudflare Workers"');
  const dir = here('../node_modules/.cache/readme');
  await mkdir(dir, { recursive: true });
  await writeFile(`${dir}/workers.ts`, code);
  return `${dir}/workers.ts`;
}

async function startWorker(entry: string, name: string): Promise<Miniflare> {
  const mf = new Miniflare({
    modules: true,
    scriptPath: await bundle(entry, 'worker', name),
    compatibilityDate: WORKERD_COMPATIBILITY_DATE,
    bindings: { SESSION_SECRET: SECRET },
  });
  await mf.ready;
  return mf;
}

/** POSTs `path` REQUESTS times with the cookie the first answer set; resolves the counts. */
async function countTo(mf: Miniflare, path: string): Promise<number[]> {
  const counts: number[] = [];
  let cookie = '';
  for (let i = 0; i < REQUESTS; i++) {
    const res = await mf.dispatchFetch(`http://worker.test${path}`, { method: 'POST', headers: cookie ? { cookie } : {} });
    counts.push(((await res.json()) as { count: number }).count);
    cookie ||= cookieHeaderOf(res) ?? '';
  }
  return counts;
}

const upTo = Array.from({ length: REQUESTS }, (_, i) => i + 1);

describe('@sess/hono [workerd]: configured from the env, across many requests in one isolate', () => {
  let fixture: Miniflare | undefined;
  let readme: Miniflare | undefined;
  beforeAll(async () => {
    [fixture, readme] = await Promise.all([
      startWorker('../workers/env-worker.ts', 'env-worker'),
      readmeWorker().then((entry) => startWorker(entry, 'readme-worker')),
    ]);
  }, START_TIMEOUT_MS);
  afterAll(async () => {
    await Promise.all([fixture?.dispose(), readme?.dispose()]);
  });

  it("keeps the session with the README's Workers code as written", async () => {
    expect(await countTo(readme!, '/count')).toEqual(upTo);
  });

  it('keeps the session in the memory store of session((env) => options), whose manager is built once', async () => {
    expect(await countTo(fixture!, '/env/count')).toEqual(upTo);
    const res = await fixture!.dispatchFetch('http://worker.test/managers-built');
    expect(await res.json()).toEqual({ managersBuilt: 1 });
  });

  it("keeps the session with options read from cloudflare:workers' env at module scope", async () => {
    expect(await countTo(fixture!, '/import/count')).toEqual(upTo);
  });
});
