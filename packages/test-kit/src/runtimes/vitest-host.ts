/*
 * (Copied from @sess/hono's test/host, with async describe bodies, which the store
 * conformance suite uses.)
 *
 * A small stand-in for the part of vitest's API the shared suites use (describe, it,
 * hooks, expect), so the same suite source runs inside Bun, Deno and workerd, where
 * vitest itself does not run (workerd) or runs only partly (Deno, Bun). The bundler
 * maps `vitest` imports to this file; `expect` is vitest's own (`@vitest/expect` on
 * chai), so assertions and their messages are the ones a Node run shows.
 *
 * Results come out as plain data (`RuntimeTestResult[]`) that the Node-side vitest
 * file turns back into one vitest test per case.
 */
import { JestAsymmetricMatchers, JestChaiExpect, JestExtend } from '@vitest/expect';
import * as chai from 'chai';

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(JestAsymmetricMatchers);

type Expect = typeof import('vitest').expect;
type Matchers = Record<string, (...args: unknown[]) => unknown>;

/** vitest's `expect.poll`: retries a matcher on fresh values of `read()` until it passes or the timeout. */
function poll(read: () => unknown, options: { timeout?: number; interval?: number } = {}) {
  const { timeout = 1000, interval = 50 } = options;
  const matchers = (negated: boolean) =>
    new Proxy({} as Matchers, {
      get(_, matcher: string) {
        if (matcher === 'not') return matchers(!negated);
        return async (...args: unknown[]) => {
          const deadlineMs = performance.now() + timeout;
          for (;;) {
            const assertion = chai.expect(await read()) as unknown as { not: Matchers } & Matchers;
            try {
              return await (negated ? assertion.not : assertion)[matcher]!(...args);
            } catch (error) {
              if (performance.now() >= deadlineMs) throw error;
              await new Promise((resolve) => setTimeout(resolve, interval));
            }
          }
        };
      },
    });
  return matchers(false);
}

/** vitest's `expect`, with the Jest matchers and `expect.poll`. */
export const expect = Object.assign(chai.expect, { poll }) as unknown as Expect;

type Hook = () => unknown;
type TestFn = () => unknown;

interface TestCase {
  kind: 'test';
  name: string;
  fn: TestFn;
  timeoutMs: number;
  /** `it.fails`: passes when the body fails. */
  fails: boolean;
  skip: boolean;
}

interface Suite {
  kind: 'suite';
  name: string;
  skip: boolean;
  /** The describe body, run when the run starts (it may be async, as vitest allows). */
  collect?: () => unknown;
  collectError?: unknown;
  children: Array<Suite | TestCase>;
  beforeAll: Hook[];
  afterAll: Hook[];
  beforeEach: Hook[];
  afterEach: Hook[];
}

/** One case's outcome, as the Node side reads it. */
export interface RuntimeTestResult {
  /** The describe titles above the test, outermost first. */
  path: string[];
  name: string;
  state: 'pass' | 'fail' | 'skip';
  durationMs: number;
  error?: { message: string; stack?: string };
}

/** vitest's default test timeout. */
const DEFAULT_TIMEOUT_MS = 5000;

const root = newSuite('', false);
let current = root;

function newSuite(name: string, skip: boolean): Suite {
  return { kind: 'suite', name, skip, children: [], beforeAll: [], afterAll: [], beforeEach: [], afterEach: [] };
}

function defineSuite(name: string, fn: () => unknown, skip: boolean): void {
  const suite = newSuite(name, skip || current.skip);
  suite.collect = fn;
  current.children.push(suite);
}

/**
 * Runs the describe bodies in order, one at a time, as vitest collects a file: an
 * async body (`describe(name, async () => ...)`) registers its tests into its own
 * suite because nothing else is collected until it settles.
 */
async function collectSuite(suite: Suite): Promise<void> {
  if (suite.collect !== undefined) {
    const parent = current;
    current = suite;
    try {
      await suite.collect();
    } catch (error) {
      suite.collectError = error;
    } finally {
      current = parent;
    }
  }
  for (const child of suite.children) if (child.kind === 'suite') await collectSuite(child);
}

function defineTest(name: string, fn: TestFn | undefined, timeoutMs: number | undefined, flags: Partial<TestCase>) {
  current.children.push({
    kind: 'test',
    name,
    fn: fn ?? (() => {}),
    timeoutMs: timeoutMs ?? DEFAULT_TIMEOUT_MS,
    fails: flags.fails ?? false,
    skip: (flags.skip ?? false) || fn === undefined || current.skip,
  });
}

type DefineTest = (name: string, fn?: TestFn, timeoutMs?: number) => void;

export const describe = Object.assign((name: string, fn: () => unknown) => defineSuite(name, fn, false), {
  skip: (name: string, fn: () => unknown) => defineSuite(name, fn, true),
});

export const it: DefineTest & { skip: DefineTest; fails: DefineTest; todo: (name: string) => void } = Object.assign(
  (name: string, fn?: TestFn, timeoutMs?: number) => defineTest(name, fn, timeoutMs, {}),
  {
    skip: (name: string, fn?: TestFn, timeoutMs?: number) => defineTest(name, fn, timeoutMs, { skip: true }),
    fails: (name: string, fn?: TestFn, timeoutMs?: number) => defineTest(name, fn, timeoutMs, { fails: true }),
    todo: (name: string) => defineTest(name, undefined, undefined, { skip: true }),
  },
);
export const test = it;

