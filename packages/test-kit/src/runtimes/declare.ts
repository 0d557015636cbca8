/*
 * Turns the runs of `runRuntimeMatrix` into vitest tests: every case a runtime ran
 * becomes one test here, under the describe titles it had there, failing with that
 * runtime's own message. A run without results is one failing test that says why.
 */
import { describe, it } from 'vitest';
import type { RuntimeRun, RuntimeTestResult } from './matrix';

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

/** Declares each run's results; `label` names the suite (`@sess/store-redis`). */
export function declareRuntimeRuns(label: string, runs: readonly RuntimeRun[]): void {
  for (const run of runs) {
    if (run.failure !== undefined) {
      it(`${label} [${run.runtime}] runs the suite (${run.version})`, () => {
        throw new Error(`the ${run.runtime} run produced no results:\n${run.failure}`);
      });
    }
    // A result outside any describe (an unhandled rejection) still names its runtime.
    const named = run.results.map((result) =>
      result.path.length === 0 ? { ...result, name: `${label} [${run.runtime}] ${result.name}` } : result,
    );
    declare(tree(named));
  }
}
