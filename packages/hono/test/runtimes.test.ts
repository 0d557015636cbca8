/*
 * The Bun, Deno and workerd runs of the @sess/hono suite, as vitest tests: the suite
 * runs inside each runtime while this file is collected, and every case it ran becomes
 * one test here, named as in that runtime (`@sess/hono [deno], memory store: ...`),
 * failing with the runtime's own failure message.
 */
import { describe, it } from 'vitest';
import { type RuntimeRun, type RuntimeTestResult, runRuntimeMatrix } from './runtimes/matrix';

interface Node {
  tests: RuntimeTestResult[];
  suites: Map<string, Node>;
}

function tree(results: RuntimeTestResult[]): Node {
  const root: Node = { tests: [], suites: new Map() };
  for (const result of results) {
    let node = root;
    for (const title of result.path) {
      let child = node.suites.get(title);
      if (child === undefined) {
        child = { tests: [], suites: new Map() };
        node.suites.set(title, child);
      }
      node = child;
    }
    node.tests.push(result);
  }
  return root;
}

function declare(node: Node): void {
  for (const result of node.tests) {
    if (result.state === 'skip') {
      it.skip(result.name);
      continue;
    }
    it(result.name, () => {
      if (result.state === 'pass') return;
      const error = new Error(result.error?.message ?? 'failed without a message');
      if (result.error?.stack) error.stack = result.error.stack;
      throw error;
    });
  }
  for (const [title, child] of node.suites) describe(title, () => declare(child));
}

function declareRun(run: RuntimeRun): void {
  if (run.failure !== undefined) {
    it(`@sess/hono [${run.runtime}] runs the suite (${run.version})`, () => {
      throw new Error(`the ${run.runtime} run produced no results:\n${run.failure}`);
    });
  }
  // A result outside any describe (an unhandled rejection) still names its runtime.
  const named = run.results.map((result) =>
    result.path.length === 0 ? { ...result, name: `@sess/hono [${run.runtime}] ${result.name}` } : result,
  );
  declare(tree(named));
}

for (const run of await runRuntimeMatrix()) declareRun(run);