export const beforeAll = (hook: Hook) => void current.beforeAll.push(hook);
export const afterAll = (hook: Hook) => void current.afterAll.push(hook);
export const beforeEach = (hook: Hook) => void current.beforeEach.push(hook);
export const afterEach = (hook: Hook) => void current.afterEach.push(hook);

/** Runs `fn`, failing it when it takes longer than `timeoutMs`. */
async function withTimeout(fn: () => unknown, timeoutMs: number, what: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`vitest-host: ${what} timed out in ${timeoutMs}ms`)), timeoutMs);
  });
  try {
    await Promise.race([Promise.resolve().then(fn), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function describeError(error: unknown): { message: string; stack?: string } {
  if (error instanceof Error) {
    const described: { message: string; stack?: string } = { message: `${error.name}: ${error.message}` };
    if (error.stack !== undefined) described.stack = error.stack;
    return described;
  }
  return { message: String(error) };
}

/** Rejections nobody handled: vitest reports them as errors of the run; so does the host. */
const unhandled: unknown[] = [];

function watchUnhandledRejections(): void {
  const runtime = globalThis as { process?: { on?: (event: string, listener: (reason: unknown) => void) => void } };
  if (!('Deno' in globalThis) && typeof runtime.process?.on === 'function') {
    runtime.process.on('unhandledRejection', (reason) => unhandled.push(reason));
    return;
  }
  // Deno and workerd: without preventDefault, Deno ends the process on the first one.
  globalThis.addEventListener('unhandledrejection', (event) => {
    event.preventDefault();
    unhandled.push(event.reason);
  });
}

/**
 * Runs every collected test in order, the way vitest runs one file: hooks outermost
 * first (after-hooks innermost first), a failing hook fails the test it wraps.
 */
export async function runCollected(): Promise<RuntimeTestResult[]> {
  const results: RuntimeTestResult[] = [];

  async function runSuite(suite: Suite, path: string[], outer: Suite[]): Promise<void> {
    const chain = [...outer, suite];
    const titles = suite === root ? path : [...path, suite.name];
    let setupError: unknown = suite.collectError;
    if (suite.collectError !== undefined) {
      results.push({ path: titles, name: 'collecting the suite', state: 'fail', durationMs: 0, error: describeError(suite.collectError) });
    }
    try {
      for (const hook of suite.beforeAll) await withTimeout(hook, DEFAULT_TIMEOUT_MS, 'beforeAll');
    } catch (error) {
      setupError = error;
    }
    for (const child of suite.children) {
      if (child.kind === 'suite') {
        await runSuite(child, titles, chain);
        continue;
      }
      const result: RuntimeTestResult = { path: titles, name: child.name, state: 'skip', durationMs: 0 };
      results.push(result);
      if (child.skip) continue;
      const startedMs = performance.now();
      let failure: unknown = setupError;
      if (failure === undefined) {
        try {
          for (const level of chain) {
            for (const hook of level.beforeEach) await withTimeout(hook, DEFAULT_TIMEOUT_MS, 'beforeEach');
          }
          await withTimeout(child.fn, child.timeoutMs, 'test');
        } catch (error) {
          failure = error;
        }
        for (const level of [...chain].reverse()) {
          for (const hook of level.afterEach) {
            try {
              await withTimeout(hook, DEFAULT_TIMEOUT_MS, 'afterEach');
            } catch (error) {
              failure ??= error;
            }
          }
        }
      }
      result.durationMs = Math.round(performance.now() - startedMs);
      if (child.fails) {
        result.state = failure === undefined ? 'fail' : 'pass';
        if (failure === undefined) result.error = { message: 'vitest-host: expected this it.fails test to fail' };
      } else if (failure === undefined) {
        result.state = 'pass';
      } else {
        result.state = 'fail';
        result.error = describeError(failure);
      }
    }
    for (const hook of suite.afterAll) {
      try {
        await withTimeout(hook, DEFAULT_TIMEOUT_MS, 'afterAll');
      } catch (error) {
        results.push({ path: titles, name: 'afterAll', state: 'fail', durationMs: 0, error: describeError(error) });
      }
    }
  }

  watchUnhandledRejections();
  await collectSuite(root);
  await runSuite(root, [], []);
  // Let rejections of the last test surface before reporting.
  await new Promise((resolve) => setTimeout(resolve, 50));
  for (const reason of unhandled) {
    results.push({ path: [], name: 'unhandled rejection during the run', state: 'fail', durationMs: 0, error: describeError(reason) });
  }
  return results;
}

/** The line prefix a server-side runtime prints its results after. */
export const RESULTS_MARKER = '@sess/test-kit runtime results: ';

/** For a Bun or Deno entry: prints the results on the line the matrix reads, then ends the process. */
export function printResults(results: RuntimeTestResult[]): void {
  const runtime = globalThis as unknown as { process: { stdout: { write(text: string): void }; exit(code: number): void } };
  runtime.process.stdout.write(`${RESULTS_MARKER}${JSON.stringify(results)}\n`);
  // A socket some test left open must not keep the runtime alive.
  runtime.process.exit(0);
}
